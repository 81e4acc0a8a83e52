import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for small secrets at rest (TOTP seeds): a database dump alone cannot mint codes.
 * New seeds are sealed (`v2`) with their own HKDF-derived key (security/keys.ts); seeds sealed
 * earlier (`v1`, a key hashed from COOKIE_SECRET itself) still open, and are re-sealed as v2 when
 * MFA is next set up. Rotating COOKIE_SECRET still means re-enrolling MFA.
 */
export class SecretBox {
  private readonly legacyKey: Buffer | undefined;
  constructor(
    private readonly key: Buffer,
    legacySecret?: string,
  ) {
    this.legacyKey = legacySecret === undefined ? undefined : createHash('sha256').update(`flux-mfa-secret-box:${legacySecret}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    const key = version === 'v2' ? this.key : version === 'v1' ? this.legacyKey : undefined;
    if (!key || !iv || !tag || !body) throw new Error('unknown sealed format');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
