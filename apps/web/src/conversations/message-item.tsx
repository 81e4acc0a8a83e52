import { useEffect, useRef, useState } from 'react';
import { formatDate } from '../orgs/project-page.js';
import { AttachmentView } from './attachment-view.js';
import { MessageMarkdown } from './markdown.js';
import type { PendingMessage } from './message-store.js';
import type { Message } from './types.js';

const quickReactions = ['👍', '❤️', '😂', '🎉', '👀'];

interface Props {
  message: Message;
  mine: boolean;
  authorName: string;
  myId: string;
  replyCount?: number;
  readBy?: string[] | undefined;
  onReply?: () => void;
  onEdit: (content: string) => Promise<void>;
  onDelete: () => Promise<void>;
  onReact: (emoji: string) => Promise<void>;
  /** Pinned in its conversation; `onPin` toggles it (absent: no pin button). */
  pinned?: boolean;
  onPin?: () => Promise<void>;
}

export function MessageItem({
  message,
  mine,
  authorName,
  myId,
  replyCount = 0,
  readBy,
  onReply,
  onEdit,
  onDelete,
  onReact,
  pinned = false,
  onPin,
}: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);
  const [error, setError] = useState<string | null>(null);
  const deleted = Boolean(message.deletedAt);
  const picker = useRef<HTMLDetailsElement>(null);
  const editor = useRef<HTMLTextAreaElement>(null);
  // Edit was just pressed: the text to edit takes the focus.
  useEffect(() => {
    if (editing) editor.current?.focus();
  }, [editing]);

  const run = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'That did not work.');
    }
  };

  return (
    <article
      className={`message${mine ? ' mine' : ''}${pinned && !deleted ? ' pinned' : ''}`}
      data-testid="message"
      data-seq={message.seq}
      data-pinned={pinned && !deleted ? 'true' : undefined}
    >
      <header className="message-head">
        <strong>{authorName}</strong>
        <time dateTime={message.createdAt} className="muted small">
          {formatDate(message.createdAt)}
        </time>
        {message.editedAt && !deleted && <span className="muted small">(edited)</span>}
        {pinned && !deleted && <span className="pin-badge small">Pinned</span>}
      </header>
      {deleted ? (
        <p className="muted deleted">This message was deleted.</p>
      ) : editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await onEdit(draft.trim());
              setEditing(false);
            });
          }}
          className="edit-form"
        >
          <label className="visually-hidden" htmlFor={`edit-${message.id}`}>
            Edit message
          </label>
          <textarea
            id={`edit-${message.id}`}
            ref={editor}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setEditing(false);
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <div className="row-end">
            <button type="button" className="button link small" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button type="submit" className="button small">
              Save
            </button>
          </div>
        </form>
      ) : (
        <MessageMarkdown content={message.content} />
      )}
      {!deleted && message.attachments && message.attachments.length > 0 && (
        <ul className="attachments">
          {message.attachments.map((a) => (
            <li key={a.id}>
              <AttachmentView attachment={a} />
            </li>
          ))}
        </ul>
      )}
      {!deleted && (
        <div className="message-footer">
          <ul className="reactions" aria-label="Reactions">
            {(message.reactions ?? [])
              .filter((r) => r.count > 0)
              .map((r) => (
                <li key={r.emoji}>
                  <button
                    type="button"
                    className={`reaction${r.userIds.includes(myId) ? ' reacted' : ''}`}
                    aria-pressed={r.userIds.includes(myId)}
                    aria-label={`${r.emoji} ${r.count}`}
                    onClick={() => run(() => onReact(r.emoji))}
                  >
                    {r.emoji} {r.count}
                  </button>
                </li>
              ))}
          </ul>
          <div className="message-actions">
            <details className="react-picker" ref={picker}>
              <summary aria-label="Add reaction">☺+</summary>
              <div className="react-options">
                {quickReactions.map((emoji) => (
                  <button
                    key={emoji}
                    type="button"
                    aria-label={`React ${emoji}`}
                    onClick={() => {
                      picker.current?.removeAttribute('open');
                      void run(() => onReact(emoji));
                    }}
                  >
                    {emoji}
                  </button>
                ))}
              </div>
            </details>
            {onReply && (
              <button type="button" className="button link small" onClick={onReply}>
                {replyCount > 0 ? `${replyCount} ${replyCount === 1 ? 'reply' : 'replies'}` : 'Reply'}
              </button>
            )}
            {onPin && (
              <button type="button" className="button link small" onClick={() => run(onPin)}>
                {pinned ? 'Unpin' : 'Pin'}
              </button>
            )}
            {mine && (
              <>
                <button
                  type="button"
                  className="button link small"
                  onClick={() => {
                    setDraft(message.content);
                    setEditing(true);
                  }}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="button link small danger"
                  onClick={() => window.confirm('Delete this message?') && void run(onDelete)}
                >
                  Delete
                </button>
              </>
            )}
          </div>
        </div>
      )}
      {readBy && readBy.length > 0 && <p className="muted small read-by">Seen by {readBy.join(', ')}</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

export function PendingItem({ pending, authorName, onRetry }: { pending: PendingMessage; authorName: string; onRetry: () => void }) {
  return (
    <article className={`message mine pending ${pending.status}`} data-testid="message" data-pending="true">
      <header className="message-head">
        <strong>{authorName}</strong>
        <span className="muted small">{pending.status === 'sending' ? 'Sending…' : 'Not sent'}</span>
      </header>
      <MessageMarkdown content={pending.content} />
      {pending.status === 'failed' && (
        <p className="field-error" role="alert">
          {pending.error}{' '}
          <button type="button" className="button link small" onClick={onRetry}>
            Retry
          </button>
        </p>
      )}
    </article>
  );
}
