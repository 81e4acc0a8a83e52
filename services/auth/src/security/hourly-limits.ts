import { AppError } from '@flux/shared';
import type { AppContext } from '../context.js';
import { countersOf } from './counters.js';

const WINDOW_SECONDS = 3600;

/** What one account may create or send per hour, and the setting that sets each budget. */
const budgets = {
  invitations: (ctx: AppContext) => ctx.config.invitationsPerHour,
  organizations: (ctx: AppContext) => ctx.config.organizationsPerHour,
  projects: (ctx: AppContext) => ctx.config.projectsPerHour,
} as const;

export type HourlyAction = keyof typeof budgets;

/**
 * Counts one `action` by `userId` in a one-hour window, in Redis across instances (per instance
 * while Redis is away); past the budget: 429 with the window's remaining seconds as Retry-After.
 */
export async function limitPerHour(ctx: AppContext, action: HourlyAction, userId: string): Promise<void> {
  const counter = `${ctx.config.redisPrefix}auth:${action}:${userId}`;
  const { count, ttl } = await countersOf(ctx).hit(counter, WINDOW_SECONDS);
  if (count > budgets[action](ctx)) throw AppError.rateLimited(Math.max(ttl, 1), `Too many ${action} in the last hour; try again later.`);
}
