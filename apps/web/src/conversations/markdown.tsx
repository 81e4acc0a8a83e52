import { findAndReplace } from 'mdast-util-find-and-replace';
import Markdown, { type Components } from 'react-markdown';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import remarkBreaks from 'remark-breaks';
import remarkGfm from 'remark-gfm';
import { visit } from 'unist-util-visit';

/**
 * A message's Markdown: the subset a chat needs (bold, italic, strikethrough, code, code blocks,
 * lists, quotes, links, tables). Rendered as React elements, never as an HTML string: raw HTML in
 * a message shows as its text (react-markdown without rehype-raw), `javascript:` and other unsafe
 * URLs are dropped (its urlTransform), and rehype-sanitize keeps only the elements and attributes
 * listed here. Images are not loaded (a message cannot make every reader fetch a URL): they show
 * as a link to the image. `@name` is highlighted as a mention, except inside code and links.
 */

const allowed = [
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'hr',
  'mark',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'img',
];

const schema = {
  ...defaultSchema,
  tagNames: allowed,
  attributes: {
    ...defaultSchema.attributes,
    mark: [['className', 'mention']],
    code: [['className', /^language-[\w-]+$/]],
  },
};

/** As the server matches mentions: `@` after a non-word character, then a name (dots inside, not at the end). */
const MENTION = /(?<![\p{L}\p{N}_])@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*/gu;

type Tree = Parameters<typeof findAndReplace>[0];

/** Wraps `@name` in `<mark class="mention">`: an emphasis node renamed (`data.hName`) when it becomes HTML. */
function remarkMentions() {
  return (tree: Tree) =>
    findAndReplace(
      tree,
      [
        MENTION,
        (value: string) => ({
          type: 'emphasis',
          children: [{ type: 'text', value }],
          data: { hName: 'mark', hProperties: { className: ['mention'] } },
        }),
      ],
      { ignore: ['link', 'linkReference'] },
    );
}

/**
 * Raw HTML in a message is text the author typed: it becomes a text node here, before anything
 * could treat it as markup (a block of it becomes a paragraph of its text).
 */
function remarkHtmlAsText() {
  return (tree: Tree) =>
    visit(tree, 'html', (node, index, parent) => {
      if (!parent || index === undefined) return;
      const text = { type: 'text' as const, value: node.value };
      const block = parent.type === 'root' || parent.type === 'blockquote' || parent.type === 'listItem';
      (parent.children as unknown[]).splice(index, 1, block ? { type: 'paragraph', children: [text] } : text);
    });
}

const components: Components = {
  a: ({ node: _node, href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
  img: ({ node: _node, src, alt }) =>
    typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt || src}
      </a>
    ) : (
      (alt ?? null)
    ),
};

export function MessageMarkdown({ content }: { content: string }) {
  return (
    <div className="message-content markdown">
      <Markdown
        remarkPlugins={[remarkGfm, remarkBreaks, remarkHtmlAsText, remarkMentions]}
        rehypePlugins={[[rehypeSanitize, schema]]}
        allowedElements={allowed}
        unwrapDisallowed
        components={components}
      >
        {content}
      </Markdown>
    </div>
  );
}
