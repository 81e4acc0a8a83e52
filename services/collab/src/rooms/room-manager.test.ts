import { afterEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import type { Config } from '../config.js';
import { Connection } from './connection.js';
import { Room, type RoomHooks } from './room.js';
import { RoomManager } from './room-manager.js';

const PING_INTERVAL_MS = 1000;
const config = {
  pingIntervalMs: PING_INTERVAL_MS,
  relaySyncIntervalMs: 3_600_000,
  maxConnectionsPerUser: 1000,
  updatesPerSecond: 100,
  updateBurst: 300,
  syncRequestsPerMinute: 30,
  syncRequestBurst: 10,
} as Config;

/** What the pinger uses of a socket: pings it sends and whether it was dropped. */
function fakeSocket() {
  return {
    readyState: 1,
    OPEN: 1,
    bufferedAmount: 0,
    pings: [] as number[],
    terminated: false,
    send() {},
    ping() {
      this.pings.push(Date.now());
    },
    terminate() {
      this.terminated = true;
    },
  };
}

describe('RoomManager pings', () => {
  afterEach(() => {
    vi.clearAllTimers();
    vi.useRealTimers();
  });

  it('pings every socket once per interval, a slice at a time, and drops one that missed the previous pong', () => {
    vi.useFakeTimers();
    const manager = new RoomManager({ config } as unknown as ConstructorParameters<typeof RoomManager>[0]);
    const room = new Room('d', 'p', {} as RoomHooks, config);
    manager.rooms.set('d', room);
    const sockets = Array.from({ length: 40 }, fakeSocket);
    const connections = sockets.map((socket, i) => {
      const connection = new Connection(
        socket as unknown as WebSocket,
        `u${i}`,
        'o',
        'member',
        { projectId: 'p', createdBy: 'u0' },
        config,
      );
      manager.connect(room, connection);
      return connection;
    });

    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(sockets.map((s) => s.pings.length)).toEqual(sockets.map(() => 1));
    // Spread over the interval: no instant pings more than its share (40 sockets over 20 slices).
    const perInstant = new Map<number, number>();
    for (const s of sockets) for (const at of s.pings) perInstant.set(at, (perInstant.get(at) ?? 0) + 1);
    expect(Math.max(...perInstant.values())).toBeLessThanOrEqual(2);

    // Half answer (the route sets `alive` on each pong); the other half are dropped at their next ping.
    connections.forEach((connection, i) => {
      if (i % 2 === 0) connection.alive = true;
    });
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(sockets.filter((s) => s.terminated).length).toBe(20);
    sockets.forEach((s, i) => {
      expect(s.terminated).toBe(i % 2 === 1);
      expect(s.pings.length).toBe(i % 2 === 0 ? 2 : 1);
    });
  });
});
