import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';

/** Workspace housekeeping: the document trash (collab), renaming and archiving projects, deleting an organization (auth). */

const Title = Type.String({ minLength: 1, maxLength: 200 });

/** A document in its project's trash: restorable until `purgeAt`, when the purge job deletes it for good. */
export const TrashedDocument = Type.Object({
  id: Uuid,
  projectId: Uuid,
  title: Type.String(),
  createdBy: Uuid,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  deletedAt: Type.String(),
  /** Who moved it to the trash (null for a document trashed before this was recorded). */
  deletedBy: Type.Union([Uuid, Type.Null()]),
  purgeAt: Type.String(),
});
export type TrashedDocument = Static<typeof TrashedDocument>;

/** `GET /api/documents/trash?projectId=`: newest deletion first. */
export const TrashQuery = Type.Object({
  projectId: Uuid,
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});
export type TrashQuery = Static<typeof TrashQuery>;

/** `PATCH /api/projects/:id` (owners and admins): rename, archive (`archived: true`) or restore it. */
export const UpdateProject = Type.Object(
  { name: Type.Optional(Title), archived: Type.Optional(Type.Boolean()) },
  { minProperties: 1, additionalProperties: false },
);
export type UpdateProject = Static<typeof UpdateProject>;

/** `DELETE /api/organizations/:id` (owners): the organization's name typed again, as a confirmation. */
export const DeleteOrganizationBody = Type.Object({ confirmName: Type.String({ minLength: 1, maxLength: 200 }) });
export type DeleteOrganizationBody = Static<typeof DeleteOrganizationBody>;
