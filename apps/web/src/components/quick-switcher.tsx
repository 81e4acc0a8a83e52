import type { Page, Person, Project } from '@flux/shared';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { useAuth } from '../auth/auth-context.js';
import { conversationTitle } from '../conversations/conversation-title.js';
import { useConversations } from '../conversations/messaging-context.js';
import type { DocumentInfo } from '../documents/types.js';
import { useWorkspace } from '../orgs/workspace-context.js';
import { navigate } from '../router.js';

interface Item {
  kind: 'Conversation' | 'Document' | 'Project' | 'Organization' | 'Person';
  label: string;
  detail?: string;
  to: string;
}

const maxShown = 50;
/** Documents are listed per project: the switcher looks into this many projects at most. */
const maxProjectsSearched = 30;

/**
 * Ctrl/⌘-K: jump to any conversation, document, project, organization or person by typing part of its
 * name. A modal <dialog> (focus kept inside, Escape closes) holding an ARIA 1.2 combobox + listbox.
 */
export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const items = useSwitcherItems();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const optionId = (index: number) => `${listId}-option-${index}`;

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const shown = useMemo(() => filter(items, query), [items, query]);
  const selected = Math.min(active, shown.length - 1);

  const go = (item: Item | undefined) => {
    if (!item) return;
    onClose();
    navigate(item.to);
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes it; Escape is the keyboard's way (native to <dialog>)
    <dialog
      ref={dialog}
      className="switcher"
      aria-label="Quick switcher"
      onClose={onClose}
      onClick={(event) => {
        if (event.target === dialog.current) dialog.current.close();
      }}
    >
      <input
        className="switcher-input"
        role="combobox"
        aria-label="Go to"
        aria-expanded="true"
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={selected >= 0 ? optionId(selected) : undefined}
        placeholder="Go to a conversation, document, project…"
        autoComplete="off"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') setActive((selected + 1) % Math.max(shown.length, 1));
          else if (event.key === 'ArrowUp') setActive((selected - 1 + shown.length) % Math.max(shown.length, 1));
          else if (event.key === 'Enter') go(shown[selected]);
          else return;
          event.preventDefault();
        }}
      />
      <div className="switcher-list" role="listbox" id={listId} aria-label="Results">
        {shown.map((item, index) => (
          // Focus stays in the input (aria-activedescendant); -1 only makes the option focusable by script.
          <div
            key={`${item.kind}:${item.to}`}
            id={optionId(index)}
            role="option"
            tabIndex={-1}
            aria-selected={index === selected}
            onMouseMove={() => setActive(index)}
            onMouseDown={(event) => {
              event.preventDefault();
              go(item);
            }}
            ref={index === selected ? (node) => node?.scrollIntoView({ block: 'nearest' }) : undefined}
          >
            <span className="switcher-kind">{item.kind}</span>
            <span className="truncate">{item.label}</span>
            {item.detail && <span className="muted small truncate">{item.detail}</span>}
          </div>
        ))}
      </div>
      {shown.length === 0 && <p className="switcher-empty muted">Nothing matches “{query}”. Try another word.</p>}
      <p className="switcher-hint muted small" aria-hidden="true">
        ↑↓ to move · Enter to open · Esc to close
      </p>
    </dialog>
  );
}

/** Names matching the query (case-insensitive), those starting with it first. */
function filter(items: Item[], query: string): Item[] {
  const q = query.trim().toLowerCase();
  if (!q) return items.slice(0, maxShown);
  const hits = items.filter((item) => item.label.toLowerCase().includes(q));
  const starts = hits.filter((item) => item.label.toLowerCase().startsWith(q));
  return [...starts, ...hits.filter((item) => !starts.includes(item))].slice(0, maxShown);
}

/** What one can jump to: what the app already holds, plus every organization's projects and documents, and people. */
function useSwitcherItems(): Item[] {
  const api = useApi();
  const { user } = useAuth();
  const { organizations } = useWorkspace();
  const { conversations } = useConversations();
  const [loaded, setLoaded] = useState<Item[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    const get = <T,>(path: string) =>
      api.get<Page<T>>(path, controller.signal).then(
        (page) => page.items,
        () => [] as T[],
      );
    void (async () => {
      const people = (await get<Person>('/api/users?limit=50'))
        .filter((person) => person.id !== user?.id)
        .map((person): Item => ({ kind: 'Person', label: person.name, to: `/people/${person.id}` }));
      const perOrganization = await Promise.all(
        organizations.map(async (o) => (await get<Project>(`/api/projects?organizationId=${o.id}`)).map((p) => ({ p, o }))),
      );
      const projects = perOrganization.flat();
      const projectItems: Item[] = projects.map(({ p, o }) => ({
        kind: 'Project',
        label: p.name,
        detail: o.name,
        to: `/projects/${p.id}`,
      }));
      if (!controller.signal.aborted) setLoaded([...projectItems, ...people]);
      const documents = await Promise.all(
        projects
          .slice(0, maxProjectsSearched)
          .map(async ({ p }) =>
            (await get<DocumentInfo>(`/api/documents?projectId=${p.id}`)).map(
              (d): Item => ({ kind: 'Document', label: d.title, detail: p.name, to: `/documents/${d.id}` }),
            ),
          ),
      );
      if (!controller.signal.aborted) setLoaded([...documents.flat(), ...projectItems, ...people]);
    })();
    return () => controller.abort();
  }, [api, organizations, user?.id]);

  return useMemo(
    () => [
      ...conversations.map((c): Item => ({ kind: 'Conversation', label: conversationTitle(c, user?.id), to: `/conversations/${c.id}` })),
      ...loaded,
      ...organizations.map((o): Item => ({ kind: 'Organization', label: o.name, to: `/orgs/${o.id}` })),
    ],
    [conversations, loaded, organizations, user?.id],
  );
}
