import type { CollabDocument, Page } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthHarness } from '../../../test/support/auth.js';
import { startAuth } from '../../../test/support/auth.js';
import { FakeReplica } from '../../../test/support/replica.js';
import { type CollabServer, type Fixture, filePrefix, fixture, startCollab } from './helpers.js';

/** DATABASE_REPLICA_URL: the document list reads from the replica (a second database with another title). */
describe('collab document list from the read replica', () => {
  let auth: AuthHarness;
  let replica: FakeReplica;
  let withReplica: CollabServer;
  let primaryOnly: CollabServer;
  let f: Fixture;

  beforeAll(async () => {
    replica = await FakeReplica.create(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test');
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    withReplica = await startCollab(auth, { REDIS_PREFIX: prefix, DATABASE_REPLICA_URL: replica.url });
    primaryOnly = await startCollab(auth, { REDIS_PREFIX: prefix });
    f = await fixture(auth, withReplica);
    expect(await replica.copy('collab.documents', 'id', f.documentId)).toBe(1);
    await replica.sql`update collab.documents set title = 'Title on the replica' where id = ${f.documentId}`;
  });
  afterAll(async () => {
    await withReplica?.close();
    await primaryOnly?.close();
    await auth?.close();
    await replica?.end();
  });

  it('lists the replica’s documents with the setting and the primary’s without it', async () => {
    const path = `/api/documents?projectId=${f.projectId}`;
    const fromReplica = await withReplica.http.as(f.owner).get<Page<CollabDocument>>(path);
    expect(fromReplica.status).toBe(200);
    expect(fromReplica.body.items.map((d) => d.title)).toEqual(['Title on the replica']);
    const fromPrimary = await primaryOnly.http.as(f.owner).get<Page<CollabDocument>>(path);
    expect(fromPrimary.body.items.map((d) => d.title)).toEqual(['Spec']);
  });
});
