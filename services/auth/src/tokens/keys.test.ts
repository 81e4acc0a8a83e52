import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSigningKeys } from './keys.js';

// RFC 8037 appendix A: an Ed25519 key and its RFC 7638 thumbprint.
const rfcKey = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};
const rfcThumbprint = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';

describe('signing keys', () => {
  it('names the key by its RFC 7638 thumbprint and publishes only public parts', async () => {
    const pem = createPrivateKey({ key: rfcKey, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString();
    const keys = await loadSigningKeys(pem);
    expect(keys.kid).toBe(rfcThumbprint);
    expect(keys.jwks.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: rfcKey.x, kid: rfcThumbprint, alg: 'EdDSA', use: 'sig' }]);
  });

  it('refuses keys that are not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(loadSigningKeys(ec)).rejects.toThrow(/Ed25519/);
  });
});
