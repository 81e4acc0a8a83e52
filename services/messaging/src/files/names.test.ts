import { describe, expect, it } from 'vitest';
import { contentDisposition, sanitizeFileName } from './names.js';

describe('sanitizeFileName', () => {
  it('drops paths, control and bidi characters and leading dots', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(sanitizeFileName('evil\u202Etxt.exe')).toBe('eviltxt.exe');
    expect(sanitizeFileName('a\nb\u0000c.txt')).toBe('abc.txt');
    expect(sanitizeFileName('.hidden')).toBe('hidden');
    expect(sanitizeFileName('what?<>.txt')).toBe('what___.txt');
  });

  it('falls back to "file" and keeps the extension when shortening', () => {
    expect(sanitizeFileName('')).toBe('file');
    expect(sanitizeFileName(undefined)).toBe('file');
    expect(sanitizeFileName('...')).toBe('file');
    const long = sanitizeFileName(`${'x'.repeat(300)}.png`);
    expect(long).toHaveLength(200);
    expect(long.endsWith('.png')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('résumé "v2".pdf')).toBe(
      `attachment; filename="r_sum_ _v2_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.pdf`,
    );
  });
});
