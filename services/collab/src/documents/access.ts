import { AppError, type DocumentAccess } from '@flux/shared';
import type { AppContext } from '../context.js';
import * as documents from './repository.js';

/** A user's access to a document as the policies see it (its project role): for other services, which decide with it. */
export async function documentAccess(ctx: AppContext, documentId: string, userId: string): Promise<DocumentAccess> {
  const document = await documents.findById(ctx.db, documentId);
  if (!document) throw AppError.notFound('Document');
  const { role } = await ctx.access.role(document.project_id, userId);
  return { documentId, projectId: document.project_id, role };
}
