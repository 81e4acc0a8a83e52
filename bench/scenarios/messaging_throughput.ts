// Sustained persisted throughput: 100 people in 1,000 direct conversations send at a fixed
// offered rate (an open loop), each message acknowledged only once committed. Baseline: a bare
// Socket.IO server (own process) doing one plain INSERT per message before its ack and broadcast,
// the floor of a chat that persists what it acknowledges on this machine (PostgreSQL, fsync and
// the same client load included; no auth, checks, seq or outbox).
import { api, inBatches } from '../lib/flux-api.js';
import { bareSocket, colleagues, drainNotifications, stackDatabase, openLoop, ourSocket, sendMessage } from '../lib/messaging.js';
import { startBareMessaging } from '../lib/bare-messaging.js';
import { atLeast, atMost, type Figures, type Scenario } from '../lib/scenario.js';
import { alternate, latencyFigures, ratioOf, round, type Samples } from '../lib/stats.js';

const PEOPLE = 100;
/** Each person starts a direct conversation with the next PARTNERS people (1,000 distinct pairs). */
const PARTNERS = 10;
const RATE = Number(process.env.BENCH_THROUGHPUT_RATE ?? 5000);
const SECONDS = 20;
const ROUNDS = 2;

const scenario: Scenario = {
  name: 'messaging_throughput',
  title: `${RATE} msg/s offered across ${PEOPLE * PARTNERS} conversations for ${SECONDS} s, persisted before the ack, against bare Socket.IO + INSERT`,
  inDefaultRun: true,
  async run(ctx) {
    const stack = await ctx.stack();
    const people = await colleagues(PEOPLE);
    ctx.progress(`starting ${PEOPLE * PARTNERS} direct conversations`);
    const conversations = await inBatches(PEOPLE * PARTNERS, 20, async (i) => {
      const from = Math.floor(i / PARTNERS);
      const to = (from + 1 + (i % PARTNERS)) % PEOPLE;
      const { id } = await api<{ id: string }>(stack.url, 'POST', '/api/conversations', people[from], {
        type: 'direct',
        memberIds: [people[to]!.id],
      });
      return { id, from, to };
    });
    const roomsOf = (person: number) => conversations.filter((c) => c.from === person || c.to === person).map((c) => c.id);
    const bare = await startBareMessaging(process.env.DATABASE_URL);
    const sockets = await inBatches(PEOPLE, 20, (i) => ourSocket(stack.url, people[i]!));
    const bareSockets = await inBatches(PEOPLE, 20, (i) => bareSocket(bare.url, roomsOf(i)));
    const acked: string[] = [];
    try {
      const perSecond: Record<'ours' | 'baseline', number[]> = { ours: [], baseline: [] };
      const side = (name: 'ours' | 'baseline', socketOf: (person: number) => (typeof sockets)[number]) => async (r: number) => {
        ctx.progress(`round ${r + 1}/${ROUNDS}: ${name}, ${RATE} msg/s offered for ${SECONDS / ROUNDS} s`);
        const ack: number[] = [];
        let done = 0;
        const loop = await openLoop(RATE, SECONDS / ROUNDS, async (i) => {
          const conversation = conversations[i % conversations.length]!;
          const started = performance.now();
          const clientId = crypto.randomUUID();
          await sendMessage(socketOf(conversation.from), conversation.id, clientId);
          ack.push(performance.now() - started);
          done++;
          if (name === 'ours') acked.push(clientId);
        });
        perSecond[name].push(done / loop.seconds);
        ctx.progress(`${name}: ${round(done / loop.seconds)} acked/s, ${loop.skipped} skipped (too many in flight), ${loop.failed} failed`);
        return { ack };
      };
      const samples = await alternate(
        ROUNDS,
        side('ours', (p) => sockets[p]!),
        side('baseline', (p) => bareSockets[p]!),
      );
      const figures = (t: Samples, rates: number[]): Figures => ({
        per_s: round(rates.reduce((a, b) => a + b, 0) / rates.length),
        ...latencyFigures(t.ack ?? [], 'ack_'),
      });
      const oursFigures = figures(samples.ours, perSecond.ours);
      const baseFigures = figures(samples.baseline, perSecond.baseline);

      ctx.progress(`checking that all ${acked.length} acknowledged messages are stored`);
      const { sql } = stackDatabase();
      let stored = 0;
      try {
        for (let i = 0; i < acked.length; i += 5000) {
          const [row] = await sql<{ n: number }[]>`
            select count(*)::int as n from messaging.messages where client_id = any(${acked.slice(i, i + 5000)}::text[])`;
          stored += row?.n ?? 0;
        }
      } finally {
        await sql.end();
      }
      const storedPct = acked.length === 0 ? 0 : (100 * stored) / acked.length;
      // Every acked direct message carries a notification job: the scenarios after this one get a stack that is done with them.
      const drainSeconds = await drainNotifications(stack.ports.messaging, ctx.progress);
      return {
        ours: oursFigures,
        baseline: baseFigures,
        ratio: ratioOf(oursFigures, baseFigures),
        params: {
          people: PEOPLE,
          conversations: conversations.length,
          offeredPerSecond: RATE,
          seconds: SECONDS,
          rounds: ROUNDS,
          acked: acked.length,
          notifications_drained_s: round(drainSeconds),
        },
        goals: [
          atLeast('persisted messages per second', oursFigures.per_s!, 5000, '/s'),
          atMost('ack p99', oursFigures.ack_p99_ms!, 50, ' ms'),
          atLeast('acknowledged messages found stored', round(storedPct), 100, ' %'),
        ],
      };
    } finally {
      for (const socket of [...sockets, ...bareSockets]) socket.disconnect();
      await bare.stop();
    }
  },
};
export default scenario;
