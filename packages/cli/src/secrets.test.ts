import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContext } from './context.js';
import { secrets } from './commands/secrets.js';
import { loadProductionSecrets, parseSecrets, productionSecretNames, secretProblems } from './secrets.js';
import { createUi, FluxError } from './ui.js';
import { Writable } from 'node:stream';

const quiet = () => createUi(new Writable({ write: (_c, _e, cb) => cb() }), new Writable({ write: (_c, _e, cb) => cb() }));

describe('./flux secrets', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-secrets-'));
    file = join(dir, 'production.env');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const ctx = () => createContext({ root: dir, ui: quiet(), env: { FLUX_PRODUCTION_SECRETS_FILE: file } });

  it('writes every secret once, readable only by its owner, each at least 32 random bytes', () => {
    secrets(ctx());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const values = parseSecrets(readFileSync(file, 'utf8'));
    expect(Object.keys(values).sort()).toEqual([...productionSecretNames].sort());
    expect(productionSecretNames).toEqual(
      expect.arrayContaining(['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'SERVICE_KEY_AUTH', 'SERVICE_KEY_MESSAGING', 'SERVICE_KEY_COLLAB']),
    );
    for (const name of ['COOKIE_SECRET', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'])
      expect(Buffer.from(values[name] ?? '', 'base64url').length).toBeGreaterThanOrEqual(32);
    for (const name of ['JWT_PRIVATE_KEY', 'SERVICE_KEY_AUTH', 'SERVICE_KEY_MESSAGING', 'SERVICE_KEY_COLLAB'])
      expect(values[name]).toContain('BEGIN PRIVATE KEY');
    expect(new Set(['SERVICE_KEY_AUTH', 'SERVICE_KEY_MESSAGING', 'SERVICE_KEY_COLLAB'].map((name) => values[name])).size).toBe(3);
    expect(secretProblems(values)).toEqual([]);
    expect(loadProductionSecrets(file)).toEqual(values);
  });

  it('refuses to overwrite without --force, and replaces every value with it', () => {
    secrets(ctx());
    const before = readFileSync(file, 'utf8');
    expect(() => secrets(ctx())).toThrow(FluxError);
    expect(() => secrets(ctx())).toThrow(/refusing to overwrite/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    secrets(ctx(), { force: true });
    const after = parseSecrets(readFileSync(file, 'utf8'));
    expect(after.REDIS_PASSWORD).not.toBe(parseSecrets(before).REDIS_PASSWORD);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a file other users can read, and weak or missing values, saying what to do', () => {
    secrets(ctx());
    chmodSync(file, 0o644);
    expect(() => loadProductionSecrets(file)).toThrow(/readable by other users/);
    writeFileSync(file, 'COOKIE_SECRET=short\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    let error: unknown;
    try {
      loadProductionSecrets(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FluxError);
    expect((error as FluxError).message).toMatch(/COOKIE_SECRET is weaker.*JWT_PRIVATE_KEY is missing/);
    expect((error as FluxError).hint).toContain('./flux secrets --force');
    expect(() => loadProductionSecrets(join(dir, 'absent.env'))).toThrow(/no production secrets/);
  });
});
