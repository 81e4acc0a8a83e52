import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { Type } from '@sinclair/typebox';
import type { SigningKeys } from '../tokens/keys.js';

const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String() }),
  ),
});

/** Public keys for verifying access tokens; cacheable, since a new key is published before it signs. */
export const jwksRoutes: FastifyPluginAsyncTypebox<{ keys: SigningKeys }> = async (app, { keys }) => {
  app.get('/.well-known/jwks.json', { schema: { response: { 200: Jwks } } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(keys.jwks),
  );
};
