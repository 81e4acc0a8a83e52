import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastify, type App } from './app.js';
import { EnvReader, readBaseConfig } from './config.js';
import { fluxCore } from './plugins/core.js';
import { runWithRequestId } from './request-context.js';

interface SentryEvent {
  exception?: { values?: Array<{ type?: string; value?: string }> };
  tags?: Record<string, string>;
}

/** A Sentry ingest on loopback: records every envelope that arrives (DSN `http://key@127.0.0.1:<port>/1`). */
class RecordingIngest {
  readonly envelopes: Array<{ path: string; items: unknown[] }> = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      // An envelope is newline-separated JSON: its header, then an item header and payload per item.
      const lines = text.split('\n').filter(Boolean);
      this.envelopes.push({ path: request.url ?? '', items: lines.slice(1).map((line) => JSON.parse(line)) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The events (item payloads of type `event`) received so far. */
  events(): SentryEvent[] {
    return this.envelopes.flatMap(({ items }) =>
      items.filter((_, i) => i % 2 === 1 && (items[i - 1] as { type?: string }).type === 'event').map((item) => item as SentryEvent),
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function appWith(env: Record<string, string>): Promise<App> {
  const reader = new EnvReader({ ...process.env, ...env });
  const config = readBaseConfig(reader, 'auth');
  reader.done();
  const app = createFastify({ service: 'auth', config, logger: false });
  await app.register(fluxCore, { config, publicHealthPath: '/api/auth/health' });
  app.get('/api/explode', async () => {
    throw new Error('exploded on purpose');
  });
  app.get('/api/fine', async () => ({ fine: true }));
  await app.ready();
  return app;
}

describe('error reporting with SENTRY_DSN', () => {
  let ingest: RecordingIngest;
  let app: App;
  beforeAll(async () => {
    ingest = await new RecordingIngest().start();
    app = await appWith({ SENTRY_DSN: `http://publickey@127.0.0.1:${ingest.port}/1` });
  });
  afterAll(async () => {
    await app.close();
    await ingest.stop();
  });

  it('sends a 5xx error to the ingest with its request id and route', async () => {
    const response = await app.inject({ url: '/api/explode', headers: { 'x-request-id': 'req-sentry-500' } });
    expect(response.statusCode).toBe(500);
    await app.errorReporter?.close(5000);
    const event = ingest.events().find((e) => e.tags?.request_id === 'req-sentry-500');
    expect(event?.exception?.values?.[0]).toMatchObject({ type: 'Error', value: 'exploded on purpose' });
    expect(event?.tags).toMatchObject({ service: 'auth', source: 'request' });
    expect(ingest.envelopes[0]?.path).toMatch(/^\/api\/1\/envelope\/\?.*sentry_key=publickey/);
  });
});

describe('error reporting of unhandled rejections', () => {
  it('sends the rejection with the id of the request it came from', async () => {
    const ingest = await new RecordingIngest().start();
    const app = await appWith({ SENTRY_DSN: `http://publickey@127.0.0.1:${ingest.port}/1` });
    try {
      // What Node does for a promise nobody handled (it runs the listeners in the promise's async
      // context), without failing the test run the way a real unhandled rejection would.
      const reason = new Error('nobody caught me');
      runWithRequestId('req-rejected-7', () => process.emit('unhandledRejection', reason, Promise.resolve()));
      await app.errorReporter?.close(5000);
      const event = ingest.events().find((e) => e.tags?.request_id === 'req-rejected-7');
      expect(event?.exception?.values?.[0]?.value).toBe('nobody caught me');
      expect(event?.tags?.source).toBe('unhandled_rejection');
    } finally {
      await app.close();
      await ingest.stop();
    }
  });
});

describe('error reporting of uncaught exceptions', () => {
  it('sends the exception with its request id and leaves the process to its usual handlers', async () => {
    const ingest = await new RecordingIngest().start();
    const app = await appWith({ SENTRY_DSN: `http://publickey@127.0.0.1:${ingest.port}/1` });
    try {
      // Node emits this monitor event just before 'uncaughtException'; emitting it alone crashes nothing.
      runWithRequestId('req-thrown-9', () =>
        (process as NodeJS.EventEmitter).emit('uncaughtExceptionMonitor', new Error('thrown in a timer'), 'uncaughtException'),
      );
      await app.errorReporter?.close(5000);
      const event = ingest.events().find((e) => e.tags?.request_id === 'req-thrown-9');
      expect(event?.exception?.values?.[0]?.value).toBe('thrown in a timer');
      expect(event?.tags?.source).toBe('uncaught_exception');
    } finally {
      await app.close();
      await ingest.stop();
    }
  });
});

describe('error reporting without SENTRY_DSN', () => {
  it('has no reporter, sends nothing and keeps serving', async () => {
    const ingest = await new RecordingIngest().start();
    const app = await appWith({ SENTRY_DSN: '' });
    try {
      expect(app.errorReporter).toBeUndefined();
      const failed = await app.inject({ url: '/api/explode', headers: { 'x-request-id': 'req-no-dsn' } });
      expect(failed.statusCode).toBe(500);
      expect(failed.json().error.requestId).toBe('req-no-dsn');
      expect((await app.inject({ url: '/api/fine' })).json()).toEqual({ fine: true });
    } finally {
      await app.close();
    }
    expect(ingest.envelopes).toEqual([]);
    await ingest.stop();
  });

  it('never loads @sentry/node (a fresh process that boots the core and answers a 500 resolves no @sentry module)', async () => {
    // Runs in its own process: this one already loaded Sentry for the tests above.
    const probe = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(specifier, context, next) { if (specifier.startsWith('@sentry/')) seen.push(specifier); return next(specifier, context); } });
      const { createFastify, fluxCore, EnvReader, readBaseConfig } = await import('./packages/server-kit/src/index.ts');
      const reader = new EnvReader(process.env);
      const config = readBaseConfig(reader, 'auth');
      reader.done();
      const app = createFastify({ service: 'auth', config, logger: false });
      await app.register(fluxCore, { config, publicHealthPath: '/api/auth/health' });
      app.get('/boom', async () => { throw new Error('boom'); });
      const status = (await app.inject({ url: '/boom' })).statusCode;
      await app.close();
      console.log(JSON.stringify({ status, seen }));`;
    const run = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
        cwd: fileURLToPath(new URL('../../../', import.meta.url)),
        env: { ...process.env, ...env },
      }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { status: number; seen: string[] });
    expect(await run({ SENTRY_DSN: '' })).toEqual({ status: 500, seen: [] });
    // The probe does see Sentry when it is configured (port 9: nothing listens, nothing waits).
    expect((await run({ SENTRY_DSN: 'http://key@127.0.0.1:9/1' })).seen).toContain('@sentry/node');
  });

  it('refuses a SENTRY_DSN that is not a URL at start-up', () => {
    const reader = new EnvReader({ ...process.env, SENTRY_DSN: 'not a url' });
    readBaseConfig(reader, 'auth');
    expect(() => reader.done()).toThrow(/SENTRY_DSN must be a URL/);
  });
});
