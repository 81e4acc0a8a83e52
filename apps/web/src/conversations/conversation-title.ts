import type { Conversation } from './types.js';

/** A group's name, or for a direct conversation the other person's name. */
export function conversationTitle(conversation: Conversation, myId: string | undefined): string {
  if (conversation.name) return conversation.name;
  const others = (conversation.members ?? []).filter((m) => m.userId !== myId);
  if (others.length > 0) return others.map((m) => m.name ?? m.email ?? 'Someone').join(', ');
  return conversation.type === 'direct' ? 'Direct message' : 'Conversation';
}
