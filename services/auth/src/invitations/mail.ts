import type { Role } from '@flux/shared';
import type { Mail } from '../mail/mailer.js';

/** Longest inviter or organization name a mail carries. */
const MAX_NAME = 60;

/**
 * A name an inviter chose (theirs, their organization's) made safe to quote in a mail: control and
 * invisible formatting characters (line breaks, bidi overrides) removed, whitespace collapsed,
 * at most 60 characters, and anything that looks like a link or a domain defanged
 * (`acme.io` → `acme[.]io`), so the only link a mail client can find is ours.
 */
export function mailSafeName(value: string, fallback: string): string {
  const flat = value
    .normalize('NFKC')
    .replaceAll(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replaceAll(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  const bounded = chars.length > MAX_NAME ? `${chars.slice(0, MAX_NAME - 1).join('')}…` : flat;
  const defanged = bounded.replaceAll(/:\/\//g, '[:]//').replaceAll(/([\p{L}\p{N}])\.(?=[\p{L}\p{N}])/gu, '$1[.]');
  return defanged || fallback;
}

export interface InvitationMailInput {
  to: string;
  inviterName: string;
  organizationName: string;
  role: Role;
  /** `${PUBLIC_URL}/invite?token=…` */
  link: string;
  ttlSeconds: number;
}

const validity = (seconds: number): string => {
  const days = Math.floor(seconds / 86_400);
  if (days >= 1) return days === 1 ? '1 day' : `${days} days`;
  const hours = Math.max(1, Math.floor(seconds / 3600));
  return hours === 1 ? '1 hour' : `${hours} hours`;
};

/**
 * The invitation mail: the same whether or not the address has an account (the answer to the
 * inviter and the mail must not tell them apart). Apart from the two bounded, defanged names, every
 * word is ours.
 */
export function invitationMail(input: InvitationMailInput): Mail {
  const inviter = mailSafeName(input.inviterName, 'A teammate');
  const organization = mailSafeName(input.organizationName, 'an organization');
  return {
    to: input.to,
    subject: `${inviter} invited you to "${organization}" on FluxStudio`,
    text:
      `${inviter} invited you to join the organization "${organization}" on FluxStudio as ${input.role}.\n\n` +
      `To accept, open this link and sign in (or create an account):\n${input.link}\n\n` +
      `The link works once and expires in ${validity(input.ttlSeconds)}. ` +
      'If you did not expect this invitation, ignore this mail: nothing happens unless you accept.\n',
  };
}
