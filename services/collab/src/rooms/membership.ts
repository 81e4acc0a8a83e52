import type { DurableEvents } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { ProjectAccessCache } from '../access/project-access.js';
import type { RoomManager } from './room-manager.js';

/** Membership changes from auth: drop cached access, then close or downgrade the user's open sockets in that organization. */
export async function followMembership(
  streams: DurableEvents,
  access: ProjectAccessCache,
  rooms: RoomManager,
  log: FastifyBaseLogger,
): Promise<void> {
  // Every instance follows the stream: each holds its own sockets and cache.
  await streams.follow('membership.changed', ({ payload: { organizationId, userId, role } }) => {
    access.invalidate(organizationId, userId);
    const touched = rooms.applyMembership(organizationId, userId, role);
    if (touched > 0) log.info({ organizationId, userId, role, connections: touched }, 'membership change applied to open connections');
  });
}
