import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, IdParams, Page, Project, ProjectsQuery } from '@flux/shared';
import type { AuthContext } from '../context.js';
import * as projects from '../projects/service.js';
import { requireUser } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** `/api/projects*` (contract §4). */
export const projectRoutes: FastifyPluginAsyncTypebox<{ ctx: AuthContext }> = async (app, { ctx }) => {
  app.addHook('preHandler', requireUser(ctx));
  app.get('/', { schema: { querystring: ProjectsQuery, response: { 200: Page(Project), ...errors } } }, async (request) =>
    projects.list(ctx, request.user, request.query),
  );
  app.get('/:id', { schema: { params: IdParams, response: { 200: Project, ...errors } } }, async (request) =>
    projects.get(ctx, request.user, request.params.id),
  );
};
