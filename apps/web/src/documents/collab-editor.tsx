import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { yCollab } from 'y-codemirror.next';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CollabCloseCodes } from '@flux/shared/constants';
import type { ApiClient } from '../api/client.js';

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

/**
 * CodeMirror 6 bound to the document's Y.Text through the stock y-websocket provider; the
 * awareness carries names and colors, which y-codemirror.next draws as remote cursors.
 */
export default function CollabEditor({ api, documentId, user, readOnly, onConnection, onCollaborators }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const userId = user.id;
  const [synced, setSynced] = useState(false);
  // Read when they fire, so new callbacks or a new name do not rebuild the editor.
  const reportConnection = useEffectEvent((state: ConnectionState) => onConnection(state));
  const reportCollaborators = useEffectEvent((people: Collaborator[]) => onCollaborators(people));
  const currentName = useEffectEvent(() => user.name);

  // The editor is rebuilt only for another document, person or a change of write access.
  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const ydoc = new Y.Doc();
    const provider = new WebsocketProvider(wsBase(), documentId, ydoc, { params: { token: api.tokens.token ?? '' } });
    const color = colorFor(userId);
    provider.awareness.setLocalStateField('user', { name: currentName(), color, colorLight: `${color}33`, id: userId });

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
    const publish = () => {
      const people: Collaborator[] = [];
      provider.awareness.getStates().forEach((state, clientId) => {
        const u = (state as { user?: { name?: string; color?: string } }).user;
        if (u?.name && clientId !== ydoc.clientID) people.push({ clientId, name: u.name, color: u.color ?? '#888' });
      });
      reportCollaborators(people);
    };
    provider.awareness.on('change', publish);

    const ytext = ydoc.getText('content');
    const undoManager = new Y.UndoManager(ytext);
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          basicSetup,
          EditorView.lineWrapping,
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': 'Document text', 'aria-readonly': String(readOnly) }),
          yCollab(ytext, provider.awareness, { undoManager }),
        ],
      }),
    });

    return () => {
      unsubscribe();
      view.destroy();
      provider.awareness.off('change', publish);
      provider.destroy();
      ydoc.destroy();
    };
  }, [api, documentId, readOnly, userId]);

  return (
    <div className="editor-frame" data-synced={synced}>
      <div ref={host} className="editor" data-testid="editor" />
    </div>
  );
}
