import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import { TableKit } from '@tiptap/extension-table';
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useEffectEvent, useState } from 'react';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { CommentThread, Page } from '@flux/shared';
import { CollabCloseCodes, CollabRoots } from '@flux/shared/constants';
import type { ApiClient } from '../api/client.js';
import { useResource } from '../api/use-resource.js';
import { CommentHighlights, commentHighlightsKey } from './rich/comment-highlights.js';
import { CommentsPanel, type Draft } from './rich/comments-panel.js';
import { fileImage } from './rich/file-image.js';
import { anchorOf } from './rich/positions.js';
import { Toolbar } from './rich/toolbar.js';
import './rich/rich-text.css';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'denied' | 'unauthorized';

export interface Collaborator {
  clientId: number;
  name: string;
  color: string;
}

interface Props {
  api: ApiClient;
  documentId: string;
  user: { id: string; name: string };
  readOnly: boolean;
  onConnection: (state: ConnectionState) => void;
  onCollaborators: (people: Collaborator[]) => void;
}

const palette = ['#e5484d', '#0090ff', '#30a46c', '#f76b15', '#8e4ec6', '#d6409f', '#12a594', '#ad7f58'];

/** A stable color per person, so a collaborator keeps theirs across reloads. */
export function colorFor(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return palette[Math.abs(hash) % palette.length] ?? '#888';
}

function wsBase(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
}

interface Session {
  ydoc: Y.Doc;
  provider: WebsocketProvider;
}

/**
 * The document's Yjs doc over the stock y-websocket provider, rebuilt only for another document
 * or person. The awareness carries names and colors, which the editor draws as remote carets.
 */
export default function CollabEditor({ api, documentId, user, readOnly, onConnection, onCollaborators }: Props) {
  const userId = user.id;
  const [session, setSession] = useState<Session | null>(null);
  const [synced, setSynced] = useState(false);
  // Read when they fire, so new callbacks do not rebuild the connection.
  const reportConnection = useEffectEvent((state: ConnectionState) => onConnection(state));
  const reportCollaborators = useEffectEvent((people: Collaborator[]) => onCollaborators(people));

  useEffect(() => {
    const ydoc = new Y.Doc();
    const provider = new WebsocketProvider(wsBase(), documentId, ydoc, { params: { token: api.tokens.token ?? '' } });
    // Each reconnect reads `params`, so a refreshed token is used from then on.
    const unsubscribe = api.tokens.subscribe((state) => {
      if (state) provider.params = { token: state.accessToken };
    });
    provider.on('status', ({ status }) => reportConnection(status));
    provider.on('sync', (isSynced: boolean) => setSynced(isSynced));
    provider.on('connection-close', (event) => {
      if (event?.code === CollabCloseCodes.forbidden) {
        provider.shouldConnect = false;
        reportConnection('denied');
      } else if (event?.code === CollabCloseCodes.unauthorized) {
        // The stock client gives up on 44xx codes: get a fresh token and reconnect ourselves.
        reportConnection('unauthorized');
        api.tokens
          .refresh()
          .then((fresh) => {
            if (!fresh) return;
            provider.params = { token: fresh.accessToken };
            provider.connect();
          })
          .catch(() => {
            provider.shouldConnect = false;
          });
      }
    });
    // Deferred: the editor sets our awareness while React renders it, where an effect event may not run.
    const publish = () =>
      queueMicrotask(() => {
        const people: Collaborator[] = [];
        provider.awareness.getStates().forEach((state, clientId) => {
          const u = (state as { user?: { name?: string; color?: string } }).user;
          if (u?.name && clientId !== ydoc.clientID) people.push({ clientId, name: u.name, color: u.color ?? '#888' });
        });
        reportCollaborators(people);
      });
    provider.awareness.on('change', publish);
    setSession({ ydoc, provider });
    return () => {
      setSession(null);
      unsubscribe();
      provider.awareness.off('change', publish);
      provider.destroy();
      ydoc.destroy();
    };
  }, [api, documentId]);

  return (
    <div className="rich-editor" data-synced={synced}>
      {session && <RichEditor key={userId} api={api} documentId={documentId} user={user} readOnly={readOnly} session={session} />}
    </div>
  );
}

interface EditorProps {
  api: ApiClient;
  documentId: string;
  user: { id: string; name: string };
  readOnly: boolean;
  session: Session;
}

/** Tiptap bound to the Y.XmlFragment `default`, with the comment threads beside it. */
function RichEditor({ api, documentId, user, readOnly, session }: EditorProps) {
  const [active, setActive] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const threads = useResource<Page<CommentThread>>(`/api/documents/${documentId}/comments`);
  const { ydoc, provider } = session;
  const color = colorFor(user.id);

  const editor = useEditor(
    {
      extensions: [
        // Yjs keeps the history (per user), so the editor's own undo is off.
        StarterKit.configure({ undoRedo: false, link: { openOnClick: false, autolink: true, defaultProtocol: 'https' } }),
        TaskList,
        TaskItem.configure({ nested: true }),
        fileImage(api),
        TableKit.configure({ table: { resizable: false } }),
        Collaboration.configure({ document: ydoc, field: CollabRoots.content }),
        CollaborationCaret.configure({ provider, user: { name: user.name, color, id: user.id } }),
        CommentHighlights.configure({ onSelect: setActive }),
      ],
      editable: !readOnly,
      editorProps: { attributes: { 'aria-label': 'Document text', 'aria-multiline': 'true', role: 'textbox', class: 'prose' } },
    },
    [session],
  );

  useEffect(() => {
    editor.setEditable(!readOnly);
    editor.view.dom.setAttribute('aria-readonly', String(readOnly));
  }, [editor, readOnly]);

  // The server changes the Y.Map `comments` whenever a thread changes: load them again.
  const reload = threads.reload;
  useEffect(() => {
    const signal = ydoc.getMap(CollabRoots.commentsSignal);
    signal.observe(reload);
    return () => signal.unobserve(reload);
  }, [ydoc, reload]);

  const items = threads.data?.items;
  useEffect(() => {
    if (editor.isDestroyed) return;
    editor.view.dispatch(editor.state.tr.setMeta(commentHighlightsKey, { threads: items ?? [], active }));
  }, [editor, items, active]);

  const startComment = () => {
    const { from, to } = editor.state.selection;
    const anchor = anchorOf(editor.state, from, to);
    if (!anchor || from === to) return;
    setDraft({ anchor, quote: editor.state.doc.textBetween(from, to, ' ').slice(0, 2000) });
  };

  return (
    <>
      <div className="editor-frame">
        {!readOnly && <Toolbar editor={editor} api={api} documentId={documentId} onComment={startComment} />}
        <EditorContent editor={editor} className="editor" data-testid="editor" />
      </div>
      <CommentsPanel
        api={api}
        documentId={documentId}
        editor={editor}
        threads={items ?? []}
        reload={reload}
        canWrite={!readOnly}
        meId={user.id}
        draft={draft}
        onDraftDone={() => setDraft(null)}
        active={active}
        onActive={setActive}
      />
    </>
  );
}
