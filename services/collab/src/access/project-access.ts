import type { AuthClient } from '@flux/server-kit';
import type { ProjectAccess, Role } from '@flux/shared';

interface Entry {
  access: ProjectAccess | null;
  expires: number;
}

/**
 * Project access answers from auth, kept briefly so a burst of connections to one project costs
 * one call. `membership.changed` drops a user's entries for that organization at once.
 */
export class ProjectAccessCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation, so a caller can tell whether one happened while it was busy. */
  generation = 0;

  constructor(
    private readonly auth: AuthClient,
    private readonly ttlMs: number,
  ) {}

  /** The user's access to the project; null for an unknown project. Throws 503 when auth is unreachable. */
  async get(projectId: string, userId: string): Promise<ProjectAccess | null> {
    const key = `${projectId}:${userId}`;
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.access;
    const access = await this.auth.projectAccess(projectId, userId);
    if (this.ttlMs > 0) this.entries.set(key, { access, expires: Date.now() + this.ttlMs });
    if (this.entries.size > 50_000) this.prune();
    return access;
  }

  async role(projectId: string, userId: string): Promise<{ role: Role | null; organizationId: string | null }> {
    const access = await this.get(projectId, userId);
    return { role: access?.role ?? null, organizationId: access?.organizationId ?? null };
  }

  invalidate(organizationId: string, userId: string): void {
    this.generation++;
    for (const [key, entry] of this.entries) {
      // Unknown-project answers carry no organization; drop them too, they are cheap to ask again.
      if (key.endsWith(`:${userId}`) && (entry.access === null || entry.access.organizationId === organizationId)) this.entries.delete(key);
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}
