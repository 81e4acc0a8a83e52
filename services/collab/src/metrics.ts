import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CollabMetrics {
  updates: Counter;
  refused: Counter<'reason'>;
  closes: Counter<'code'>;
  roomLoad: Histogram;
  flushes: Histogram;
}

/** Collab's counters and timings on the app's registry. */
export function createCollabMetrics(registry: Registry): CollabMetrics {
  const registers = [registry];
  return {
    // updates/s is rate(collab_updates_total[1m]).
    updates: new Counter({
      name: 'collab_updates_total',
      help: 'Document updates accepted from clients or the server (relayed ones excluded)',
      registers,
    }),
    refused: new Counter({
      name: 'collab_messages_refused_total',
      help: 'Messages (or awareness entries) dropped without closing the socket (guest updates, foreign awareness, awareness past its caps), by reason',
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

/** A gauge that reads live state when scraped; registered by the plugin that owns that state. */
export function liveGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
