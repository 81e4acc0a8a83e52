// A cold load: the first client of a document nobody has open, whose history is 10,000 typing
// updates, compacted by the service's own compaction. Ours: connect through nginx, the room loaded
// from PostgreSQL, synced to the client. Baseline: Y.applyUpdate of the same snapshot in-process
// (what any Yjs server must do at least). The same history left uncompacted is measured beside it.
import * as Y from 'yjs';
import { createDatabase } from '../../packages/server-kit/src/db.js';
import type { Database as CollabDatabase } from '../../services/collab/src/db/database.js';
import { compactDocument } from '../../services/collab/src/persistence/compaction.js';
import { collabMetric, collabOwner } from '../lib/collab-fixture.js';
import { atMost, type BenchContext, type Scenario, type ScenarioResult } from '../lib/scenario.js';
import { summarize } from '../lib/stats.js';
import { collabPeer, within } from '../lib/yjs.js';

const UPDATES = 10_000;
const COMPACTED_DOCUMENTS = 8;
const UNCOMPACTED_DOCUMENTS = 2;
/**
 * Compacted documents of the same history loaded before the measured ones, so that what is measured
 * is a document nobody has open on a running service, not the service's first big documents ever:
 * those ran Yjs's decoding cold (interpreted, not yet optimised) and took 2–6× as long for their
 * first 4–8 loads (reported as `params.warm_up_loads_ms`).
 */
const WARM_UP_DOCUMENTS = 5;

/** 10,000 updates of someone typing: a character at the cursor, now and then a backspace or a jump. */
function typingHistory(): { updates: Uint8Array[]; text: string } {
  const doc = new Y.Doc();
  const text = doc.getText('content');
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  let cursor = 0;
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  while (updates.length < UPDATES) {
    const roll = random();
    if (roll < 0.1 && cursor > 0) {
      text.delete(cursor - 1, 1);
      cursor--;
    } else if (roll < 0.12) cursor = Math.floor(random() * (text.length + 1));
    else {
      text.insert(cursor, 'abcdefghijklmnopqrstuvwxyz '[Math.floor(random() * 27)] ?? ' ');
      cursor++;
    }
  }
  const content = text.toString();
  doc.destroy();
  return { updates, text: content };
}

async function run(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  const owner = await collabOwner();
  const { db, sql } = createDatabase<CollabDatabase>(process.env.DATABASE_URL ?? '', 4);
  try {
    ctx.progress(`writing ${WARM_UP_DOCUMENTS + COMPACTED_DOCUMENTS + UNCOMPACTED_DOCUMENTS} documents of ${UPDATES} updates each`);
    const history = typingHistory();
    const documents = await owner.documents(WARM_UP_DOCUMENTS + COMPACTED_DOCUMENTS + UNCOMPACTED_DOCUMENTS);
    for (const documentId of documents) {
      for (let i = 0; i < history.updates.length; i += 1000) {
        const rows = history.updates.slice(i, i + 1000).map((update) => ({ document_id: documentId, update }));
        await sql`insert into collab.document_updates ${sql(rows, 'document_id', 'update')}`;
      }
    }
    const warmUp = documents.slice(0, WARM_UP_DOCUMENTS);
    const compacted = documents.slice(WARM_UP_DOCUMENTS, WARM_UP_DOCUMENTS + COMPACTED_DOCUMENTS);
    const uncompacted = documents.slice(WARM_UP_DOCUMENTS + COMPACTED_DOCUMENTS);
    ctx.progress(`compacting ${warmUp.length + compacted.length} of them`);
    for (const documentId of [...warmUp, ...compacted]) await compactDocument(db, documentId);
    const snapshot = (
      await db
        .selectFrom('collab.document_snapshots')
        .select('state')
        .where('document_id', '=', compacted[0] ?? '')
        .executeTakeFirstOrThrow()
    ).state;

    const gateway = `${stack.url.replace('http', 'ws')}/collab`;
    const coldLoad = async (documentId: string) => {
      const started = performance.now();
      const peer = collabPeer(gateway, documentId, owner.token);
      try {
        await within(30_000, 'cold load', peer.ready);
        const ms = performance.now() - started;
        if (peer.doc.getText('content').toString() !== history.text) throw new Error(`document ${documentId} loaded other content`);
        return ms;
      } finally {
        peer.close();
      }
    };
    const applyInProcess = (updates: Uint8Array[]) => {
      const started = performance.now();
      const doc = new Y.Doc();
      Y.transact(doc, () => {
        for (const update of updates) Y.applyUpdate(doc, update);
      });
      const ms = performance.now() - started;
      doc.destroy();
      return ms;
    };
    // The first socket of a run pays for what every later one finds cached (the key set, project access): a warm-up document.
    await coldLoad((await owner.documents(1))[0] ?? '').catch(() => 0);
    const warmUpLoads: number[] = [];
    for (const documentId of warmUp) warmUpLoads.push(await coldLoad(documentId));

    // The service's own account of the loads (token to sync excluded): collab_room_load_seconds.
    const collabHttp = `http://127.0.0.1:${stack.ports.collab}`;
    const roomLoads = async () => ({
      seconds: await collabMetric(collabHttp, 'collab_room_load_seconds_sum'),
      count: await collabMetric(collabHttp, 'collab_room_load_seconds_count'),
    });
    const loadsBefore = await roomLoads();
    const ours: number[] = [];
    const baseline: number[] = [];
    for (const documentId of compacted) {
      baseline.push(applyInProcess([snapshot]));
      ours.push(await coldLoad(documentId));
    }
    const loadsAfter = await roomLoads();
    const serverRoomLoadMs = (1000 * (loadsAfter.seconds - loadsBefore.seconds)) / Math.max(1, loadsAfter.count - loadsBefore.count);
    const oursUncompacted: number[] = [];
    const baselineUncompacted: number[] = [];
    for (const documentId of uncompacted) {
      baselineUncompacted.push(applyInProcess(history.updates));
      oursUncompacted.push(await coldLoad(documentId));
    }
    const o = summarize(ours);
    const b = summarize(baseline);
    const figures = (s: typeof o, raw: number[]) => ({
      cold_load_p50_ms: s.p50,
      cold_load_max_ms: s.max,
      uncompacted_load_max_ms: Math.max(...raw),
    });
    const oursFigures = figures(o, oursUncompacted);
    const baselineFigures = figures(b, baselineUncompacted);
    const ratio = Object.fromEntries(
      Object.entries(oursFigures).map(([key, value]) => [key, value / (baselineFigures[key as keyof typeof baselineFigures] || 1)]),
    );
    return {
      ours: oursFigures,
      baseline: baselineFigures,
      ratio,
      params: {
        updates: UPDATES,
        text_chars: history.text.length,
        history_bytes: history.updates.reduce((sum, u) => sum + u.length, 0),
        snapshot_bytes: snapshot.length,
        compacted_documents: COMPACTED_DOCUMENTS,
        warm_up_loads_ms: warmUpLoads.map((ms) => Number(ms.toFixed(1))),
        uncompacted_documents: UNCOMPACTED_DOCUMENTS,
        path: 'WebSocket through nginx: token, access, room load from PostgreSQL, sync',
        server_room_load_mean_ms: Number(serverRoomLoadMs.toFixed(1)),
      },
      goals: [atMost('cold load after compaction (slowest of the documents)', o.max, 50, ' ms')],
    };
  } finally {
    await sql.end();
    await owner.close();
  }
}

const scenario: Scenario = {
  name: 'collab_load',
  title: 'Cold load of a document with 10,000 updates, after compaction',
  inDefaultRun: true,
  run,
};
export default scenario;
