import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { Namespace } from 'socket.io';
import { Adapter, type BroadcastOptions, type ClusterAdapter, type ClusterMessage, MessageType, type Room } from 'socket.io-adapter';

/** What the cluster adapter sends other instances: the options as arrays (see socket.io-adapter). */
const encodeOptions = (opts: BroadcastOptions) => ({ rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags ?? {} });
/** A cluster message as `publish` takes it: it adds `nsp` and `uid` itself. */
type Outgoing = ClusterMessage extends infer M ? (M extends unknown ? Omit<M, 'nsp' | 'uid'> : never) : never;
type Publish = (message: Outgoing) => void;
const inMemory = Adapter.prototype;

/**
 * The Redis streams adapter, delivering to this instance's own sockets at once. The adapter as
 * shipped awaits its XADD before it delivers locally, so every broadcast waited a Redis round
 * trip (and all of a Redis outage) even for sockets in this process. Here the local part runs
 * first, synchronously, and the stream entry follows on the same connection: other instances get
 * every broadcast, room change and disconnect in the order they were made, and after a Redis blip
 * they still read on from their stream offset (late, not lost). Room changes go local-first too, so
 * a socket added to a room here hears the next broadcast to it. Socket.IO's connection state
 * recovery stays off: it tags each packet with its stream offset, which this path does not wait for.
 */
export function createLocalFirstAdapter(redis: Redis, options: Parameters<typeof createAdapter>[1]) {
  const create = createAdapter(redis, options);
  // A function, not an arrow: Socket.IO calls it with `new`.
  return function localFirst(nsp: Namespace): ClusterAdapter {
    const adapter = create(nsp) as ClusterAdapter;
    // `publish` is protected: it XADDs without waiting, and logs (not throws) a failure.
    const publish = (adapter as unknown as { publish: Publish }).publish.bind(adapter);
    const toOthers = (opts: BroadcastOptions) => opts.flags?.local !== true;

    adapter.broadcast = async (packet: unknown, opts: BroadcastOptions) => {
      inMemory.broadcast.call(adapter, packet, opts);
      if (toOthers(opts)) publish({ type: MessageType.BROADCAST, data: { packet, opts: encodeOptions(opts) } });
    };
    adapter.addSockets = async (opts: BroadcastOptions, rooms: Room[]) => {
      inMemory.addSockets.call(adapter, opts, rooms);
      if (toOthers(opts)) publish({ type: MessageType.SOCKETS_JOIN, data: { opts: encodeOptions(opts), rooms } });
    };
    adapter.delSockets = async (opts: BroadcastOptions, rooms: Room[]) => {
      inMemory.delSockets.call(adapter, opts, rooms);
      if (toOthers(opts)) publish({ type: MessageType.SOCKETS_LEAVE, data: { opts: encodeOptions(opts), rooms } });
    };
    adapter.disconnectSockets = async (opts: BroadcastOptions, close: boolean) => {
      inMemory.disconnectSockets.call(adapter, opts, close);
      if (toOthers(opts)) publish({ type: MessageType.DISCONNECT_SOCKETS, data: { opts: encodeOptions(opts), close } });
    };
    return adapter;
  };
}
