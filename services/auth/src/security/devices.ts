import type { AppContext } from '../context.js';
import type { UserRow } from '../db/database.js';
import { randomToken } from '../tokens/opaque.js';
import { countersOf } from './counters.js';
import type { RequestMeta } from './events.js';

/** A browser's long-lived random id (httpOnly cookie); only its hash is stored. */
export const DEVICE_COOKIE = 'flux_device';
export const isDeviceId = (value: unknown): value is string => typeof value === 'string' && /^[\w-]{20,100}$/.test(value);
export const newDeviceId = (): string => randomToken();

/** At most one new-device notice per account in this many seconds (the events are all recorded). */
const NOTICE_INTERVAL_SECONDS = 3600;

/**
 * After a sign-in from a device new to an account that had others (sessions/repository.ts
 * `insertSignIn` records the `new_device` event with the session): mails the owner a notice, after
 * answering like other mail. A client that keeps no cookies (a script) is a new device each time:
 * the notices are throttled so it cannot flood the owner's mailbox.
 */
export function mailNewDeviceNotice(ctx: AppContext, user: UserRow, meta: RequestMeta): void {
  ctx.background.run('new_device_mail', async () => {
    if (!(await countersOf(ctx).claim(`${ctx.config.redisPrefix}auth:device-notice:${user.id}`, NOTICE_INTERVAL_SECONDS * 1000))) return;
    await ctx.mailer.send({
      to: user.email,
      subject: 'New sign-in to your FluxStudio account',
      text: [
        'Your FluxStudio account was just signed in to from a device it had not used before.',
        '',
        `When: ${new Date().toUTCString()}`,
        `IP address: ${meta.ip ?? 'unknown'}`,
        `Browser: ${meta.userAgent ?? 'unknown'}`,
        '',
        'If this was you, there is nothing to do. If not, change your password and sign out every session',
        `from your account page: ${ctx.config.publicUrl.replace(/\/$/, '')}/account`,
        '',
      ].join('\n'),
    });
  });
}
