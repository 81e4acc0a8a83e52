import type { AppContext } from '../context.js';
import type { UserRow } from '../db/database.js';
import { hashToken, randomToken } from '../tokens/opaque.js';
import { countersOf } from './counters.js';
import { recordSecurityEvent, type RequestMeta } from './events.js';
import { countKnownDevices, rememberDevice } from './repository.js';

/** A browser's long-lived random id (httpOnly cookie); only its hash is stored. */
export const DEVICE_COOKIE = 'flux_device';
export const isDeviceId = (value: unknown): value is string => typeof value === 'string' && /^[\w-]{20,100}$/.test(value);
export const newDeviceId = (): string => randomToken();

/** At most one new-device notice per account in this many seconds (the events are all recorded). */
const NOTICE_INTERVAL_SECONDS = 3600;

/**
 * Called at every sign-in: remembers the device, and when the account already had others, records
 * a `new_device` security event and mails the owner a notice (after answering, like other mail).
 * A client that keeps no cookies (a script) is a new device each time: the notices are throttled so
 * it cannot flood the owner's mailbox.
 */
export async function noteSignInDevice(ctx: AppContext, user: UserRow, deviceId: string, meta: RequestMeta): Promise<void> {
  const before = await countKnownDevices(ctx.db, user.id);
  const isNew = await rememberDevice(ctx.db, {
    userId: user.id,
    deviceHash: hashToken(deviceId),
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
  });
  if (!isNew || before === 0) return;
  await recordSecurityEvent(ctx, ctx.db, { type: 'new_device', userId: user.id, meta });
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
