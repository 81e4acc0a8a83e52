import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  linkSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { create } from 'tar';

const exec = promisify(execFile);

/** The schemas the services own; each holds its own `schema_migrations`. */
export const BACKUP_SCHEMAS = ['auth', 'messaging', 'collab'] as const;
export const BACKUP_FORMAT = 'flux-backup/1';
export const ARCHIVE_PATTERN = /^flux-backup-\d{8}T\d{6}\.\d{3}Z-[0-9a-z]+\.tar\.gz$/;

export interface FileEntry {
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  app: { commit: string; describe: string };
  postgres: { server: string; serverMajor: number; pgDump: string };
  database: { name: string; schemas: string[]; extensions: string[] };
  /** Applied migrations per schema (name and checksum), as recorded in `<schema>.schema_migrations`. */
  migrations: Record<string, { name: string; checksum: string }[]>;
  /** Every part of the archive but the manifest, with its sha256: `database.dump` and `files/<path>`. */
  parts: Record<string, FileEntry>;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every regular file under `dir`, as paths relative to it with '/' separators, sorted. */
export function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  visit(dir);
  return out.sort();
}

/** The pg_dump / pg_restore that matches the server's major version (Debian keeps one per version). */
export function pgTool(name: 'pg_dump' | 'pg_restore', serverMajor: number): string {
  const versioned = `/usr/lib/postgresql/${serverMajor}/bin/${name}`;
  return existsSync(versioned) ? versioned : name;
}

/** What this checkout is: RELEASE.json in a deploy release, else git. */
export async function appVersion(root: string): Promise<Manifest['app']> {
  const release = join(root, 'RELEASE.json');
  if (existsSync(release)) {
    const r = JSON.parse(readFileSync(release, 'utf8')) as { commit: string; ref?: string };
    return { commit: r.commit, describe: r.ref ?? r.commit.slice(0, 12) };
  }
  try {
    const commit = (await exec('git', ['-C', root, 'rev-parse', 'HEAD'])).stdout.trim();
    const describe = (await exec('git', ['-C', root, 'describe', '--always', '--dirty'])).stdout.trim();
    return { commit, describe };
  } catch {
    return { commit: 'unknown', describe: 'unknown' };
  }
}

export interface DatabaseFacts {
  name: string;
  server: string;
  serverMajor: number;
  extensions: string[];
  migrations: Manifest['migrations'];
}

export async function databaseFacts(databaseUrl: string): Promise<DatabaseFacts> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [version] = await sql<{ server_version: string; num: string; db: string }[]>`
      select current_setting('server_version') as server_version, current_setting('server_version_num') as num, current_database() as db`;
    const extensions = await sql<{ extname: string }[]>`select extname from pg_extension where extname <> 'plpgsql' order by extname`;
    const migrations: Manifest['migrations'] = {};
    for (const schema of BACKUP_SCHEMAS) {
      const [exists] =
        await sql`select 1 from information_schema.tables where table_schema = ${schema} and table_name = 'schema_migrations'`;
      migrations[schema] = exists
        ? await sql.unsafe<{ name: string; checksum: string }[]>(`select name, checksum from ${schema}.schema_migrations order by name`)
        : [];
    }
    return {
      name: version?.db ?? '',
      server: version?.server_version ?? '',
      serverMajor: Math.floor(Number(version?.num) / 10_000),
      extensions: extensions.map((e) => e.extname),
      migrations: Object.fromEntries(
        Object.entries(migrations).map(([k, rows]) => [k, rows.map((r) => ({ name: r.name, checksum: r.checksum }))]),
      ),
    };
  } finally {
    await sql.end();
  }
}

export interface BackupOptions {
  root: string;
  databaseUrl: string;
  /** The uploaded files (messaging's FILES_DIR). */
  filesDir: string;
  /** Where archives go. */
  dir: string;
  /** Keep this many newest archives in `dir` and delete older ones (0: keep all). */
  keep?: number;
  log?: (line: string) => void;
  now?: Date;
}

export interface BackupResult {
  archive: string;
  manifest: Manifest;
  bytes: number;
  pruned: string[];
}

/** 20250102T030405.678Z: sorts by time, unique per millisecond. */
const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '');

/**
 * One archive: `manifest.json`, `database.dump` (pg_dump custom format of the three schemas) and
 * `files/` (the uploads). The database is dumped first, so every file a dumped row refers to is
 * already on disk when the files are taken. Written under a temporary name and renamed: an
 * archive with the final name is always complete.
 */
export async function backup(options: BackupOptions): Promise<BackupResult> {
  const log = options.log ?? (() => {});
  const now = options.now ?? new Date();
  const facts = await databaseFacts(options.databaseUrl);
  const app = await appVersion(options.root);
  mkdirSync(options.dir, { recursive: true });
  const name = `flux-backup-${stamp(now)}-${app.commit === 'unknown' ? 'nogit' : app.commit.slice(0, 7)}`;
  const staging = join(options.dir, `.${name}.staging`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const pgDump = pgTool('pg_dump', facts.serverMajor);
    const pgDumpVersion = (await exec(pgDump, ['--version'])).stdout.trim();
    log(`dumping schemas ${BACKUP_SCHEMAS.join(', ')} of ${facts.name} (PostgreSQL ${facts.server})`);
    const dumpFile = join(staging, 'database.dump');
    try {
      await exec(
        pgDump,
        ['--format=custom', ...BACKUP_SCHEMAS.map((s) => `--schema=${s}`), `--file=${dumpFile}`, `--dbname=${options.databaseUrl}`],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    } catch (err) {
      throw new Error(`pg_dump failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
    }
    const parts: Manifest['parts'] = { 'database.dump': { size: statSync(dumpFile).size, sha256: await sha256File(dumpFile) } };

    const files = walkFiles(options.filesDir);
    log(`taking ${files.length} uploaded files from ${options.filesDir}`);
    for (const file of files) {
      const source = join(options.filesDir, file);
      const target = join(staging, 'files', file);
      mkdirSync(dirname(target), { recursive: true });
      // A hard link costs no space; another file system gets a copy.
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
      parts[`files/${file}`] = { size: statSync(target).size, sha256: await sha256File(target) };
    }
    mkdirSync(join(staging, 'files'), { recursive: true });

    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      createdAt: now.toISOString(),
      app,
      postgres: { server: facts.server, serverMajor: facts.serverMajor, pgDump: pgDumpVersion },
      database: { name: facts.name, schemas: [...BACKUP_SCHEMAS], extensions: facts.extensions },
      migrations: facts.migrations,
      parts,
    };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    const archive = join(options.dir, `${name}.tar.gz`);
    const partial = `${archive}.partial`;
    log(`writing ${archive}`);
    await create({ gzip: true, file: partial, cwd: staging, portable: true }, ['manifest.json', 'database.dump', 'files']);
    renameSync(partial, archive);
    const pruned = options.keep ? prune(options.dir, options.keep) : [];
    for (const p of pruned) log(`pruned ${p}`);
    return { archive, manifest, bytes: statSync(archive).size, pruned };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Deletes all but the `keep` newest archives in `dir` (names sort by time); returns what it deleted. */
export function prune(dir: string, keep: number): string[] {
  const archives = readdirSync(dir)
    .filter((f) => ARCHIVE_PATTERN.test(f))
    .sort();
  const old = archives.slice(0, Math.max(0, archives.length - keep));
  for (const f of old) rmSync(join(dir, f));
  return old.map((f) => join(dir, f));
}
