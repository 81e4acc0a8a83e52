import { AuthClient, createOutbox, type EventBus } from '@flux/server-kit';
import type { ErrorBody, Message, MessagingExport, Notification, NotificationPreferences, OutboxMail, Page } from '@flux/shared';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../../test/support/http.js';
import type { AuthOutboxEvents } from '../../auth/src/context.js';
import { eraseDeletedAccounts } from '../../auth/src/people/erasure.js';
import { sendDigests } from '../src/notifications/digest.js';
import {
  client,
  closeSockets,
  conversation,
  eventually,
  send,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
  type TestUser,
} from './helpers.js';

describe('people: notification preferences, the email digest, the export routes', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  let redis: Redis;
  beforeAll(async () => {
    auth = await startAuth();
    // The digest runs when this test says (the scheduler stays off here).
    server = await startMessaging(auth, { MESSAGING_DIGEST_JOBS: 'false' });
    redis = new Redis(server.config.redisUrl);
  });
  afterEach(() => closeSockets());
  afterAll(async () => {
    await redis?.quit();
    await server?.close();
    await auth?.close();
  });

  const http = (user: TestUser | undefined) => httpClient(server.url, { token: user?.accessToken });
  const preferences = (user: TestUser, body: Partial<NotificationPreferences>) =>
    http(user).patch<NotificationPreferences>('/api/notifications/preferences', body);
  const notifications = async (user: TestUser) => (await client(server.url, user).get<Page<Notification>>('/api/notifications')).body.items;
  /** BullMQ recorded the end of the message's notification job (whatever it made). */
  const jobDone = (messageId: string) =>
    eventually(
      async () => (await redis.hget(`${server.config.redisPrefix}bull:notifications:message_created-${messageId}`, 'finishedOn')) !== null,
      'the notification job finished',
    );

  it('keeps preferences per user: defaults, partial changes, bad input refused', async () => {
    const [ada] = await users(auth, 'Ada');
    expect((await http(ada).get<NotificationPreferences>('/api/notifications/preferences')).body).toEqual({
      mentions: true,
      directMessages: true,
      emailDigest: 'off',
    });
    expect((await preferences(ada, { mentions: false })).body).toEqual({ mentions: false, directMessages: true, emailDigest: 'off' });
    expect((await preferences(ada, { emailDigest: 'daily' })).body).toEqual({
      mentions: false,
      directMessages: true,
      emailDigest: 'daily',
    });
    expect((await http(ada).get<NotificationPreferences>('/api/notifications/preferences')).body.emailDigest).toBe('daily');
    expect((await preferences(ada, {})).status).toBe(400);
    expect((await http(ada).patch<ErrorBody>('/api/notifications/preferences', { emailDigest: 'hourly' })).status).toBe(400);
    expect((await http(undefined).get('/api/notifications/preferences')).status).toBe(401);
  });

  it('creates no direct-message or mention notification for someone who turned them off; others still get theirs', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    await preferences(bob, { directMessages: false, mentions: false });
    const direct = await conversation(server.url, ada, 'direct', [bob]);
    const dm = await send(server.url, ada, direct.id, 'a direct one');
    await jobDone(dm.id);
    expect((await notifications(bob)).filter((n) => n.data.messageId === dm.id)).toEqual([]);

    const group = await conversation(server.url, ada, 'group', [bob, carol], 'Studio');
    const mention = await send(server.url, ada, group.id, 'hey @bob and @carol');
    await eventually(async () => (await notifications(carol)).some((n) => n.data.messageId === mention.id), 'carol mentioned');
    await jobDone(mention.id);
    const bobs = await notifications(bob);
    expect(bobs.filter((n) => n.data.messageId === mention.id)).toEqual([]);
    // Being added to a conversation is not a kind one can turn off.
    expect(bobs.map((n) => n.type)).toContain('added_to_conversation');

    // Turned back on, the next direct message notifies again.
    await preferences(bob, { directMessages: true });
    const next = await send(server.url, ada, direct.id, 'and another');
    await eventually(async () => (await notifications(bob)).some((n) => n.data.messageId === next.id), 'bob notified again');
  });

  it('mails a daily digest of unread notifications through auth (the dev outbox), each notification once', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob Digest');
    await preferences(bob, { emailDigest: 'daily' });
    const direct = await conversation(server.url, ada, 'direct', [bob]);
    const first = await send(server.url, ada, direct.id, 'the brief is ready for review');
    await eventually(async () => (await notifications(bob)).some((n) => n.data.messageId === first.id), 'bob notified');

    const authClient = new AuthClient(auth.url, server.app.serviceTokens);
    const digest = { db: server.app.db, auth: authClient, log: server.app.log, appUrl: 'http://flux.test' };
    const outbox = async () =>
      (await httpClient(auth.url).get<Page<OutboxMail>>(`/api/auth/dev/outbox?to=${encodeURIComponent(bob.email)}`)).body.items.filter(
        (m) => m.subject.startsWith('FluxStudio:'),
      );
    expect(await sendDigests(digest)).toBeGreaterThanOrEqual(1);
    const mails = await outbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('FluxStudio: 1 unread notification');
    expect(mails[0]?.text).toContain('New message from Ada');
    expect(mails[0]?.text).toContain('the brief is ready for review');

    // Nothing new: no second mail. A new notification: a digest of that one only.
    await sendDigests(digest);
    expect(await outbox()).toHaveLength(1);
    const second = await send(server.url, ada, direct.id, 'second thought');
    await eventually(async () => (await notifications(bob)).some((n) => n.data.messageId === second.id), 'bob notified again');
    await sendDigests(digest);
    const after = await outbox();
    expect(after).toHaveLength(2);
    const newest = after.find((m) => m !== mails[0] && m.text.includes('second thought'));
    expect(newest?.text).not.toContain('the brief is ready for review');

    // Read notifications and digest off: nothing is mailed.
    await client(server.url, bob).post('/api/notifications/read-all');
    await send(server.url, ada, direct.id, 'third');
    await preferences(bob, { emailDigest: 'off' });
    await sendDigests(digest);
    expect(await outbox()).toHaveLength(2);
  });

  it('shows an erased author as "Deleted user" from the durable user.erased alone (the broadcast lost)', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob Erased');
    const direct = await conversation(server.url, ada, 'direct', [bob]);
    await send(server.url, bob, direct.id, 'before I go');
    await auth.app.db.updateTable('auth.users').set({ deletion_requested_at: new Date() }).where('id', '=', bob.id).execute();
    // A bus that drops what it is given: only the stream can tell messaging.
    const lostBroadcast = { publish: async () => undefined } as unknown as EventBus;
    const outbox = createOutbox<AuthOutboxEvents>('auth', server.config.redisPrefix);
    await eraseDeletedAccounts({ db: auth.app.db, events: lostBroadcast, outbox }, { graceSeconds: 0 });
    await eventually(async () => {
      const page = (await client(server.url, ada).get<Page<Message>>(`/api/conversations/${direct.id}/messages`)).body;
      return page.items[0]?.author?.name === 'Deleted user';
    }, 'the message shown as from Deleted user');
  });

  it("serves a user's messages and own files to auth's service token only (the data export)", async () => {
    const [ada, bob] = await users(auth, 'Ada Export', 'Bob');
    const group = await conversation(server.url, ada, 'group', [bob], 'Exports');
    await send(server.url, ada, group.id, 'mine to take away');
    await send(server.url, bob, group.id, 'not mine');
    const form = new FormData();
    form.append('file', new Blob(['moodboard notes']), 'notes.txt');
    const file = (await http(ada).post<{ id: string }>('/api/files', undefined, { form })).body;

    const asAuth = httpClient(server.url, { headers: { authorization: `Service ${await auth.app.serviceTokens.sign('messaging')}` } });
    const exported = await asAuth.get<MessagingExport>(`/internal/users/${ada.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.messages.map((m) => [m.content, m.conversationTitle])).toEqual([['mine to take away', 'Exports']]);
    expect(exported.body.files).toEqual([expect.objectContaining({ id: file.id, name: 'notes.txt', size: 15 })]);
    const bytes = await asAuth.get(`/internal/users/${ada.id}/files/${file.id}`);
    expect(bytes.status).toBe(200);
    expect(bytes.body).toBe('moodboard notes');
    // Another user's file, or no service token: nothing.
    expect((await asAuth.get(`/internal/users/${bob.id}/files/${file.id}`)).status).toBe(404);
    expect((await http(ada).get(`/internal/users/${ada.id}/export`)).status).toBe(401);
  });
});
