import { AppError } from '@flux/shared';
import { canWrite, type Role } from '@flux/shared/constants';
import type { ConversationRow } from './db/database.js';

/**
 * Who may do what in messaging, in one place. Services load the resource (and the caller's
 * membership), then call `authorize`; the rules here never touch the database.
 */

/** The caller as the rules see them: who they are and their role in the conversation concerned (null: not a member). */
export interface Actor {
  id: string;
  role: 'admin' | 'member' | null;
}

/** The resource each action is about (only the fields the rules read). */
export interface Resources {
  'conversation.read': Pick<ConversationRow, 'type'>;
  'conversation.add_members': Pick<ConversationRow, 'type'>;
  /** `userId`: who is being removed (the caller themselves when leaving). */
  'conversation.remove_member': { userId: string };
  /** Any member renames a group (the room hears it); only groups have a name to change by hand. */
  'conversation.rename': Pick<ConversationRow, 'type'>;
  /** One's own mute and archive. */
  'conversation.settings': Pick<ConversationRow, 'type'>;
  /** Pin or unpin a message in one's conversation (any member, guests included). */
  'message.pin': { authorId: string };
  'message.read': { authorId: string };
  'message.edit': { authorId: string };
  'message.delete': { authorId: string };
  'message.react': { authorId: string };
  /**
   * `sharedWithActor`: attached to a live message in one of the actor's conversations;
   * `documentRole`: the actor's role in the project of the document the file was uploaded into (null: none, or no document).
   */
  'file.download': { ownerId: string; sharedWithActor: boolean; documentRole: Role | null };
  /** Upload a file into a collab document (an image there); the actor counts as a member when they have any role in its project. */
  'file.attach_to_document': { documentRole: Role | null };
  'file.delete': { ownerId: string };
}
export type Action = keyof Resources;

const member = (actor: Actor) => actor.role !== null;

const rules: { [A in Action]: (actor: Actor, resource: Resources[A]) => boolean } = {
  'conversation.read': member,
  'conversation.add_members': (actor) => actor.role === 'admin',
  'conversation.remove_member': (actor, { userId }) => actor.role === 'admin' || (member(actor) && userId === actor.id),
  'conversation.rename': member,
  'conversation.settings': member,
  'message.pin': member,
  'message.read': member,
  'message.edit': (actor, { authorId }) => member(actor) && authorId === actor.id,
  'message.delete': (actor, { authorId }) => actor.role === 'admin' || (member(actor) && authorId === actor.id),
  'message.react': member,
  'file.download': (actor, { ownerId, sharedWithActor, documentRole }) => ownerId === actor.id || sharedWithActor || documentRole !== null,
  // The document's writers, as in collab: guests read it (and its images) but do not change it.
  'file.attach_to_document': (_actor, { documentRole }) => documentRole !== null && canWrite(documentRole),
  'file.delete': (actor, { ownerId }) => ownerId === actor.id,
};

export function can<A extends Action>(actor: Actor, action: A, resource: Resources[A]): boolean {
  return rules[action](actor, resource);
}

/**
 * How a refusal answers: someone who cannot even see the resource gets the same 404 as for one
 * that does not exist (so they learn nothing); someone who sees it but may not do this gets 403.
 */
const refusals: { [A in Action]: { hidden: string } & { forbidden?: string } } = {
  'conversation.read': { hidden: 'Conversation' },
  'conversation.add_members': { hidden: 'Conversation', forbidden: 'Only the conversation admins can add members.' },
  'conversation.remove_member': { hidden: 'Conversation', forbidden: 'Only the conversation admins can remove members.' },
  'conversation.rename': { hidden: 'Conversation' },
  'conversation.settings': { hidden: 'Conversation' },
  'message.pin': { hidden: 'Message' },
  'message.read': { hidden: 'Message' },
  'message.edit': { hidden: 'Message', forbidden: 'Only the author can edit a message.' },
  'message.delete': { hidden: 'Message', forbidden: 'Only the author or a conversation admin can delete a message.' },
  'message.react': { hidden: 'Message' },
  // Files are only ever visible to those who may use them: any refusal is a 404.
  'file.download': { hidden: 'File' },
  'file.attach_to_document': { hidden: 'Document', forbidden: 'Guests cannot add images to this document.' },
  'file.delete': { hidden: 'File' },
};

/** `can`, or the AppError that refuses: 404 when the actor is not a member (or the action is hidden), else 403. */
export function authorize<A extends Action>(actor: Actor, action: A, resource: Resources[A]): void {
  if (can(actor, action, resource)) return;
  const { hidden, forbidden } = refusals[action];
  if (forbidden === undefined || !member(actor)) throw AppError.notFound(hidden);
  throw AppError.forbidden(forbidden);
}
