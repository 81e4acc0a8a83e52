// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageMarkdown } from './markdown.js';

const html = (content: string) => render(<MessageMarkdown content={content} />).container;

describe('message Markdown', () => {
  afterEach(cleanup);

  it('renders the chat subset: bold, italic, strikethrough, code, code blocks, lists, quotes, line breaks', () => {
    const el = html('**bold** _italic_ ~~gone~~ `x < y`\nnext line\n\n```js\nconst a = 1;\n```\n\n- one\n- two\n\n1. first\n\n> quoted');
    expect(el.querySelector('strong')?.textContent).toBe('bold');
    expect(el.querySelector('em')?.textContent).toBe('italic');
    expect(el.querySelector('del')?.textContent).toBe('gone');
    expect(el.querySelector('p > code')?.textContent).toBe('x < y');
    expect(el.querySelector('p br')).not.toBeNull();
    expect(el.querySelector('pre > code.language-js')?.textContent).toBe('const a = 1;\n');
    expect([...el.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(el.querySelector('ol > li')?.textContent).toBe('first');
    expect(el.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
  });

  it('makes links, written or bare, open in a new tab with rel="noopener noreferrer"', () => {
    const el = html('see [the brief](https://example.com/brief) or https://flux.example/x');
    const links = [...el.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/brief', 'https://flux.example/x']);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    }
  });

  it('shows raw HTML as text and never creates script, iframe or event handler attributes', () => {
    const el = html(
      '<script>alert(1)</script> <img src=x onerror=alert(2)> <b onclick="x()">b</b>\n\n<iframe src="https://evil.example"></iframe>',
    );
    expect(el.querySelector('script, iframe, img, b, [onerror], [onclick]')).toBeNull();
    expect(el.textContent).toContain('<script>alert(1)</script>');
    expect(el.textContent).toContain('<iframe src="https://evil.example"></iframe>');
  });

  it('drops javascript:, data: and vbscript: URLs from links', () => {
    const el = html('[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) [c](vbscript:msgbox) [d](JaVaScRiPt:alert(1))');
    for (const a of el.querySelectorAll('a')) {
      const href = a.getAttribute('href') ?? '';
      expect(href).not.toMatch(/^\s*(javascript|data|vbscript):/i);
    }
    expect(el.textContent).toContain('a b c d');
  });

  it('does not load images: an image becomes a link to it', () => {
    const el = html('![the logo](https://example.com/logo.png) ![](javascript:alert(1))');
    expect(el.querySelector('img')).toBeNull();
    const link = el.querySelector('a');
    expect(link?.getAttribute('href')).toBe('https://example.com/logo.png');
    expect(link?.textContent).toBe('the logo');
    expect(el.querySelectorAll('a')).toHaveLength(1);
  });

  it('highlights @mentions in text, also inside emphasis, but not in code, links or email addresses', () => {
    const el = html('hi @ada and **@Bob Smith**, see `@notme` and [@link](https://x.example) or mail me@ada.example. @ada.l.');
    expect([...el.querySelectorAll('mark.mention')].map((m) => m.textContent)).toEqual(['@ada', '@Bob', '@ada.l']);
    expect(el.querySelector('code mark, a mark')).toBeNull();
  });

  it('keeps headings and tables readable without headings taking over the chat', () => {
    const el = html('# Big title\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(el.querySelector('h1')).toBeNull();
    expect(el.textContent).toContain('Big title');
    expect(el.querySelector('table td')?.textContent).toBe('1');
  });
});
