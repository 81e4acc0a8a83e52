import {
  AppError,
  type DocumentAccess,
  type InternalMail,
  type InternalUser,
  type ProjectAccess,
  type ProjectMembers,
  type ServiceName,
  type SharedOrganizationIds,
  type SharedOrganizationQuery,
} from '@flux/shared';
import { currentRequestId } from './request-context.js';
import type { ServiceTokens } from './service-token.js';

const USER_IDS_PER_CALL = 100;
/** A dependency outage answers 503 with Retry-After (contract §3). */
const RETRY_AFTER = { 'retry-after': '5' };
/** auth's limit of `otherIds` per shared-organization call. */
const SHARING_IDS_PER_CALL = 500;

/**
 * One call to another service's `/internal/*` route with a service token for it and the current
 * request's id; null for a 404, 503 when the service is unreachable or fails.
 */
async function callService<T>(
  service: ServiceName,
  baseUrl: string,
  tokens: ServiceTokens,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T | null> {
  const requestId = currentRequestId();
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      authorization: `Service ${await tokens.sign(service)}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(requestId !== undefined && { 'x-request-id': requestId }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  }).catch((err: unknown) => {
    throw new AppError(
      'service_unavailable',
      503,
      `The ${service} service is unreachable; try again shortly.`,
      { cause: String(err) },
      RETRY_AFTER,
    );
  });
  if (response.status === 404) return null;
  if (!response.ok)
    throw new AppError('service_unavailable', 503, `The ${service} service answered ${response.status}.`, undefined, RETRY_AFTER);
  return (await response.json()) as T;
}

/** Calls auth's `/internal/*` routes with a service token and the current request's id (one id across services' logs). */
export class AuthClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: ServiceTokens,
  ) {}

  private get<T>(path: string): Promise<T | null> {
    return this.call<T>('GET', path);
  }

  private call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | null> {
    return callService<T>('auth', this.baseUrl, this.tokens, method, path, body);
  }

  user(userId: string): Promise<InternalUser | null> {
    return this.get(`/internal/users/${encodeURIComponent(userId)}`);
  }

  /**
   * Several users, one call per 100 ids (auth's limit per call); ids auth does not know are
   * simply absent from the answer.
   */
  async users(userIds: readonly string[]): Promise<InternalUser[]> {
    const users: InternalUser[] = [];
    for (let i = 0; i < userIds.length; i += USER_IDS_PER_CALL) {
      const ids = userIds
        .slice(i, i + USER_IDS_PER_CALL)
        .map(encodeURIComponent)
        .join(',');
      const page = await this.get<{ items: InternalUser[] }>(`/internal/users?ids=${ids}`);
      users.push(...(page?.items ?? []));
    }
    return users;
  }

  /** A mail to a user's own address through auth's mailer; false when auth has no such user (or it is being deleted). */
  async mailUser(userId: string, mail: InternalMail): Promise<boolean> {
    return (await this.call<{ sent: boolean }>('POST', `/internal/users/${encodeURIComponent(userId)}/mail`, mail)) !== null;
  }

  /** The user's role in a project; `role: null` (or null for an unknown project) means no access. */
  projectAccess(projectId: string, userId: string): Promise<ProjectAccess | null> {
    return this.get(`/internal/projects/${encodeURIComponent(projectId)}/access?userId=${encodeURIComponent(userId)}`);
  }

  projectMembers(projectId: string): Promise<ProjectMembers | null> {
    return this.get(`/internal/projects/${encodeURIComponent(projectId)}/members`);
  }

  /**
   * The subset of `userIds` that share at least one organization with `userId` (one call per 500
   * ids, auth's limit per call); unknown ids and people without a shared organization are absent.
   */
  async sharingOrganization(userId: string, userIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(userIds)];
    const ids: string[] = [];
    for (let i = 0; i < unique.length; i += SHARING_IDS_PER_CALL) {
      const body: SharedOrganizationQuery = { userId, otherIds: unique.slice(i, i + SHARING_IDS_PER_CALL) };
      const answer = await this.call<SharedOrganizationIds>('POST', '/internal/users/shared-organization', body);
      ids.push(...(answer?.ids ?? []));
    }
    return ids;
  }
}

/** Calls collab's `/internal/*` routes (messaging: who may see a document's images). */
export class CollabClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: ServiceTokens,
  ) {}

  /** The document's project and the user's role there (`role: null`: no access); null for an unknown or deleted document. */
  documentAccess(documentId: string, userId: string): Promise<DocumentAccess | null> {
    const path = `/internal/documents/${encodeURIComponent(documentId)}/access?userId=${encodeURIComponent(userId)}`;
    return callService('collab', this.baseUrl, this.tokens, 'GET', path);
  }
}
