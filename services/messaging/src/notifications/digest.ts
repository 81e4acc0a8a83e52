import type { AuthClient } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** Notifications one digest lists; more are counted, not listed. */
const LISTED = 20;

/** The users who asked for a daily digest. */
const subscribers = (db: Kysely<Database>) =>
  db.selectFrom('messaging.notification_preferences').select(['user_id', 'digest_sent_at']).where('email_digest', '<>', 'off').execute();

/** Unread notifications newer than the last digest, oldest first. */
const unreadSince = (db: Kysely<Database>, userId: string, since: Date | null) => {
  let query = db
    .selectFrom('messaging.notifications')
    .select(['title', 'body', 'created_at'])
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
  if (since) query = query.where('created_at', '>', since);
  return query.orderBy('created_at').execute();
};

export function digestText(items: { title: string; body: string }[], appUrl: string): string {
  const lines = items.slice(0, LISTED).map((n) => `• ${n.title}${n.body ? `\n  ${n.body}` : ''}`);
  if (items.length > LISTED) lines.push(`…and ${items.length - LISTED} more.`);
  return `You have ${items.length} unread notification${items.length === 1 ? '' : 's'} in FluxStudio:\n\n${lines.join('\n')}\n\nOpen FluxStudio: ${appUrl}\n\nTo stop these mails, turn the email digest off on your account page.`;
}

/**
 * The email digest (the `notification-digest` job): to each subscriber with unread notifications
 * that no digest covered yet, one mail through auth (which holds the address and the mailer: SMTP,
 * or the dev outbox in development), then the newest covered notification is remembered. At least
 * once: a crash between the mail and the update sends that digest again. Returns the mails sent.
 */
export async function sendDigests(deps: {
  db: Kysely<Database>;
  auth: AuthClient;
  log: FastifyBaseLogger;
  appUrl: string;
}): Promise<number> {
  let sent = 0;
  for (const subscriber of await subscribers(deps.db)) {
    const items = await unreadSince(deps.db, subscriber.user_id, subscriber.digest_sent_at);
    const newest = items.at(-1);
    if (!newest) continue;
    const delivered = await deps.auth.mailUser(subscriber.user_id, {
      subject: `FluxStudio: ${items.length} unread notification${items.length === 1 ? '' : 's'}`,
      text: digestText(items, deps.appUrl),
    });
    await deps.db
      .updateTable('messaging.notification_preferences')
      .set({ digest_sent_at: newest.created_at })
      .where('user_id', '=', subscriber.user_id)
      .execute();
    if (delivered) sent += 1;
    else deps.log.info({ userId: subscriber.user_id }, 'digest skipped: auth has no such user');
  }
  return sent;
}
