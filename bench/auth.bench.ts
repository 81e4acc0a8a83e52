import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { BenchContext } from './run.js';
import { summarize, table } from './lib/stats.js';
// Relative imports: the code under test, with its own dependencies (argon2, jose) resolved from its package.
import { hashPassword, verifyPassword } from '../services/auth/src/accounts/password.js';
import { loadConfig } from '../services/auth/src/config.js';
import { createAccessTokenSigner } from '../services/auth/src/tokens/access-token.js';
import { loadSigningKeys, localJwks } from '../services/auth/src/tokens/keys.js';
import { createAccessTokenVerifier, remoteJwks } from '../packages/server-kit/src/access-token.js';

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** What a sign-in costs: argon2id (m=19 MiB, t=2, p=1) vs token signing/verification, then login and /me over HTTP. */
export default async function auth({ stack }: BenchContext): Promise<void> {
  const password = `Bench-${randomUUID()}-horse`;
  const hash = await hashPassword(password);
  const config = loadConfig({ ...process.env });
  const keys = await loadSigningKeys(config.jwtPrivateKey);
  const sign = createAccessTokenSigner(keys, 900);
  const claims = { sub: randomUUID(), sid: randomUUID(), name: 'Bench', email: 'bench@example.com' };
  const token = await sign(claims);
  const verifyLocal = createAccessTokenVerifier(localJwks(keys));
  const verifyRemote = createAccessTokenVerifier(remoteJwks(stack.url));
  await verifyRemote(token); // warm the JWKS cache, as a long-running service has it

  table('auth crypto, sequential, one core', [
    { name: 'access token verify (EdDSA, local JWKS)', summary: summarize(await time(2000, () => verifyLocal(token))) },
    { name: 'access token verify (remote JWKS, cached)', summary: summarize(await time(2000, () => verifyRemote(token))) },
    { name: 'access token sign (EdDSA)', summary: summarize(await time(2000, () => sign(claims))) },
    { name: 'argon2id hash (19 MiB, t=2, p=1)', summary: summarize(await time(20, () => hashPassword(password))) },
    { name: 'argon2id verify', summary: summarize(await time(20, () => verifyPassword(hash, password))) },
  ]);

  const email = `bench-${randomUUID()}@example.com`;
  const signup = await fetch(`${stack.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name: 'Bench' }),
  });
  const { accessToken } = (await signup.json()) as { accessToken: string };
  const run = async (name: string, options: autocannon.Options) => {
    const result = await autocannon({ connections: 10, duration: 5, ...options });
    return {
      name,
      throughput: result.requests.average,
      unit: ' req/s',
      summary: {
        n: result.requests.total,
        mean: result.latency.average,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
    };
  };
  table('auth over HTTP through nginx, 10 connections, 5 s each', [
    await run('GET /api/auth/health (baseline)', { url: `${stack.url}/api/auth/health` }),
    await run('GET /api/auth/me (verify + session lookup)', {
      url: `${stack.url}/api/auth/me`,
      headers: { authorization: `Bearer ${accessToken}` },
    }),
    await run('POST /api/auth/login (argon2id bound)', {
      url: `${stack.url}/api/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    }),
  ]);
}
