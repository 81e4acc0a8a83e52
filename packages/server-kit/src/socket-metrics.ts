import { Counter, Histogram, type Registry } from 'prom-client';
import { durationBuckets, scrapedGauge } from './metrics.js';

type Packet = unknown[];

/** The parts of a Socket.IO socket the instrumentation uses (structural: server-kit does not depend on socket.io). */
export interface InstrumentedSocket {
  use(middleware: (packet: Packet, next: (err?: Error) => void) => void): unknown;
  listeners(event: string): unknown[];
}

/** The parts of a Socket.IO server the instrumentation uses. */
export interface InstrumentedServer {
  on(event: 'connection', listener: (socket: InstrumentedSocket) => void): unknown;
  of(namespace: '/'): { adapter: { rooms: Map<string, unknown>; sids: Map<string, unknown> } };
}

/** `ok`, or the error code of an `{ ok: false, error: { code } }` answer (codes are a closed union, so few series). */
function outcomeOf(answer: unknown): string {
  if (typeof answer !== 'object' || answer === null || !('ok' in answer) || answer.ok !== false) return 'ok';
  const error = 'error' in answer ? answer.error : undefined;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : 'error';
}

/**
 * RED metrics for every client → server event: `socketio_events_total{event,outcome}` and
 * `socketio_event_duration_seconds{event,outcome}` (from arrival to the ack), plus the
 * `socketio_rooms` gauge. Wraps the ack in a per-socket middleware, so handlers stay untouched.
 * An event without a handler counts as `unknown` (a client chooses event names: they must not
 * become series); one without an ack counts with outcome `unacknowledged` and no duration.
 */
export function instrumentSocketServer(io: InstrumentedServer, registry: Registry): void {
  const labelNames = ['event', 'outcome'] as const;
  const events = new Counter({
    name: 'socketio_events_total',
    help: 'Socket.IO client events by event name and outcome (ok or the error code)',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'socketio_event_duration_seconds',
    help: 'Time from a Socket.IO client event to its ack, by event name and outcome',
    labelNames,
    buckets: durationBuckets,
    registers: [registry],
  });
  const { adapter } = io.of('/');
  // Every socket also sits in a room named by its own id; those are not rooms anyone joined.
  scrapedGauge(registry, 'socketio_rooms', 'Socket.IO rooms with members on this instance', [], (set) =>
    set({}, [...adapter.rooms.keys()].filter((room) => !adapter.sids.has(room)).length),
  );

  io.on('connection', (socket) => {
    socket.use((packet, next) => {
      const name = packet[0];
      const event = typeof name === 'string' && socket.listeners(name).length > 0 ? name : 'unknown';
      const ack = packet.at(-1);
      if (typeof ack !== 'function') {
        events.inc({ event, outcome: 'unacknowledged' });
        return next();
      }
      const stop = duration.startTimer({ event });
      packet[packet.length - 1] = (...answer: unknown[]) => {
        const outcome = outcomeOf(answer[0]);
        stop({ outcome });
        events.inc({ event, outcome });
        return ack(...answer);
      };
      next();
    });
  });
}
