import type { Member, Page, Role } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useResource } from '../api/use-resource.js';
import { useUser } from '../auth/auth-context.js';
import { initials } from '../layout/user-menu.js';

// Listed here rather than imported: @flux/shared's runtime values would pull TypeBox into the bundle.
export const roles: Role[] = ['member', 'admin', 'guest', 'owner'];

/** Members with their roles; owners and admins can change a role or remove someone. */
export function MemberList({ orgId, canManage }: { orgId: string; canManage: boolean }) {
  const api = useApi();
  const me = useUser();
  const members = useResource<Page<Member>>(`/api/organizations/${orgId}/members?limit=100`);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'That did not work.');
    }
    members.reload();
  };

  if (members.error) return <p className="form-error">{members.error.message}</p>;
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="list members" aria-label="Members">
        {(members.data?.items ?? []).map((m) => (
          <li key={m.userId} className="member">
            <span className="avatar" aria-hidden="true">
              {initials(m.name)}
            </span>
            <span className="member-name">
              {m.name}
              {/* Only owners and admins are sent members' emails. */}
              {m.email && <span className="muted small"> {m.email}</span>}
            </span>
            {canManage && m.userId !== me.id ? (
              <>
                <label className="visually-hidden" htmlFor={`role-${m.userId}`}>
                  Role of {m.name}
                </label>
                <select
                  id={`role-${m.userId}`}
                  className="role-select"
                  value={m.role}
                  onChange={(e) => run(() => api.patch(`/api/organizations/${orgId}/members/${m.userId}`, { role: e.target.value }))}
                >
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  className="button link small danger"
                  aria-label={`Remove ${m.name}`}
                  onClick={() =>
                    window.confirm(`Remove ${m.name} from this organization?`) &&
                    run(() => api.delete(`/api/organizations/${orgId}/members/${m.userId}`))
                  }
                >
                  Remove
                </button>
              </>
            ) : (
              <span className={`role role-${m.role}`}>{m.role}</span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
