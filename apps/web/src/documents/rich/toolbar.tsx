import { type Editor, useEditorState } from '@tiptap/react';
import { useRef, useState } from 'react';
import type { FileInfo } from '@flux/shared';
import type { ApiClient } from '../../api/client.js';
import { ApiError } from '../../api/errors.js';

interface Props {
  editor: Editor;
  api: ApiClient;
  documentId: string;
  /** Opens a comment thread on the selection. */
  onComment: () => void;
}

type Command = (editor: Editor) => boolean;

interface Tool {
  label: string;
  text: string;
  run: Command;
  active?: (editor: Editor) => boolean;
}

const tools: Tool[][] = [
  [
    {
      label: 'Heading 1',
      text: 'H1',
      run: (e) => e.chain().focus().toggleHeading({ level: 1 }).run(),
      active: (e) => e.isActive('heading', { level: 1 }),
    },
    {
      label: 'Heading 2',
      text: 'H2',
      run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(),
      active: (e) => e.isActive('heading', { level: 2 }),
    },
    {
      label: 'Heading 3',
      text: 'H3',
      run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run(),
      active: (e) => e.isActive('heading', { level: 3 }),
    },
  ],
  [
    { label: 'Bold', text: 'B', run: (e) => e.chain().focus().toggleBold().run(), active: (e) => e.isActive('bold') },
    { label: 'Italic', text: 'I', run: (e) => e.chain().focus().toggleItalic().run(), active: (e) => e.isActive('italic') },
    { label: 'Inline code', text: '</>', run: (e) => e.chain().focus().toggleCode().run(), active: (e) => e.isActive('code') },
  ],
  [
    {
      label: 'Bulleted list',
      text: '• List',
      run: (e) => e.chain().focus().toggleBulletList().run(),
      active: (e) => e.isActive('bulletList'),
    },
    {
      label: 'Numbered list',
      text: '1. List',
      run: (e) => e.chain().focus().toggleOrderedList().run(),
      active: (e) => e.isActive('orderedList'),
    },
    { label: 'Checklist', text: 'Tasks', run: (e) => e.chain().focus().toggleTaskList().run(), active: (e) => e.isActive('taskList') },
    { label: 'Quote', text: '❝', run: (e) => e.chain().focus().toggleBlockquote().run(), active: (e) => e.isActive('blockquote') },
    { label: 'Code block', text: '{ }', run: (e) => e.chain().focus().toggleCodeBlock().run(), active: (e) => e.isActive('codeBlock') },
  ],
];

const tableTools: Tool[] = [
  { label: 'Add row', text: '+ Row', run: (e) => e.chain().focus().addRowAfter().run() },
  { label: 'Add column', text: '+ Column', run: (e) => e.chain().focus().addColumnAfter().run() },
  { label: 'Delete row', text: '− Row', run: (e) => e.chain().focus().deleteRow().run() },
  { label: 'Delete column', text: '− Column', run: (e) => e.chain().focus().deleteColumn().run() },
  { label: 'Delete table', text: '✕ Table', run: (e) => e.chain().focus().deleteTable().run() },
];

/** Formatting for the rich-text editor; shown to writers only. */
export function Toolbar({ editor, api, documentId, onComment }: Props) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<string | null>(null);
  // Re-rendered on selection changes only with what the buttons show.
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      active: tools.flat().map((tool) => tool.active?.(e) ?? false),
      link: e.isActive('link'),
      inTable: e.isActive('table'),
      empty: e.state.selection.empty,
    }),
  });

  const setLink = () => {
    const current = editor.getAttributes('link').href as string | undefined;
    const href = window.prompt('Link address (https://…)', current ?? 'https://');
    if (href === null) return;
    const chain = editor.chain().focus().extendMarkRange('link');
    if (href.trim() === '') chain.unsetLink().run();
    else if (!chain.setLink({ href: href.trim() }).run()) setStatus('That link address is not allowed.');
  };

  const upload = async (file: File) => {
    const form = new FormData();
    // Before the file: the server reads the fields that precede the file part.
    form.append('documentId', documentId);
    form.append('file', file);
    setStatus(`Uploading ${file.name}…`);
    try {
      const uploaded = await api.upload<FileInfo>('/api/files', form, (p) => setStatus(`Uploading ${file.name}… ${Math.round(p * 100)}%`));
      if (!uploaded.mimeType.startsWith('image/')) {
        setStatus(`${file.name} is not an image.`);
        return;
      }
      // A paragraph after it, so typing goes on below the image instead of replacing it.
      const image = { type: 'image', attrs: { src: uploaded.url, alt: uploaded.name } };
      editor
        .chain()
        .focus()
        .insertContent([image, { type: 'paragraph' }])
        .run();
      setStatus(null);
    } catch (error) {
      setStatus(error instanceof ApiError ? error.message : 'Could not upload that image.');
    }
  };

  const button = (tool: Tool, active = false) => (
    <button
      key={tool.label}
      type="button"
      className="tool"
      title={tool.label}
      aria-pressed={tool.active ? active : undefined}
      onMouseDown={(event) => event.preventDefault()}
      onClick={() => tool.run(editor)}
    >
      {/* Named by the hidden words, not an aria-label: a label must contain the visible text (H1, Tasks…). */}
      <span aria-hidden="true">{tool.text}</span>
      <span className="visually-hidden">{tool.label}</span>
    </button>
  );

  let index = 0;
  return (
    <div className="editor-toolbar" role="toolbar" aria-label="Formatting">
      {tools.map((group) => (
        <div className="tool-group" key={group[0]?.label}>
          {group.map((tool) => button(tool, state.active[index++]))}
        </div>
      ))}
      <div className="tool-group">
        <button type="button" className="tool" aria-label="Link" title="Link" aria-pressed={state.link} onClick={setLink}>
          Link
        </button>
        <button type="button" className="tool" aria-label="Insert image" title="Insert image" onClick={() => fileInput.current?.click()}>
          Image
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          hidden
          data-testid="image-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void upload(file);
          }}
        />
        <button
          type="button"
          className="tool"
          aria-label="Insert table"
          title="Insert table"
          onClick={() => editor.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()}
        >
          Table
        </button>
        {state.inTable && tableTools.map((tool) => button(tool))}
      </div>
      <div className="tool-group">
        <button type="button" className="tool" aria-label="Comment on the selection" disabled={state.empty} onClick={onComment}>
          Comment
        </button>
      </div>
      {status && (
        <span className="muted small" role="status">
          {status}
        </span>
      )}
    </div>
  );
}
