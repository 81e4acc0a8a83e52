import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveAuthKeys } from '../security/keys.js';
import { SecretBox } from './secret-box.js';

/** A seed sealed the way SecretBox did before the keys were separated (key = SHA-256 of the master). */
function sealV1(master: string, plain: string): string {
  const key = createHash('sha256').update(`flux-mfa-secret-box:${master}`).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

describe('SecretBox', () => {
  const keys = deriveAuthKeys('one-master-secret');
  const box = new SecretBox(keys.seed, keys.legacySeedSecret);

  it('round-trips, never repeats a ciphertext, and refuses tampering or another key', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP');
    const b = box.seal('JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(b);
    expect(a.startsWith('v2.')).toBe(true);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
    const parts = a.split('.');
    const body = parts[3]!;
    const flipped = [...parts.slice(0, 3), `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`].join('.');
    expect(() => box.open(flipped)).toThrow();
    const other = deriveAuthKeys('another-master');
    expect(() => new SecretBox(other.seed, other.legacySeedSecret).open(a)).toThrow();
  });

  it('still opens seeds sealed before the keys were separated', () => {
    expect(box.open(sealV1('one-master-secret', 'JBSWY3DPEHPK3PXP'))).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealV1('another-master', 'JBSWY3DPEHPK3PXP'))).toThrow();
  });

  it('derives a different key per purpose from one master', () => {
    expect(keys.seed.equals(keys.refresh)).toBe(false);
    expect(Buffer.from(keys.cookie, 'base64url').equals(keys.seed)).toBe(false);
    expect(keys.cookie).not.toContain('one-master-secret');
  });
});
