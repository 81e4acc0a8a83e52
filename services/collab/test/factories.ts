import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/database.js';

/**
 * Collab rows inserted directly, for tests whose subject is not document creation (that one is
 * covered over HTTP in documents.test.ts). Users, organizations and projects belong to auth and
 * come from its harness, since collab asks auth who may do what.
 */
export async function createDocument(
  db: Kysely<Database>,
  values: { projectId: string; createdBy: string; title?: string },
): Promise<{ id: string; projectId: string; updatedAt: string }> {
  const row = await db
    .insertInto('collab.documents')
    .values({ project_id: values.projectId, created_by: values.createdBy, title: values.title ?? `Document ${randomUUID().slice(0, 8)}` })
    .returning(['id', 'project_id', 'updated_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, projectId: row.project_id, updatedAt: row.updated_at.toISOString() };
}
