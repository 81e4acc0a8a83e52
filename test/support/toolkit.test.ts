import { createFastify, fluxErrors, type App } from '@flux/server-kit';
import { EmailBody, type ErrorBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { httpClient, type HttpClient } from './http.js';
import { listenOnLoopback } from './listen.js';

/** A tiny app with the shapes tests meet: JSON, errors, 204, cookies, redirects, plain text. */
async function buildToyApp(): Promise<App> {
  const app = createFastify({ service: 'auth', config: { logLevel: 'warn', bodyLimit: 1024 * 1024 }, logger: false });
  await app.register(fluxErrors);
  app.post('/echo', { schema: { body: EmailBody } }, async (request, reply) =>
    reply.code(201).send({ email: request.body.email, auth: request.headers.authorization ?? null, ip: request.ip }),
  );
  app.get('/query', async (request) => request.query);
  app.delete('/thing', async (_request, reply) => reply.code(204).send());
  app.post('/login', async (_request, reply) =>
    reply.header('set-cookie', ['sid=abc; Path=/; HttpOnly', 'theme=dark; Path=/']).send({ ok: true }),
  );
  app.post('/logout', async (_request, reply) => reply.header('set-cookie', 'sid=; Path=/; Max-Age=0').send({ ok: true }));
  app.get('/cookies', async (request) => ({ cookie: request.headers.cookie ?? null }));
  app.get('/moved', async (_request, reply) => reply.redirect('/elsewhere'));
  app.get('/text', async (_request, reply) => reply.type('text/plain').send('plain words'));
  return app;
}

describe.each(['inject', 'real socket'] as const)('httpClient through %s', (mode) => {
  let app: App;
  let http: HttpClient;
  beforeAll(async () => {
    app = await buildToyApp();
    http = httpClient(mode === 'inject' ? app : await listenOnLoopback(app), { jar: true });
  });
  afterAll(() => app.close());

  it('sends JSON and types the answer', async () => {
    const answer = await http.post<{ email: string; auth: string | null }>('/echo', { email: 'ada@test.flux.local' }, { token: 't0k' });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ email: 'ada@test.flux.local', auth: 'Bearer t0k' });
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    expect(answer.headers.get('x-request-id')).toBeTruthy();
  });

  it('reads error envelopes, 204s, text and redirects as they are', async () => {
    const bad = await http.post<ErrorBody>('/echo', { email: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_error', details: { field: 'email' } });

    const broken = await http.post<ErrorBody>('/echo', undefined, { raw: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(broken.body.error.code).toBe('invalid_json');
    const bytes = await http.post<ErrorBody>('/echo', undefined, {
      raw: Buffer.from('{"email":'),
      headers: { 'content-type': 'application/json' },
    });
    expect(bytes.body.error.code).toBe('invalid_json');

    const none = await http.delete('/thing');
    expect(none.status).toBe(204);
    expect(none.body).toBeUndefined();

    expect((await http.get('/text')).body).toBe('plain words');
    const moved = await http.get('/moved');
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/elsewhere');
  });

  it('builds query strings and skips undefined values', async () => {
    const answer = await http.get<Record<string, string>>('/query?fixed=1', {
      query: { q: 'a b&c', limit: 5, unread: true, none: undefined },
    });
    expect(answer.body).toEqual({ fixed: '1', q: 'a b&c', limit: '5', unread: 'true' });
  });

  it('keeps cookies in its jar, drops expired ones, and shares the jar with as()', async () => {
    await http.post('/login');
    expect(Object.fromEntries(http.cookies)).toEqual({ sid: 'abc', theme: 'dark' });
    const bob = http.as({ accessToken: 'bob-token' });
    expect((await bob.get<{ cookie: string }>('/cookies')).body.cookie).toBe('sid=abc; theme=dark');
    expect((await bob.post<{ auth: string }>('/echo', { email: 'bob@test.flux.local' })).body.auth).toBe('Bearer bob-token');
    await http.post('/logout');
    expect((await http.get<{ cookie: string }>('/cookies')).body.cookie).toBe('theme=dark');
  });
});

describe('httpClient', () => {
  it('acts as another client IP through X-Forwarded-For (trusted from loopback)', async () => {
    const app = await buildToyApp();
    try {
      const answer = await httpClient(await listenOnLoopback(app), { ip: '203.0.113.7' }).post<{ ip: string }>('/echo', {
        email: 'x@test.flux.local',
      });
      expect(answer.body.ip).toBe('203.0.113.7');
    } finally {
      await app.close();
    }
  });
});

describe('eventually', () => {
  it('returns the first value that is not false, null or undefined', async () => {
    let tries = 0;
    const value = await eventually(() => {
      tries += 1;
      return tries < 3 ? undefined : { tries };
    });
    expect(value).toEqual({ tries: 3 });
    expect(await eventually(() => 0)).toBe(0);
  });

  it('retries assertions until they hold', async () => {
    const started = Date.now();
    await eventually(() => {
      expect(Date.now() - started).toBeGreaterThanOrEqual(60);
      return true;
    });
  });

  it('gives up after the timeout, naming what and why', async () => {
    const started = Date.now();
    await expect(
      eventually(
        () => {
          throw new Error('still 0 unread');
        },
        { timeout: 100, what: 'the bell' },
      ),
    ).rejects.toThrow('the bell did not hold within 100 ms: still 0 unread');
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(eventually(() => false, { timeout: 50 })).rejects.toThrow(/returned false/);
  });
});
