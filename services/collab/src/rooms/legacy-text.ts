import { CollabRoots } from '@flux/shared/constants';
import * as Y from 'yjs';

/** Origin of the migration's update: persisted and relayed like a client's, with no author. */
export const LEGACY_MIGRATION = Symbol('legacy-text-migration');

/**
 * Documents written before rich text hold their text in the Y.Text `content`; the editor now
 * binds the Y.XmlFragment `default`. A document with legacy text and an empty fragment gets one
 * paragraph per line, as a single update (the legacy text stays, untouched, so nothing is lost).
 *
 * The update is written as a fixed Yjs client of this document (derived from its id), on top of
 * the stored state: two instances that load the same room at once compute the very same structs,
 * which Yjs merges as one, so a racing migration never doubles the text. It is written in the doc
 * itself, its client id lent to the migration for that one transaction: a scratch copy of the
 * whole state cost twice the room's own load (a full encode and apply of the document).
 */
export function migrateLegacyText(doc: Y.Doc, documentId: string): boolean {
  const text = doc.getText(CollabRoots.legacyText).toString();
  if (text.length === 0 || doc.getXmlFragment(CollabRoots.content).length > 0) return false;
  const ownId = doc.clientID;
  // A local transaction: Yjs takes a new id only when a remote one brings structs of the doc's own id.
  doc.clientID = migrationClientId(documentId);
  try {
    doc.transact(() => {
      const paragraphs = text.split(/\r?\n/).map((line) => {
        const paragraph = new Y.XmlElement('paragraph');
        if (line.length > 0) paragraph.insert(0, [new Y.XmlText(line)]);
        return paragraph;
      });
      doc.getXmlFragment(CollabRoots.content).insert(0, paragraphs);
    }, LEGACY_MIGRATION);
  } finally {
    doc.clientID = ownId;
  }
  return true;
}

/** A stable 31-bit Yjs client id per document (uuid hex digits), never 0. */
function migrationClientId(documentId: string): number {
  return Number.parseInt(documentId.replace(/-/g, '').slice(-8), 16) & 0x7fffffff || 1;
}
