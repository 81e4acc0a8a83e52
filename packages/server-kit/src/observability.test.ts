import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { Registry } from 'prom-client';
import { Server as SocketServer } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastify, type App } from './app.js';
import { EnvReader, readBaseConfig, type BaseConfig } from './config.js';
import { AuthClient } from './internal-client.js';
import { sql } from 'kysely';
import { fluxCore } from './plugins/core.js';
import { fluxOutboxRelay } from './plugins/outbox.js';
import { createQueueFactory } from './queues.js';
import { instrumentSocketServer } from './socket-metrics.js';

const config = (): BaseConfig => {
  const reader = new EnvReader({ ...process.env });
  const value = readBaseConfig(reader, 'messaging');
  reader.done();
  return value;
};

/** A stand-in for auth's internal API on loopback that records the headers of every call. */
async function recordingAuth(): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('request ids and RED metrics', () => {
  let app: App;
  let auth: Awaited<ReturnType<typeof recordingAuth>>;
  beforeAll(async () => {
    auth = await recordingAuth();
    app = createFastify({ service: 'messaging', config: config(), logger: false });
    await app.register(fluxCore, { config: config(), publicHealthPath: '/api/messages/health' });
    const client = new AuthClient(auth.url, app.serviceTokens);
    app.get('/api/things/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (request) => {
      // Two awaits deep, like a service calling auth from inside its own logic.
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { id: request.params.id, user: await client.user('u-1') };
    });
    app.get('/api/broken', async () => {
      throw new Error('broken on purpose');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    auth.server.close();
  });

  it('forwards the request id to internal calls', async () => {
    const response = await app.inject({ url: '/api/things/42', headers: { 'x-request-id': 'req-forwarded-1' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('req-forwarded-1');
    expect(auth.seen.at(-1)?.['x-request-id']).toBe('req-forwarded-1');
    expect(auth.seen.at(-1)?.authorization).toMatch(/^Service /);
  });

  it('sends no request id from outside a request', async () => {
    await new AuthClient(auth.url, app.serviceTokens).user('u-2');
    expect(auth.seen.at(-1)?.['x-request-id']).toBeUndefined();
  });

  it('counts and times requests by route pattern, method and status class', async () => {
    for (const id of ['1', '2', '3']) await app.inject({ url: `/api/things/${id}` });
    await app.inject({ url: '/api/broken' });
    await app.inject({ url: '/nowhere' });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/things\/:id",status_class="2xx",service="messaging"\} [3-9]/);
    expect(text).toContain('http_requests_total{method="GET",route="/api/broken",status_class="5xx",service="messaging"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status_class="4xx",service="messaging"} 1');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{service="messaging",method="GET",route="\/api\/things\/:id",status_class="2xx"\} [3-9]/,
    );
    // Raw URLs never become series.
    expect(text).not.toContain('/api/things/1');
  });
});

describe('dependency gauge', () => {
  it('reports 1 for reachable PostgreSQL and Redis and 0 for an unreachable one', async () => {
    const reader = new EnvReader({ ...process.env, REDIS_URL: 'redis://127.0.0.1:1' });
    const broken = readBaseConfig(reader, 'messaging');
    const apps = [
      createFastify({ service: 'messaging', config: config(), logger: false }),
      createFastify({ service: 'messaging', config: broken, logger: false }),
    ];
    await apps[0]?.register(fluxCore, { config: config(), publicHealthPath: '/api/messages/health' });
    await apps[1]?.register(fluxCore, { config: broken, publicHealthPath: '/api/messages/health' });
    try {
      const [healthy, noRedis] = await Promise.all(apps.map(async (app) => (await app.inject({ url: '/metrics' })).body));
      expect(healthy).toMatch(/flux_dependency_up\{dependency="db"[^}]*\} 1/);
      expect(healthy).toMatch(/flux_dependency_up\{dependency="redis"[^}]*\} 1/);
      expect(noRedis).toMatch(/flux_dependency_up\{dependency="db"[^}]*\} 1/);
      expect(noRedis).toMatch(/flux_dependency_up\{dependency="redis"[^}]*\} 0/);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });
});

describe('queue gauges', () => {
  it('report depth by state and the age of the oldest waiting job', async () => {
    const { log } = createFastify({ service: 'messaging', config: config(), logger: false });
    const registry = new Registry();
    const prefix = `${config().redisPrefix}queue-metrics-${Date.now()}:`;
    const queues = createQueueFactory({ redisUrl: config().redisUrl, prefix, log, metrics: registry });
    const queue = queues.createQueue<{ n: number }>('reports');
    try {
      await queue.add('old', { n: 1 }, { timestamp: Date.now() - 120_000 });
      await queue.add('new', { n: 2 });
      await queue.add('later', { n: 3 }, { delay: 60_000 });
      const text = await registry.metrics();
      expect(text).toContain('bullmq_queue_jobs{queue="reports",state="waiting"} 2');
      expect(text).toContain('bullmq_queue_jobs{queue="reports",state="delayed"} 1');
      const lag = Number(/bullmq_queue_oldest_waiting_seconds\{queue="reports"\} ([\d.]+)/.exec(text)?.[1]);
      expect(lag).toBeGreaterThanOrEqual(120);
    } finally {
      await queue.obliterate({ force: true });
      await queues.close();
    }
    // A closed factory's queues are no longer read.
    expect(await registry.metrics()).not.toContain('queue="reports"');
  });
});

describe('socket event metrics', () => {
  let io: SocketServer;
  let url: string;
  const registry = new Registry();
  beforeAll(async () => {
    const server = createServer();
    io = new SocketServer(server, { transports: ['websocket'] });
    instrumentSocketServer(io, registry);
    io.on('connection', (socket) => {
      void socket.join('room-a');
      socket.on('echo', (payload: unknown, ack: (answer: unknown) => void) => ack({ ok: true, payload }));
      socket.on('refuse', (_payload: unknown, ack: (answer: unknown) => void) =>
        ack({ ok: false, error: { code: 'validation_error', message: 'no' } }),
      );
      socket.on('fire', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await io.close();
  });

  it('counts and times every event by name and outcome, and reports rooms', async () => {
    const client = connect(url, { transports: ['websocket'] });
    try {
      await client.emitWithAck('echo', { a: 1 });
      await client.emitWithAck('echo', { a: 2 });
      await client.emitWithAck('refuse', {});
      client.emit('fire', {});
      client.emit('made-up-event', {});
      // The server handles a socket's packets in order: once this ack is back, all of the above were seen.
      await client.emitWithAck('echo', { a: 3 });
      const text = await registry.metrics();
      expect(text).toContain('socketio_events_total{event="echo",outcome="ok"} 3');
      expect(text).toContain('socketio_events_total{event="refuse",outcome="validation_error"} 1');
      expect(text).toContain('socketio_events_total{event="fire",outcome="unacknowledged"} 1');
      expect(text).toContain('socketio_events_total{event="unknown",outcome="unacknowledged"} 1');
      expect(text).not.toContain('made-up-event');
      expect(text).toContain('socketio_event_duration_seconds_count{event="echo",outcome="ok"} 3');
      expect(text).toContain('socketio_rooms 1');
    } finally {
      client.close();
    }
  });
});

describe('outbox gauges', () => {
  it('report the events waiting in the outbox and the age of the oldest', async () => {
    const app = createFastify({ service: 'auth', config: config(), logger: false });
    await app.register(fluxCore, { config: config(), publicHealthPath: '/api/auth/health' });
    // An outbox of this test's own (auth's layout): a real auth relay running elsewhere in the suite would empty auth.outbox.
    const schema = `outbox_gauge_${process.pid}_${Date.now()}`;
    await sql`create schema ${sql.id(schema)}`.execute(app.db);
    await sql`create table ${sql.table(`${schema}.outbox`)} (like auth.outbox including all)`.execute(app.db);
    // A sink that refuses everything keeps the events in the outbox, as during a Redis outage.
    await app.register(fluxOutboxRelay, {
      schema,
      sink: async () => {
        throw new Error('sink down');
      },
    });
    await app.ready();
    try {
      await sql`insert into ${sql.table(`${schema}.outbox`)} (name, payload, created_at) values ('test.lag', '{}'::jsonb, now() - interval '90 seconds')`.execute(
        app.db,
      );
      const text = (await app.inject({ url: '/metrics' })).body;
      expect(text).toMatch(new RegExp(`outbox_events_pending\\{schema="${schema}"[^}]*\\} 1\\n`));
      const age = Number(new RegExp(`outbox_oldest_event_seconds\\{schema="${schema}"[^}]*\\} ([\\d.]+)`).exec(text)?.[1]);
      expect(age).toBeGreaterThanOrEqual(90);
    } finally {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(app.db);
      await app.close();
    }
  });
});
