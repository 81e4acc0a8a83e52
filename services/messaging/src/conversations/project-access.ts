import type { AuthClient } from '@flux/server-kit';
import type { ProjectAccess } from '@flux/shared';

interface Entry {
  access: ProjectAccess | null;
  expires: number;
}

/**
 * Auth's answers to "may this user see this project", kept at most `ttlMs` (30 s by default) and
 * dropped at once by `membership.changed`. Project conversations re-check members through it, so
 * even a membership event that never arrived cannot leave a removed member with access for longer.
 */
export class ProjectAccessCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly auth: AuthClient,
    private readonly ttlMs: number,
  ) {}

  /** The user's access to the project; null when none. Throws 503 when auth is unreachable. */
  async get(projectId: string, userId: string): Promise<ProjectAccess | null> {
    const key = `${projectId}:${userId}`;
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.access;
    const access = await this.auth.projectAccess(projectId, userId);
    if (this.ttlMs > 0) this.entries.set(key, { access, expires: Date.now() + this.ttlMs });
    if (this.entries.size > 50_000) this.prune();
    return access;
  }

  /** Drops the user's answers for that organization (and the unknown-project ones, cheap to ask again). */
  invalidate(organizationId: string, userId: string): void {
    for (const [key, entry] of this.entries) {
      if (key.endsWith(`:${userId}`) && (entry.access === null || entry.access.organizationId === organizationId)) this.entries.delete(key);
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}
