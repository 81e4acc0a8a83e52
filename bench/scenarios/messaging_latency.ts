// 1→1 delivery through nginx: one message at a time from a sender to one receiver, timed from
// the emit to the committed ack and to the receiver's `message:new`. Baseline: a bare Socket.IO
// server (own process, no auth, no database, no nginx) relaying the same events.
import { randomUUID } from 'node:crypto';
import { api } from '../lib/flux-api.js';
import { bareSocket, colleagues, stackDatabase, DeliveryTimer, ourSocket, sendMessage, socketReceiver } from '../lib/messaging.js';
import { startBareMessaging } from '../lib/bare-messaging.js';
import { atLeast, atMost, type Scenario } from '../lib/scenario.js';
import { alternate, latencyFigures, ratioOf, type Samples } from '../lib/stats.js';

const ROUNDS = 6;
const PER_ROUND = 100;
const WARMUP = 20;
/** Senders take turns, each in a direct conversation with the receiver. */
const SENDERS = 10;
/** Acks checked against a separate database connection: the row must be visible when the ack arrives. */
const COMMIT_CHECKS = 50;

const figures = (t: Samples) => ({ ...latencyFigures(t.delivery ?? [], 'delivery_'), ...latencyFigures(t.ack ?? [], 'ack_') });

const scenario: Scenario = {
  name: 'messaging_latency',
  title: `1→1 delivery through nginx, ${ROUNDS * PER_ROUND} sequential messages, against bare Socket.IO`,
  inDefaultRun: true,
  async run(ctx) {
    const stack = await ctx.stack();
    const [receiver, ...senders] = await colleagues(SENDERS + 1);
    const directs = await Promise.all(
      senders.map((s) => api<{ id: string }>(stack.url, 'POST', '/api/conversations', s, { type: 'direct', memberIds: [receiver!.id] })),
    );
    const ids = directs.map((d) => d.id);
    const bare = await startBareMessaging();
    const sockets = await Promise.all([receiver!, ...senders].map((u) => ourSocket(stack.url, u)));
    const [receiverSocket, ...senderSockets] = sockets;
    const bareSender = await bareSocket(bare.url, []);
    const bareReceiver = await bareSocket(bare.url, ids);
    try {
      const ours = new DeliveryTimer([socketReceiver(receiverSocket!)]);
      const base = new DeliveryTimer([socketReceiver(bareReceiver)]);
      const oursRound = async (n: number) => {
        for (let i = 0; i < n; i++)
          await ours.time(1, (id) => sendMessage(senderSockets[i % SENDERS]!, ids[i % SENDERS]!, id).then(() => {}));
        return ours.take();
      };
      const baseRound = async (n: number) => {
        for (let i = 0; i < n; i++) await base.time(1, (id) => sendMessage(bareSender, ids[i % SENDERS]!, id).then(() => {}));
        return base.take();
      };
      ctx.progress('warming up');
      await oursRound(WARMUP);
      await baseRound(WARMUP);
      ctx.progress(`${ROUNDS} alternating rounds of ${PER_ROUND} messages`);
      const samples = await alternate(
        ROUNDS,
        () => oursRound(PER_ROUND),
        () => baseRound(PER_ROUND),
      );

      ctx.progress(`checking ${COMMIT_CHECKS} acks against the database`);
      const { sql } = stackDatabase();
      let committed = 0;
      try {
        for (let i = 0; i < COMMIT_CHECKS; i++) {
          const message = await sendMessage(senderSockets[i % SENDERS]!, ids[i % SENDERS]!, randomUUID());
          const rows = await sql`select 1 from messaging.messages where id = ${message.id}`;
          if (rows.length === 1) committed++;
        }
      } finally {
        await sql.end();
      }

      const oursFigures = figures(samples.ours);
      const baseFigures = figures(samples.baseline);
      const committedPct = (100 * committed) / COMMIT_CHECKS;
      return {
        ours: oursFigures,
        baseline: baseFigures,
        ratio: ratioOf(oursFigures, baseFigures),
        params: { messages: ROUNDS * PER_ROUND, rounds: ROUNDS, senders: SENDERS, commitChecks: COMMIT_CHECKS },
        goals: [
          atMost('delivery p50', oursFigures.delivery_p50_ms!, 3, ' ms'),
          atMost('delivery p99', oursFigures.delivery_p99_ms!, 15, ' ms'),
          atMost('ack p50', oursFigures.ack_p50_ms!, 2.5, ' ms'),
          atLeast('acks whose row was already committed', committedPct, 100, ' %'),
        ],
      };
    } finally {
      for (const socket of [...sockets, bareSender, bareReceiver]) socket.disconnect();
      await bare.stop();
    }
  },
};
export default scenario;
