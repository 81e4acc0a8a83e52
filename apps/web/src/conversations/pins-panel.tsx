import type { Pin } from '@flux/shared';
import { formatDate } from '../orgs/project-page.js';
import { MessageMarkdown } from './markdown.js';
import { SidePanel } from './side-panel.js';

/** The conversation's pinned messages, newest pin first; any member unpins. */
export function PinsPanel({
  pins,
  names,
  onUnpin,
  onClose,
}: {
  pins: Pin[];
  names: Map<string, string>;
  onUnpin: (messageId: string) => void;
  onClose: () => void;
}) {
  return (
    <SidePanel label="Pinned messages" title="Pinned" onClose={onClose}>
      {pins.length === 0 && <p className="muted small">Nothing pinned yet. Pin a message to keep it here for everyone.</p>}
      <ul className="pin-list">
        {pins.map((p) => (
          <li key={p.messageId} className="message" data-testid="pinned-message">
            <header className="message-head">
              <strong>{p.message.author?.name ?? names.get(p.message.authorId) ?? 'Someone'}</strong>
              <time dateTime={p.message.createdAt} className="muted small">
                {formatDate(p.message.createdAt)}
              </time>
            </header>
            <MessageMarkdown content={p.message.content} />
            <p className="muted small">
              Pinned by {names.get(p.pinnedBy) ?? 'someone'}{' '}
              <button type="button" className="button link small" onClick={() => onUnpin(p.messageId)}>
                Unpin
              </button>
            </p>
          </li>
        ))}
      </ul>
    </SidePanel>
  );
}
