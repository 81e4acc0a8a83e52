import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { HealthBody, type InstanceStatus, type QueueStatus, type SystemStatus } from '@flux/shared';
import { type RegisteredService, serviceRegistry } from '@flux/shared/registry';
import { Value } from '@sinclair/typebox/value';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import * as repo from './repository.js';

/** The repository root: this file is `services/auth/{src,dist}/admin/status.*`. */
const root = new URL('../../../../', import.meta.url);
const PROBE_TIMEOUT_MS = 2000;

const readJson = async (path: string): Promise<Record<string, unknown> | undefined> =>
  readFile(new URL(path, root), 'utf8').then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => undefined,
  );

/**
 * What serves: a `./flux deploy` release (its `RELEASE.json`: id and commit), else the checkout
 * (`./flux up`) and its HEAD when git can tell.
 */
async function release(): Promise<SystemStatus['release']> {
  const info = await readJson('RELEASE.json');
  if (typeof info?.id === 'string' && typeof info.commit === 'string') return { version: info.id, commit: info.commit };
  const commit = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: root, timeout: PROBE_TIMEOUT_MS }).then(
    ({ stdout }) => stdout.trim() || null,
    () => null,
  );
  return { version: 'checkout', commit };
}

const fetchText = async (url: string): Promise<{ status: number; text: string } | undefined> =>
  fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
    async (response) => ({ status: response.status, text: await response.text() }),
    () => undefined,
  );

/** One instance's own `/health` (200 ok, 503 degraded; both carry the checks); no answer is "unreachable". */
async function probe(address: string, healthPath: string): Promise<InstanceStatus> {
  const answer = await fetchText(`http://${address}${healthPath}`);
  const body = answer && parseJson(answer.text);
  if (!Value.Check(HealthBody, body)) return { address, status: 'unreachable', db: null, redis: null, uptimeSeconds: null };
  return { address, status: body.status, db: body.checks.db, redis: body.checks.redis, uptimeSeconds: body.uptime };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const SERIES = /^bullmq_queue_jobs\{([^}]*)\} (\d+(?:\.\d+)?)$/gm;
const label = (labels: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];

/**
 * A service's BullMQ queues by state, from the `bullmq_queue_jobs{queue,state}` gauge its queue
 * factory exports on `/metrics`: each service names its own queues, and the counts are the queue's
 * (every instance reports the same), so one answering instance is enough.
 */
export function parseQueueDepths(service: string, metrics: string): QueueStatus[] {
  const queues = new Map<string, QueueStatus>();
  for (const [, labels = '', value] of metrics.matchAll(SERIES)) {
    const name = label(labels, 'queue');
    const state = label(labels, 'state');
    if (!name || !state) continue;
    const queue = queues.get(name) ?? { service, name, waiting: 0, active: 0, delayed: 0, failed: 0 };
    if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'failed') queue[state] = Number(value);
    queues.set(name, queue);
  }
  return [...queues.values()];
}

async function queueDepths(service: string, addresses: string[]): Promise<QueueStatus[]> {
  for (const address of addresses) {
    const answer = await fetchText(`http://${address}/metrics`);
    if (answer?.status === 200) return parseQueueDepths(service, answer.text);
  }
  return [];
}

async function database(ctx: AppContext): Promise<SystemStatus['database']> {
  return sql<{ version: string }>`select current_setting('server_version') as version`.execute(ctx.db).then(
    ({ rows }) => ({ status: 'ok' as const, version: rows[0]?.version ?? null }),
    () => ({ status: 'error' as const, version: null }),
  );
}

async function redis(ctx: AppContext): Promise<SystemStatus['redis']> {
  return ctx.redis.info('server').then(
    (info) => ({ status: 'ok' as const, version: /^redis_version:(\S+)/m.exec(info)?.[1] ?? null }),
    () => ({ status: 'error' as const, version: null }),
  );
}

async function migrations(ctx: AppContext): Promise<SystemStatus['migrations']> {
  const schemas = serviceRegistry.map((s) => s.name);
  const applied = await Promise.all(
    schemas.map(async (schema) =>
      (await repo.appliedMigrations(ctx.db, schema).catch(() => [])).map((row) => ({
        schema,
        name: row.name,
        appliedAt: row.ran_at.toISOString(),
      })),
    ),
  );
  return applied.flat();
}

/**
 * `GET /api/admin/status`: every instance of every service probed over its internal port (the
 * registry's addresses), queue depths from their metrics, the stores, versions and applied migrations.
 * Probes run in parallel with a short timeout, so a hung instance shows as unreachable, not as a hung page.
 */
export async function systemStatus(ctx: AppContext): Promise<SystemStatus> {
  const targets: Record<RegisteredService, string[]> = ctx.config.statusTargets;
  const [services, queues, db, cache, applied, serving] = await Promise.all([
    Promise.all(
      serviceRegistry.map(async (service) => ({
        name: service.name,
        version: String((await readJson(`${service.directory}/package.json`))?.version ?? 'unknown'),
        instances: await Promise.all(targets[service.name].map((address) => probe(address, service.healthPath))),
      })),
    ),
    Promise.all(serviceRegistry.map((service) => queueDepths(service.name, targets[service.name]))),
    database(ctx),
    redis(ctx),
    migrations(ctx),
    release(),
  ]);
  return {
    checkedAt: new Date().toISOString(),
    release: serving,
    services,
    database: db,
    redis: cache,
    queues: queues.flat(),
    migrations: applied,
  };
}
