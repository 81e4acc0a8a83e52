/**
 * Unsent text per conversation (and per thread), kept in this browser's localStorage so it
 * survives a reload or a crash, like Slack's drafts. Keyed by user, so a shared browser does not
 * show one person's draft to another. Storage can be full or disabled: a draft is then only lost.
 */
export const draftKey = (userId: string, conversationId: string, threadId?: string) =>
  `flux.draft:${userId}:${conversationId}${threadId ? `:${threadId}` : ''}`;

export function loadDraft(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

/** Saves the text, or forgets the draft when it is empty (sent or cleared). */
export function saveDraft(key: string, text: string): void {
  try {
    if (text.trim()) localStorage.setItem(key, text);
    else localStorage.removeItem(key);
  } catch {
    // Full or disabled storage: the draft lives only as long as the page.
  }
}
