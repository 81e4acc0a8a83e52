import type { Role } from './identity.js';

/**
 * Events that cross Redis pub/sub between services. The channel is
 * `${REDIS_PREFIX}events:${name}`; the message is the JSON payload.
 */
export interface EventMap {
  'user.created': { userId: string; email: string; name: string };
  'user.updated': { userId: string; email: string; name: string };
  /** A user's role in an organization changed; `role: null` means removed. */
  'membership.changed': { organizationId: string; userId: string; role: Role | null };
  'document.updated': { documentId: string; projectId: string; updatedBy: string[]; at: string };
}
export type EventName = keyof EventMap;
export const EventNames = [
  'user.created',
  'user.updated',
  'membership.changed',
  'document.updated',
] as const satisfies readonly EventName[];
export const eventChannel = (prefix: string, name: EventName): string => `${prefix}events:${name}`;
