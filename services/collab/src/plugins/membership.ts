import fp from 'fastify-plugin';
import { followMembership } from '../rooms/membership.js';

/** `membership.changed` from auth: cached access dropped, open sockets closed or made read-only at once. */
export const membershipPlugin = fp(
  async (app) => {
    await followMembership(app.streams, app.projectAccess, app.rooms, app.log);
  },
  { name: 'collab-membership', fastify: '5.x', dependencies: ['flux-streams', 'collab-project-access', 'collab-rooms'] },
);
