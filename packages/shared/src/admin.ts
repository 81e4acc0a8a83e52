import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';

/**
 * The admin console (`/api/admin*`, auth): platform admins only; every other caller gets 404, as if
 * the routes did not exist.
 */

const Timestamp = Type.String();
const NullableTimestamp = Type.Union([Type.String(), Type.Null()]);

/** An account as platform admins see it. */
export const AdminUser = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  isAdmin: Type.Boolean(),
  emailVerified: Type.Boolean(),
  /** Set while the account is disabled: it cannot sign in. */
  disabledAt: NullableTimestamp,
  createdAt: Timestamp,
  /** Sessions not revoked and not expired. */
  activeSessions: Type.Integer({ minimum: 0 }),
  organizations: Type.Integer({ minimum: 0 }),
});
export type AdminUser = Static<typeof AdminUser>;

/** `GET /api/admin/users?q=`: name or email containing `q` (case-insensitive), newest first. */
export const AdminUsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});
export type AdminUsersQuery = Static<typeof AdminUsersQuery>;

/** `POST /api/admin/users/:id/sign-out`: how many sessions ended. */
export const SignOutResult = Type.Object({ revokedSessions: Type.Integer({ minimum: 0 }) });
export type SignOutResult = Static<typeof SignOutResult>;

export const AdminOrganization = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  createdAt: Timestamp,
  members: Type.Integer({ minimum: 0 }),
  projects: Type.Integer({ minimum: 0 }),
  /** Names and emails of its owners. */
  owners: Type.Array(Type.Object({ id: Uuid, name: Type.String(), email: Type.String() })),
});
export type AdminOrganization = Static<typeof AdminOrganization>;

/** `GET /api/admin/organizations?q=`: name or slug containing `q`, newest first. */
export const AdminOrganizationsQuery = AdminUsersQuery;
export type AdminOrganizationsQuery = Static<typeof AdminOrganizationsQuery>;

const Check = Type.Union([Type.Literal('ok'), Type.Literal('error')]);

/** One running instance of a service, as its own `/health` answered (or did not). */
export const InstanceStatus = Type.Object({
  address: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unreachable')]),
  db: Type.Union([Check, Type.Null()]),
  redis: Type.Union([Check, Type.Null()]),
  uptimeSeconds: Type.Union([Type.Number(), Type.Null()]),
});
export type InstanceStatus = Static<typeof InstanceStatus>;

/** Jobs in one BullMQ queue by state, read off the owning service's `/metrics`. */
export const QueueStatus = Type.Object({
  service: Type.String(),
  name: Type.String(),
  waiting: Type.Integer(),
  active: Type.Integer(),
  delayed: Type.Integer(),
  failed: Type.Integer(),
});
export type QueueStatus = Static<typeof QueueStatus>;

export const ServiceStatus = Type.Object({
  name: Type.String(),
  /** The service package's version. */
  version: Type.String(),
  instances: Type.Array(InstanceStatus),
});
export type ServiceStatus = Static<typeof ServiceStatus>;

/** `GET /api/admin/status`. */
export const SystemStatus = Type.Object({
  checkedAt: Timestamp,
  /** What serves: a `./flux deploy` release id and its commit, or `checkout` (`./flux up`) and its HEAD when known. */
  release: Type.Object({ version: Type.String(), commit: Type.Union([Type.String(), Type.Null()]) }),
  services: Type.Array(ServiceStatus),
  database: Type.Object({ status: Check, version: Type.Union([Type.String(), Type.Null()]) }),
  redis: Type.Object({ status: Check, version: Type.Union([Type.String(), Type.Null()]) }),
  queues: Type.Array(QueueStatus),
  /** Applied migrations per schema, in order. */
  migrations: Type.Array(Type.Object({ schema: Type.String(), name: Type.String(), appliedAt: Timestamp })),
});
export type SystemStatus = Static<typeof SystemStatus>;
