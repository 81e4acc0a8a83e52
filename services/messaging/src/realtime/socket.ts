import { databaseUnavailable, isDatabaseUnavailable, toAppError, toCaller } from '@flux/server-kit';
import {
  AppError,
  type ClientToServerEvents,
  SocketRead,
  SocketSendMessage,
  SocketSync,
  SocketTyping,
  type SocketAckCallback,
  type SocketError,
} from '@flux/shared';
import type { TSchema } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import * as conversationsRepo from '../conversations/repository.js';
import { dropLostProjectConversations } from '../conversations/service.js';
import { ConnectionLimits, clientAddressReader } from '../limits/connections.js';
import * as messages from '../messages/service.js';
import type { Presence } from './presence.js';
import { compile } from './validation.js';
import { conversationRoom, type MessagingServer, type MessagingSocket, userRoom } from './realtime.js';
import { sessionRoom } from './revocation.js';

/** The `exp` claim of a token that was just verified, in ms. */
function expiryOf(token: string): number | undefined {
  try {
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp?: unknown };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const EVENT_WINDOW_MS = 10_000;
type ClientEvent = keyof ClientToServerEvents;
/** The payload and the ack's answer of a client event, read off the shared map. */
type PayloadOf<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
type AnswerOf<E extends ClientEvent> =
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends SocketAckCallback<infer T extends object> ? T : never;

function toSocketError(err: unknown, ctx: AppContext): SocketError {
  // PostgreSQL unreachable: the same retryable service_unavailable as over HTTP, and the socket stays up.
  if (isDatabaseUnavailable(err)) return databaseUnavailable().toBody().error as SocketError;
  if (err instanceof AppError) return { code: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) };
  // Input PostgreSQL refuses to store (a NUL character) is the client's error, as over HTTP.
  const mapped = err instanceof Error ? toAppError(err) : undefined;
  if (mapped && mapped.status < 500) return { code: mapped.code, message: mapped.message };
  ctx.log.error({ err }, 'socket handler failed');
  return { code: 'internal_error', message: 'Something went wrong on our side; try again.' };
}

/** What a client event does once its payload checked out, for the socket that sent it. */
type Handler<E extends ClientEvent> = (socket: MessagingSocket, payload: PayloadOf<E>) => Promise<AnswerOf<E>>;
/** A listener Socket.IO calls with the socket as `this`. */
type SocketListener = (this: MessagingSocket, ...args: unknown[]) => void;

/**
 * The listener of a client → server event: the payload is checked against its shared schema, the
 * handler's answer (or error) goes back through the ack when the client asked for one, and
 * nothing a client sends can throw out of the handler. One per event for the whole process (the
 * socket comes as `this`): a connection costs no closures of its own.
 */
function listenerFor<E extends ClientEvent>(
  ctx: AppContext,
  schema: TSchema & { static: PayloadOf<E> },
  handler: Handler<E>,
): SocketListener {
  const check = compile(schema);
  // Any arguments at all: a client may send no payload, or an ack where the payload should be.
  return function listener(...args) {
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as SocketAckCallback<AnswerOf<E>>) : undefined;
    const budget = this.data.events;
    const now = Date.now();
    if (now - budget.windowStart >= EVENT_WINDOW_MS) Object.assign(budget, { windowStart: now, count: 0 });
    if (++budget.count > ctx.config.socketEventLimit) {
      const retryAfter = Math.ceil((budget.windowStart + EVENT_WINDOW_MS - now) / 1000);
      ack?.({
        ok: false,
        error: { code: 'rate_limited', message: 'Too many events from this connection; slow down.', details: { retryAfter } },
      });
      return;
    }
    const checked = check(args[0]);
    if (!checked.ok) {
      const { field, message } = checked.error;
      ack?.({ ok: false, error: { code: 'validation_error', message: `${field}: ${message}`, details: { field } } });
      return;
    }
    handler(this, checked.value).then(
      (answer) => ack?.({ ok: true, ...answer }),
      (err: unknown) => ack?.({ ok: false, error: toSocketError(err, ctx) }),
    );
  };
}

/** Refused in the handshake: the user or the address already holds its share of sockets. */
class TooManyConnections extends Error {}

/** Socket.IO on the messaging port: token auth, rooms, client events, presence. */
export function attachSocketHandlers(io: MessagingServer, ctx: AppContext, presence: Presence): void {
  const connections = new ConnectionLimits(ctx.config.maxSocketsPerUser, ctx.config.maxSocketsPerIp);
  const clientAddress = clientAddressReader(ctx.config.trustedProxies);

  // Runs before the connection is accepted: a bad token never gets a socket.
  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    // Checked here only: not kept for the socket's life (~0.5 KB each).
    socket.handshake.auth = {};
    let release: (() => void) | undefined;
    try {
      if (typeof token !== 'string' || token.length === 0) throw AppError.unauthorized();
      const claims = await ctx.verifyAccessToken(token);
      if (await ctx.revokedSessions.isRevoked(claims.sid))
        throw AppError.unauthorized('This session has ended; sign in again.', 'invalid_token');
      // Before any work for this socket: a flood of sockets costs a token check each, nothing more.
      release = connections.acquire(claims.sub, clientAddress(socket.request));
      if (!release) throw new TooManyConnections();
      // Whichever comes first (a disconnect, or a transport that closes before the socket connects).
      socket.once('disconnect', release);
      socket.conn.once('close', release);
      const data = socket.data;
      data.caller = toCaller(claims);
      data.typingAt = new Map();
      data.events = { windowStart: Date.now(), count: 0 };
      data.expiresAt = expiryOf(token);
      await ctx.users.remember(data.caller);
      // Rooms are joined here, before the client hears "connected": the personal room first, so a
      // conversation created while its ids load still reaches this socket through it.
      await socket.join([userRoom(claims.sub), sessionRoom(claims.sid)]);
      // Project conversations whose project the user lost (an event that never arrived) are left first.
      const lost = await dropLostProjectConversations(ctx, claims.sub);
      const conversationIds = (await conversationsRepo.conversationIdsOf(ctx.db, claims.sub)).filter((id) => !lost.has(id));
      await socket.join(conversationIds.map(conversationRoom));
      next();
    } catch (err) {
      release?.();
      // A refused socket must not linger in the rooms it joined before the failure.
      for (const room of [...socket.rooms]) void socket.leave(room);
      if (err instanceof TooManyConnections) return next(new Error('too_many_connections'));
      if (!(err instanceof AppError)) ctx.log.error({ err }, 'socket handshake failed');
      next(new Error(err instanceof AppError ? 'unauthorized' : 'unavailable'));
    }
  });

  io.on('connection', (socket) => {
    onConnection(socket);
    void announceArrival(socket).catch((err: unknown) => ctx.log.warn({ err }, 'presence update failed'));
  });

  const clientEvents: [ClientEvent, SocketListener][] = [
    [
      'message:send',
      listenerFor<'message:send'>(ctx, SocketSendMessage, async (socket, { conversationId, ...body }) => {
        const { message, created } = await messages.send(ctx, socket.data.caller, conversationId, body, 'socket');
        // The room may be new to this socket (a project channel joined on first use). Not for a
        // retry: that answer does not check membership, and a former member must not rejoin.
        if (created) await socket.join(conversationRoom(conversationId));
        return { message };
      }),
    ],
    [
      'typing',
      listenerFor<'typing'>(ctx, SocketTyping, async (socket, { conversationId, isTyping }) => {
        if (!socket.rooms.has(conversationRoom(conversationId))) throw AppError.notFound('Conversation');
        // Keystrokes arrive many times a second; relay "typing" at most once per interval, "stopped" always.
        const now = Date.now();
        if (isTyping) {
          const last = socket.data.typingAt.get(conversationId) ?? 0;
          if (now - last < ctx.config.typingThrottleMs) return { throttled: true } as const;
          socket.data.typingAt.set(conversationId, now);
        } else socket.data.typingAt.delete(conversationId);
        socket.to(conversationRoom(conversationId)).emit('typing', { conversationId, userId: socket.data.caller.id, isTyping });
        return {};
      }),
    ],
    [
      'message:read',
      listenerFor<'message:read'>(ctx, SocketRead, async (socket, { conversationId, seq }) => {
        const state = await messages.markRead(ctx, socket.data.caller, conversationId, seq);
        return { ...state };
      }),
    ],
    [
      'sync',
      listenerFor<'sync'>(ctx, SocketSync, async (socket, { conversations }) => {
        const result = await messages.sync(ctx, socket.data.caller, conversations);
        return { ...result };
      }),
    ],
  ];

  function onDisconnecting(this: MessagingSocket): void {
    const userId = this.data.caller.id;
    const rooms = conversationRoomsOf(this); // gone once 'disconnect' fires
    presence
      .disconnect(userId)
      .then((offline) => (offline ? announcePresence(rooms, userId, 'offline') : undefined))
      .catch((err: unknown) => ctx.log.warn({ err }, 'presence update failed'));
  }

  // Synchronous on purpose: handlers are in place before the client's first event.
  function onConnection(socket: MessagingSocket): void {
    const { expiresAt } = socket.data;

    // A socket lives no longer than its token. Closing the transport (not a Socket.IO disconnect)
    // makes the client reconnect on its own, presenting a fresh token or hearing "unauthorized".
    if (expiresAt !== undefined) {
      const timer = setTimeout(closeTransport, Math.max(0, expiresAt - Date.now()), socket);
      timer.unref();
      socket.once('disconnect', () => clearTimeout(timer));
    }

    // A listener taking `unknown` arguments accepts whatever the event's typed listener would.
    for (const [event, listener] of clientEvents) socket.on<ClientEvent>(event, listener);
    socket.on('disconnecting', onDisconnecting);
  }

  async function announceArrival(socket: MessagingSocket): Promise<void> {
    const { caller } = socket.data;
    const rooms = conversationRoomsOf(socket);
    // Counted before the first await, so a disconnect (which uncounts it) always comes after.
    if (await presence.connect(caller.id)) announcePresence(rooms, caller.id, 'online');
    if (socket.disconnected) return;
    // Tell the newcomer who among the people they talk to is online now.
    const peers = await conversationsRepo.peersOf(ctx.db, caller.id, 1000);
    for (const userId of await presence.online(peers)) socket.emit('presence', { userId, status: 'online' });
  }

  // Emitted right after the Redis answer, with no await in between, so presence changes of one
  // user go out in the order Redis applied them.
  function announcePresence(rooms: string[], userId: string, status: 'online' | 'offline'): void {
    if (rooms.length > 0) io.to(rooms).emit('presence', { userId, status });
  }
  const conversationRoomsOf = (socket: MessagingSocket) => [...socket.rooms].filter((room) => room.startsWith('conversation:'));
}

const closeTransport = (socket: MessagingSocket) => socket.conn.close();
