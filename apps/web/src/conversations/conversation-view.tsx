import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { useUser } from '../auth/auth-context.js';
import { Composer } from './composer.js';
import { conversationTitle } from './conversation-title.js';
import { draftKey } from './drafts.js';
import { MembersPanel } from './members-panel.js';
import { MessageItem, PendingItem } from './message-item.js';
import { useMessaging } from './messaging-context.js';
import { PinsPanel } from './pins-panel.js';
import { useConversation } from './use-conversation.js';
import { usePins } from './use-pins.js';
import type { Conversation, Message } from './types.js';
import './messages-features.css';

export function ConversationView({ conversationId }: { conversationId: string }) {
  const me = useUser();
  const api = useApi();
  const { conversations, presence, patchConversation } = useMessaging();
  const conversation = conversations.find((c) => c.id === conversationId);
  const chat = useConversation(conversationId);
  const pins = usePins(conversationId);
  const [threadId, setThreadId] = useState<string | null>(null);
  // One side panel at a time: a thread (threadId), the pins or the members.
  const [panel, setPanel] = useState<'pins' | 'members' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const togglePanel = (next: 'pins' | 'members') => {
    setThreadId(null);
    setPanel((open) => (open === next ? null : next));
  };
  const showError = (caught: unknown) => setActionError(caught instanceof Error ? caught.message : 'That did not work.');
  /** Mute or archive for me; my other tabs hear it from the server. */
  const changeSettings = (body: { muted?: boolean; archived?: boolean }) => {
    setActionError(null);
    api
      .request<Conversation>('PUT', `/api/conversations/${conversationId}/settings`, { body })
      .then((updated) => patchConversation(conversationId, { muted: updated.muted, archived: updated.archived }))
      .catch(showError);
  };
  const togglePin = (id: string) => (pins.pinnedIds.has(id) ? pins.unpin(id) : pins.pin(id));
  const scroller = useRef<HTMLDivElement>(null);
  const topSentinel = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const previousHeight = useRef(0);

  const members = useMemo(() => conversation?.members ?? [], [conversation]);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const m of members) map.set(m.userId, m.name ?? m.email ?? 'Someone');
    for (const m of chat.state.messages) if (m.author?.name) map.set(m.authorId, m.author.name);
    map.set(me.id, me.name);
    return map;
  }, [members, chat.state.messages, me]);

  const topLevel = chat.state.messages.filter((m) => !m.parentId);
  const replies = (id: string) => chat.state.messages.filter((m) => m.parentId === id);
  const threadRoot = threadId ? chat.state.messages.find((m) => m.id === threadId) : undefined;

  // Infinite scroll: when the top comes into view, load the page before it.
  useEffect(() => {
    const sentinel = topSentinel.current;
    if (!sentinel) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && chat.state.loadedOnce) void chat.loadOlder();
    });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [chat.loadOlder, chat.state.loadedOnce]);

  // Keep the view pinned to the newest message, or keep the reading position when older ones load.
  // biome-ignore lint/correctness/useExhaustiveDependencies(chat.state.messages.length): runs when rows are added; it measures the DOM
  // biome-ignore lint/correctness/useExhaustiveDependencies(chat.state.pending.length): runs when rows are added; it measures the DOM
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (stickToBottom.current) el.scrollTop = el.scrollHeight;
    else if (el.scrollHeight > previousHeight.current && el.scrollTop < 50) el.scrollTop += el.scrollHeight - previousHeight.current;
    previousHeight.current = el.scrollHeight;
  }, [chat.state.messages.length, chat.state.pending.length]);

  const typingNames = Object.keys(chat.typing).map((id) => names.get(id) ?? 'Someone');
  const others = members.filter((m) => m.userId !== me.id);
  const readers = (message: Message) =>
    others.filter((m) => (chat.readSeqs[m.userId] ?? m.lastReadSeq ?? 0) >= message.seq).map((m) => m.name ?? 'Someone');
  const lastMine = [...topLevel].reverse().find((m) => m.authorId === me.id);

  if (chat.error)
    return (
      <section className="conversation-view">
        <p className="form-error">{chat.error.message}</p>
      </section>
    );

  return (
    <section className="conversation-view" aria-label={conversation ? conversationTitle(conversation, me.id) : 'Conversation'}>
      <header className="pane-head">
        <h2 className="truncate">
          {conversation ? conversationTitle(conversation, me.id) : 'Conversation'}
          {conversation?.muted && <span className="muted small muted-label"> (muted)</span>}
        </h2>
        {conversation && (
          <div className="conversation-actions">
            <button type="button" className="button link small" aria-expanded={panel === 'pins'} onClick={() => togglePanel('pins')}>
              Pinned{pins.pins.length > 0 ? ` (${pins.pins.length})` : ''}
            </button>
            {conversation.type === 'group' && (
              <button
                type="button"
                className="button link small"
                aria-expanded={panel === 'members'}
                onClick={() => togglePanel('members')}
              >
                Members ({conversation.members.length})
              </button>
            )}
            <button type="button" className="button link small" onClick={() => changeSettings({ muted: !conversation.muted })}>
              {conversation.muted ? 'Unmute' : 'Mute'}
            </button>
            <button type="button" className="button link small" onClick={() => changeSettings({ archived: !conversation.archived })}>
              {conversation.archived ? 'Unarchive' : 'Archive'}
            </button>
          </div>
        )}
        <ul className="presence" aria-label="Members">
          {others.map((m) => (
            <li key={m.userId} title={`${m.name ?? 'Someone'} is ${presence[m.userId] ?? 'offline'}`}>
              <span className={`dot ${presence[m.userId] === 'online' ? 'online' : 'offline'}`} aria-hidden="true" />
              <span className="small">{m.name}</span>
              <span className="visually-hidden"> {presence[m.userId] === 'online' ? 'online' : 'offline'}</span>
            </li>
          ))}
        </ul>
      </header>
      {actionError && (
        <p className="field-error conversation-action-error" role="alert">
          {actionError}
        </p>
      )}
      <div className="conversation-body">
        <div
          className="messages"
          ref={scroller}
          onScroll={(e) => {
            const el = e.currentTarget;
            stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
          }}
          role="log"
          aria-live="polite"
          aria-label="Messages"
          data-testid="messages"
        >
          <div ref={topSentinel} className="sentinel">
            {chat.loadingOlder
              ? 'Loading earlier messages…'
              : chat.state.nextCursor === null && chat.state.loadedOnce
                ? 'This is the beginning of the conversation.'
                : ''}
          </div>
          {topLevel.map((m) => (
            <MessageItem
              key={m.id}
              message={m}
              mine={m.authorId === me.id}
              authorName={names.get(m.authorId) ?? 'Someone'}
              replyCount={replies(m.id).length || m.replyCount || 0}
              pinned={pins.pinnedIds.has(m.id)}
              onPin={() => togglePin(m.id)}
              onReply={() => {
                setPanel(null);
                setThreadId(m.id);
                void chat.loadThread(m.id).catch(() => undefined);
              }}
              onEdit={(content) => chat.edit(m.id, content)}
              onDelete={() => chat.remove(m.id)}
              onReact={(emoji) => chat.react(m, emoji)}
              readBy={m === lastMine ? readers(m) : undefined}
              myId={me.id}
            />
          ))}
          {chat.state.pending
            .filter((p) => !p.parentId)
            .map((p) => (
              <PendingItem key={p.clientId} pending={p} authorName={me.name} onRetry={() => chat.retry(p.clientId)} />
            ))}
        </div>
        {threadRoot && (
          <aside className="thread" aria-label="Thread">
            <div className="pane-head">
              <h3>Thread</h3>
              <button type="button" className="button link small" onClick={() => setThreadId(null)}>
                Close
              </button>
            </div>
            <div className="messages">
              {[threadRoot, ...replies(threadRoot.id)].map((m) => (
                <MessageItem
                  key={m.id}
                  message={m}
                  mine={m.authorId === me.id}
                  authorName={names.get(m.authorId) ?? 'Someone'}
                  onEdit={(content) => chat.edit(m.id, content)}
                  onDelete={() => chat.remove(m.id)}
                  onReact={(emoji) => chat.react(m, emoji)}
                  myId={me.id}
                />
              ))}
              {chat.state.pending
                .filter((p) => p.parentId === threadRoot.id)
                .map((p) => (
                  <PendingItem key={p.clientId} pending={p} authorName={me.name} onRetry={() => chat.retry(p.clientId)} />
                ))}
            </div>
            <Composer
              label="Reply in thread"
              draftKey={draftKey(me.id, conversationId, threadRoot.id)}
              members={others}
              onSend={(content, attachments) => chat.send(content, { parentId: threadRoot.id, attachments })}
              onTyping={chat.setTyping}
            />
          </aside>
        )}
        {!threadRoot && panel === 'pins' && (
          <PinsPanel pins={pins.pins} names={names} onUnpin={(id) => void pins.unpin(id).catch(showError)} onClose={() => setPanel(null)} />
        )}
        {!threadRoot && panel === 'members' && conversation?.type === 'group' && (
          <MembersPanel conversation={conversation} onClose={() => setPanel(null)} />
        )}
      </div>
      <p className="typing" aria-live="polite">
        {typingNames.length === 1
          ? `${typingNames[0]} is typing…`
          : typingNames.length > 1
            ? `${typingNames.join(', ')} are typing…`
            : '\u00a0'}
      </p>
      <Composer
        label="Message"
        draftKey={draftKey(me.id, conversationId)}
        members={others}
        onSend={(content, attachments) => {
          stickToBottom.current = true;
          chat.send(content, { attachments });
        }}
        onTyping={chat.setTyping}
      />
    </section>
  );
}
