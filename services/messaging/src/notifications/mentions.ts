/** A member as mention matching sees them. */
export interface Mentionable {
  userId: string;
  name: string;
  email: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Who `@name` mentions in `content`: a member is mentioned by their full name, their first name
 * or the local part of their email, case-insensitively, when the word ends there
 * ("@ada", "@Ada Lovelace", "@ada.l" but not "@adam"); `@all`, `@channel` and `@everyone` mention everyone.
 */
const EVERYONE = /(^|[^\p{L}\p{N}_])@(?:all|channel|everyone)(?![\p{L}\p{N}_])/iu;

export function findMentions(content: string, members: readonly Mentionable[], { everyone = true } = {}): string[] {
  if (!content.includes('@')) return [];
  // @all, @channel and @everyone mention every member, as in Slack and Mattermost (`everyone: false`: only names count).
  if (everyone && EVERYONE.test(content)) return members.map((m) => m.userId);
  const mentioned: string[] = [];
  for (const member of members) {
    const handles = new Set(
      [member.name, member.name.split(/\s+/)[0] ?? '', member.email.split('@')[0] ?? ''].map((h) => h.trim()).filter((h) => h.length > 0),
    );
    const pattern = new RegExp(`(^|[^\\p{L}\\p{N}_])@(?:${[...handles].map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'iu');
    if (pattern.test(content)) mentioned.push(member.userId);
  }
  return mentioned;
}
