import { generateKeyPairSync, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@flux/server-kit';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAccessTokenSigner } from './access-token.js';
import { loadSigningKeys, localJwks } from './keys.js';

const privatePem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const claims = { sub: 'user-1', sid: 'session-1', name: 'Ada', email: 'ada@example.com' };

describe('access-token signer', () => {
  it('signs a JWT that verifies against the published key set, with its claims and lifetime', async () => {
    const keys = await loadSigningKeys(privatePem);
    const token = await createAccessTokenSigner(keys, 900)(claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: keys.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(token, localJwks(keys), { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE });
    expect(payload).toMatchObject(claims);
    expect(payload.exp).toBe((payload.iat ?? 0) + 900);
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('signs on this thread, not in line behind work on the thread pool (argon2 runs there)', async () => {
    const keys = await loadSigningKeys(privatePem);
    const sign = createAccessTokenSigner(keys, 900);
    // More jobs than the pool has threads: anything queued on the pool finishes after one of them.
    const poolJobs = Array.from({ length: 8 }, () => promisify(pbkdf2)('password', 'salt', 50_000, 32, 'sha256'));
    const first = await Promise.race([sign(claims).then(() => 'token'), ...poolJobs.map((job) => job.then(() => 'pool'))]);
    await Promise.all(poolJobs);
    expect(first).toBe('token');
  });
});
