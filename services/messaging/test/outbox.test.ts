import { createOutbox } from '@flux/server-kit';
import type { Notification, Page } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MessagingOutboxEvents, messageCreatedJob } from '../src/jobs/notifications.js';
import * as messages from '../src/messages/repository.js';
import { messagingFactories } from './factories.js';
import { type AuthHarness, client, eventually, type MessagingServer, startAuth, startMessaging, users } from './helpers.js';

/**
 * Notification jobs are committed with their message: one written while no messaging process was
 * running (it crashed between the commit and the relay) is delivered when one starts, once.
 */
describe('notifications through the outbox', () => {
  let auth: AuthHarness;
  let server: MessagingServer | undefined;
  const factories = messagingFactories(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test');
  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
    await factories.close();
  });

  it('a message committed with its job while no relay ran notifies once a messaging instance starts, exactly once', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await factories.conversation('direct', ada, [bob]);
    const outbox = createOutbox<MessagingOutboxEvents>('messaging', process.env.REDIS_PREFIX);
    // What `send` commits: the message and its job in one statement, then the process is gone.
    const id = crypto.randomUUID();
    const message = await factories.db.transaction().execute(async (trx) => {
      const values = {
        id,
        conversation_id: chat.id,
        sender_id: ada.id,
        client_id: crypto.randomUUID(),
        content: 'sent just before the crash',
      };
      const row = await messages.insertWithNextSeq(
        trx,
        { ...values, parent_id: null },
        outbox.insertStatement('notification', messageCreatedJob(id)),
      );
      // The same job twice (a relay that died after handing it on is the same case): one notification.
      await outbox.add(trx, 'notification', messageCreatedJob(row.id));
      return row;
    });

    server = await startMessaging(auth);
    const notified = await eventually(async () => {
      const page = await client(server!.url, bob).get<Page<Notification>>('/api/notifications');
      return page.body.items.some((n) => n.data.messageId === message.id) && page.body.items;
    }, 'bob notified');
    expect(notified.filter((n) => n.data.messageId === message.id)).toHaveLength(1);
    expect(notified.find((n) => n.data.messageId === message.id)?.type).toBe('direct_message');
  });
});
