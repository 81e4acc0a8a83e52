import { Extension } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import type { CommentThread } from '@flux/shared';
import { rangeOf } from './positions.js';

interface HighlightState {
  threads: CommentThread[];
  active: string | null;
  decorations: DecorationSet;
}

export const commentHighlightsKey = new PluginKey<HighlightState>('commentHighlights');

function decorate(state: EditorState, threads: CommentThread[], active: string | null): DecorationSet {
  const decorations: Decoration[] = [];
  for (const thread of threads) {
    if (thread.resolvedAt) continue;
    const range = rangeOf(state, thread.anchor);
    if (!range) continue;
    const className = thread.id === active ? 'comment-highlight active' : 'comment-highlight';
    decorations.push(Decoration.inline(range.from, range.to, { class: className, 'data-thread-id': thread.id }));
  }
  return DecorationSet.create(state.doc, decorations);
}

/**
 * Highlights the open threads' ranges (recomputed from their Yjs anchors when the document or the
 * threads change) and reports a click on one, so the comments panel can show that thread.
 */
export const CommentHighlights = Extension.create<{ onSelect: (threadId: string) => void }>({
  name: 'commentHighlights',
  addOptions() {
    return { onSelect: () => {} };
  },
  addProseMirrorPlugins() {
    const { onSelect } = this.options;
    return [
      new Plugin<HighlightState>({
        key: commentHighlightsKey,
        state: {
          init: (_, state) => ({ threads: [], active: null, decorations: DecorationSet.create(state.doc, []) }),
          apply(tr, value, _old, state) {
            const meta = tr.getMeta(commentHighlightsKey) as Partial<Pick<HighlightState, 'threads' | 'active'>> | undefined;
            if (!meta && !tr.docChanged) return value;
            const threads = meta?.threads ?? value.threads;
            const active = meta && 'active' in meta ? (meta.active ?? null) : value.active;
            return { threads, active, decorations: decorate(state, threads, active) };
          },
        },
        props: {
          decorations: (state) => commentHighlightsKey.getState(state)?.decorations,
          handleClick(_view, _pos, event) {
            const target = (event.target as HTMLElement | null)?.closest<HTMLElement>('[data-thread-id]');
            if (target?.dataset.threadId) onSelect(target.dataset.threadId);
            return false;
          },
        },
      }),
    ];
  },
});
