import { request } from 'node:https';
import { serviceRegistry } from '@flux/shared/registry';
import { FluxError } from '../ui.js';

export const publicHealthPaths: readonly string[] = serviceRegistry.map((s) => s.publicHealthPath);

export interface HealthResult {
  path: string;
  /** 0 when nothing answered */
  status: number;
  body: string;
}

/**
 * GET with a 5 s limit. Over https the certificate is not verified: this checks our own gateway
 * (usually on loopback), and a self-signed or not-yet-issued certificate must not hide its health.
 */
async function get(url: string): Promise<{ status: number; body: string }> {
  if (!url.startsWith('https:')) {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: await response.text() };
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export async function checkHealth(baseUrl: string, paths: readonly string[] = publicHealthPaths): Promise<HealthResult[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        const { status, body } = await get(baseUrl + path);
        return { path, status, body: body.slice(0, 200) };
      } catch (err) {
        return {
          path,
          status: 0,
          body: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
        };
      }
    }),
  );
}

/** Polls `probe` until it answers true; throws a FluxError naming `what` after `ms`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, ms = 20_000, hint?: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new FluxError(`${what} did not become ready within ${Math.round(ms / 1000)} s`, hint);
}

/** Waits until every health path answers 200 through `baseUrl`; the error lists the ones that do not. */
export async function waitHealthy(
  baseUrl: string,
  options: { paths?: readonly string[]; timeoutMs?: number; hint?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let bad: HealthResult[] = [];
  while (Date.now() < deadline) {
    bad = (await checkHealth(baseUrl, options.paths)).filter((r) => r.status !== 200);
    if (bad.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new FluxError(
    `services are not healthy:\n${bad.map((r) => `      ${r.path}: ${r.status || 'unreachable'} ${r.body}`).join('\n')}`,
    options.hint ?? 'see ./flux logs <service>; a config error lists every bad variable',
  );
}
