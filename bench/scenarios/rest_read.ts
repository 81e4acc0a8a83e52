// A history page of 50 messages through nginx under load: GET /api/conversations/:id/messages
// (token check, membership, the query, serialisation). Baseline: a bare fastify route answering
// the very same JSON from memory, behind the same gateway config, on the same machine.
import { randomUUID } from 'node:crypto';
import { stopProcess } from '../../packages/cli/src/stack/index.js';
import { startBareFastify } from '../lib/bare-fastify.js';
import { api, inBatches } from '../lib/flux-api.js';
import { httpLoad } from '../lib/http-load.js';
import { colleagues, stackDatabase } from '../lib/messaging.js';
import { startGateway } from '../lib/private-gateway.js';
import { atLeast, atMost, type Scenario } from '../lib/scenario.js';
import { alternate, ratioOf, round } from '../lib/stats.js';

/** Messages in the conversation: the page is the newest 50 of a history longer than one page. */
const HISTORY = 1000;
const PAGE = 50;
const ROUNDS = 3;
const SECONDS = 5;
/** Concurrent keep-alive connections from the load generator (a few dozen busy clients). */
const CONNECTIONS = 32;

const scenario: Scenario = {
  name: 'rest_read',
  title: `GET a history page of ${PAGE} through nginx, ${CONNECTIONS} connections, against a bare fastify route serving the same JSON`,
  inDefaultRun: true,
  async run(ctx) {
    const stack = await ctx.stack();
    const [reader, writer] = await colleagues(2);
    if (!reader || !writer) throw new Error('colleagues() made fewer than 2 users');
    const { id } = await api<{ id: string }>(stack.url, 'POST', '/api/conversations', reader, { type: 'direct', memberIds: [writer.id] });
    ctx.progress(`writing ${HISTORY} messages`);
    await inBatches(HISTORY, 10, (i) =>
      api(stack.url, 'POST', `/api/conversations/${id}/messages`, i % 2 ? writer : reader, {
        content: `History message ${i}: a line of ordinary chat, long enough to look like one.`,
        clientId: randomUUID(),
      }),
    );
    // A table in service has statistics; fresh rows have none, and the planner would read the whole
    // conversation and sort it instead of walking the (conversation_id, seq) index backwards.
    const { sql } = stackDatabase();
    try {
      await sql`analyze messaging.messages`;
    } finally {
      await sql.end();
    }
    const path = `/api/conversations/${id}/messages?limit=${PAGE}`;
    const headers = { authorization: `Bearer ${reader.accessToken}` };
    const page = await fetch(`${stack.url}${path}`, { headers });
    if (page.status !== 200) throw new Error(`history page answered ${page.status}`);
    const body = await page.text();

    const bare = await startBareFastify(body);
    const upstreams = (messaging: string) => ({
      auth: [`127.0.0.1:${stack.ports.auth}`],
      messaging: [messaging],
      collab: [`127.0.0.1:${stack.ports.collab}`],
    });
    const oursGateway = await startGateway(upstreams(`127.0.0.1:${stack.ports.messaging}`));
    const bareGateway = await startGateway(upstreams(`127.0.0.1:${bare.port}`));
    try {
      const load = async (url: string) => {
        const figures = await httpLoad({ url: url + path, headers, connections: CONNECTIONS, duration: SECONDS });
        if (figures.non_2xx) throw new Error(`${figures.non_2xx} answers were not 2xx from ${url}`);
        return figures;
      };
      // Warm both (JIT, pools, nginx keep-alive) before anything counts.
      await load(oursGateway.url);
      await load(bareGateway.url);
      // Each round's figures as one sample per key; the rounds alternate which side goes first.
      const asSamples = (figures: Record<string, number>) => Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, [v]]));
      const { ours, baseline } = await alternate(
        ROUNDS,
        async (i) => {
          ctx.progress(`round ${i + 1}/${ROUNDS}: ours`);
          return asSamples(await load(oursGateway.url));
        },
        async (i) => {
          ctx.progress(`round ${i + 1}/${ROUNDS}: bare fastify`);
          return asSamples(await load(bareGateway.url));
        },
      );
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
      const summary = (runs: Record<string, number[]>) =>
        Object.fromEntries(Object.entries(runs).map(([key, values]) => [key, round(median(values))]));
      const oursFigures = summary(ours);
      const baseFigures = summary(baseline);
      const ratio = ratioOf(oursFigures, baseFigures);
      return {
        ours: oursFigures,
        baseline: baseFigures,
        ratio,
        params: {
          page: PAGE,
          history: HISTORY,
          bodyBytes: Buffer.byteLength(body),
          connections: CONNECTIONS,
          rounds: ROUNDS,
          seconds: SECONDS,
          figures: 'median of the rounds',
        },
        goals: [
          atLeast('requests per second', oursFigures.per_s ?? 0, 5000),
          atMost('p99', oursFigures.p99_ms ?? Number.NaN, 20, ' ms'),
          atLeast('requests per second ÷ bare fastify', ratio.per_s ?? 0, 0.5),
        ],
      };
    } finally {
      await Promise.all([oursGateway.stop(), bareGateway.stop(), stopProcess(bare.child)]);
    }
  },
};
export default scenario;
