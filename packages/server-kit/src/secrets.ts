import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where development secrets live: `<repo>/.flux/secrets.env`, git-ignored. */
export const defaultSecretsFile = fileURLToPath(new URL('../../../.flux/secrets.env', import.meta.url));

/** The secrets a deployment needs; each generator runs once, the first time a file is made. */
const generators: Record<string, () => string> = {
  SERVICE_TOKEN_SECRET: () => randomBytes(32).toString('base64url'),
  COOKIE_SECRET: () => randomBytes(32).toString('base64url'),
  // PEM with newlines escaped so the file stays one line per variable.
  JWT_PRIVATE_KEY: () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim().replaceAll('\n', '\\n'),
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
