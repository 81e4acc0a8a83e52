import type { ReactNode } from 'react';

/** What is missing and what to do about it, in place of an empty list. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-state-title">{title}</p>
      {children && <p className="muted small">{children}</p>}
    </div>
  );
}
