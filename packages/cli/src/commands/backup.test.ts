import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase } from '@flux/migrations';
import postgres from 'postgres';
import { create, extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type Stack, startStack } from '../../../../test/e2e/stack.js';
import type { Manifest } from '../ops/backup.js';
import type { OpsContext } from '../ops/command.js';
import { backupCommand } from './backup.js';
import { restoreCommand } from './restore.js';

interface Id {
  id: string;
}
interface SignedIn {
  user: Id;
  accessToken: string;
}

/** The checkout under test: its commit goes into the manifest. */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const PASSWORD = `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`;
const sourceUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test';
const restoredUrl = sourceUrl.replace(/\/[^/]*$/, `/flux_restore_${randomBytes(4).toString('hex')}`);

const waitFor = async (what: string, check: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Backup and restore round trip: data made through a real stack comes back on a fresh database. */
describe('flux backup / flux restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flux-backup-'));
  const sourceFiles = join(dir, 'files');
  const restoredFiles = join(dir, 'restored-files');
  const backups = join(dir, 'backups');
  let archive = '';

  const cli = async (command: typeof backupCommand, argv: string[], env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const ctx: OpsContext = { root: repoRoot, env, out: (l) => out.push(l), err: (l) => err.push(l) };
    const code = await command(argv, ctx);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  // What the source stack held; compared after the restore.
  const fixture = {
    email: `ada-${randomUUID()}@test.flux.local`,
    conversationId: '',
    messages: [] as string[],
    documentId: '',
    documentText: '',
    fileId: '',
    fileBytes: randomBytes(70_000),
  };

  const api = async <T = Id>(stack: Stack, method: string, path: string, token?: string, body?: unknown): Promise<T> => {
    const response = await fetch(stack.url + path, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const readDocument = async (stack: Stack, token: string, edit?: string) => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${stack.url.replace('http', 'ws')}/collab`, fixture.documentId, doc, {
      WebSocketPolyfill: WebSocket as never,
      disableBc: true,
      params: { token },
    });
    try {
      await waitFor('document synced', () => provider.synced);
      if (edit) doc.getText('content').insert(0, edit);
      return doc.getText('content').toString();
    } finally {
      // Let the edit reach the server before the socket closes.
      if (edit) await new Promise((r) => setTimeout(r, 300));
      provider.destroy();
    }
  };

  beforeAll(async () => {
    mkdirSync(sourceFiles, { recursive: true });
    const stack = await startStack({ FILES_DIR: sourceFiles });
    try {
      const ada = await api<SignedIn>(stack, 'POST', '/api/auth/signup', undefined, {
        email: fixture.email,
        password: PASSWORD,
        name: 'Ada',
      });
      const token = ada.accessToken;
      const org = await api(stack, 'POST', '/api/organizations', token, { name: `Backup ${randomUUID().slice(0, 6)}` });
      const project = await api(stack, 'POST', `/api/organizations/${org.id}/projects`, token, { name: 'Round trip' });
      // The project's channel: a direct or group conversation would need a second member of the organization.
      fixture.conversationId = (await api(stack, 'POST', '/api/conversations', token, { type: 'project', projectId: project.id })).id;
      for (const content of ['first message', 'second message', 'third: ünïcødé ✓']) {
        await api(stack, 'POST', `/api/conversations/${fixture.conversationId}/messages`, token, { content, clientId: randomUUID() });
        fixture.messages.unshift(content); // newest first, as the API lists them
      }
      const form = new FormData();
      form.append('file', new Blob([fixture.fileBytes]), 'payload.bin');
      const upload = await fetch(`${stack.url}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(upload.status).toBe(201);
      fixture.fileId = ((await upload.json()) as { id: string }).id;
      fixture.documentId = (await api(stack, 'POST', '/api/documents', token, { projectId: project.id, title: 'Kept' })).id;
      await readDocument(stack, token, 'text that must survive a restore');
      fixture.documentText = await readDocument(stack, token);
      expect(fixture.documentText).toBe('text that must survive a restore');
    } finally {
      await stack.stop(); // graceful: collab flushes every accepted update
    }
  });
  afterAll(async () => {
    await dropDatabase(restoredUrl, () => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one archive with a manifest and checksums; --keep prunes older ones', async () => {
    const env = { DATABASE_URL: sourceUrl, FILES_DIR: sourceFiles };
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await cli(backupCommand, ['--dir', backups, '--keep', '2'], env));
    for (const r of results) expect(r.code, r.err).toBe(0);
    archive = results[2]!.out.split('\n').at(-1)!;
    expect(readdirSync(backups).sort()).toEqual([results[1]!.out.split('\n').at(-1)!, archive].map((p) => p.slice(backups.length + 1)));
    expect(results[2]!.out).toContain('pruned');

    const look = join(dir, 'look');
    mkdirSync(look);
    await extract({ file: archive, cwd: look });
    const manifest = JSON.parse(readFileSync(join(look, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.postgres.serverMajor).toBeGreaterThanOrEqual(15);
    expect(manifest.app.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(manifest.migrations).sort()).toEqual(['auth', 'collab', 'messaging']);
    expect(manifest.migrations.auth!.length).toBeGreaterThan(0);
    expect(manifest.parts['database.dump']!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const uploaded = Object.entries(manifest.parts).filter(([p]) => p.startsWith('files/'));
    expect(uploaded.some(([, part]) => part.size === fixture.fileBytes.length)).toBe(true);
  });

  it('restores into a fresh database: same accounts, messages, document and file bytes', async () => {
    const env = { DATABASE_URL: restoredUrl, FILES_DIR: restoredFiles };
    const restored = await cli(restoreCommand, [archive], env);
    expect(restored.code, restored.err).toBe(0);
    expect(restored.out).toContain('checksums verified');

    const stack = await startStack({
      DATABASE_URL: restoredUrl,
      FILES_DIR: restoredFiles,
      REDIS_PREFIX: `${process.env.REDIS_PREFIX}restored:`,
    });
    try {
      const login = await api<SignedIn>(stack, 'POST', '/api/auth/login', undefined, { email: fixture.email, password: PASSWORD });
      const token = login.accessToken;
      const page = await api<{ items: { content: string }[] }>(
        stack,
        'GET',
        `/api/conversations/${fixture.conversationId}/messages`,
        token,
      );
      expect(page.items.map((m) => m.content)).toEqual(fixture.messages);
      expect(await readDocument(stack, token)).toBe(fixture.documentText);
      const file = await fetch(`${stack.url}/api/files/${fixture.fileId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(fixture.fileBytes)).toBe(true);
    } finally {
      await stack.stop();
    }
  });

  it('refuses a database that is not empty unless --force', async () => {
    const env = { DATABASE_URL: restoredUrl, FILES_DIR: restoredFiles };
    const refused = await cli(restoreCommand, [archive], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/is not empty \(.*table\(s\) in auth/);
    expect(refused.err).toContain('--force');
    const forced = await cli(restoreCommand, [archive, '--force'], env);
    expect(forced.code, forced.err).toBe(0);
    expect(existsSync(restoredFiles)).toBe(true);
  });

  it('refuses an archive whose content does not match its checksums, before touching anything', async () => {
    const look = join(dir, 'tamper');
    mkdirSync(look);
    await extract({ file: archive, cwd: look });
    const [uploaded] = readdirSync(join(look, 'files'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const path = join(uploaded!.parentPath, uploaded!.name);
    const bytes = readFileSync(path);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const tampered = join(dir, 'tampered.tar.gz');
    await create({ gzip: true, file: tampered, cwd: look }, readdirSync(look));
    const fresh = sourceUrl.replace(/\/[^/]*$/, `/flux_restore_${randomBytes(4).toString('hex')}`);
    const result = await cli(restoreCommand, [tampered], { DATABASE_URL: fresh, FILES_DIR: join(dir, 'never') });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/checksum mismatch for files\//);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    await dropDatabase(fresh, () => {});
  });

  it("gives the restored tables to the database's owner (production: the services' role), not to the admin", async () => {
    const role = `flux_owner_${randomBytes(4).toString('hex')}`;
    const database = `flux_restore_${randomBytes(4).toString('hex')}`;
    const admin = postgres(sourceUrl.replace(/\/[^/]*$/, '/postgres'), { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create role ${role} login`);
      await admin.unsafe(`create database ${database} owner ${role}`);
      const url = sourceUrl.replace(/\/[^/]*$/, `/${database}`);
      const result = await cli(restoreCommand, [archive], { DATABASE_URL: url, FILES_DIR: join(dir, 'owned-files') });
      expect(result.code, result.err).toBe(0);
      const db = postgres(url, { max: 1, onnotice: () => {} });
      const owners = await db`select distinct tableowner from pg_tables where schemaname in ('auth', 'messaging', 'collab')`;
      await db.end();
      expect(owners.map((o) => o.tableowner)).toEqual([role]);
    } finally {
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.unsafe(`drop role if exists ${role}`);
      await admin.end();
    }
  });
});
