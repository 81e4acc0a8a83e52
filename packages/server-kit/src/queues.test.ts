import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import { QueueEvents, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { createQueueFactory, type QueueFactory } from './queues.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.REDIS_PREFIX ?? 'flux-test:';

/** A real pino logger whose lines are kept for assertions. */
function recordingLog() {
  const lines: Array<{ level: number; msg: string; attemptsMade?: number; jobId?: string; queue?: string }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

describe('createQueueFactory', () => {
  const opened: QueueFactory[] = [];
  const factory = (log = recordingLog().log, url = redisUrl, purpose = 'kit-test') => {
    const made = createQueueFactory({ redisUrl: url, prefix, log, purpose });
    opened.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((made) => made.close({ force: true })));
  });

  it('runs typed jobs through a queue and a worker under the deployment prefix', async () => {
    const name = `kit-test-${randomUUID()}`;
    const queues = factory();
    const queue = queues.createQueue<{ documentId: string }, { folded: number }>(name);
    const seen: string[] = [];
    const worker = queues.createWorker<{ documentId: string }, { folded: number }>(name, async (job) => {
      seen.push(job.data.documentId);
      return { folded: job.data.documentId.length };
    });
    const job = await queue.add('compact', { documentId: 'doc-1' });
    const events = new QueueEvents(name, { connection: { url: redisUrl }, prefix: `${prefix}bull` });
    try {
      expect(await job.waitUntilFinished(events, 10_000)).toEqual({ folded: 5 });
    } finally {
      await events.close();
    }
    expect(seen).toEqual(['doc-1']);
    expect(queue.opts.prefix).toBe(`${prefix}bull`);
    expect(worker.opts.prefix).toBe(`${prefix}bull`);
  });

  it('logs a retried failure as a warning and only the final attempt as an error', async () => {
    const name = `kit-test-${randomUUID()}`;
    const { log, lines } = recordingLog();
    const queues = factory(log);
    const queue = queues.createQueue<{ n: number }>(name, { defaultJobOptions: { attempts: 2 } });
    let runs = 0;
    queues.createWorker<{ n: number }>(name, async () => {
      runs += 1;
      throw new Error(`boom ${runs}`);
    });
    const job = await queue.add('fails', { n: 1 });
    await eventually(() => lines.some((line) => line.msg === 'job failed on its final attempt'), { what: 'the final-attempt log' });
    expect(runs).toBe(2);
    const failures = lines.filter((line) => line.jobId === job.id);
    expect(failures.map((line) => [line.level, line.msg, line.attemptsMade])).toEqual([
      [40, 'job failed; will retry', 1],
      [50, 'job failed on its final attempt', 2],
    ]);
  });

  it('treats an UnrecoverableError as final even with attempts left', async () => {
    const name = `kit-test-${randomUUID()}`;
    const { log, lines } = recordingLog();
    const queues = factory(log);
    const queue = queues.createQueue<{ n: number }>(name, { defaultJobOptions: { attempts: 5 } });
    queues.createWorker<{ n: number }>(name, async () => {
      throw new UnrecoverableError('bad data');
    });
    await queue.add('unrecoverable', { n: 1 });
    await eventually(() => lines.some((line) => line.msg === 'job failed on its final attempt'), { what: 'the final-attempt log' });
    expect(lines.filter((line) => line.msg === 'job failed; will retry')).toHaveLength(0);
  });

  it('fails fast once Redis is gone instead of holding the add in an offline queue', async () => {
    // A real TCP hop in front of Redis that the test can cut.
    const target = new URL(redisUrl);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as net.AddressInfo;
    const queues = factory(recordingLog().log, `redis://127.0.0.1:${port}`);
    const queue = queues.createQueue<{ n: number }>(`kit-test-${randomUUID()}`);
    await queue.add('while-up', { n: 1 });

    proxy.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await expect(queue.add('while-down', { n: 2 })).rejects.toThrow(/enableOfflineQueue/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('closes workers (letting a running job finish), then queues, then their connections', async () => {
    const name = `kit-test-${randomUUID()}`;
    const purpose = `kit-close-${randomUUID().slice(0, 8)}`;
    const queues = factory(recordingLog().log, redisUrl, purpose);
    const queue = queues.createQueue<{ n: number }>(name);
    const finished: string[] = [];
    let started = false;
    const worker = queues.createWorker<{ n: number }>(name, async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished.push('job');
    });
    await queue.add('slow', { n: 1 });
    await eventually(() => started, { what: 'the job started' });
    const admin = new Redis(redisUrl);
    // The factory's connections carry its purpose in their client name.
    const ours = async () =>
      String(await admin.client('LIST'))
        .split('\n')
        .filter((line) => line.includes(`name=flux-${purpose}-`))
        .map((line) => /name=(\S+)/.exec(line)?.[1])
        .sort();
    try {
      expect(await ours()).toEqual([`flux-${purpose}-producer`, `flux-${purpose}-worker`]);
      await queues.close();
      expect(finished).toEqual(['job']);
      expect(worker.isRunning()).toBe(false);
      expect(await ours()).toEqual([]);
    } finally {
      await admin.quit();
    }
    await expect(queues.close()).resolves.toBeUndefined();
    expect(() => queues.createQueue(name)).toThrow(/closed/);
  });
});
