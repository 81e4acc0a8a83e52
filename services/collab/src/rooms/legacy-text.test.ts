import { CollabRoots } from '@flux/shared/constants';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LEGACY_MIGRATION, migrateLegacyText } from './legacy-text.js';

const documentId = '0b6f3a52-9a1c-4c1e-8f7e-3d2a1b0c9e8f';

function legacyDoc(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText(CollabRoots.legacyText).insert(0, text);
  return doc;
}

/** Two loaded copies of one stored state, as two instances loading the same room hold them. */
function twoInstances(stored: Uint8Array): [Y.Doc, Y.Doc] {
  const [a, b] = [new Y.Doc(), new Y.Doc()];
  Y.applyUpdate(a, stored);
  Y.applyUpdate(b, stored);
  return [a, b];
}

/** What a migration added to `doc` since `before` (the update its instance persists and relays). */
const migrated = (doc: Y.Doc, before: Uint8Array) => Y.encodeStateAsUpdate(doc, before);

describe('migrateLegacyText', () => {
  it('makes one paragraph per line, as one update of its own origin, and nothing for an empty or already rich document', () => {
    const doc = legacyDoc('one\ntwo');
    const updates: unknown[] = [];
    doc.on('update', (_update: Uint8Array, origin: unknown) => updates.push(origin));
    expect(migrateLegacyText(doc, documentId)).toBe(true);
    expect(doc.getXmlFragment(CollabRoots.content).toString()).toBe('<paragraph>one</paragraph><paragraph>two</paragraph>');
    expect(updates).toEqual([LEGACY_MIGRATION]);
    expect(migrateLegacyText(doc, documentId)).toBe(false);
    expect(migrateLegacyText(new Y.Doc(), documentId)).toBe(false);
    expect(updates).toHaveLength(1);
  });

  it('writes as the document’s migration client and gives the doc its own client id back', () => {
    const doc = legacyDoc('brief');
    const ownId = doc.clientID;
    migrateLegacyText(doc, documentId);
    expect(doc.clientID).toBe(ownId);
    const clocks = () => Y.decodeStateVector(Y.encodeStateVector(doc));
    // 'brief' was the doc's own five structs' worth; the paragraph is another client's.
    expect(clocks().size).toBe(2);
    expect(clocks().get(ownId)).toBe(5);
    // The doc's own edits after the migration are still its own.
    doc.getText(CollabRoots.legacyText).insert(0, '!');
    expect(clocks().get(ownId)).toBe(6);
  });

  it('two instances migrating the same stored state at once converge on one copy of the text', () => {
    const stored = Y.encodeStateAsUpdate(legacyDoc('shared brief\nsecond line'));
    const [a, b] = twoInstances(stored);
    const before = Y.encodeStateVector(a);
    migrateLegacyText(a, documentId);
    migrateLegacyText(b, documentId);
    const [fromA, fromB] = [migrated(a, before), migrated(b, before)];
    Y.applyUpdate(a, fromB);
    Y.applyUpdate(b, fromA);
    const expected = '<paragraph>shared brief</paragraph><paragraph>second line</paragraph>';
    expect(a.getXmlFragment(CollabRoots.content).toString()).toBe(expected);
    expect(b.getXmlFragment(CollabRoots.content).toString()).toBe(expected);
  });

  it('migrates again as the same client after a restore brought the legacy text back (still one copy when two instances race)', () => {
    const doc = legacyDoc('brief');
    migrateLegacyText(doc, documentId);
    const fragment = doc.getXmlFragment(CollabRoots.content);
    fragment.delete(0, fragment.length);
    const [a, b] = twoInstances(Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(a);
    migrateLegacyText(a, documentId);
    migrateLegacyText(b, documentId);
    Y.applyUpdate(a, migrated(b, before));
    expect(a.getXmlFragment(CollabRoots.content).toString()).toBe('<paragraph>brief</paragraph>');
  });
});
