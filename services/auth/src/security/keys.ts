import { hkdfSync } from 'node:crypto';

/**
 * One master secret (COOKIE_SECRET) and a separate key per purpose, derived with HKDF-SHA256, so
 * a key exposed in one role (say, a signed cookie oracle) says nothing about the others.
 */
export interface AuthKeys {
  /** Signs cookies (@fastify/cookie). */
  cookie: string;
  /** AES-256-GCM key for TOTP seeds at rest. */
  seed: Buffer;
  /** HMAC key deriving a refresh token's successor. */
  refresh: Buffer;
  /** The master itself, only to open seeds sealed before the keys were separated (SecretBox v1). */
  legacySeedSecret: string;
}

const derive = (master: string, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', master, 'flux-auth-keys', `flux-auth:${purpose}`, 32));

export function deriveAuthKeys(master: string): AuthKeys {
  return {
    cookie: derive(master, 'cookie-signing').toString('base64url'),
    seed: derive(master, 'totp-seed-encryption'),
    refresh: derive(master, 'refresh-successor'),
    legacySeedSecret: master,
  };
}
