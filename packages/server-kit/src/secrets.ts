import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where development secrets live: `<repo>/.flux/secrets.env`, git-ignored. */
export const defaultSecretsFile = fileURLToPath(new URL('../../../.flux/secrets.env', import.meta.url));

// PEM with newlines escaped so the file stays one line per variable.
const ed25519 = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim().replaceAll('\n', '\\n');

/**
 * The secrets a deployment needs; each generator runs once, when the file lacks that secret (so an
 * older file gains new ones). Each service signs its service tokens with its own key.
 */
const generators: Record<string, () => string> = {
  COOKIE_SECRET: () => randomBytes(32).toString('base64url'),
  JWT_PRIVATE_KEY: ed25519,
  SERVICE_KEY_AUTH: ed25519,
  SERVICE_KEY_MESSAGING: ed25519,
  SERVICE_KEY_COLLAB: ed25519,
};
export const secretNames = Object.keys(generators);

function parse(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [, name, value] = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()) ?? [];
    if (name !== undefined && value !== undefined) values[name] = value.replaceAll('\\n', '\n');
  }
  return values;
}

/** Creates the dev secrets file if it is missing (or lacks a secret) and returns its values. */
export function ensureDevSecrets(file = defaultSecretsFile): Record<string, string> {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const values = parse(existing);
  const missing = Object.entries(generators).filter(([name]) => !values[name]);
  if (missing.length > 0) {
    const lines = missing.map(([name, generate]) => `${name}=${generate()}`);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(
      tmp,
      `${existing.trimEnd()}${existing.trim() ? '\n' : '# Development secrets, generated once by flux. Never commit.\n'}${lines.join('\n')}\n`,
      { mode: 0o600 },
    );
    renameSync(tmp, file);
    return parse(readFileSync(file, 'utf8'));
  }
  return values;
}

let cache: { file: string; values: Record<string, string> } | undefined;
export function loadSecret(name: string, file = defaultSecretsFile): string | undefined {
  if (cache?.file !== file) cache = { file, values: ensureDevSecrets(file) };
  return cache.values[name];
}
