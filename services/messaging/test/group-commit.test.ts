import { randomUUID } from 'node:crypto';
import { createDatabase } from '@flux/server-kit';
import type { Message, Notification } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { type AuthHarness, client, conversation, type MessagingServer, startAuth, startMessaging, users } from './helpers.js';

/** Concurrent sends share insert statements (group commit), each acknowledged only once its own is committed. */
describe('group commit of sends', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  let db: ReturnType<typeof createDatabase>;
  beforeAll(async () => {
    auth = await startAuth();
    server = await startMessaging(auth, { MESSAGE_BATCH_MAX: '50' });
    db = createDatabase(server.config.databaseUrl, 2);
  });
  afterAll(async () => {
    await db?.sql.end();
    await server?.close();
    await auth?.close();
  });

  const post = (user: Parameters<typeof client>[1], conversationId: string, clientId = randomUUID()) =>
    client(server.url, user).post<Message>(`/api/conversations/${conversationId}/messages`, { content: `m ${clientId}`, clientId });

  it('answers each send once its row is committed, with gap-free seqs per conversation, several sends per statement', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    const chats = [await conversation(server.url, ada, 'direct', [bob]), await conversation(server.url, ada, 'group', [bob, carol])];
    const senders = [ada, bob, carol];
    let notCommitted = 0;
    const answers = await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const chat = chats[i % chats.length]!;
        const sender = chat.type === 'direct' ? senders[i % 2]! : senders[i % 3]!;
        const answer = await post(sender, chat.id);
        // Seen from another connection the moment the answer arrives: committed, not merely inserted.
        const [row] = await db.sql`select 1 from messaging.messages where id = ${answer.body.id}`;
        if (!row) notCommitted++;
        return answer;
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(notCommitted).toBe(0);

    for (const chat of chats) {
      const rows = await db.sql<{ seq: string }[]>`select seq from messaging.messages where conversation_id = ${chat.id} order by seq`;
      expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
      const [counter] = await db.sql<{ last_seq: string }[]>`select last_seq from messaging.conversations where id = ${chat.id}`;
      expect(Number(counter?.last_seq)).toBe(rows.length);
      // Each answer's seq is its row's.
      for (const answer of answers.filter((a) => a.body.conversationId === chat.id))
        expect(rows.some((r) => Number(r.seq) === answer.body.seq)).toBe(true);
    }
    // Rows inserted by one statement share its transaction id: fewer transactions than messages.
    const [tx] = await db.sql<{ n: number }[]>`
      select count(distinct xmin::text)::int as n from messaging.messages where conversation_id in ${db.sql(chats.map((c) => c.id))}`;
    expect(tx?.n).toBeLessThan(150);
    // The sender's read position moved to their newest message.
    const [position] = await db.sql<{ last_read_seq: string; newest: string }[]>`
      select cm.last_read_seq, (select max(seq) from messaging.messages m where m.conversation_id = cm.conversation_id and m.sender_id = cm.user_id) as newest
      from messaging.conversation_members cm where cm.conversation_id = ${chats[1]!.id} and cm.user_id = ${carol.id}`;
    expect(position?.last_read_seq).toBe(position?.newest);
  });

  it('a clientId sent twice at once is stored once; the messages sharing its statement are not lost', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const repeated = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 10 === 0 ? post(ada, chat.id, repeated) : post(ada, chat.id))),
    );
    const first = answers.filter((a) => a.body.clientId === repeated);
    expect(first.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(first.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.body.clientId !== repeated).every((a) => a.status === 201)).toBe(true);
    const rows = await db.sql<{ seq: string }[]>`select seq from messaging.messages where conversation_id = ${chat.id} order by seq`;
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 37 }, (_, i) => i + 1));
  });

  it('stores every content exactly as sent, whatever array syntax it contains', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const contents = ['NULL', 'a "quoted" word', 'back\\slash', '{x,y}', 'é 😀', ' padded ', 'two\nlines', "it's"];
    const answers = await Promise.all(
      contents.flatMap((content) =>
        [0, 1, 2].map(() =>
          client(server.url, ada).post<Message>(`/api/conversations/${chat.id}/messages`, { content, clientId: randomUUID() }),
        ),
      ),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const rows = await db.sql<
      { id: string; content: string }[]
    >`select id, content from messaging.messages where conversation_id = ${chat.id}`;
    const stored = new Map(rows.map((r) => [r.id, r.content]));
    for (const answer of answers) expect(stored.get(answer.body.id)).toBe(answer.body.content);
    expect(answers.map((a) => a.body.content).sort()).toEqual(contents.flatMap((c) => [c, c, c]).sort());
  });

  it('every message of a grouped statement gets its notification', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const answers = await Promise.all(Array.from({ length: 30 }, () => post(ada, chat.id)));
    const ids = new Set(answers.map((a) => a.body.id));
    await eventually(
      async () => {
        const page = await client(server.url, bob).get<{ items: Notification[] }>('/api/notifications?limit=100');
        const notified = new Set(page.body.items.map((n) => n.data.messageId));
        return [...ids].every((id) => notified.has(id));
      },
      { what: 'Bob was notified of every message' },
    );
  });
});
