import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../apps/web/dist/', import.meta.url));

/** The JavaScript a first visit downloads before anything renders: the entry and its preloads. */
function initialScripts(): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((m) => m[1]!);
  const preloads = [...html.matchAll(/<link rel="modulepreload"[^>]+href="([^"]+\.js)"/g)].map((m) => m[1]!);
  return [...entry, ...preloads];
}

describe('web: bundle', () => {
  it('keeps the initial JavaScript at most 200 KB gzipped, with heavy routes split off', () => {
    const scripts = initialScripts();
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((sum, src) => sum + gzipSync(readFileSync(join(dist, src))).length, 0);
    console.log(`initial JS: ${scripts.length} files, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
    // The editor (Tiptap, ProseMirror) and Yjs live in the document route's chunk, not in what every page loads.
    const initial = scripts.map((src) => readFileSync(join(dist, src), 'utf8')).join('\n');
    expect(initial).not.toContain('collaboration-carets');
    expect(initial).not.toContain('ProseMirror-hideselection');
    expect(initial).not.toMatch(/y-websocket|WebsocketProvider/);
  });

  it('carries no TypeBox in any chunk: the web takes values only from @flux/shared/constants', () => {
    const chunks = readdirSync(join(dist, 'assets')).filter((file) => file.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(0);
    // TypeBox tags every schema with this symbol; a value import from '@flux/shared' brings it in.
    for (const file of chunks) expect(readFileSync(join(dist, 'assets', file), 'utf8'), file).not.toContain('TypeBox.Kind');
  });

  it('ships no inline scripts (the CSP allows only same-origin script files)', () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
