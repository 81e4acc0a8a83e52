import { AppError, type InternalUser, type ProjectAccess, type ProjectMembers, type ServiceName } from '@flux/shared';
import type { ServiceTokens } from './service-token.js';

/** Calls auth's `/internal/*` routes with a service token. */
export class AuthClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: ServiceTokens,
  ) {}

  private async get<T>(path: string): Promise<T | null> {
    const response = await fetch(new URL(path, this.baseUrl), {
      headers: { authorization: `Service ${await this.tokens.sign('auth' satisfies ServiceName)}` },
      signal: AbortSignal.timeout(5000),
    }).catch((err: unknown) => {
      throw new AppError('service_unavailable', 503, 'The auth service is unreachable; try again shortly.', { cause: String(err) });
    });
    if (response.status === 404) return null;
    if (!response.ok) throw new AppError('service_unavailable', 503, `The auth service answered ${response.status}.`);
    return (await response.json()) as T;
  }

  user(userId: string): Promise<InternalUser | null> {
    return this.get(`/internal/users/${encodeURIComponent(userId)}`);
  }

  /** The user's role in a project; `role: null` (or null for an unknown project) means no access. */
  projectAccess(projectId: string, userId: string): Promise<ProjectAccess | null> {
    return this.get(`/internal/projects/${encodeURIComponent(projectId)}/access?userId=${encodeURIComponent(userId)}`);
  }

  projectMembers(projectId: string): Promise<ProjectMembers | null> {
    return this.get(`/internal/projects/${encodeURIComponent(projectId)}/members`);
  }
}
