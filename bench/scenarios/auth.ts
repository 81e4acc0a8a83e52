// Access-token verification on one core (this process's thread), as every service does it
// (server-kit's verifier, auth's key set fetched through nginx), against the raw Ed25519
// signature check of the same tokens; and sign-ins through nginx against a bare server doing only
// the argon2id verification of the same password hash behind the same nginx config.
import { type ChildProcess, fork } from 'node:child_process';
import { createPublicKey, randomUUID, verify as verifySignature } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { nginxLimitsFromEnv, stopProcess } from '../../packages/cli/src/stack/index.js';
import { createAccessTokenVerifier, remoteJwks } from '../../packages/server-kit/src/access-token.js';
import { hashPassword, verifyPassword } from '../../services/auth/src/accounts/password.js';
import { loadConfig } from '../../services/auth/src/config.js';
import { createAccessTokenSigner } from '../../services/auth/src/tokens/access-token.js';
import { loadSigningKeys } from '../../services/auth/src/tokens/keys.js';
import { api } from '../lib/flux-api.js';
import { httpLoad } from '../lib/http-load.js';
import { startGateway } from '../lib/private-gateway.js';
import { atLeast, atMost, type BenchContext, type Scenario, type ScenarioResult } from '../lib/scenario.js';
import { alternate } from '../lib/stats.js';

const DISTINCT_TOKENS = 4000;
/** Tokens in use at once, each verified many times (a client's token serves all its requests for 15 minutes). */
const LIVE_TOKENS = 500;
const REPEATED_VERIFICATIONS = 50_000;
const ROUNDS = 3;
const LOGIN_ACCOUNTS = 8;
const LOGIN_ROUNDS = 2;
const LOGIN_SECONDS = 5;

/**
 * The sign-in baseline, run as this file in its own process (like auth, and with auth's
 * environment, UV_THREADPOOL_SIZE included): every POST answers 200 after one argon2id
 * verification of the hash it was handed, with the same parameters as a sign-in.
 */
if (process.env.FLUX_BARE_ARGON2_HASH) {
  const hash = process.env.FLUX_BARE_ARGON2_HASH;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', async () => {
      const ok = await verifyPassword(hash, (JSON.parse(body) as { password: string }).password);
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0));
}

async function startBareArgon2(hash: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, FLUX_BARE_ARGON2_HASH: hash }, stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bare argon2 server exited (${code})`)));
  });
  return { child, port };
}

/** Calls per second of `fn` over `items`, one after another on this thread. */
async function rate<T>(items: T[], fn: (item: T) => unknown): Promise<number> {
  const started = performance.now();
  for (const item of items) await fn(item);
  return items.length / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Completed calls per second of `fn` with `concurrency` in flight for `seconds`. */
async function throughput(concurrency: number, seconds: number, fn: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await fn();
        done++;
      }
    }),
  );
  return done / seconds;
}

async function run(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const keys = await loadSigningKeys(loadConfig({ ...process.env }).jwtPrivateKey);
  const sign = createAccessTokenSigner(keys, 900);
  const claims = () => ({ sub: randomUUID(), sid: randomUUID(), name: 'Bench', email: 'bench@example.com' });
  ctx.progress(`signing ${DISTINCT_TOKENS * ROUNDS} tokens`);
  const batches = await Promise.all(
    Array.from({ length: ROUNDS }, () => Promise.all(Array.from({ length: DISTINCT_TOKENS }, () => sign(claims())))),
  );
  const live = batches[0]?.slice(0, LIVE_TOKENS) ?? [];
  const repeated = Array.from({ length: REPEATED_VERIFICATIONS }, (_, i) => live[i % live.length] ?? '');

  // Raw: the Ed25519 check alone, on the same signing input, with the key already imported.
  const publicKey = createPublicKey({ key: { ...keys.jwks.keys[0] }, format: 'jwk' });
  const raw = (token: string) => {
    const dot = token.lastIndexOf('.');
    if (!verifySignature(null, Buffer.from(token.slice(0, dot)), publicKey, Buffer.from(token.slice(dot + 1), 'base64url')))
      throw new Error('bad signature');
  };

  const figures = { oursDistinct: [] as number[], oursRepeated: [] as number[], rawDistinct: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    ctx.progress(`verification round ${round + 1}/${ROUNDS}`);
    // A new verifier per round: every token of the batch is new to it; the key set is fetched first, as a running service has it.
    const verify = createAccessTokenVerifier(remoteJwks(stack.url));
    await verify(await sign(claims()));
    const tokens = batches[round] ?? [];
    figures.rawDistinct.push(await rate(tokens, raw));
    figures.oursDistinct.push(await rate(tokens, verify));
    figures.oursRepeated.push(await rate(repeated, verify));
  }

  ctx.progress('sign-ins through nginx, alternating with argon2id alone behind the same nginx');
  const password = `Bench-${randomUUID()}-horse`;
  // Accounts of their own for every two connections: one account from one address allows five
  // sign-ins in flight (AUTH_LOGIN_FAILURES_PER_ACCOUNT_IP); 16 in flight keep both cores busy.
  const emails = Array.from({ length: LOGIN_ACCOUNTS }, () => `bench-${randomUUID()}@example.com`);
  for (const email of emails) await api(stack.url, 'POST', '/api/auth/signup', undefined, { email, password, name: 'Bench Login' });
  const hash = await hashPassword(password);
  const bare = await startBareArgon2(hash);
  // Two gateways from the same renderer and limits (the stack's: sign-in rate limits lifted), one in
  // front of auth and one in front of the bare server in auth's place.
  const limits = nginxLimitsFromEnv({
    FLUX_NGINX_AUTH_RATE: '1000000',
    FLUX_NGINX_AUTH_BURST: '100000',
    FLUX_NGINX_AUTH_CONNECTIONS: '60000',
  });
  const upstreams = (auth: string) => ({
    auth: [auth],
    messaging: [`127.0.0.1:${stack.ports.messaging}`],
    collab: [`127.0.0.1:${stack.ports.collab}`],
  });
  const oursGateway = await startGateway(upstreams(`127.0.0.1:${stack.ports.auth}`), limits);
  const bareGateway = await startGateway(upstreams(`127.0.0.1:${bare.port}`), limits);
  const signIns = (gateway: string, seconds: number) =>
    Promise.all(
      emails.map((email) =>
        httpLoad({
          url: `${gateway}/api/auth/login`,
          method: 'POST',
          connections: 2,
          duration: seconds,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        }),
      ),
    );
  const asSamples = (loads: Awaited<ReturnType<typeof signIns>>) => ({
    per_s: [loads.reduce((sum, l) => sum + (l.per_s ?? 0), 0)],
    p50_ms: [median(loads.map((l) => l.p50_ms ?? 0))],
    non_2xx: [loads.reduce((sum, l) => sum + (l.non_2xx ?? 0), 0)],
  });
  let logins: Awaited<ReturnType<typeof alternate>>;
  let argon2InProcess: number;
  try {
    await signIns(oursGateway.url, 1);
    await signIns(bareGateway.url, 1);
    logins = await alternate(
      LOGIN_ROUNDS,
      async () => asSamples(await signIns(oursGateway.url, LOGIN_SECONDS)),
      async () => asSamples(await signIns(bareGateway.url, LOGIN_SECONDS)),
    );
    // For reference: argon2id in this process with no HTTP at all (the scenario's old baseline).
    argon2InProcess = await throughput(2 * LOGIN_ACCOUNTS, LOGIN_SECONDS, () => verifyPassword(hash, password));
  } finally {
    await Promise.all([oursGateway.stop(), bareGateway.stop(), stopProcess(bare.child)]);
  }
  const mean = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sum = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0);
  const login = { per_s: mean(logins.ours.per_s), p50_ms: median(logins.ours.p50_ms ?? []), non_2xx: sum(logins.ours.non_2xx) };
  const argon2PerSecond = mean(logins.baseline.per_s);

  const ours = {
    verify_distinct_per_s: median(figures.oursDistinct),
    verify_repeated_per_s: median(figures.oursRepeated),
    login_per_s: login.per_s ?? 0,
    login_p50_ms: login.p50_ms ?? 0,
  };
  const baseline = {
    verify_distinct_per_s: median(figures.rawDistinct),
    verify_repeated_per_s: median(figures.rawDistinct),
    login_per_s: argon2PerSecond,
    login_p50_ms: median(logins.baseline.p50_ms ?? []),
  };
  return {
    ours,
    baseline,
    ratio: {
      verify_distinct_per_s: ours.verify_distinct_per_s / baseline.verify_distinct_per_s,
      verify_repeated_per_s: ours.verify_repeated_per_s / baseline.verify_repeated_per_s,
      login_per_s: ours.login_per_s / baseline.login_per_s,
      login_p50_ms: ours.login_p50_ms / baseline.login_p50_ms,
    },
    params: {
      distinct_tokens: DISTINCT_TOKENS,
      live_tokens: LIVE_TOKENS,
      repeated_verifications: REPEATED_VERIFICATIONS,
      rounds: ROUNDS,
      baseline_verify: 'crypto.verify (Ed25519) of the same tokens, key imported once',
      baseline_login:
        'a bare node:http server (own process, same environment and thread pool size as auth) answering each POST after one argon2id verify (19 MiB, t=2, p=1) of the same hash, behind the same nginx config, same 16 connections; alternating rounds',
      login_connections: 2 * LOGIN_ACCOUNTS,
      login_rounds: LOGIN_ROUNDS,
      login_seconds: LOGIN_SECONDS,
      login_per_s_by_round: { ours: logins.ours.per_s, baseline: logins.baseline.per_s },
      login_non_2xx: login.non_2xx,
      baseline_login_non_2xx: sum(logins.baseline.non_2xx),
      argon2_in_process_per_s: argon2InProcess,
      login_per_s_vs_argon2_in_process: login.per_s / argon2InProcess,
      uv_threadpool_size: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    },
    goals: [
      atLeast('verifications per second, one core, tokens in use (seen before)', ours.verify_repeated_per_s, 20_000, '/s'),
      atLeast('verifications per second, one core, each token new', ours.verify_distinct_per_s, 20_000, '/s'),
      atLeast('sign-ins ÷ argon2id verifications alone behind the same nginx (argon2-bound)', ours.login_per_s / baseline.login_per_s, 0.8),
      atMost('sign-in answers other than 2xx (a refused sign-in would not be argon2-bound)', login.non_2xx ?? 0, 0),
    ],
  };
}

const scenario: Scenario = {
  name: 'auth',
  title: 'Access-token verification on one core, and logins against argon2id',
  inDefaultRun: true,
  run,
};
export default scenario;
