import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CollabMetrics {
  updates: Counter;
  refused: Counter<'reason'>;
  closes: Counter<'code'>;
  roomLoad: Histogram;
  flushes: Histogram;
}

/** Collab's own series on the app's registry; gauges read live state when scraped. */
export function createCollabMetrics(
  registry: Registry,
  live: { rooms(): number; connections(): number; persistenceLagSeconds(): number; pendingUpdates(): number },
): CollabMetrics {
  const registers = [registry];
  new Gauge({
    name: 'collab_rooms',
    help: 'Rooms (documents) loaded in this instance',
    registers,
    collect() {
      this.set(live.rooms());
    },
  });
  new Gauge({
    name: 'collab_connections',
    help: 'Open WebSocket connections in rooms',
    registers,
    collect() {
      this.set(live.connections());
    },
  });
  new Gauge({
    name: 'collab_persistence_lag_seconds',
    help: 'Age of the oldest accepted update not yet written to PostgreSQL',
    registers,
    collect() {
      this.set(live.persistenceLagSeconds());
    },
  });
  new Gauge({
    name: 'collab_pending_updates',
    help: 'Accepted updates waiting for the next write',
    registers,
    collect() {
      this.set(live.pendingUpdates());
    },
  });
  return {
    // updates/s is rate(collab_updates_total[1m]).
    updates: new Counter({
      name: 'collab_updates_total',
      help: 'Document updates accepted from clients or the server (relayed ones excluded)',
      registers,
    }),
    refused: new Counter({
      name: 'collab_messages_refused_total',
      help: 'Messages dropped without closing the socket (guest updates, foreign awareness), by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    closes: new Counter({
      name: 'collab_connection_closes_total',
      help: 'Connections closed by the server, by close code',
      labelNames: ['code'] as const,
      registers,
    }),
    roomLoad: new Histogram({
      name: 'collab_room_load_seconds',
      help: 'Time to load a room from PostgreSQL',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    flushes: new Histogram({
      name: 'collab_flush_seconds',
      help: 'Time to write one batch of updates',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
  };
}
