import { randomUUID } from 'node:crypto';
import { CollabCloseCodes } from '@flux/shared/constants';
import { TEST_PASSWORD } from '../support/auth.js';
import type { HttpMethod } from '../support/http.js';
import type { Actor, World } from './stack.js';

/**
 * THE authorization matrix: every public HTTP route, every Socket.IO client event and the collab
 * WebSocket, by actor. Expected answers are in the order of `Actors`:
 *
 *               owner  admin  member  guest  outsider  anonymous
 *
 * owner/admin/member/guest are the roles in one organization (and its project, document, group
 * conversation: see World in stack.ts); the outsider is signed in with no relation to any of it.
 * authorization-matrix.test.ts fails when a registered route has no row here, or a row names a
 * route that is not registered.
 */
export type Expected = readonly [owner: number, admin: number, member: number, guest: number, outsider: number, anonymous: number];

export interface HttpRequest {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  form?: FormData;
}

export interface HttpRow {
  method: HttpMethod;
  /** The route as registered (fastify syntax). */
  route: string;
  /** Which resource, when a route has rows for several (a group, a direct, a project conversation). */
  on?: string;
  request(world: World, actor: Actor): Promise<HttpRequest>;
  expect: Expected;
}

/** Every signed-in actor gets `status`, the anonymous caller 401. */
const signedIn = (status: number): Expected => [status, status, status, status, status, 401];
/** Anyone at all, signed in or not. */
const anyone = (status: number): Expected => [status, status, status, status, status, status];
/** Members of the organization get `status`; the outsider learns nothing (404). */
const members = (status: number): Expected => [status, status, status, status, 404, 401];
/** Owners and admins may; members and guests are refused (403); the outsider learns nothing. */
const managers = (status: number): Expected => [status, status, 403, 403, 404, 401];
/** Everyone but guests may write. */
const writers = (status: number): Expected => [status, status, status, 403, 404, 401];
/** Only the owner's own (a session, a notification, a file): anyone else gets the 404 of a missing one. */
const ownOnly = (status: number): Expected => [status, 404, 404, 404, 404, 401];

const path = (value: string): Promise<HttpRequest> => Promise.resolve({ path: value });
const org = async (w: World) => (await w.organization()).id;
const doc = async (w: World) => (await w.document()).id;
const group = async (w: World) => (await w.group()).id;
const message = async (w: World) => (await w.message()).id;
/** Someone in the organization other than the caller (a conversation needs another colleague). */
const colleague = async (w: World, actor: Actor) => (await w.users())[actor === 'owner' ? 'admin' : 'owner'].id;

/** people: a 1×1 PNG, the smallest real image for the avatar routes. */
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const avatarForm = () => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(PNG_1PX)], { type: 'image/png' }), 'avatar.png');
  return form;
};
const ownerAvatars = new WeakMap<World, Promise<unknown>>();
/** The owner has an avatar (uploaded once per world), so reading it is a 200 for whoever may. */
const ownerAvatar = (w: World) => {
  const uploaded =
    ownerAvatars.get(w) ?? w.as('auth', 'owner').then((owner) => owner.put('/api/auth/me/avatar', undefined, { form: avatarForm() }));
  ownerAvatars.set(w, uploaded);
  return uploaded;
};

export const httpMatrix: HttpRow[] = [
  // ── auth: public and account routes ────────────────────────────────────────────────────────────
  { method: 'GET', route: '/api/auth/health', request: () => path('/api/auth/health'), expect: anyone(200) },
  { method: 'GET', route: '/api/auth/.well-known/jwks.json', request: () => path('/api/auth/.well-known/jwks.json'), expect: anyone(200) },
  {
    method: 'POST',
    route: '/api/auth/signup',
    request: async () => ({
      path: '/api/auth/signup',
      body: { email: `new-${randomUUID()}@test.flux.local`, password: TEST_PASSWORD, name: 'New' },
    }),
    expect: anyone(201),
  },
  {
    method: 'POST',
    route: '/api/auth/login',
    request: async (w) => ({ path: '/api/auth/login', body: { email: (await w.users()).owner.email, password: TEST_PASSWORD } }),
    expect: anyone(200),
  },
  {
    method: 'POST',
    route: '/api/auth/refresh',
    request: async (w) => ({ path: '/api/auth/refresh', body: { refreshToken: (await w.users()).owner.refreshToken } }),
    expect: anyone(200),
  },
  { method: 'POST', route: '/api/auth/logout', request: () => path('/api/auth/logout'), expect: signedIn(204) },
  { method: 'POST', route: '/api/auth/logout-all', request: () => path('/api/auth/logout-all'), expect: signedIn(204) },
  { method: 'GET', route: '/api/auth/csrf', request: () => path('/api/auth/csrf'), expect: anyone(200) },
  {
    method: 'POST',
    route: '/api/auth/password/forgot',
    request: async (w) => ({ path: '/api/auth/password/forgot', body: { email: (await w.users()).owner.email } }),
    expect: anyone(202),
  },
  {
    method: 'POST',
    route: '/api/auth/password/reset',
    request: async (w) => ({
      path: '/api/auth/password/reset',
      body: { token: await w.emailToken('reset_password'), password: `${TEST_PASSWORD}-new` },
    }),
    expect: anyone(202),
  },
  {
    method: 'POST',
    route: '/api/auth/email/verify',
    request: async (w) => ({ path: '/api/auth/email/verify', body: { token: await w.emailToken('verify_email') } }),
    expect: anyone(200),
  },
  { method: 'POST', route: '/api/auth/email/verify/resend', request: () => path('/api/auth/email/verify/resend'), expect: signedIn(202) },
  {
    method: 'POST',
    route: '/api/auth/reauth',
    request: async () => ({ path: '/api/auth/reauth', body: { password: TEST_PASSWORD } }),
    expect: signedIn(200),
  },
  { method: 'GET', route: '/api/auth/me', request: () => path('/api/auth/me'), expect: signedIn(200) },
  {
    method: 'PATCH',
    route: '/api/auth/me',
    request: async () => ({ path: '/api/auth/me', body: { name: 'Renamed' } }),
    expect: signedIn(200),
  },
  // Changing the password, the email and MFA need a fresh re-authentication first: without one, 401 reauth_required for everyone.
  {
    method: 'POST',
    route: '/api/auth/email',
    request: async () => ({ path: '/api/auth/email', body: { email: `moved-${randomUUID()}@example.com` } }),
    expect: signedIn(401),
  },
  {
    method: 'POST',
    route: '/api/auth/password',
    request: async () => ({ path: '/api/auth/password', body: { password: `${TEST_PASSWORD}-new` } }),
    expect: signedIn(401),
  },
  { method: 'POST', route: '/api/auth/mfa/totp/setup', request: () => path('/api/auth/mfa/totp/setup'), expect: signedIn(401) },
  {
    method: 'POST',
    route: '/api/auth/mfa/totp/enable',
    request: async () => ({ path: '/api/auth/mfa/totp/enable', body: { code: '123456' } }),
    expect: signedIn(401),
  },
  {
    method: 'POST',
    route: '/api/auth/mfa/totp/disable',
    request: async () => ({ path: '/api/auth/mfa/totp/disable', body: { code: '123456' } }),
    expect: signedIn(401),
  },
  { method: 'GET', route: '/api/auth/sessions', request: () => path('/api/auth/sessions'), expect: signedIn(200) },
  {
    method: 'DELETE',
    route: '/api/auth/sessions/:id',
    request: async (w) => path(`/api/auth/sessions/${(await w.session()).id}`),
    expect: ownOnly(204),
  },
  {
    method: 'GET',
    route: '/api/auth/security-events',
    request: async () => ({ path: '/api/auth/security-events', query: { limit: '20' } }),
    expect: signedIn(200),
  },
  { method: 'GET', route: '/api/auth/oauth/providers', request: () => path('/api/auth/oauth/providers'), expect: anyone(200) },
  // No provider is configured in tests: an unknown provider is a 404 to everyone.
  { method: 'GET', route: '/api/auth/oauth/:provider/start', request: () => path('/api/auth/oauth/github/start'), expect: anyone(404) },
  {
    method: 'GET',
    route: '/api/auth/oauth/:provider/callback',
    request: () => path('/api/auth/oauth/github/callback'),
    expect: anyone(404),
  },
  // The pending step after a provider callback is a cookie flow: without its CSRF header, 403 csrf_failed for anyone.
  {
    method: 'POST',
    route: '/api/auth/oauth/mfa',
    request: async () => ({ path: '/api/auth/oauth/mfa', body: { code: '123456' } }),
    expect: anyone(403),
  },
  {
    method: 'POST',
    route: '/api/auth/oauth/link',
    request: async () => ({ path: '/api/auth/oauth/link', body: { password: TEST_PASSWORD } }),
    expect: anyone(403),
  },
  // Development only, and only for loopback callers (app.inject is one); its own tests cover other addresses.
  {
    method: 'GET',
    route: '/api/auth/dev/outbox',
    request: async () => ({ path: '/api/auth/dev/outbox', query: { to: 'nobody@test.flux.local' } }),
    expect: anyone(200),
  },

  // ── auth: organizations, members, invitations, projects, users ─────────────────────────────────
  {
    method: 'POST',
    route: '/api/organizations',
    request: async () => ({ path: '/api/organizations', body: { name: 'Another' } }),
    expect: signedIn(201),
  },
  {
    method: 'GET',
    route: '/api/organizations',
    request: async () => ({ path: '/api/organizations', query: { limit: '20' } }),
    expect: signedIn(200),
  },
  {
    method: 'GET',
    route: '/api/organizations/:id',
    request: async (w) => path(`/api/organizations/${await org(w)}`),
    expect: members(200),
  },
  {
    method: 'PATCH',
    route: '/api/organizations/:id',
    request: async (w) => ({ path: `/api/organizations/${await org(w)}`, body: { name: 'Renamed' } }),
    expect: managers(200),
  },
  {
    method: 'GET',
    route: '/api/organizations/:id/members',
    request: async (w) => path(`/api/organizations/${await org(w)}/members`),
    expect: members(200),
  },
  {
    method: 'POST',
    route: '/api/organizations/:id/members',
    request: async (w) => ({
      path: `/api/organizations/${await org(w)}/members`,
      body: { email: `hire-${randomUUID()}@test.flux.local`, role: 'member' },
    }),
    expect: managers(202),
  },
  {
    method: 'PATCH',
    route: '/api/organizations/:id/members/:userId',
    request: async (w) => ({ path: `/api/organizations/${await org(w)}/members/${(await w.users()).extra.id}`, body: { role: 'guest' } }),
    expect: managers(200),
  },
  // Removing the member: owners and admins may, and the member may leave; a guest may not.
  {
    method: 'DELETE',
    route: '/api/organizations/:id/members/:userId',
    request: async (w) => path(`/api/organizations/${await org(w)}/members/${(await w.users()).member.id}`),
    expect: [204, 204, 204, 403, 404, 401],
  },
  {
    method: 'GET',
    route: '/api/organizations/:id/invitations',
    request: async (w) => path(`/api/organizations/${await org(w)}/invitations`),
    expect: managers(200),
  },
  {
    method: 'POST',
    route: '/api/organizations/:id/invitations/:invitationId/resend',
    request: async (w) => path(`/api/organizations/${await org(w)}/invitations/${(await w.invitation()).id}/resend`),
    expect: managers(200),
  },
  {
    method: 'DELETE',
    route: '/api/organizations/:id/invitations/:invitationId',
    request: async (w) => path(`/api/organizations/${await org(w)}/invitations/${(await w.invitation()).id}`),
    expect: managers(204),
  },
  {
    method: 'POST',
    route: '/api/organizations/:id/projects',
    request: async (w) => ({ path: `/api/organizations/${await org(w)}/projects`, body: { name: 'New project' } }),
    expect: writers(201),
  },
  {
    method: 'GET',
    route: '/api/projects',
    request: async () => ({ path: '/api/projects', query: { limit: '20' } }),
    expect: signedIn(200),
  },
  {
    method: 'GET',
    route: '/api/projects/:id',
    request: async (w) => path(`/api/projects/${(await w.project()).id}`),
    expect: members(200),
  },
  { method: 'GET', route: '/api/invitations', request: () => path('/api/invitations'), expect: signedIn(200) },
  // The invitation is the outsider's (see World). Its link's token proves access to the mailbox, so any
  // signed-in account holding it may spend it (someone already a member keeps their role); without the
  // link, only the invited address, verified, accepts.
  {
    method: 'POST',
    route: '/api/invitations/accept',
    request: async (w) => ({ path: '/api/invitations/accept', body: { token: (await w.invitation()).token } }),
    expect: signedIn(200),
  },
  {
    method: 'POST',
    route: '/api/invitations/:id/accept',
    request: async (w) => path(`/api/invitations/${(await w.invitation()).id}/accept`),
    expect: [404, 404, 404, 404, 200, 401],
  },
  {
    method: 'GET',
    route: '/api/users',
    request: async () => ({ path: '/api/users', query: { q: 'Owner', limit: '20' } }),
    expect: signedIn(200),
  },
  { method: 'GET', route: '/api/users/:id', request: async (w) => path(`/api/users/${(await w.users()).owner.id}`), expect: members(200) },
  // ── people (issue 14 item 3): one's avatar, deleting the account and exporting its data (both after /reauth: 401 without) ──
  {
    method: 'GET',
    route: '/api/users/:id/avatar',
    request: async (w) => {
      await ownerAvatar(w);
      return path(`/api/users/${(await w.users()).owner.id}/avatar`);
    },
    expect: members(200),
  },
  {
    method: 'PUT',
    route: '/api/auth/me/avatar',
    request: async () => ({ path: '/api/auth/me/avatar', form: avatarForm() }),
    expect: signedIn(200),
  },
  { method: 'DELETE', route: '/api/auth/me/avatar', request: () => path('/api/auth/me/avatar'), expect: signedIn(200) },
  { method: 'DELETE', route: '/api/auth/me', request: () => path('/api/auth/me'), expect: signedIn(401) },
  { method: 'GET', route: '/api/auth/export', request: () => path('/api/auth/export'), expect: signedIn(401) },

  // ── messaging ──────────────────────────────────────────────────────────────────────────────────
  { method: 'GET', route: '/api/messages/health', request: () => path('/api/messages/health'), expect: anyone(200) },
  // A group with a colleague: the outsider shares no organization with anyone (403 no_shared_organization, not a 404: it names no resource).
  {
    method: 'POST',
    route: '/api/conversations',
    request: async (w, actor) => ({
      path: '/api/conversations',
      body: { type: 'group', name: 'New', memberIds: [await colleague(w, actor)] },
    }),
    expect: [201, 201, 201, 201, 403, 401],
  },
  { method: 'GET', route: '/api/conversations', request: () => path('/api/conversations'), expect: signedIn(200) },
  {
    method: 'GET',
    route: '/api/conversations/:id',
    request: async (w) => path(`/api/conversations/${await group(w)}`),
    expect: members(200),
  },
  // The owner's direct conversation with the member: nobody else learns it exists.
  {
    method: 'GET',
    route: '/api/conversations/:id',
    on: 'direct',
    request: async (w) => path(`/api/conversations/${(await w.direct()).id}`),
    expect: [200, 404, 200, 404, 404, 401],
  },
  // The project's channel: every member of the organization may open it.
  {
    method: 'GET',
    route: '/api/conversations/:id',
    on: 'project',
    request: async (w) => path(`/api/conversations/${(await w.projectChannel()).id}`),
    expect: members(200),
  },
  // Only the group's admin (its creator, the owner) adds people.
  {
    method: 'POST',
    route: '/api/conversations/:id/members',
    request: async (w) => ({ path: `/api/conversations/${await group(w)}/members`, body: { memberIds: [(await w.users()).extra.id] } }),
    expect: [200, 403, 403, 403, 404, 401],
  },
  // Removing the member: the group's admin may, and the member may leave.
  {
    method: 'DELETE',
    route: '/api/conversations/:id/members/:userId',
    request: async (w) => path(`/api/conversations/${await group(w)}/members/${(await w.users()).member.id}`),
    expect: [204, 403, 204, 403, 404, 401],
  },
  {
    method: 'GET',
    route: '/api/conversations/:id/messages',
    request: async (w) => path(`/api/conversations/${await group(w)}/messages`),
    expect: members(200),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/messages',
    request: async (w) => ({ path: `/api/conversations/${await group(w)}/messages`, body: { content: 'hi', clientId: randomUUID() } }),
    expect: members(201),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/messages',
    on: 'direct',
    request: async (w) => ({
      path: `/api/conversations/${(await w.direct()).id}/messages`,
      body: { content: 'hi', clientId: randomUUID() },
    }),
    expect: [201, 404, 201, 404, 404, 401],
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/messages',
    on: 'project',
    request: async (w) => ({
      path: `/api/conversations/${(await w.projectChannel()).id}/messages`,
      body: { content: 'hi', clientId: randomUUID() },
    }),
    expect: members(201),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/read',
    request: async (w) => ({ path: `/api/conversations/${await group(w)}/read`, body: { seq: 0 } }),
    expect: members(200),
  },
  {
    method: 'GET',
    route: '/api/messages/search',
    request: async () => ({ path: '/api/messages/search', query: { q: 'hello' } }),
    expect: signedIn(200),
  },
  // The owner's message: only its author edits; its author or a conversation admin (the owner again) deletes.
  {
    method: 'PATCH',
    route: '/api/messages/:id',
    request: async (w) => ({ path: `/api/messages/${await message(w)}`, body: { content: 'edited' } }),
    expect: [200, 403, 403, 403, 404, 401],
  },
  {
    method: 'DELETE',
    route: '/api/messages/:id',
    request: async (w) => path(`/api/messages/${await message(w)}`),
    expect: [204, 403, 403, 403, 404, 401],
  },
  {
    method: 'POST',
    route: '/api/messages/:id/reactions',
    request: async (w) => ({ path: `/api/messages/${await message(w)}/reactions`, body: { emoji: '👍' } }),
    expect: members(200),
  },
  {
    method: 'DELETE',
    route: '/api/messages/:id/reactions',
    request: async (w) => ({ path: `/api/messages/${await message(w)}/reactions`, query: { emoji: '👍' } }),
    expect: members(200),
  },
  // ── messaging: messages features (issue 14 item 2) ──
  // Any member of the group renames it; each member mutes and archives for themselves.
  {
    method: 'PATCH',
    route: '/api/conversations/:id',
    request: async (w) => ({ path: `/api/conversations/${await group(w)}`, body: { name: 'Renamed' } }),
    expect: members(200),
  },
  {
    method: 'PUT',
    route: '/api/conversations/:id/settings',
    request: async (w) => ({ path: `/api/conversations/${await group(w)}/settings`, body: { muted: true, archived: false } }),
    expect: members(200),
  },
  {
    method: 'GET',
    route: '/api/conversations/:id/pins',
    request: async (w) => path(`/api/conversations/${await group(w)}/pins`),
    expect: members(200),
  },
  // The owner's message in the group: any member (guests too) pins and unpins it.
  {
    method: 'PUT',
    route: '/api/messages/:id/pin',
    request: async (w) => path(`/api/messages/${await message(w)}/pin`),
    expect: members(200),
  },
  {
    method: 'DELETE',
    route: '/api/messages/:id/pin',
    request: async (w) => path(`/api/messages/${await message(w)}/pin`),
    expect: members(204),
  },
  { method: 'GET', route: '/api/notifications', request: () => path('/api/notifications'), expect: signedIn(200) },
  // people: each user's own notification preferences.
  { method: 'GET', route: '/api/notifications/preferences', request: () => path('/api/notifications/preferences'), expect: signedIn(200) },
  {
    method: 'PATCH',
    route: '/api/notifications/preferences',
    request: async () => ({ path: '/api/notifications/preferences', body: { mentions: true } }),
    expect: signedIn(200),
  },
  { method: 'POST', route: '/api/notifications/read-all', request: () => path('/api/notifications/read-all'), expect: signedIn(200) },
  {
    method: 'POST',
    route: '/api/notifications/:id/read',
    request: async (w) => path(`/api/notifications/${(await w.notification()).id}/read`),
    expect: ownOnly(200),
  },
  {
    method: 'POST',
    route: '/api/files',
    request: async () => {
      const form = new FormData();
      form.append('file', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
      return { path: '/api/files', form };
    },
    expect: signedIn(201),
  },
  // An image uploaded into a document: the document's writers may, guests are refused, strangers learn nothing.
  {
    method: 'POST',
    route: '/api/files',
    on: 'into a document',
    request: async (w) => {
      const form = new FormData();
      form.append('documentId', await doc(w));
      form.append('file', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
      return { path: '/api/files', form };
    },
    expect: writers(201),
  },
  // The owner's image in the owner's document: everyone who reads the document sees it, guests included.
  {
    method: 'GET',
    route: '/api/files/:id',
    on: 'a document image',
    request: async (w) => path(`/api/files/${(await w.documentImage()).id}`),
    expect: members(200),
  },
  // The owner's file, attached to a message of the group: its members may download it, only the owner delete it.
  {
    method: 'GET',
    route: '/api/files/:id',
    request: async (w) => {
      await w.message(); // attaches the file
      return path(`/api/files/${(await w.file()).id}`);
    },
    expect: members(200),
  },
  { method: 'DELETE', route: '/api/files/:id', request: async (w) => path(`/api/files/${(await w.file()).id}`), expect: ownOnly(204) },

  // ── collab ─────────────────────────────────────────────────────────────────────────────────────
  { method: 'GET', route: '/collab/health', request: () => path('/collab/health'), expect: anyone(200) },
  {
    method: 'POST',
    route: '/api/documents',
    request: async (w) => ({ path: '/api/documents', body: { projectId: (await w.project()).id, title: 'New' } }),
    expect: writers(201),
  },
  {
    method: 'GET',
    route: '/api/documents',
    request: async (w) => ({ path: '/api/documents', query: { projectId: (await w.project()).id } }),
    expect: members(200),
  },
  { method: 'GET', route: '/api/documents/:id', request: async (w) => path(`/api/documents/${await doc(w)}`), expect: members(200) },
  {
    method: 'PATCH',
    route: '/api/documents/:id',
    request: async (w) => ({ path: `/api/documents/${await doc(w)}`, body: { title: 'Renamed' } }),
    expect: writers(200),
  },
  // The owner's document: its creator or an organization admin deletes it.
  {
    method: 'DELETE',
    route: '/api/documents/:id',
    request: async (w) => path(`/api/documents/${await doc(w)}`),
    expect: [204, 204, 403, 403, 404, 401],
  },
  {
    method: 'POST',
    route: '/api/documents/:id/versions',
    request: async (w) => ({ path: `/api/documents/${await doc(w)}/versions`, body: { name: 'v2' } }),
    expect: writers(201),
  },
  {
    method: 'GET',
    route: '/api/documents/:id/versions',
    request: async (w) => path(`/api/documents/${await doc(w)}/versions`),
    expect: members(200),
  },
  {
    method: 'POST',
    route: '/api/documents/:id/versions/:versionId/restore',
    request: async (w) => path(`/api/documents/${await doc(w)}/versions/${(await w.version()).id}/restore`),
    expect: writers(200),
  },
  // Comments: guests read them, writers write them, a thread or reply is deleted by its author (the owner here) or an admin.
  {
    method: 'GET',
    route: '/api/documents/:id/comments',
    request: async (w) => path(`/api/documents/${(await w.commentThread()).documentId}/comments`),
    expect: members(200),
  },
  {
    method: 'POST',
    route: '/api/documents/:id/comments',
    request: async (w) => ({
      path: `/api/documents/${await doc(w)}/comments`,
      body: { anchor: { from: 'AAAA', to: 'AAAA' }, quote: 'Spec', body: 'A question' },
    }),
    expect: writers(201),
  },
  {
    method: 'PATCH',
    route: '/api/documents/:id/comments/:threadId',
    request: async (w) => {
      const { documentId, threadId } = await w.commentThread();
      return { path: `/api/documents/${documentId}/comments/${threadId}`, body: { resolved: true } };
    },
    expect: writers(200),
  },
  {
    method: 'DELETE',
    route: '/api/documents/:id/comments/:threadId',
    request: async (w) => {
      const { documentId, threadId } = await w.commentThread();
      return path(`/api/documents/${documentId}/comments/${threadId}`);
    },
    expect: [204, 204, 403, 403, 404, 401],
  },
  {
    method: 'POST',
    route: '/api/documents/:id/comments/:threadId/replies',
    request: async (w) => {
      const { documentId, threadId } = await w.commentThread();
      return { path: `/api/documents/${documentId}/comments/${threadId}/replies`, body: { body: 'Agreed' } };
    },
    expect: writers(201),
  },
  {
    method: 'DELETE',
    route: '/api/documents/:id/comments/:threadId/replies/:commentId',
    request: async (w) => {
      const { documentId, threadId, replyId } = await w.commentThread();
      return path(`/api/documents/${documentId}/comments/${threadId}/replies/${replyId}`);
    },
    expect: [204, 204, 403, 403, 404, 401],
  },
  // --- workspace: projects, organization deletion, the document trash ---
  {
    method: 'PATCH',
    route: '/api/projects/:id',
    request: async (w) => ({ path: `/api/projects/${(await w.project()).id}`, body: { name: 'Renamed', archived: true } }),
    expect: managers(200),
  },
  // Owners only, with the organization's name typed again.
  {
    method: 'DELETE',
    route: '/api/organizations/:id',
    request: async (w) => {
      const id = await org(w);
      const { body } = await (await w.as('auth', 'owner')).get<{ name: string }>(`/api/organizations/${id}`);
      return { path: `/api/organizations/${id}`, body: { confirmName: body.name } };
    },
    expect: [204, 403, 403, 403, 404, 401],
  },
  {
    method: 'GET',
    route: '/api/documents/trash',
    request: async (w) => ({ path: '/api/documents/trash', query: { projectId: (await w.project()).id } }),
    expect: writers(200),
  },
  // The owner's document, moved to the trash by the owner: any writer may restore it.
  {
    method: 'POST',
    route: '/api/documents/:id/restore',
    request: async (w) => {
      const id = await doc(w);
      await (await w.as('collab', 'owner')).delete(`/api/documents/${id}`);
      return path(`/api/documents/${id}/restore`);
    },
    expect: writers(200),
  },
  // The owner's document in the trash: deleted for good by its creator or an organization admin.
  {
    method: 'DELETE',
    route: '/api/documents/trash/:id',
    request: async (w) => {
      const id = await doc(w);
      await (await w.as('collab', 'owner')).delete(`/api/documents/${id}`);
      return path(`/api/documents/trash/${id}`);
    },
    expect: [204, 204, 403, 403, 404, 401],
  },
  // --- the admin console: platform admins only (none of these actors is one; services/auth/test/admin.test.ts has the 200s) ---
  ...(
    [
      ['GET', '/api/admin/me'],
      ['GET', '/api/admin/users'],
      ['POST', '/api/admin/users/:id/disable'],
      ['POST', '/api/admin/users/:id/enable'],
      ['POST', '/api/admin/users/:id/sign-out'],
      ['GET', '/api/admin/organizations'],
      ['GET', '/api/admin/security-events'],
      ['GET', '/api/admin/status'],
    ] as const
  ).map(
    ([method, route]): HttpRow => ({
      method,
      route,
      request: async (w, actor) => path(route.replace(':id', await colleague(w, actor))),
      expect: [404, 404, 404, 404, 404, 401],
    }),
  ),
];

/** A Socket.IO client event's outcome: its ack (`ok` or `refused` with that code), or the handshake refused. */
export type SocketOutcome = 'ok' | `refused:${string}` | 'connect-refused';
export interface SocketRow {
  event: string;
  payload(world: World): Promise<unknown>;
  expect: readonly [SocketOutcome, SocketOutcome, SocketOutcome, SocketOutcome, SocketOutcome, SocketOutcome];
}
const inGroup = (outsider: SocketOutcome) => ['ok', 'ok', 'ok', 'ok', outsider, 'connect-refused'] as const;

export const socketMatrix: SocketRow[] = [
  {
    event: 'message:send',
    payload: async (w) => ({ conversationId: await group(w), content: 'hi', clientId: randomUUID() }),
    expect: inGroup('refused:not_found'),
  },
  { event: 'typing', payload: async (w) => ({ conversationId: await group(w), isTyping: true }), expect: inGroup('refused:not_found') },
  { event: 'message:read', payload: async (w) => ({ conversationId: await group(w), seq: 0 }), expect: inGroup('refused:not_found') },
  // Ids that are not the caller's conversations are ignored: the outsider's sync answers, with nothing in it.
  { event: 'sync', payload: async (w) => ({ conversations: { [await group(w)]: 0 } }), expect: inGroup('ok') },
];

/**
 * The collab WebSocket (`GET /collab/:documentId`) on the owner's document: admission (`open`, or
 * the close code) and a text update followed by a sync request (`applied` when the server's
 * document has the text afterwards, `ignored` when it does not).
 */
export type CollabOutcome = 'applied' | 'ignored' | number;
export const collabMatrix = {
  route: 'GET /collab/:documentId',
  expect: [
    'applied',
    'applied',
    'applied',
    'ignored',
    CollabCloseCodes.forbidden,
    CollabCloseCodes.unauthorized,
  ] as const satisfies readonly CollabOutcome[],
};
