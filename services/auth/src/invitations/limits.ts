import { AppError } from '@flux/shared';
import type { AppContext } from '../context.js';
import { countersOf } from '../security/counters.js';

const WINDOW_SECONDS = 3600;

/**
 * Each invitation (and each resend) mails someone outside the product: at most
 * `invitationsPerHour` per inviter, counted in Redis across instances (per instance while Redis is away), so an account cannot turn
 * FluxStudio's mail into a spam relay. Beyond it: 429 with the window's remaining seconds.
 */
export async function limitInvitations(ctx: AppContext, inviterId: string): Promise<void> {
  const counter = `${ctx.config.redisPrefix}auth:invitations:${inviterId}`;
  const { count, ttl } = await countersOf(ctx).hit(counter, WINDOW_SECONDS);
  if (count > ctx.config.invitationsPerHour)
    throw AppError.rateLimited(Math.max(ttl, 1), 'Too many invitations sent in the last hour; try again later.');
}
