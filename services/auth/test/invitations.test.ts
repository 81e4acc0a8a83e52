import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { AuthTokens, ErrorBody, Invitation, Organization, OutboxMail, Page, PendingInvitation } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { INVITATION_LINK } from '../../../test/support/invitations.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

describe('invitations', () => {
  let app: App;
  let owner: TestUser;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    app = await authApp();
    owner = await make.user('Owner');
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const as = (user: { accessToken: string } | undefined) => httpClient(app, { token: user?.accessToken });
  const newEmail = (what = 'invitee') => `${what}-${randomUUID()}@acme.test`;
  const invite = (by: TestUser, organizationId: string, email: string, role = 'member') =>
    as(by).post<{ status: string } | ErrorBody>(`/api/organizations/${organizationId}/members`, { email, role });
  /** The invitation mails of an address, newest first, once `count` have arrived (they are sent after the answer). */
  const mails = (email: string, count = 1) =>
    eventually(
      async () => {
        const items = (await as(undefined).get<Page<OutboxMail>>(`/api/auth/dev/outbox?to=${encodeURIComponent(email)}`)).body.items.filter(
          (m) => /invit/i.test(m.subject),
        );
        return items.length >= count ? items : undefined;
      },
      { what: `${count} invitation mail(s) to ${email}` },
    );
  const tokenOf = (mail: OutboxMail) => INVITATION_LINK.exec(mail.text)?.[1] ?? '';
  const pendingOf = async (organizationId: string, email: string) =>
    (await as(owner).get<Page<Invitation>>(`/api/organizations/${organizationId}/invitations`)).body.items.find((i) => i.email === email);
  const canSee = async (user: TestUser, organizationId: string) => (await as(user).get(`/api/organizations/${organizationId}`)).status;

  it('does not make an unverified sign-up with the invited address a member (invitation hijack)', async () => {
    const org = await make.organization(owner);
    const email = newEmail('newhire');
    const invited = await invite(owner, org.id, email, 'admin');
    await mails(email);

    // Whoever signs up first with the address has proved nothing about the mailbox.
    const signup = await as(undefined).post<AuthTokens>('/api/auth/signup', { email, password: TEST_PASSWORD, name: 'Squatter' });
    expect(signup.status).toBe(201);
    const squatter = { ...signup.body, id: signup.body.user.id, email, name: 'Squatter' };
    expect(await canSee(squatter, org.id)).toBe(404);
    expect((await as(squatter).get<Page<Organization>>('/api/organizations')).body.items).toEqual([]);
    expect(invited.status).toBe(202);
    // Nor can it list the invitation or accept it without the link.
    expect((await as(squatter).get<Page<PendingInvitation>>('/api/invitations')).body.items).toEqual([]);
    const pending = await pendingOf(org.id, email);
    const byId = await as(squatter).post<ErrorBody>(`/api/invitations/${pending!.id}/accept`);
    expect(byId.status).toBe(403);
    expect(await canSee(squatter, org.id)).toBe(404);

    // The mailbox's owner, holding the link, joins with the invited role.
    const rightful = await make.user('Rightful');
    const joined = await as(rightful).post<Organization>('/api/invitations/accept', { token: tokenOf((await mails(email))[0]!) });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: org.id, role: 'admin' });
  });

  it('invites an existing unverified account instead of adding it; it can accept once its email is verified', async () => {
    const org = await make.organization(owner);
    const existing = await make.user('Existing');
    const answer = await invite(owner, org.id, existing.email);
    expect(await canSee(existing, org.id)).toBe(404);
    const members = await db.selectFrom('auth.organization_members').select('user_id').where('organization_id', '=', org.id).execute();
    expect(members.map((m) => m.user_id)).toEqual([owner.id]);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ status: 'invited' });

    expect((await as(existing).get<Page<PendingInvitation>>('/api/invitations')).body.items).toEqual([]);
    const pending = await pendingOf(org.id, existing.email);
    expect((await as(existing).post(`/api/invitations/${pending!.id}/accept`)).status).toBe(403);

    const verified = await as(undefined).post('/api/auth/email/verify', { token: await make.emailToken(existing) });
    expect(verified.status).toBe(200);
    const mine = await as(existing).get<Page<PendingInvitation>>('/api/invitations');
    expect(mine.body.items).toEqual([
      {
        id: pending!.id,
        organization: { id: org.id, name: expect.any(String) },
        role: 'member',
        invitedBy: 'Owner',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
    const accepted = await as(existing).post<Organization>(`/api/invitations/${pending!.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id: org.id, role: 'member' });
    expect(await canSee(existing, org.id)).toBe(200);
    expect((await as(existing).post(`/api/invitations/${pending!.id}/accept`)).status).toBe(404);
    expect((await as(existing).get<Page<PendingInvitation>>('/api/invitations')).body.items).toEqual([]);
  });

  it('answers and mails the same whether or not the email has an account', async () => {
    const org = await make.organization(owner);
    const existing = await make.user('Has account');
    const unknown = newEmail('nobody');
    const known = await invite(owner, org.id, existing.email);
    const notKnown = await invite(owner, org.id, unknown);
    expect([known.status, notKnown.status]).toEqual([202, 202]);
    expect(known.body).toEqual(notKnown.body);
    const [a] = await mails(existing.email);
    const [b] = await mails(unknown);
    expect(a!.subject).toBe(b!.subject);
    expect(a!.text.replace(tokenOf(a!), 'TOKEN')).toBe(b!.text.replace(tokenOf(b!), 'TOKEN'));
    expect(a!.text).toMatch(/\/invite\?token=[A-Za-z0-9_-]{43}\s/);
    expect(a!.text).toContain('expires in 7 days');
  });

  it('spends a link once, refuses expired ones, and lets a re-invite replace the link', async () => {
    const org = await make.organization(owner);
    const email = newEmail();
    await invite(owner, org.id, email, 'guest');
    const [first] = await mails(email);
    // Re-inviting refreshes: a new role, a new expiry, a new link; the first link stops working.
    const before = await pendingOf(org.id, email);
    await invite(owner, org.id, email, 'member');
    const [second] = await mails(email, 2);
    expect(tokenOf(second!)).not.toBe(tokenOf(first!));
    const after = await pendingOf(org.id, email);
    expect(after).toMatchObject({ id: before!.id, role: 'member' });
    expect(Date.parse(after!.expiresAt)).toBeGreaterThanOrEqual(Date.parse(before!.expiresAt));

    const alice = await make.user('Alice');
    const stale = await as(alice).post<ErrorBody>('/api/invitations/accept', { token: tokenOf(first!) });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('invalid_email_token');
    const joined = await as(alice).post<Organization>('/api/invitations/accept', { token: tokenOf(second!) });
    expect(joined.body).toMatchObject({ id: org.id, role: 'member' });
    const bob = await make.user('Bob');
    expect((await as(bob).post('/api/invitations/accept', { token: tokenOf(second!) })).status).toBe(400);
    expect(await canSee(bob, org.id)).toBe(404);

    const late = newEmail('late');
    await invite(owner, org.id, late);
    const [lateMail] = await mails(late);
    await db
      .updateTable('auth.invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('email', '=', late)
      .execute();
    expect((await as(bob).post('/api/invitations/accept', { token: tokenOf(lateMail!) })).status).toBe(400);
    expect(await canSee(bob, org.id)).toBe(404);

    expect((await as(undefined).post('/api/invitations/accept', { token: tokenOf(second!) })).status).toBe(401);
    expect((await as(bob).post('/api/invitations/accept', {})).status).toBe(400);
  });

  it('lets owners and admins list, resend and revoke invitations; a revoked link fails', async () => {
    const org = await make.organization(owner);
    const admin = await make.user('Admin');
    const member = await make.user('Member');
    const outsider = await make.user('Outsider');
    await make.member(org.id, admin, 'admin');
    await make.member(org.id, member, 'member');
    const email = newEmail();
    expect((await invite(admin, org.id, email, 'guest')).status).toBe(202);
    // Only owners hand out the owner role, by invitation too.
    expect((await invite(admin, org.id, newEmail(), 'owner')).status).toBe(403);
    expect((await invite(member, org.id, newEmail())).status).toBe(403);
    expect((await invite(outsider, org.id, newEmail())).status).toBe(404);

    const listed = await as(admin).get<Page<Invitation>>(`/api/organizations/${org.id}/invitations`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      {
        id: expect.any(String),
        organizationId: org.id,
        email,
        role: 'guest',
        invitedBy: 'Admin',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
    const invitation = listed.body.items[0]!;
    expect((await as(member).get(`/api/organizations/${org.id}/invitations`)).status).toBe(403);
    expect((await as(outsider).get(`/api/organizations/${org.id}/invitations`)).status).toBe(404);

    const [first] = await mails(email);
    const resent = await as(owner).post<Invitation>(`/api/organizations/${org.id}/invitations/${invitation.id}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ id: invitation.id, email, role: 'guest', invitedBy: 'Owner' });
    const [second] = await mails(email, 2);
    expect(tokenOf(second!)).not.toBe(tokenOf(first!));
    expect((await as(member).post(`/api/organizations/${org.id}/invitations/${invitation.id}/resend`)).status).toBe(403);

    expect((await as(member).delete(`/api/organizations/${org.id}/invitations/${invitation.id}`)).status).toBe(403);
    expect((await as(admin).delete(`/api/organizations/${org.id}/invitations/${invitation.id}`)).status).toBe(204);
    expect((await as(admin).delete(`/api/organizations/${org.id}/invitations/${invitation.id}`)).status).toBe(404);
    expect((await as(owner).post(`/api/organizations/${org.id}/invitations/${invitation.id}/resend`)).status).toBe(404);
    expect((await as(owner).get<Page<Invitation>>(`/api/organizations/${org.id}/invitations`)).body.items).toEqual([]);
    const revoked = await as(outsider).post<ErrorBody>('/api/invitations/accept', { token: tokenOf(second!) });
    expect(revoked.status).toBe(400);
    expect(await canSee(outsider, org.id)).toBe(404);
  });

  it('carries no attacker-controlled link or line in the mail: names are bounded and defanged', async () => {
    const inviter = await make.user(`Mallory\nVisit https://evil.example/claim ${'x'.repeat(200)}`);
    const org = await make.organization(inviter, 'Payroll update at www.evil.example');
    const email = newEmail();
    expect((await invite(inviter, org.id, email)).status).toBe(202);
    const [mail] = await mails(email);
    expect(mail!.subject).not.toMatch(/[\r\n]/);
    expect(mail!.text).not.toContain('evil.example');
    expect(mail!.text).toContain('www[.]evil[.]example');
    expect(mail!.text.match(/https?:\/\//g)).toHaveLength(1);
    expect(mail!.text.split('\n')[0]!.length).toBeLessThan(220);
  });

  it("keeps a member's role when they accept another invitation to the same organization", async () => {
    const org = await make.organization(owner);
    const admin = await make.user('Admin');
    await make.member(org.id, admin, 'admin');
    const email = newEmail();
    await invite(owner, org.id, email, 'guest');
    const [mail] = await mails(email);
    const accepted = await as(admin).post<Organization>('/api/invitations/accept', { token: tokenOf(mail!) });
    expect(accepted.body).toMatchObject({ id: org.id, role: 'admin' });
  });

  it('caps the invitation mails one person sends per hour (invites and resends) with 429 and Retry-After', async () => {
    const limited = await authApp({ AUTH_INVITATIONS_PER_HOUR: '3' });
    try {
      const inviter = await make.user('Busy inviter');
      const org = await make.organization(inviter);
      const http = httpClient(limited, { token: inviter.accessToken });
      const send = (email: string) => http.post<ErrorBody>(`/api/organizations/${org.id}/members`, { email, role: 'member' });
      const first = newEmail();
      for (const email of [first, newEmail(), newEmail()]) expect((await send(email)).status).toBe(202);
      const over = await send(newEmail());
      expect(over.status).toBe(429);
      expect(over.body.error.code).toBe('rate_limited');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      const pending = (await http.get<Page<Invitation>>(`/api/organizations/${org.id}/invitations`)).body.items;
      expect(pending).toHaveLength(3);
      const resend = await http.post(`/api/organizations/${org.id}/invitations/${pending[0]!.id}/resend`);
      expect(resend.status).toBe(429);
      // Another inviter of the same organization has a budget of their own.
      const admin = await make.user('Other admin');
      await make.member(org.id, admin, 'admin');
      expect((await http.as(admin).post(`/api/organizations/${org.id}/members`, { email: newEmail(), role: 'member' })).status).toBe(202);
    } finally {
      await limited.close();
    }
  });
});
