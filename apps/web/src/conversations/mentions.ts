/** The `@…` being typed just before the caret, if any: where it starts and what follows the @. */
export function mentionQuery(text: string, caret: number): { start: number; text: string } | null {
  if (caret < 0) return null;
  const before = text.slice(0, caret);
  const match = /(^|\s)@([\p{L}\p{N}_.-]*)$/u.exec(before);
  const query = match?.[2];
  if (query === undefined) return null;
  return { start: caret - query.length - 1, text: query };
}

/** How a person is written in a message: `@` and their first name, which the server matches (with full name or email handle). */
export function mentionToken(name: string): string {
  return `@${name.trim().split(/\s+/)[0] ?? ''}`;
}
