import { CollabRoots } from '@flux/shared/constants';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { legacyTextUpdate } from './legacy-text.js';

const documentId = '0b6f3a52-9a1c-4c1e-8f7e-3d2a1b0c9e8f';

function legacyDoc(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText(CollabRoots.legacyText).insert(0, text);
  return doc;
}

describe('legacyTextUpdate', () => {
  it('makes one paragraph per line and nothing for an empty or already rich document', () => {
    const doc = legacyDoc('one\ntwo');
    const update = legacyTextUpdate(doc, documentId);
    expect(update).not.toBeNull();
    Y.applyUpdate(doc, update as Uint8Array);
    expect(doc.getXmlFragment(CollabRoots.content).toString()).toBe('<paragraph>one</paragraph><paragraph>two</paragraph>');
    expect(legacyTextUpdate(doc, documentId)).toBeNull();
    expect(legacyTextUpdate(new Y.Doc(), documentId)).toBeNull();
  });

  it('two instances migrating the same stored state at once converge on one copy of the text', () => {
    const stored = Y.encodeStateAsUpdate(legacyDoc('shared brief\nsecond line'));
    const [a, b] = [new Y.Doc(), new Y.Doc()];
    Y.applyUpdate(a, stored);
    Y.applyUpdate(b, stored);
    const fromA = legacyTextUpdate(a, documentId) as Uint8Array;
    const fromB = legacyTextUpdate(b, documentId) as Uint8Array;
    Y.applyUpdate(a, fromA);
    Y.applyUpdate(b, fromB);
    Y.applyUpdate(a, fromB);
    Y.applyUpdate(b, fromA);
    const expected = '<paragraph>shared brief</paragraph><paragraph>second line</paragraph>';
    expect(a.getXmlFragment(CollabRoots.content).toString()).toBe(expected);
    expect(b.getXmlFragment(CollabRoots.content).toString()).toBe(expected);
  });

  it('migrates again as the same client after a restore brought the legacy text back (still one copy when two instances race)', () => {
    const doc = legacyDoc('brief');
    Y.applyUpdate(doc, legacyTextUpdate(doc, documentId) as Uint8Array);
    const fragment = doc.getXmlFragment(CollabRoots.content);
    fragment.delete(0, fragment.length);
    const stored = Y.encodeStateAsUpdate(doc);
    const [a, b] = [new Y.Doc(), new Y.Doc()];
    Y.applyUpdate(a, stored);
    Y.applyUpdate(b, stored);
    const fromA = legacyTextUpdate(a, documentId) as Uint8Array;
    Y.applyUpdate(a, legacyTextUpdate(b, documentId) as Uint8Array);
    Y.applyUpdate(a, fromA);
    expect(a.getXmlFragment(CollabRoots.content).toString()).toBe('<paragraph>brief</paragraph>');
  });
});
