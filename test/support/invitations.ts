import type { Organization, OutboxMail, Page, Role } from '@flux/shared';
import { mailSafeName } from '../../services/auth/src/invitations/mail.js';
import { eventually } from './eventually.js';
import type { HttpClient } from './http.js';

/** The same pattern the outside smoke check (../shared/smoke/smoke.mjs) reads invitation links with. */
export const INVITATION_LINK = /invit[^\s]*token=([A-Za-z0-9._~-]+)/i;

/** Tokens of the invitation mails in an address's dev outbox, newest first (optionally only those naming an organization). */
export async function invitationTokens(http: HttpClient, email: string, organizationName?: string): Promise<string[]> {
  const outbox = await http.as(undefined).get<Page<OutboxMail>>(`/api/auth/dev/outbox?to=${encodeURIComponent(email)}`);
  if (outbox.status !== 200) throw new Error(`the dev outbox answered ${outbox.status}`);
  const named = organizationName === undefined ? undefined : `"${mailSafeName(organizationName, 'an organization')}"`;
  return outbox.body.items
    .filter((mail) => /invit/i.test(mail.subject) && (!named || mail.subject.includes(named)))
    .map((mail) => INVITATION_LINK.exec(mail.text)?.[1])
    .filter((token): token is string => !!token);
}

/**
 * How someone joins an organization now: an owner or admin invites the email (202), the invitee
 * opens the mailed link and accepts while signed in. `http` reaches auth (app.inject, a listening
 * app, or nginx) including the dev outbox.
 */
export async function inviteAndAccept(
  http: HttpClient,
  inviter: { accessToken: string },
  organizationId: string,
  invitee: { email: string; accessToken: string },
  role: Role,
): Promise<Organization> {
  const invited = await http.as(inviter).post(`/api/organizations/${organizationId}/members`, { email: invitee.email, role });
  if (invited.status !== 202) throw new Error(`inviting ${invitee.email} answered ${invited.status}: ${JSON.stringify(invited.body)}`);
  const organization = await http.as(inviter).get<Organization>(`/api/organizations/${organizationId}`);
  // The mail is sent after the answer; older mails' tokens are spent or name another organization.
  return eventually(
    async () => {
      for (const token of await invitationTokens(http, invitee.email, organization.body.name)) {
        const accepted = await http.as(invitee).post<Organization>('/api/invitations/accept', { token });
        if (accepted.status === 200 && accepted.body.id === organizationId) return accepted.body;
      }
      return undefined;
    },
    { what: `${invitee.email} accepting the invitation to ${organizationId}` },
  );
}
