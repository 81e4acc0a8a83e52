import type { AuthClient } from '@flux/server-kit';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import * as repo from './repository.js';

export type UserInfo = repo.UserValues;

const MAX_REMEMBERED = 10_000;

/**
 * The local projection of auth's users (names for display and mentions). Filled from
 * user.created/user.updated events, from the claims of every caller, and on demand from auth.
 */
export class UserDirectory {
  /** id → "name\0email" already written, so a caller's claims cost one write per change, not per request. */
  private readonly written = new Map<string, string>();
  /** Ids known to be in the projection already. */
  private readonly known = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly auth: AuthClient,
  ) {}

  async upsert(user: UserInfo): Promise<void> {
    const fingerprint = `${user.name}\0${user.email}`;
    if (this.written.get(user.id) === fingerprint) return;
    await repo.upsert(this.db, user);
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    this.written.set(user.id, fingerprint);
  }

  /**
   * Records a caller from their token's claims when the projection does not have them yet. Claims
   * can be up to 15 minutes old, so they never overwrite a name that auth's events keep current.
   */
  async remember(user: UserInfo): Promise<void> {
    if (this.known.has(user.id)) return;
    await repo.insertIfMissing(this.db, user);
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.add(user.id);
  }

  /** Makes sure every id is known locally, asking auth for the missing ones; returns the ids auth does not know. */
  async ensure(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const known = new Set(await repo.knownIds(this.db, ids));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length === 0) return [];
    const found = await this.auth.users(missing);
    for (const user of found) await this.upsert(user);
    const foundIds = new Set(found.map((u) => u.id));
    const unknown = missing.filter((id) => !foundIds.has(id));
    return unknown;
  }
}
