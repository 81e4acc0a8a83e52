import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, IdParams, Page, Project, ProjectsQuery, UpdateProject } from '@flux/shared';
import type { AppContext } from '../context.js';
import * as projects from '../projects/service.js';
import { authenticated } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** `/api/projects*` (contract §4). */
export const projectRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticated(ctx));
  app.get('/', { schema: { querystring: ProjectsQuery, response: { 200: Page(Project), ...errors } } }, async (request) =>
    projects.list(ctx, request.caller, request.query),
  );
  app.get('/:id', { schema: { params: IdParams, response: { 200: Project, ...errors } } }, async (request) =>
    projects.get(ctx, request.caller, request.params.id),
  );
  app.patch('/:id', { schema: { params: IdParams, body: UpdateProject, response: { 200: Project, ...errors } } }, async (request) =>
    projects.update(ctx, request.caller, request.params.id, request.body),
  );
};
