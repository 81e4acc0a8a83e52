import fp from 'fastify-plugin';
import { loadSigningKeys, type SigningKeys } from '../tokens/keys.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The key that signs access tokens, and the public keys (current and retired) the JWKS route publishes. */
    signingKeys: SigningKeys;
  }
}

export interface SigningKeysOptions {
  privateKey: string;
  previousPublicKeys: string[];
}

/** Loads the signing keys at boot, so a bad key fails the start instead of the first sign-in. */
export const signingKeysPlugin = fp<SigningKeysOptions>(
  async (app, { privateKey, previousPublicKeys }) => {
    app.decorate('signingKeys', await loadSigningKeys(privateKey, previousPublicKeys));
  },
  { name: 'auth-signing-keys', fastify: '5.x' },
);
