// 1→100 through nginx: one sender posts to a group of 100 listeners at a steady rate (an open
// loop: a send does not wait for the one before), each message timed to its last receiver.
// Baseline: a bare Socket.IO server (own process, no auth, no database, no nginx) with the same room.
import { bareSocket, colleagues, DeliveryTimer, openLoop, ourSocket, sendMessage } from '../lib/messaging.js';
import { startBareMessaging } from '../lib/bare-messaging.js';
import { lightReceiver } from '../lib/light-receiver.js';
import { api, inBatches } from '../lib/flux-api.js';
import { atMost, type Scenario } from '../lib/scenario.js';
import { alternate, latencyFigures, ratioOf, type Samples } from '../lib/stats.js';

const AUDIENCE = 100;
const RATE = 200;
const SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 30);
/** The 30 s of each side in alternating rounds. */
const ROUNDS = 2;

const figures = (t: Samples) => ({ ...latencyFigures(t.delivery ?? [], 'last_receiver_'), ...latencyFigures(t.ack ?? [], 'ack_') });

const scenario: Scenario = {
  name: 'messaging_fanout',
  title: `1→${AUDIENCE} through nginx at ${RATE} msg/s for ${SECONDS} s, to the last receiver, against bare Socket.IO`,
  inDefaultRun: true,
  async run(ctx) {
    const stack = await ctx.stack();
    const [sender, ...audience] = await colleagues(AUDIENCE + 1);
    const group = await api<{ id: string }>(stack.url, 'POST', '/api/conversations', sender, {
      type: 'group',
      name: 'bench fan-out',
      memberIds: audience.map((u) => u.id),
    });
    const bare = await startBareMessaging();
    const senderSocket = await ourSocket(stack.url, sender!);
    // The audience on receive-only clients, the same for both sides (see light-receiver.ts).
    const audienceSockets = await inBatches(AUDIENCE, 20, (i) => lightReceiver(stack.url, { token: audience[i]!.accessToken }));
    const bareSender = await bareSocket(bare.url, []);
    const bareAudience = await inBatches(AUDIENCE, 20, () => lightReceiver(bare.url, { rooms: [group.id] }));
    try {
      const ours = new DeliveryTimer(audienceSockets);
      const base = new DeliveryTimer(bareAudience);
      const lost = { ours: 0, baseline: 0 };
      const side = (timer: DeliveryTimer, socket: typeof senderSocket, name: keyof typeof lost) => async (round: number) => {
        ctx.progress(`round ${round + 1}/${ROUNDS}: ${name}, ${RATE} msg/s for ${SECONDS / ROUNDS} s`);
        const loop = await openLoop(RATE, SECONDS / ROUNDS, (i) =>
          timer.time(AUDIENCE, (id) => sendMessage(socket, group.id, id, `fan-out ${i}`).then(() => {})),
        );
        lost[name] += loop.failed + loop.skipped;
        return timer.take();
      };
      ctx.progress('warming up');
      await openLoop(RATE, 1, () => ours.time(AUDIENCE, (id) => sendMessage(senderSocket, group.id, id).then(() => {})));
      await openLoop(RATE, 1, () => base.time(AUDIENCE, (id) => sendMessage(bareSender, group.id, id).then(() => {})));
      ours.take();
      base.take();
      const samples = await alternate(ROUNDS, side(ours, senderSocket, 'ours'), side(base, bareSender, 'baseline'));
      const oursFigures = figures(samples.ours);
      const baseFigures = figures(samples.baseline);
      const ratio = ratioOf(oursFigures, baseFigures);
      return {
        ours: oursFigures,
        baseline: baseFigures,
        ratio,
        params: {
          audience: AUDIENCE,
          ratePerSecond: RATE,
          seconds: SECONDS,
          rounds: ROUNDS,
          messages: samples.ours.delivery?.length ?? 0,
          lostOrSkipped: lost,
          undelivered: { ours: ours.lost, baseline: base.lost },
        },
        goals: [
          atMost('p99 to the last receiver', oursFigures.last_receiver_p99_ms!, 25, ' ms'),
          atMost('p99 to the last receiver ÷ bare Socket.IO', ratio.last_receiver_p99_ms ?? Number.NaN, 1.5, '×'),
        ],
      };
    } finally {
      for (const socket of [senderSocket, bareSender]) socket.disconnect();
      for (const receiver of [...audienceSockets, ...bareAudience]) receiver.close();
      await bare.stop();
    }
  },
};
export default scenario;
