import type { ReactNode } from 'react';

/** A panel beside the open conversation (pins, members), full-screen on a phone like a thread. */
export function SidePanel({ label, title, onClose, children }: { label: string; title: string; onClose: () => void; children: ReactNode }) {
  return (
    <aside className="thread side-panel" aria-label={label}>
      <div className="pane-head">
        <h3>{title}</h3>
        <button type="button" className="button link small" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="side-panel-body">{children}</div>
    </aside>
  );
}
