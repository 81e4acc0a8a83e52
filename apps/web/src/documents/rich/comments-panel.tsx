import type { Editor } from '@tiptap/react';
import { type FormEvent, useState } from 'react';
import type { Comment, CommentAnchor, CommentThread } from '@flux/shared';
import type { ApiClient } from '../../api/client.js';
import { ApiError } from '../../api/errors.js';
import { formatDate } from '../../orgs/project-page.js';
import { rangeOf } from './positions.js';

export interface Draft {
  anchor: CommentAnchor;
  quote: string;
}

interface Props {
  api: ApiClient;
  documentId: string;
  editor: Editor;
  threads: CommentThread[];
  /** Loads the threads again (the server also signals every client in the document). */
  reload: () => void;
  canWrite: boolean;
  meId: string;
  draft: Draft | null;
  onDraftDone: () => void;
  active: string | null;
  onActive: (threadId: string | null) => void;
}

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'Something went wrong; try again.');

/** The document's comment threads beside the editor: open ones first, resolved ones folded below. */
export function CommentsPanel(props: Props) {
  const { threads, draft } = props;
  const open = threads.filter((t) => !t.resolvedAt);
  const resolved = threads.filter((t) => t.resolvedAt);
  return (
    <aside className="comments-panel" aria-labelledby="comments-heading">
      <h2 id="comments-heading">Comments</h2>
      {draft && <NewThread {...props} draft={draft} />}
      {open.length === 0 && !draft && (
        <p className="muted small">{props.canWrite ? 'Select text and choose “Comment” to start a discussion.' : 'No comments yet.'}</p>
      )}
      <ul className="comment-threads">
        {open.map((thread) => (
          <ThreadView key={thread.id} {...props} thread={thread} />
        ))}
      </ul>
      {resolved.length > 0 && (
        <details className="resolved-threads">
          <summary>Resolved ({resolved.length})</summary>
          <ul className="comment-threads">
            {resolved.map((thread) => (
              <ThreadView key={thread.id} {...props} thread={thread} />
            ))}
          </ul>
        </details>
      )}
    </aside>
  );
}

function NewThread({ api, documentId, draft, onDraftDone, reload, onActive }: Props & { draft: Draft }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body = String(new FormData(event.currentTarget).get('body') ?? '').trim();
    if (!body) return setError('Write a comment first.');
    setBusy(true);
    try {
      const thread = await api.post<CommentThread>(`/api/documents/${documentId}/comments`, { ...draft, body });
      onDraftDone();
      onActive(thread.id);
      reload();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="comment-thread new-thread" onSubmit={submit} aria-label="New comment">
      <blockquote className="comment-quote">{draft.quote}</blockquote>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <textarea name="body" aria-label="Comment" placeholder="Add a comment…" maxLength={5000} rows={3} required />
      <div className="comment-actions">
        <button type="submit" className="button small" disabled={busy}>
          Comment
        </button>
        <button type="button" className="button link small" onClick={onDraftDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ThreadView({ api, documentId, editor, thread, reload, canWrite, meId, active, onActive }: Props & { thread: CommentThread }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/documents/${documentId}/comments/${thread.id}`;
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      reload();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  const reply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = String(new FormData(form).get('body') ?? '').trim();
    if (!body) return;
    void run(async () => {
      await api.post<Comment>(`${base}/replies`, { body });
      form.reset();
    });
  };
  // Selects the commented text, if it is still there.
  const show = () => {
    onActive(thread.id);
    const range = rangeOf(editor.state, thread.anchor);
    if (range) editor.chain().setTextSelection(range).scrollIntoView().run();
  };
  const [first, ...replies] = thread.comments;

  return (
    <li className={`comment-thread${active === thread.id ? ' active' : ''}`} data-thread-id={thread.id}>
      <button type="button" className="comment-quote" onClick={show} title="Show in the document">
        {thread.quote || '(no text)'}
      </button>
      {[first, ...replies].map(
        (comment) =>
          comment && (
            <div className="comment" key={comment.id}>
              <div className="comment-meta">
                <strong>{comment.authorName}</strong> <span className="muted small">{formatDate(comment.createdAt)}</span>
                {comment.authorId === meId && (
                  <button
                    type="button"
                    className="button link small"
                    disabled={busy}
                    aria-label={comment === first ? 'Delete thread' : 'Delete reply'}
                    onClick={() => void run(() => api.delete(comment === first ? base : `${base}/replies/${comment.id}`))}
                  >
                    Delete
                  </button>
                )}
              </div>
              <p className="comment-body">{comment.body}</p>
            </div>
          ),
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {canWrite && (
        <>
          {!thread.resolvedAt && (
            <form className="comment-reply" onSubmit={reply}>
              <textarea name="body" aria-label="Reply" placeholder="Reply…" rows={1} maxLength={5000} required />
              <button type="submit" className="button small" disabled={busy}>
                Reply
              </button>
            </form>
          )}
          <button
            type="button"
            className="button link small"
            disabled={busy}
            onClick={() => void run(() => api.patch(base, { resolved: !thread.resolvedAt }))}
          >
            {thread.resolvedAt ? 'Reopen' : 'Resolve'}
          </button>
        </>
      )}
    </li>
  );
}
