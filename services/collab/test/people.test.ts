import { createOutbox, type EventBus } from '@flux/server-kit';
import type { CollabExport, CommentThread, Page } from '@flux/shared';
import { CollabRoots } from '@flux/shared/constants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startAuth, type AuthHarness } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import type { AuthOutboxEvents } from '../../auth/src/context.js';
import { eraseDeletedAccounts } from '../../auth/src/people/erasure.js';
import { filePrefix, fixture, people, provider, startCollab, synced, type CollabServer, type Fixture } from './helpers.js';

const anchor = { from: Buffer.from('from').toString('base64'), to: Buffer.from('to').toString('base64') };

/** People (issue 14 item 3) in collab: the export's internal route, and an erased author's comments. */
describe('people: document export and erased comment authors', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  const prefix = filePrefix();
  beforeAll(async () => {
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    f = await fixture(auth, collab);
  });
  afterAll(async () => {
    await collab?.close();
    await auth?.close();
  });

  it("lists the documents a user created with their text, to auth's service token only", async () => {
    const p = await synced(provider(collab.wsUrl, f.documentId, f.owner.accessToken));
    const heading = new Y.XmlElement('heading');
    heading.insert(0, [new Y.XmlText('Brief')]);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('Three posters by Friday')]);
    p.doc.getXmlFragment(CollabRoots.content).insert(0, [heading, paragraph]);
    p.destroy();
    await eventually(() => !collab.app.rooms.rooms.has(f.documentId), { what: 'room unloaded (updates flushed)' });

    const asAuth = httpClient(collab.url, { headers: { authorization: `Service ${await auth.app.serviceTokens.sign('collab')}` } });
    const exported = await asAuth.get<CollabExport>(`/internal/users/${f.owner.id}/documents`);
    expect(exported.status).toBe(200);
    expect(exported.body.documents).toEqual([
      expect.objectContaining({ id: f.documentId, projectId: f.projectId, title: 'Spec', text: 'Brief\nThree posters by Friday' }),
    ]);
    const someoneElse = await people(auth).user();
    expect((await asAuth.get<CollabExport>(`/internal/users/${someoneElse.id}/documents`)).body.documents).toEqual([]);
    expect((await httpClient(collab.url, { token: f.owner.accessToken }).get(`/internal/users/${f.owner.id}/documents`)).status).toBe(401);
  });

  it('renames an erased author\'s comments "Deleted user" from the durable user.erased alone', async () => {
    const author = await people(auth).user('Carla Comments');
    await people(auth).member(f.organizationId, author, 'member');
    const as = httpClient(collab.url, { token: author.accessToken });
    const base = `/api/documents/${f.documentId}/comments`;
    expect((await as.post(base, { anchor, quote: 'Brief', body: 'Friday is tight' })).status).toBe(201);

    await auth.app.db.updateTable('auth.users').set({ deletion_requested_at: new Date() }).where('id', '=', author.id).execute();
    // A bus that drops what it is given: only the stream tells collab.
    const lostBroadcast = { publish: async () => undefined } as unknown as EventBus;
    const outbox = createOutbox<AuthOutboxEvents>('auth', collab.config.redisPrefix);
    await eraseDeletedAccounts({ db: auth.app.db, events: lostBroadcast, outbox }, { graceSeconds: 0 });

    const owner = httpClient(collab.url, { token: f.owner.accessToken });
    await eventually(
      async () => {
        const threads = (await owner.get<Page<CommentThread>>(base)).body.items;
        const comment = threads.flatMap((t) => t.comments).find((c) => c.authorId === author.id);
        return comment?.authorName === 'Deleted user' && comment.body === 'Friday is tight';
      },
      { what: "the erased author's comment renamed" },
    );
  });
});
