import type { Database } from '../src/db/database.js';
import type { FileInfo, Message, Page } from '@flux/shared';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../../test/support/http.js';
import { hydrate } from '../src/messages/hydrate.js';
import {
  type AuthHarness,
  client,
  conversation,
  eventually,
  type MessagingServer,
  send,
  startAuth,
  startMessaging,
  type TestUser,
  users,
} from './helpers.js';

/** Uploads a small file as `user` (multipart, as the web does). */
async function upload(url: string, user: TestUser, name: string): Promise<FileInfo> {
  const form = new FormData();
  form.append('file', new File([new Blob([`the contents of ${name}`])], name, { type: 'text/plain' }));
  const answer = await httpClient(url, { token: user.accessToken }).request<FileInfo>('POST', '/api/files', { form });
  if (answer.status !== 201) throw new Error(`upload answered ${answer.status}`);
  return answer.body;
}

const page = async (url: string, user: TestUser, conversationId: string, query = '') => {
  const answer = await client(url, user).get<Page<Message>>(`/api/conversations/${conversationId}/messages${query}`);
  expect(answer.status).toBe(200);
  return answer.body;
};

/** The messages as the mappers build them everywhere else (send, edit, socket events), newest first. */
async function asMappersBuildThem(db: Kysely<Database>, conversationId: string, where: { parentId?: string } = {}) {
  let query = db.selectFrom('messaging.messages').selectAll().where('conversation_id', '=', conversationId);
  if (where.parentId) query = query.where('parent_id', '=', where.parentId);
  const rows = await query.orderBy('seq', 'desc').execute();
  // Through JSON, as the client receives them.
  return JSON.parse(JSON.stringify(await hydrate(db, rows))) as Message[];
}

describe('history pages', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  let other: MessagingServer;
  let db: Kysely<Database>;
  beforeAll(async () => {
    auth = await startAuth();
    [server, other] = await Promise.all([startMessaging(auth), startMessaging(auth)]);
    db = server.app.db as unknown as Kysely<Database>;
  });
  afterAll(async () => {
    await Promise.all([server?.close(), other?.close()]);
    await auth?.close();
  });

  it('are built by the database exactly as the mappers build each message', async () => {
    const [ada, bob, cy] = await users(auth, 'Ada', 'Bob', 'Cy');
    const chat = await conversation(server.url, ada, 'group', [bob, cy]);
    const [notes, sketch] = [await upload(server.url, ada, 'notes.txt'), await upload(server.url, ada, 'sketch.txt')];
    const root = await send(server.url, ada, chat.id, 'with two files, "quoted"\nand a second line 🎨', {
      attachments: [sketch.id, notes.id],
    });
    await send(server.url, bob, chat.id, 'a reply', { parentId: root.id });
    const edited = await send(server.url, cy, chat.id, 'to be edited');
    expect((await client(server.url, cy).patch(`/api/messages/${edited.id}`, { content: 'edited ✓' })).status).toBe(200);
    const gone = await send(server.url, bob, chat.id, 'to be deleted');
    // Reactions in a known order: the summaries list emoji by first use, users in the order they reacted.
    for (const [user, message, emoji] of [
      [cy, root, '👍'],
      [ada, root, '🎉'],
      [bob, root, '👍'],
      [ada, gone, '👍'],
    ] as const) {
      expect((await client(server.url, user).post(`/api/messages/${message.id}/reactions`, { emoji })).status).toBe(200);
    }
    expect((await client(server.url, bob).delete(`/api/messages/${gone.id}`)).status).toBe(204);
    for (let i = 0; i < 4; i++) await send(server.url, ada, chat.id, `filler ${i}`);

    const expected = await asMappersBuildThem(db, chat.id);
    expect(expected).toHaveLength(8);
    const first = await page(server.url, bob, chat.id, '?limit=3');
    expect(first).toEqual({ items: expected.slice(0, 3), nextCursor: String(expected[2]?.seq) });
    const second = await page(server.url, bob, chat.id, `?limit=3&before=${first.nextCursor}`);
    expect(second).toEqual({ items: expected.slice(3, 6), nextCursor: String(expected[5]?.seq) });
    const last = await page(server.url, bob, chat.id, `?limit=3&before=${second.nextCursor}`);
    expect(last).toEqual({ items: expected.slice(6), nextCursor: null });
    expect(last.items[1]?.attachments.map((f) => f.name)).toEqual(['sketch.txt', 'notes.txt']);
    expect(last.items[1]?.reactions).toEqual([
      { emoji: '👍', count: 2, userIds: [cy.id, bob.id] },
      { emoji: '🎉', count: 1, userIds: [ada.id] },
    ]);
    expect(last.items[1]?.replyCount).toBe(1);
    expect(expected.find((m) => m.id === gone.id)).toMatchObject({ content: '', reactions: [], deletedAt: expect.any(String) });

    const thread = await page(server.url, bob, chat.id, `?parentId=${root.id}`);
    expect(thread).toEqual({ items: await asMappersBuildThem(db, chat.id, { parentId: root.id }), nextCursor: null });
  });

  it('show every change at the next read, on every instance, after the page was stored', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'group', [bob]);
    const file = await upload(server.url, ada, 'plan.txt');
    const first = await send(server.url, ada, chat.id, 'first', { attachments: [file.id] });
    const second = await send(server.url, bob, chat.id, 'second');
    const newest = async (url = server.url) => {
      // Read twice: the second answer comes from the stored page when nothing changed.
      await page(url, bob, chat.id);
      const items = (await page(url, bob, chat.id)).items;
      expect(await page(other.url, bob, chat.id)).toEqual({ items, nextCursor: null });
      return items;
    };
    const byId = async (id: string) => (await newest()).find((m) => m.id === id);
    await newest();

    await send(other.url, ada, chat.id, 'third');
    expect((await newest()).map((m) => m.content)).toEqual(['third', 'second', 'first']);

    expect((await client(other.url, ada).patch(`/api/messages/${first.id}`, { content: 'first, edited' })).status).toBe(200);
    expect(await byId(first.id)).toMatchObject({ content: 'first, edited', editedAt: expect.any(String) });

    expect((await client(other.url, ada).post(`/api/messages/${second.id}/reactions`, { emoji: '👍' })).status).toBe(200);
    expect((await byId(second.id))?.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [ada.id] }]);
    expect((await client(other.url, ada).delete(`/api/messages/${second.id}/reactions?emoji=👍`)).status).toBe(200);
    expect((await byId(second.id))?.reactions).toEqual([]);

    await send(other.url, bob, chat.id, 'a reply', { parentId: first.id });
    expect((await byId(first.id))?.replyCount).toBe(1);

    expect((await client(other.url, ada).delete(`/api/files/${file.id}`)).status).toBe(204);
    expect((await byId(first.id))?.attachments).toEqual([]);

    expect((await client(other.url, bob).delete(`/api/messages/${second.id}`)).status).toBe(204);
    expect(await byId(second.id)).toMatchObject({ content: '', deletedAt: expect.any(String) });

    expect((await client(auth.url, ada).patch('/api/auth/me', { name: 'Ada Lovelace' })).status).toBe(200);
    await eventually(async () => (await byId(first.id))?.author?.name === 'Ada Lovelace', 'the new name on the page');
  });

  it('refuse an ex-member at once although the page is stored', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const group = await conversation(server.url, ada, 'group', [bob]);
    await send(server.url, ada, group.id, 'hello');
    await page(server.url, bob, group.id);
    expect((await client(server.url, ada).delete(`/api/conversations/${group.id}/members/${bob.id}`)).status).toBe(204);
    expect((await client(server.url, bob).get(`/api/conversations/${group.id}/messages`)).status).toBe(404);
  });

  it('answer 304 to a member whose copy is current (If-None-Match), 200 once it changed, 404 to others', async () => {
    const [ada, bob, eve] = await users(auth, 'Ada', 'Bob', 'Eve');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    await send(server.url, ada, chat.id, 'hello');
    const path = `/api/conversations/${chat.id}/messages`;
    const first = await client(server.url, bob).get<Page<Message>>(path);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[0-9.]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const revalidate = (user: TestUser, tag: string) =>
      httpClient(server.url, { token: user.accessToken }).get(path, { headers: { 'if-none-match': tag } });

    const unchanged = await revalidate(bob, `W/${etag}`);
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBeUndefined();
    expect((await revalidate(eve, String(etag))).status).toBe(404);

    await send(server.url, bob, chat.id, 'news');
    const changed = await revalidate(bob, String(etag));
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect((changed.body as Page<Message>).items.map((m) => m.content)).toEqual(['news', 'hello']);
  });
});
