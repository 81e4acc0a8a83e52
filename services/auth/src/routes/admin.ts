import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AdminOrganization,
  AdminOrganizationsQuery,
  AdminUser,
  AdminUsersQuery,
  ErrorBody,
  IdParams,
  Page,
  SecurityEvent,
  SecurityEventsQuery,
  SignOutResult,
  SystemStatus,
} from '@flux/shared';
import * as admin from '../admin/service.js';
import { systemStatus } from '../admin/status.js';
import type { AppContext } from '../context.js';
import { authenticated, requestMeta } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/**
 * `/api/admin*`: the admin console, for platform admins only. Both hooks run before validation,
 * so anyone else gets 404 whatever they send, as for a route that does not exist.
 */
export const adminRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticated(ctx));
  app.addHook('onRequest', async (request) => admin.requirePlatformAdmin(ctx, request.caller));

  app.get('/me', { schema: { response: { 200: AdminUser, ...errors } } }, async (request) => admin.me(ctx, request.caller));
  app.get('/users', { schema: { querystring: AdminUsersQuery, response: { 200: Page(AdminUser), ...errors } } }, async (request) =>
    admin.listUsers(ctx, request.query),
  );
  app.post('/users/:id/disable', { schema: { params: IdParams, response: { 200: AdminUser, ...errors } } }, async (request) =>
    admin.disableUser(ctx, request.caller, request.params.id, requestMeta(request)),
  );
  app.post('/users/:id/enable', { schema: { params: IdParams, response: { 200: AdminUser, ...errors } } }, async (request) =>
    admin.enableUser(ctx, request.caller, request.params.id, requestMeta(request)),
  );
  app.post('/users/:id/sign-out', { schema: { params: IdParams, response: { 200: SignOutResult, ...errors } } }, async (request) =>
    admin.signOutUser(ctx, request.caller, request.params.id, requestMeta(request)),
  );
  app.get(
    '/organizations',
    { schema: { querystring: AdminOrganizationsQuery, response: { 200: Page(AdminOrganization), ...errors } } },
    async (request) => admin.listOrganizations(ctx, request.query),
  );
  app.get(
    '/security-events',
    { schema: { querystring: SecurityEventsQuery, response: { 200: Page(SecurityEvent), ...errors } } },
    async (request) => admin.listSecurityEvents(ctx, request.query),
  );
  app.get('/status', { schema: { response: { 200: SystemStatus, ...errors } } }, async () => systemStatus(ctx));
};
