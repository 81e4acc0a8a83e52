import { CollabRoots } from '@flux/shared/constants';
import * as Y from 'yjs';
import type { Room } from './room.js';

/** Origin of the migration's update: persisted and relayed like a client's, with no author. */
export const LEGACY_MIGRATION = Symbol('legacy-text-migration');

/**
 * Documents written before rich text hold their text in the Y.Text `content`; the editor now
 * binds the Y.XmlFragment `default`. A document with legacy text and an empty fragment gets one
 * paragraph per line, as a single update (the legacy text stays, untouched, so nothing is lost).
 *
 * The update is written as a fixed Yjs client of this document (derived from its id), on top of
 * the stored state: two instances that load the same room at once compute the very same structs,
 * which Yjs merges as one, so a racing migration never doubles the text.
 */
export function legacyTextUpdate(doc: Y.Doc, documentId: string): Uint8Array | null {
  const text = doc.getText(CollabRoots.legacyText).toString();
  if (text.length === 0 || doc.getXmlFragment(CollabRoots.content).length > 0) return null;
  const scratch = new Y.Doc();
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    // Set after loading: a doc that receives structs of its own id (an earlier migration's) takes another id.
    scratch.clientID = migrationClientId(documentId);
    const before = Y.encodeStateVector(scratch);
    const paragraphs = text.split(/\r?\n/).map((line) => {
      const paragraph = new Y.XmlElement('paragraph');
      if (line.length > 0) paragraph.insert(0, [new Y.XmlText(line)]);
      return paragraph;
    });
    scratch.getXmlFragment(CollabRoots.content).insert(0, paragraphs);
    return Y.encodeStateAsUpdate(scratch, before);
  } finally {
    scratch.destroy();
  }
}

/** Migrates a loaded room's legacy text, if it has any (on load, and after a version restore brings some back). */
export function migrateLegacyText(room: Room): boolean {
  const update = legacyTextUpdate(room.doc, room.documentId);
  if (!update) return false;
  Y.applyUpdate(room.doc, update, LEGACY_MIGRATION);
  return true;
}

/** A stable 31-bit Yjs client id per document (uuid hex digits), never 0. */
function migrationClientId(documentId: string): number {
  return Number.parseInt(documentId.replace(/-/g, '').slice(-8), 16) & 0x7fffffff || 1;
}
