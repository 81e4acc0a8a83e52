import { type FastifyPluginAsyncTypebox, toCaller } from '@flux/server-kit';
import { AppError } from '@flux/shared';
import { CollabCloseCodes } from '@flux/shared/constants';
import { Type } from '@sinclair/typebox';
import type { FastifyBaseLogger } from 'fastify';
import type WebSocket from 'ws';
import { expiryOf } from '../access/sessions.js';
import type { AppContext } from '../context.js';
import { toResource } from '../documents/mappers.js';
import * as documents from '../documents/service.js';
import { CloseConnection, Connection } from '../rooms/connection.js';
import { EarlyFrames } from '../rooms/early-frames.js';
import type { Room } from '../rooms/room.js';

/**
 * Decides who may join a document's room: a valid access token (4401 otherwise), then the
 * document and the policy (4403 otherwise; unknown documents look the same as forbidden ones).
 */
async function admit(ctx: AppContext, socket: WebSocket, documentId: string, token: string | undefined) {
  if (!token) throw new CloseConnection(CollabCloseCodes.unauthorized, 'missing token');
  const caller = toCaller(
    await ctx.verifyAccessToken(token).catch((err: unknown) => {
      // A 503 (auth's keys unreachable) is not the token's fault: the client should retry, not give up.
      throw err instanceof AppError && err.status === 401 ? new CloseConnection(CollabCloseCodes.unauthorized, 'invalid token') : err;
    }),
  );
  // Tracked before the revocation check, so a revocation landing in between still finds the socket.
  ctx.sessions.track(caller.sessionId, socket, expiryOf(token));
  // Redis (revocation) and PostgreSQL (the document, then access) asked at once: a cold join waits for the slower only.
  // A revoked session is refused first, whatever the document check says (its failure then goes unobserved).
  const admitting = documents.admitToRoom(ctx, caller, documentId);
  admitting.catch(() => {});
  if (await ctx.sessions.revoked.isRevoked(caller.sessionId)) throw new CloseConnection(CollabCloseCodes.unauthorized, 'session revoked');
  const admitted = await admitting;
  if (!admitted) throw new CloseConnection(CollabCloseCodes.forbidden, 'no access');
  return { caller, ...admitted };
}

function closeWith(ctx: AppContext, socket: WebSocket, log: FastifyBaseLogger, err: unknown): void {
  if (err instanceof CloseConnection) {
    ctx.metrics.closes.inc({ code: String(err.code) });
    socket.close(err.code, err.reason);
    return;
  }
  // Auth unreachable or the room could not load: the client retries with backoff.
  if (!(err instanceof AppError)) log.error({ err }, 'collab connection failed');
  ctx.metrics.closes.inc({ code: String(CollabCloseCodes.internalError) });
  socket.close(CollabCloseCodes.internalError, 'try again later');
}

/** `GET /collab/:documentId` (prefix `/collab`) upgraded to the y-websocket protocol; the room name is the path segment. */
export const collabSocketRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/:documentId',
    {
      websocket: true,
      // No length limits here: a failed validation would answer HTTP 400 instead of a close code.
      schema: { params: Type.Object({ documentId: Type.String() }), querystring: Type.Object({ token: Type.Optional(Type.String()) }) },
    },
    (socket, request) => {
      // What the socket needs of its upgrade request, read now: a closure here that touched `request`
      // would keep it (the raw request, its headers and all) alive as long as the socket.
      const log = request.log;
      const documentId = request.params.documentId;
      const token = request.query.token;
      // The client speaks first (sync step 1) while we are still checking access: keep its frames
      // (two frames' worth at most; a stock client sends a few bytes).
      const early = new EarlyFrames(2 * ctx.config.maxMessageBytes);
      let joined: { room: Room; connection: Connection } | undefined;
      let gone = false;

      const receive = (frame: Uint8Array) => {
        if (!joined) {
          // Frames behind a close we decided on are not kept (nor counted again).
          if (socket.readyState !== socket.OPEN) return;
          try {
            early.push(frame);
          } catch (err) {
            closeWith(ctx, socket, log, err);
          }
          return;
        }
        // Frames still queued behind a close we decided on are not applied.
        if (!joined.connection.open) return;
        try {
          joined.room.receive(joined.connection, frame);
        } catch (err) {
          closeWith(ctx, socket, log, err);
        }
      };
      socket.on('message', (data: Buffer) => receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
      socket.on('pong', () => {
        if (joined) joined.connection.alive = true;
      });
      socket.on('error', (err) => log.debug({ err }, 'collab socket error'));
      socket.on('close', () => {
        gone = true;
        if (!joined) return;
        ctx.rooms.disconnect(joined.room, joined.connection);
      });

      void (async () => {
        try {
          let generation = ctx.access.generation;
          const admitted = await admit(ctx, socket, documentId, token);
          const { caller, document } = admitted;
          let { access } = admitted;
          // Before loading anything for a user already at the cap.
          ctx.rooms.assertMayConnect(caller.id);
          const room = await ctx.rooms.acquire(document.id, document.project_id);
          let registered = false;
          try {
            // A membership change that landed while we were admitting found no socket to act on: ask again.
            while (ctx.access.generation !== generation) {
              generation = ctx.access.generation;
              const now = await documents.roomAccess(ctx, caller, document);
              if (!now) throw new CloseConnection(CollabCloseCodes.forbidden, 'access revoked');
              access = now;
            }
            if (gone) return;
            // Registered synchronously from here on, so later membership events find this socket.
            const connection = new Connection(socket, caller.id, access.organizationId, access.role, toResource(document), ctx.config);
            ctx.rooms.connect(room, connection);
            joined = { room, connection };
            registered = true;
            for (const frame of early.take()) if (connection.open) receive(frame);
          } finally {
            if (!registered) ctx.rooms.release(room);
          }
        } catch (err) {
          closeWith(ctx, socket, log, err);
        }
      })();
    },
  );
};
