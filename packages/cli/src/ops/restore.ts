import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDatabase, schemas as codeSchemas, sqlDirectory } from '@flux/migrations';
import postgres from 'postgres';
import { extract } from 'tar';
import { BACKUP_FORMAT, BACKUP_SCHEMAS, type Manifest, pgTool, sha256File, walkFiles } from './backup.js';

const exec = promisify(execFile);

export class RestoreRefused extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface RestoreOptions {
  archive: string;
  databaseUrl: string;
  filesDir: string;
  /** Replace a database that already has tables and a files folder that is not empty. */
  force?: boolean;
  log?: (line: string) => void;
}

export interface RestoreResult {
  manifest: Manifest;
  files: number;
  /** Where the files folder that was replaced (with --force) now is. */
  previousFiles?: string;
  /** Differences between the archive's migrations and this code's. */
  migrationNotes: string[];
}

/** Checks every part against the manifest: same set of files, same sha256. */
export async function verifyExtracted(dir: string): Promise<Manifest> {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new RestoreRefused('the archive has no manifest.json', 'pass an archive written by ./flux backup');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  if (manifest.format !== BACKUP_FORMAT)
    throw new RestoreRefused(`unknown archive format ${JSON.stringify(manifest.format)}`, `this flux reads ${BACKUP_FORMAT}`);
  const present = walkFiles(dir).filter((f) => f !== 'manifest.json');
  const expected = Object.keys(manifest.parts).sort();
  const missing = expected.filter((p) => !present.includes(p));
  const extra = present.filter((p) => !(p in manifest.parts));
  if (missing.length > 0 || extra.length > 0)
    throw new RestoreRefused(
      `the archive does not match its manifest (${[...missing.map((m) => `missing ${m}`), ...extra.map((e) => `unexpected ${e}`)].slice(0, 5).join(', ')})`,
      'the archive is damaged or was altered: restore another one',
    );
  for (const part of expected) {
    const sum = await sha256File(join(dir, part));
    if (sum !== manifest.parts[part]?.sha256)
      throw new RestoreRefused(`checksum mismatch for ${part}`, 'the archive is damaged or was altered: restore another one');
  }
  return manifest;
}

const aside = (schema: string) => `${schema}_before_restore`;

/** One transaction on `databaseUrl`. */
async function withDatabase(databaseUrl: string, work: (tx: postgres.TransactionSql) => Promise<unknown>): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.begin(work);
  } finally {
    await sql.end();
  }
}

/** Tables outside the system schemas, per schema. */
async function tablesIn(sql: postgres.Sql): Promise<Map<string, number>> {
  const rows = await sql<{ schema: string; n: number }[]>`
    select table_schema as schema, count(*)::int as n from information_schema.tables
    where table_schema not in ('pg_catalog', 'information_schema') and table_schema not like 'pg_toast%' and table_schema not like 'pg_temp%'
    group by table_schema order by table_schema`;
  return new Map(rows.map((r) => [r.schema, r.n]));
}

function compareMigrations(manifest: Manifest): string[] {
  const notes: string[] = [];
  for (const schema of codeSchemas) {
    const dir = join(sqlDirectory, schema);
    const known = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')) : [];
    const inArchive = (manifest.migrations[schema] ?? []).map((m) => m.name);
    const newer = inArchive.filter((n) => !known.includes(n));
    const pending = known.filter((n) => !inArchive.includes(n));
    if (newer.length > 0)
      notes.push(
        `${schema}: the backup has migrations this code does not know (${newer.join(', ')}): run the release it came from (${manifest.app.describe})`,
      );
    if (pending.length > 0)
      notes.push(`${schema}: ${pending.length} newer migration(s) of this code are not applied yet: run ./flux migrate`);
  }
  return notes;
}

/**
 * Restores an archive of `./flux backup`: verifies every checksum, refuses a database with tables
 * or a files folder with files unless `force`, then pg_restore (one transaction) and the files.
 * Nothing is changed before every check passed.
 */
export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => {});
  if (!existsSync(options.archive)) throw new RestoreRefused(`${options.archive} does not exist`, 'ls .flux/backups lists the archives');
  // Extract beside the files folder, so the files move into place with a rename.
  const parent = dirname(options.filesDir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.flux-restore-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    log(`unpacking ${basename(options.archive)}`);
    await extract({ file: options.archive, cwd: staging, strict: true });
    const manifest = await verifyExtracted(staging);
    log(`checksums verified (${Object.keys(manifest.parts).length} parts, backup of ${manifest.app.describe} from ${manifest.createdAt})`);

    await ensureDatabase(options.databaseUrl, log);
    const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    let serverMajor: number;
    let setAside: string[] = [];
    let restoreRole: string | undefined;
    try {
      const [row] = await sql<{ num: string; db: string; owner: string; me: string }[]>`
        select current_setting('server_version_num') as num, current_database() as db, current_user as me,
          (select pg_get_userbyid(datdba) from pg_database where datname = current_database()) as owner`;
      // Restored objects belong to the database's owner (production: the role the services use), not to the admin restoring.
      if (row && row.owner !== row.me) restoreRole = row.owner;
      serverMajor = Math.floor(Number(row?.num) / 10_000);
      if (serverMajor < manifest.postgres.serverMajor)
        throw new RestoreRefused(
          `the backup comes from PostgreSQL ${manifest.postgres.server}; this server is ${serverMajor}`,
          `restore into PostgreSQL ${manifest.postgres.serverMajor} or newer`,
        );
      const tables = await tablesIn(sql);
      const existingFiles = walkFiles(options.filesDir).length;
      if (!options.force && (tables.size > 0 || existingFiles > 0)) {
        const what = [
          ...[...tables].map(([schema, n]) => `${n} table(s) in ${schema}`),
          ...(existingFiles > 0 ? [`${existingFiles} file(s) in ${options.filesDir}`] : []),
        ];
        throw new RestoreRefused(
          `database ${row?.db} is not empty (${what.join(', ')})`,
          'restore into an empty database (set DATABASE_URL to a new one), or pass --force to replace the auth, messaging and collab schemas and the files',
        );
      }
      if (options.force) {
        // Set aside, not dropped yet: a failed pg_restore puts them back.
        const present = BACKUP_SCHEMAS.filter((s) => tables.has(s));
        if (present.length > 0) log(`--force: setting aside schemas ${present.join(', ')} until the restore succeeds`);
        await sql.begin(async (tx) => {
          for (const schema of present) {
            await tx.unsafe(`drop schema if exists ${aside(schema)} cascade`);
            await tx.unsafe(`alter schema ${schema} rename to ${aside(schema)}`);
          }
        });
        setAside = present;
      }
      for (const extension of manifest.database.extensions)
        await sql.unsafe(`create extension if not exists "${extension.replaceAll('"', '""')}"`);
    } finally {
      await sql.end();
    }

    log('restoring the database (pg_restore, one transaction)');
    try {
      await exec(
        pgTool('pg_restore', serverMajor),
        [
          '--no-owner',
          '--no-acl',
          ...(restoreRole ? [`--role=${restoreRole}`] : []),
          '--exit-on-error',
          '--single-transaction',
          `--dbname=${options.databaseUrl}`,
          join(staging, 'database.dump'),
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (err) {
      if (setAside.length > 0)
        await withDatabase(options.databaseUrl, (tx) =>
          Promise.all(setAside.map((s) => tx.unsafe(`alter schema ${aside(s)} rename to ${s}`))),
        );
      throw new Error(`pg_restore failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
    }
    if (setAside.length > 0)
      await withDatabase(options.databaseUrl, (tx) => Promise.all(setAside.map((s) => tx.unsafe(`drop schema ${aside(s)} cascade`))));

    let previousFiles: string | undefined;
    if (existsSync(options.filesDir)) {
      if (walkFiles(options.filesDir).length > 0) {
        previousFiles = `${options.filesDir}.before-restore-${new Date().toISOString().replace(/[-:]/g, '')}`;
        renameSync(options.filesDir, previousFiles);
        log(`the files that were there are kept in ${previousFiles}`);
      } else {
        rmSync(options.filesDir, { recursive: true, force: true });
      }
    }
    renameSync(join(staging, 'files'), options.filesDir);
    const files = Object.keys(manifest.parts).filter((p) => p.startsWith('files/')).length;
    log(`put back ${files} files into ${options.filesDir}`);
    return { manifest, files, previousFiles, migrationNotes: compareMigrations(manifest) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
