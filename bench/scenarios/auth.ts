// Access-token verification on one core (this process's thread), as every service does it
// (server-kit's verifier, auth's key set fetched through nginx), against the raw Ed25519
// signature check of the same tokens; and logins through nginx against argon2id alone.
import { createPublicKey, randomUUID, verify as verifySignature } from 'node:crypto';
import { createAccessTokenVerifier, remoteJwks } from '../../packages/server-kit/src/access-token.js';
import { hashPassword, verifyPassword } from '../../services/auth/src/accounts/password.js';
import { loadConfig } from '../../services/auth/src/config.js';
import { createAccessTokenSigner } from '../../services/auth/src/tokens/access-token.js';
import { loadSigningKeys } from '../../services/auth/src/tokens/keys.js';
import { api } from '../lib/flux-api.js';
import { httpLoad } from '../lib/http-load.js';
import { atLeast, atMost, type BenchContext, type Scenario, type ScenarioResult } from '../lib/scenario.js';

const DISTINCT_TOKENS = 4000;
/** Tokens in use at once, each verified many times (a client's token serves all its requests for 15 minutes). */
const LIVE_TOKENS = 500;
const REPEATED_VERIFICATIONS = 50_000;
const ROUNDS = 3;
const LOGIN_ACCOUNTS = 8;

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

  ctx.progress('logins through nginx, then argon2id alone');
  const password = `Bench-${randomUUID()}-horse`;
  // Accounts of their own for every two connections: one account from one address allows five
  // sign-ins in flight (AUTH_LOGIN_FAILURES_PER_ACCOUNT_IP); 16 in flight keep both cores busy.
  const emails = Array.from({ length: LOGIN_ACCOUNTS }, () => `bench-${randomUUID()}@example.com`);
  for (const email of emails) await api(stack.url, 'POST', '/api/auth/signup', undefined, { email, password, name: 'Bench Login' });
  const loads = await Promise.all(
    emails.map((email) =>
      httpLoad({
        url: `${stack.url}/api/auth/login`,
        method: 'POST',
        connections: 2,
        duration: 5,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      }),
    ),
  );
  const login = {
    per_s: loads.reduce((sum, l) => sum + (l.per_s ?? 0), 0),
    p50_ms: median(loads.map((l) => l.p50_ms ?? 0)),
    non_2xx: loads.reduce((sum, l) => sum + (l.non_2xx ?? 0), 0),
  };
  const hash = await hashPassword(password);
  const argon2PerSecond = await throughput(2 * LOGIN_ACCOUNTS, 5, () => verifyPassword(hash, password));

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
  };
  return {
    ours,
    baseline,
    ratio: {
      verify_distinct_per_s: ours.verify_distinct_per_s / baseline.verify_distinct_per_s,
      verify_repeated_per_s: ours.verify_repeated_per_s / baseline.verify_repeated_per_s,
      login_per_s: ours.login_per_s / baseline.login_per_s,
    },
    params: {
      distinct_tokens: DISTINCT_TOKENS,
      live_tokens: LIVE_TOKENS,
      repeated_verifications: REPEATED_VERIFICATIONS,
      rounds: ROUNDS,
      baseline_verify: 'crypto.verify (Ed25519) of the same tokens, key imported once',
      baseline_login: 'argon2id verify (19 MiB, t=2, p=1) in-process, 16 at a time (the thread pool)',
      login_connections: 2 * LOGIN_ACCOUNTS,
      login_non_2xx: login.non_2xx,
    },
    goals: [
      atLeast('verifications per second, one core, tokens in use (seen before)', ours.verify_repeated_per_s, 20_000, '/s'),
      atLeast('verifications per second, one core, each token new', ours.verify_distinct_per_s, 20_000, '/s'),
      atLeast('logins ÷ argon2id verifications alone (argon2-bound)', ours.login_per_s / baseline.login_per_s, 0.8),
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
