import type { CollabExport } from '@flux/shared';
import { CollabRoots } from '@flux/shared/constants';
import type { Kysely } from 'kysely';
import * as Y from 'yjs';
import type { Database } from '../db/database.js';
import { loadState } from '../persistence/repository.js';

/** The text of a rich-text tree: each block on its own line, formatting dropped. */
function textOf(node: Y.XmlFragment | Y.XmlElement): string {
  return node
    .toArray()
    .map((child) => {
      if (child instanceof Y.XmlText)
        return (child.toDelta() as { insert: unknown }[]).map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
      if (child instanceof Y.XmlElement) return textOf(child);
      return '';
    })
    .join('\n');
}

/** A document's current text from its persisted Yjs state (rich text, or the plain text of a document not yet migrated). */
export async function documentText(db: Kysely<Database>, documentId: string): Promise<string> {
  const doc = new Y.Doc();
  try {
    for (const update of (await loadState(db, documentId)).updates) Y.applyUpdate(doc, update);
    const rich = textOf(doc.getXmlFragment(CollabRoots.content));
    return rich.trim() ? rich : doc.getText(CollabRoots.legacyText).toString();
  } finally {
    doc.destroy();
  }
}

/**
 * `GET /internal/users/:id/documents` (auth's data export): the documents the user created, with their
 * text, those in the trash included (still theirs until purged).
 */
export async function documentsOf(db: Kysely<Database>, userId: string): Promise<CollabExport> {
  const rows = await db
    .selectFrom('collab.documents')
    .select(['id', 'project_id', 'title', 'created_at', 'updated_at'])
    .where('created_by', '=', userId)
    .orderBy('created_at')
    .execute();
  const documents: CollabExport['documents'] = [];
  // One at a time: each loads a whole Yjs state.
  for (const row of rows)
    documents.push({
      id: row.id,
      projectId: row.project_id,
      title: row.title,
      text: await documentText(db, row.id),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    });
  return { documents };
}
