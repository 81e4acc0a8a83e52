import type { AppContext } from '../context.js';
import { limitPerHour } from '../security/hourly-limits.js';

/**
 * Each invitation (and each resend) mails someone outside the product: at most
 * `invitationsPerHour` per inviter, so an account cannot turn FluxStudio's mail into a spam relay.
 */
export const limitInvitations = (ctx: AppContext, inviterId: string): Promise<void> => limitPerHour(ctx, 'invitations', inviterId);
