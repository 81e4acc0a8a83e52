/** The `@…` being typed just before the caret, if any: where it starts and what follows the @. */
export function mentionQuery(text: string, caret: number): { start: number; text: string } | null {
  if (caret < 0) return null;
  const before = text.slice(0, caret);
  const match = /(^|\s)@([\p{L}\p{N}_.-]*)$/u.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, text: match[2]! };
}

/** How a person is written in a message: `@` and their first name, which the server matches (with full name or email handle). */
export function mentionToken(name: string): string {
  return `@${name.trim().split(/\s+/)[0] ?? ''}`;
}
