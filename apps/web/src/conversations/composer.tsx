import { useEffect, useId, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { loadDraft, saveDraft } from './drafts.js';
import { mentionQuery, mentionToken } from './mentions.js';
import type { Attachment, ConversationMember } from './types.js';

interface Upload {
  key: string;
  name: string;
  progress: number;
  attachment?: Attachment;
  error?: string;
}

interface Props {
  label: string;
  members: ConversationMember[];
  onSend: (content: string, attachments: Attachment[]) => void;
  onTyping: (isTyping: boolean) => void;
  /** Where the unsent text is kept across reloads (drafts.ts); none: not kept. */
  draftKey?: string;
}

/** Enter sends, Shift+Enter breaks the line; @ suggests people; files by picker or drag and drop. */
export function Composer({ label, members, onSend, onTyping, draftKey }: Props) {
  const api = useApi();
  const id = useId();
  const [text, setText] = useState(() => (draftKey ? loadDraft(draftKey) : ''));
  const [caret, setCaret] = useState(0);
  const [highlight, setHighlight] = useState(0);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const typing = useRef(false);

  const query = mentionQuery(text, caret);
  const suggestions =
    query === null ? [] : members.filter((m) => (m.name ?? '').toLowerCase().includes(query.text.toLowerCase())).slice(0, 6);

  useEffect(() => () => clearTimeout(typingTimer.current), []);
  useEffect(() => {
    if (draftKey) saveDraft(draftKey, text);
  }, [draftKey, text]);

  const stopTyping = () => {
    clearTimeout(typingTimer.current);
    if (typing.current) onTyping(false);
    typing.current = false;
  };

  const noteTyping = () => {
    if (!typing.current) onTyping(true);
    typing.current = true;
    clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(stopTyping, 3000);
  };

  const pick = (member: ConversationMember) => {
    if (!query) return;
    const token = `${mentionToken(member.name ?? '')} `;
    const next = text.slice(0, query.start) + token + text.slice(caret);
    setText(next);
    const position = query.start + token.length;
    setCaret(position);
    requestAnimationFrame(() => input.current?.setSelectionRange(position, position));
  };

  const ready = uploads.flatMap((u) => (u.attachment ? [u.attachment] : []));
  const uploading = uploads.some((u) => !u.attachment && !u.error);

  const submit = () => {
    const content = text.trim();
    if ((!content && ready.length === 0) || uploading) return;
    onSend(content, ready);
    setText('');
    setCaret(0);
    setUploads([]);
    stopTyping();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setHighlight((h) => (h + step + suggestions.length) % suggestions.length);
        return;
      }
      const highlighted = suggestions[Math.min(highlight, suggestions.length - 1)];
      if ((event.key === 'Enter' || event.key === 'Tab') && highlighted) {
        event.preventDefault();
        pick(highlighted);
        return;
      }
      if (event.key === 'Escape') {
        setCaret(-1);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const addFiles = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const key = crypto.randomUUID();
      setUploads((all) => [...all, { key, name: file.name, progress: 0 }]);
      const form = new FormData();
      form.append('file', file, file.name);
      api
        .upload<Attachment>('/api/files', form, (progress) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, progress } : u))))
        .then((attachment) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, progress: 1, attachment } : u))))
        .catch((error: unknown) =>
          setUploads((all) =>
            all.map((u) => (u.key === key ? { ...u, error: error instanceof ApiError ? error.message : 'Upload failed.' } : u)),
          ),
        );
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length) addFiles(event.dataTransfer.files);
  };

  return (
    <fieldset
      aria-label={label}
      className={`composer${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {uploads.length > 0 && (
        <ul className="uploads" aria-label="Attachments">
          {uploads.map((u) => (
            <li key={u.key}>
              <span className="truncate">{u.name}</span>
              {u.error ? (
                <span className="field-error">{u.error}</span>
              ) : (
                <progress value={u.progress} max={1} aria-label={`Uploading ${u.name}`} />
              )}
              <button
                type="button"
                className="button link small"
                aria-label={`Remove ${u.name}`}
                onClick={() => setUploads((all) => all.filter((x) => x.key !== u.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <label htmlFor={`${id}-file`} className="icon-button" title="Attach files">
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9"
            />
          </svg>
          <span className="visually-hidden">Attach files</span>
        </label>
        <input
          id={`${id}-file`}
          type="file"
          multiple
          className="visually-hidden"
          onChange={(e) => {
            if (e.target.files) addFiles(e.target.files);
            e.target.value = '';
          }}
        />
        <label htmlFor={id} className="visually-hidden">
          {label}
        </label>
        <textarea
          id={id}
          ref={input}
          rows={1}
          placeholder={`${label}…`}
          title="Enter to send, Shift+Enter for a new line"
          value={text}
          aria-autocomplete="list"
          aria-controls={suggestions.length ? `${id}-mentions` : undefined}
          aria-activedescendant={suggestions.length ? `${id}-mention-${Math.min(highlight, suggestions.length - 1)}` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setHighlight(0);
            if (e.target.value) noteTyping();
            else stopTyping();
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
        />
        <button type="button" className="button" onClick={submit} disabled={uploading}>
          Send
        </button>
      </div>
      {suggestions.length > 0 && (
        <div id={`${id}-mentions`} className="mentions" role="listbox" aria-label="Mention someone">
          {suggestions.map((m, i) => (
            // Focus stays in the textarea (aria-activedescendant); -1 only makes the option focusable by script.
            <div
              key={m.userId}
              id={`${id}-mention-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === Math.min(highlight, suggestions.length - 1)}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(m);
              }}
            >
              {m.name}
            </div>
          ))}
        </div>
      )}
    </fieldset>
  );
}
