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
const RETRY_AFTER = { 'retry-after': '5' };
/** auth's limit of `otherIds` per shared-organization call. */
const SHARING_IDS_PER_CALL = 500;

/** A dependency outage: 503 with Retry-After (contract §3). */
const serviceUnavailable = (service: ServiceName, what: string, cause?: unknown) =>
  new AppError(
    'service_unavailable',
    503,
    `The ${service} service ${what}; try again shortly.`,
    cause === undefined ? undefined : { cause: String(cause) },
    RETRY_AFTER,
  );

export interface ServiceRequest {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** How long the whole answer may take (a streamed download wants more than a lookup). */
  timeoutMs?: number;
  /** What a 404 means: `null` (nothing there) or an outage like any other failure. */
  notFound?: 'null' | 'unavailable';
}

/**
 * One request to another service's `/internal/*` route with a service token for it and the
 * current request's id. The response as it is (its body unread, so it may be streamed), or null
 * for a 404 unless `notFound: 'unavailable'`; 503 when the service is unreachable or fails.
 */
export function requestService(
  service: ServiceName,
  baseUrl: string,
  tokens: ServiceTokens,
  path: string,
  options: ServiceRequest & { notFound: 'unavailable' },
): Promise<Response>;
export function requestService(
  service: ServiceName,
  baseUrl: string,
  tokens: ServiceTokens,
  path: string,
  options?: ServiceRequest,
): Promise<Response | null>;
export async function requestService(
  service: ServiceName,
  baseUrl: string,
  tokens: ServiceTokens,
  path: string,
  { method = 'GET', body, timeoutMs = 5000, notFound = 'null' }: ServiceRequest = {},
): Promise<Response | null> {
  const requestId = currentRequestId();
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      authorization: `Service ${await tokens.sign(service)}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(requestId !== undefined && { 'x-request-id': requestId }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((err: unknown) => {
    throw serviceUnavailable(service, 'is unreachable', err);
  });
  if (response.status === 404 && notFound === 'null') return null;
  if (!response.ok) throw serviceUnavailable(service, `answered ${response.status}`);
  return response;
}

/** A JSON call to another service's `/internal/*` route: null for a 404, 503 when it is unreachable or fails. */
async function callService<T>(
  service: ServiceName,
  baseUrl: string,
  tokens: ServiceTokens,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T | null> {
  const response = await requestService(service, baseUrl, tokens, path, { method, body });
  return response && ((await response.json()) as T);
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
