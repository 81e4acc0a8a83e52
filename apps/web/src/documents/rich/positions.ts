import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import type { EditorState } from '@tiptap/pm/state';
import * as Y from 'yjs';
import type { CommentAnchor } from '@flux/shared';

/**
 * Comment anchors are Yjs relative positions into the document's XmlFragment, sent as base64:
 * they keep pointing at the same characters while people edit around them, on every client.
 */

const toBase64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

type Mapping = Parameters<typeof absolutePositionToRelativePosition>[2];

interface Binding {
  type: Y.XmlFragment;
  doc: Y.Doc;
  mapping: Mapping;
}

function bindingOf(state: EditorState): Binding | null {
  return (ySyncPluginKey.getState(state) as { binding?: Binding } | undefined)?.binding ?? null;
}

/** The anchor of a ProseMirror range, or null before the editor is bound to the Yjs document. */
export function anchorOf(state: EditorState, from: number, to: number): CommentAnchor | null {
  const binding = bindingOf(state);
  if (!binding) return null;
  const encode = (pos: number) =>
    toBase64(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, binding.type, binding.mapping)));
  return { from: encode(from), to: encode(to) };
}

/** The ProseMirror range an anchor points at now; null when its text is gone (or the anchor is unreadable). */
export function rangeOf(state: EditorState, anchor: CommentAnchor): { from: number; to: number } | null {
  const binding = bindingOf(state);
  if (!binding) return null;
  try {
    const resolve = (value: string) =>
      relativePositionToAbsolutePosition(binding.doc, binding.type, Y.decodeRelativePosition(fromBase64(value)), binding.mapping);
    const from = resolve(anchor.from);
    const to = resolve(anchor.to);
    if (from === null || to === null || to <= from) return null;
    return { from, to };
  } catch {
    return null;
  }
}
