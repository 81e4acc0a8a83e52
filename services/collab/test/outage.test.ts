import type { CollabDocument, ErrorBody, HealthBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { PrivatePostgres } from '../../../test/support/private-stores.js';
import { type CollabServer, type Fixture, filePrefix, fixture, provider, startCollab, synced } from './helpers.js';

/** Collab on a PostgreSQL of its own, which this test stops and starts again (auth stays on the shared one). */
describe('collab while PostgreSQL is down', () => {
  let pg: PrivatePostgres;
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  beforeAll(async () => {
    pg = await new PrivatePostgres().init();
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix, DATABASE_URL: pg.url });
    f = await fixture(auth, collab);
  });
  afterAll(async () => {
    await collab?.close();
    await auth?.close();
    await pg?.destroy();
  });

  it('answers 503 service_unavailable with Retry-After, keeps open sockets, and recovers without a restart', async () => {
    const editor = await synced(provider(collab.wsUrl, f.documentId, f.owner.accessToken));
    try {
      const http = collab.http.as(f.owner);
      await pg.stop();
      const down = await http.get<ErrorBody>(`/api/documents/${f.documentId}`);
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('service_unavailable');
      expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
      const health = await collab.http.get<HealthBody>('/health');
      expect(health.status).toBe(503);
      expect(health.body.checks.db).toBe('error');
      expect(editor.wsconnected).toBe(true);

      await pg.start();
      const meanwhile: number[] = [];
      const back = await eventually(
        async () => {
          const answer = await http.get<CollabDocument>(`/api/documents/${f.documentId}`);
          if (answer.status !== 200) meanwhile.push(answer.status);
          return answer.status === 200 && answer;
        },
        { what: 'the document answers once PostgreSQL is back', timeout: 15_000 },
      );
      expect(meanwhile.filter((status) => status !== 503)).toEqual([]);
      expect(back.body.id).toBe(f.documentId);
      // The socket never dropped: an edit made now still reaches a second client.
      expect(editor.wsconnected).toBe(true);
      const reader = await synced(provider(collab.wsUrl, f.documentId, f.owner.accessToken));
      editor.doc.getText('content').insert(0, 'still here');
      await eventually(() => reader.doc.getText('content').toString() === 'still here', { what: 'the edit reaches the reader' });
      reader.destroy();
    } finally {
      editor.destroy();
    }
  });
});
