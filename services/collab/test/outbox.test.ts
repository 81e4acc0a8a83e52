import { createOutbox } from '@flux/server-kit';
import { CollabCloseCodes } from '@flux/shared/constants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type AuthHarness, startAuth } from '../../../test/support/auth.js';
import type { CollabOutboxEvents } from '../src/context.js';
import * as documents from '../src/documents/repository.js';
import { createDocument } from './factories.js';
import { type CollabServer, closeCode, type Fixture, filePrefix, fixture, rawSocket, startCollab } from './helpers.js';

/** Waits until the server has admitted the socket (it answered the client's sync). */
async function admitted(ws: WebSocket): Promise<WebSocket> {
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed ${code} before admission`)));
  });
  return ws;
}

describe('document.deleted through collab.outbox', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  beforeAll(async () => {
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    f = await fixture(auth, collab);
  });
  afterAll(async () => {
    await collab?.close();
    await auth?.close();
  });

  it('a move to the trash committed with its event closes the open room 4403 from the stream alone (no room relay message)', async () => {
    const { id: documentId } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Doomed' });
    const ws = await admitted(rawSocket(collab.wsUrl, documentId, f.owner.accessToken));
    const closed = closeCode(ws);
    // What `remove` commits, as another instance would, without the fast relay message.
    const outbox = createOutbox<CollabOutboxEvents>('collab', collab.config.redisPrefix);
    await collab.app.db.transaction().execute(async (trx) => {
      await documents.moveToTrash(trx, documentId, f.owner.id);
      await outbox.add(trx, 'document.deleted', { documentId, projectId: f.projectId });
    });
    expect(await closed).toBe(CollabCloseCodes.forbidden);
  });
});
