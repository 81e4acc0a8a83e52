import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

/** Each service owns one schema; its migrations live in `sql/<schema>/NNNN_name.sql`, applied in name order. */
export const schemas = ['auth', 'messaging', 'collab'] as const;
export const sqlDirectory = fileURLToPath(new URL('../sql/', import.meta.url));

// Any constant works as long as every runner uses the same one.
const LOCK_ID = 0x466c7578; // "Flux"

export interface MigrateOptions {
  log?: (message: string) => void;
  /** Create the database first when it does not exist (connects to the server's `postgres` database). */
  createDatabase?: boolean;
}

const checksum = (text: string) => createHash('sha256').update(text).digest('hex');

/** Runs `work` on the server's `postgres` database, with the target database's quoted name. */
async function onServer(databaseUrl: string, work: (admin: postgres.Sql, name: string, quoted: string) => Promise<void>): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await work(admin, name, `"${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

export const ensureDatabase = (databaseUrl: string, log: (message: string) => void) =>
  onServer(databaseUrl, async (admin, name, quoted) => {
    const [row] = await admin`select 1 from pg_database where datname = ${name}`;
    if (row) return;
    await admin.unsafe(`create database ${quoted}`);
    log(`created database ${name}`);
  });

/** For test runs only: start from an empty database. */
export const dropDatabase = (databaseUrl: string, log: (message: string) => void) =>
  onServer(databaseUrl, async (admin, name, quoted) => {
    await admin.unsafe(`drop database if exists ${quoted} with (force)`);
    log(`dropped database ${name}`);
  });

/**
 * Applies pending migrations under a session advisory lock, so two runners (two deploys, two
 * test workers) never collide: the second waits, then finds nothing left to do. Each file runs in
 * its own transaction together with its bookkeeping row. An applied file that changed is an error:
 * migrations are frozen in time.
 */
export async function migrate(databaseUrl: string, { log = () => {}, createDatabase = false }: MigrateOptions = {}): Promise<string[]> {
  if (createDatabase) await ensureDatabase(databaseUrl, log);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  const applied: string[] = [];
  try {
    await sql`select pg_advisory_lock(${LOCK_ID})`;
    for (const schema of schemas) {
      await sql.unsafe(`create schema if not exists ${schema}`);
      await sql.unsafe(`create table if not exists ${schema}.schema_migrations (
        name text primary key, checksum text not null, ran_at timestamptz not null default now())`);
      const done = new Map(
        (await sql.unsafe<{ name: string; checksum: string }[]>(`select name, checksum from ${schema}.schema_migrations`)).map((r) => [
          r.name,
          r.checksum,
        ]),
      );
      const dir = `${sqlDirectory}${schema}`;
      const files = existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.sql'))
            .sort()
        : [];
      for (const file of files) {
        const text = readFileSync(`${dir}/${file}`, 'utf8');
        const sum = checksum(text);
        const previous = done.get(file);
        if (previous !== undefined) {
          if (previous !== sum)
            throw new Error(`migration ${schema}/${file} changed after it ran; add a new migration instead of editing it`);
          continue;
        }
        await sql.begin(async (tx) => {
          await tx.unsafe(`set local search_path to ${schema}, public`);
          await tx.unsafe(text);
          await tx.unsafe(`insert into ${schema}.schema_migrations (name, checksum) values ($1, $2)`, [file, sum]);
        });
        applied.push(`${schema}/${file}`);
        log(`applied ${schema}/${file}`);
      }
    }
  } finally {
    await sql`select pg_advisory_unlock(${LOCK_ID})`.catch(() => {});
    await sql.end();
  }
  return applied;
}
