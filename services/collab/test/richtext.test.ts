import type { Comment, CommentThread, DocumentVersion, ErrorBody, Page } from '@flux/shared';
import { CollabRoots } from '@flux/shared/constants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startAuth, type AuthHarness, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { createDocument } from './factories.js';
import { filePrefix, fixture, people, provider, startCollab, synced, type CollabServer, type Fixture } from './helpers.js';

/** Paragraph texts of a Tiptap document as the stock client sees them (`default` XmlFragment). */
const paragraphs = (doc: Y.Doc) =>
  doc
    .getXmlFragment(CollabRoots.content)
    .toArray()
    .map((node) => (node instanceof Y.XmlElement ? `${node.nodeName}:${node.toArray().map(String).join('')}` : String(node)));

const anchor = { from: Buffer.from('from').toString('base64'), to: Buffer.from('to').toString('base64') };

/** Rich text in the Y.XmlFragment `default`, legacy plain text migrated, and comments on a selection. */
describe('rich-text documents and comments', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  let member: TestUser;
  let guest: TestUser;
  let stranger: TestUser;
  const providers: WebsocketProvider[] = [];
  const prefix = filePrefix();

  const open = async (documentId: string, user: TestUser, server = collab) => {
    const p = await synced(provider(server.wsUrl, documentId, user.accessToken));
    providers.push(p);
    return p;
  };
  /** Closes the providers and waits until the room is unloaded (its updates flushed). */
  const leave = async (documentId: string, ...ps: WebsocketProvider[]) => {
    for (const p of ps) p.destroy();
    await eventually(() => !collab.app.rooms.rooms.has(documentId), { what: 'room unloaded' });
  };

  beforeAll(async () => {
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    f = await fixture(auth, collab);
    [member, guest, stranger] = await Promise.all([people(auth).user(), people(auth).user(), people(auth).user()]);
    await people(auth).member(f.organizationId, member, 'member');
    await people(auth).member(f.organizationId, guest, 'guest');
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await collab?.close();
    await auth?.close();
  });

  it('opens a document written the old way (Y.Text `content`) as paragraphs in `default`, once, durably', async () => {
    const { id } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id });
    const old = await open(id, f.owner);
    old.doc.getText(CollabRoots.legacyText).insert(0, 'Brief\n\nShoot on Tuesday\r\nBring the lights');
    await leave(id, old);

    const reader = await open(id, member);
    await eventually(() => reader.doc.getXmlFragment(CollabRoots.content).length > 0, { what: 'migrated content' });
    const expected = ['paragraph:Brief', 'paragraph:', 'paragraph:Shoot on Tuesday', 'paragraph:Bring the lights'];
    expect(paragraphs(reader.doc)).toEqual(expected);
    // Nothing lost: the legacy text stays as it was.
    expect(reader.doc.getText(CollabRoots.legacyText).toString()).toBe('Brief\n\nShoot on Tuesday\r\nBring the lights');
    await leave(id, reader);

    // Loaded again, on a restarted server: the migration was persisted and does not run twice.
    await collab.close();
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    const again = await open(id, f.owner);
    expect(paragraphs(again.doc)).toEqual(expected);
    await leave(id, again);
  });

  it('a stock y-websocket client writes and reads rich text in the XmlFragment `default`', async () => {
    const writer = await open(f.documentId, f.owner);
    const heading = new Y.XmlElement('heading');
    heading.setAttribute('level', '1');
    heading.insert(0, [new Y.XmlText('Moodboard')]);
    const item = new Y.XmlElement('paragraph');
    item.insert(0, [new Y.XmlText('Warm tones')]);
    writer.doc.getXmlFragment(CollabRoots.content).insert(0, [heading, item]);
    const reader = await open(f.documentId, member);
    await eventually(() => paragraphs(reader.doc).length === 2, { what: 'reader sees the rich text' });
    expect(paragraphs(reader.doc)).toEqual(['heading:Moodboard', 'paragraph:Warm tones']);
    expect((reader.doc.getXmlFragment(CollabRoots.content).get(0) as Y.XmlElement).getAttribute('level')).toBe('1');
    await leave(f.documentId, writer, reader);
  });

  it('restores a rich-text version, and a version saved before rich text comes back migrated', async () => {
    const { id } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id });
    const http = collab.http.as(f.owner);
    const old = await open(id, f.owner);
    old.doc.getText(CollabRoots.legacyText).insert(0, 'plain v1');
    await eventually(() => collab.app.rooms.rooms.get(id)?.doc.getText(CollabRoots.legacyText).length === 8);
    // A version of the legacy state (taken before any rich-text room load migrated it).
    const legacy = (await http.post<DocumentVersion>(`/api/documents/${id}/versions`, { name: 'plain' })).body;
    await leave(id, old);

    const editor = await open(id, f.owner);
    expect(paragraphs(editor.doc)).toEqual(['paragraph:plain v1']);
    const rich = (await http.post<DocumentVersion>(`/api/documents/${id}/versions`, { name: 'rich' })).body;
    const fragment = editor.doc.getXmlFragment(CollabRoots.content);
    fragment.delete(0, fragment.length);
    const later = new Y.XmlElement('paragraph');
    later.insert(0, [new Y.XmlText('rewritten')]);
    fragment.insert(0, [later]);
    await eventually(() => collab.app.rooms.rooms.get(id)?.doc.getXmlFragment(CollabRoots.content).toString().includes('rewritten'));

    // The legacy version brings back only the Y.Text: it is migrated again, once.
    expect((await http.post(`/api/documents/${id}/versions/${legacy.id}/restore`)).status).toBe(200);
    await eventually(() => paragraphs(editor.doc).join() === 'paragraph:plain v1', { what: 'legacy version restored as rich text' });
    expect(editor.doc.getText(CollabRoots.legacyText).toString()).toBe('plain v1');

    fragment.insert(0, [new Y.XmlElement('horizontalRule')]);
    await eventually(() => collab.app.rooms.rooms.get(id)?.doc.getXmlFragment(CollabRoots.content).length === 2);
    expect((await http.post(`/api/documents/${id}/versions/${rich.id}/restore`)).status).toBe(200);
    await eventually(() => paragraphs(editor.doc).join() === 'paragraph:plain v1', { what: 'rich version restored' });
    await leave(id, editor);
  });

  it('threads, replies, resolve and reopen, delete; authorised like the document; live through the `comments` map', async () => {
    const { id } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id });
    const base = `/api/documents/${id}/comments`;
    const watcher = await open(id, guest);
    const signals: unknown[] = [];
    watcher.doc.getMap(CollabRoots.commentsSignal).observe(() => signals.push(watcher.doc.getMap(CollabRoots.commentsSignal).get('rev')));

    const created = await collab.http.as(member).post<CommentThread>(base, { anchor, quote: 'Tuesday', body: 'Which Tuesday?' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      documentId: id,
      anchor,
      quote: 'Tuesday',
      createdBy: member.id,
      resolvedAt: null,
      comments: [{ authorId: member.id, authorName: member.name, body: 'Which Tuesday?' }],
    });
    await eventually(() => signals.length === 1, { what: 'the guest is signalled' });
    const thread = created.body.id;

    const reply = await collab.http.as(f.owner).post<Comment>(`${base}/${thread}/replies`, { body: 'The 14th.' });
    expect(reply.status).toBe(201);
    const resolved = await collab.http.as(f.owner).patch<CommentThread>(`${base}/${thread}`, { resolved: true });
    expect(resolved.body).toMatchObject({ resolvedBy: f.owner.id, resolvedAt: expect.any(String) });
    expect(resolved.body.comments.map((c) => c.body)).toEqual(['Which Tuesday?', 'The 14th.']);
    await eventually(() => signals.length === 3, { what: 'signalled for the reply and the resolve' });

    // Guests read but do not write; strangers learn nothing.
    const listed = await collab.http.as(guest).get<Page<CommentThread>>(base);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((t) => [t.id, t.resolvedBy, t.comments.length])).toEqual([[thread, f.owner.id, 2]]);
    const refused = await collab.http.as(guest).post<ErrorBody>(`${base}/${thread}/replies`, { body: 'me too' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await collab.http.as(guest).patch(`${base}/${thread}`, { resolved: false })).status).toBe(403);
    expect((await collab.http.as(stranger).get(base)).status).toBe(404);
    expect((await collab.http.as(stranger).post(base, { anchor, quote: '', body: 'hi' })).status).toBe(404);
    // Bad input: an anchor that is not base64, an empty body.
    const bad = await collab.http.as(member).post<ErrorBody>(base, { anchor: { from: '<script>', to: 'AA==' }, quote: '', body: 'x' });
    expect(bad.status).toBe(400);
    expect((await collab.http.as(member).post(base, { anchor, quote: '', body: '' })).status).toBe(400);

    // Reopen; a member may not delete the owner's reply, the owner may; the opening comment goes only with its thread.
    expect((await collab.http.as(member).patch<CommentThread>(`${base}/${thread}`, { resolved: false })).body.resolvedAt).toBeNull();
    expect((await collab.http.as(member).delete(`${base}/${thread}/replies/${reply.body.id}`)).status).toBe(403);
    expect((await collab.http.as(f.owner).delete(`${base}/${thread}/replies/${reply.body.id}`)).status).toBe(204);
    const opening = created.body.comments[0]?.id;
    expect((await collab.http.as(member).delete<ErrorBody>(`${base}/${thread}/replies/${opening}`)).status).toBe(409);

    // Durable: a restarted server lists the same thread.
    await leave(id, watcher);
    await collab.close();
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    const after = await collab.http.as(f.owner).get<Page<CommentThread>>(base);
    expect(after.body.items.map((t) => [t.id, t.resolvedAt, t.comments.map((c) => c.body)])).toEqual([[thread, null, ['Which Tuesday?']]]);

    expect((await collab.http.as(f.owner).delete(`${base}/${thread}`)).status).toBe(204);
    expect((await collab.http.as(f.owner).get<Page<CommentThread>>(base)).body.items).toEqual([]);
    expect((await collab.http.as(f.owner).delete(`${base}/${thread}`)).status).toBe(404);
  });
});
