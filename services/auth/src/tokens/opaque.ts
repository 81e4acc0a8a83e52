import { createHash, randomBytes } from 'node:crypto';

/** A random opaque token (refresh, email, CSRF): 256 bits, URL-safe. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** Tokens are stored only as SHA-256 hashes: a leaked table gives nothing usable. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
