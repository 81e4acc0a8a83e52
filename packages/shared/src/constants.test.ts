import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AppError,
  ClientToServerEventNames,
  CollabCloseCodes,
  ErrorCodes,
  isErrorBody,
  isErrorCode,
  ServerToClientEventNames,
} from './index.js';

describe('@flux/shared/constants', () => {
  it('imports nothing at run time, so the web can load it without TypeBox', () => {
    const source = readFileSync(new URL('./constants.ts', import.meta.url), 'utf8');
    const imports = source.split('\n').filter((line) => /^\s*(import|export)\b.*\bfrom\b/.test(line));
    expect(imports.length).toBeGreaterThan(0);
    for (const line of imports) expect(line).toMatch(/^import type /);
  });

  it('lists every error code once, and only those', () => {
    expect(new Set(ErrorCodes).size).toBe(ErrorCodes.length);
    expect(isErrorCode('conversation_gone')).toBe(false);
    expect(isErrorCode(404)).toBe(false);
    for (const code of ['validation_error', 'bad_request', 'slug_taken', 'client_id_reused', 'network_error'])
      expect(isErrorCode(code)).toBe(true);
  });

  it('recognises the error envelope', () => {
    expect(isErrorBody(AppError.notFound('Conversation').toBody())).toBe(true);
    expect(isErrorBody({ error: { code: 'not_found' } })).toBe(false);
    expect(isErrorBody({ error: 'not_found' })).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });

  it('names every Socket.IO event, conversation:removed included', () => {
    expect([...ServerToClientEventNames].sort()).toEqual([
      'conversation:new',
      'conversation:removed',
      'conversation:updated',
      'message:deleted',
      'message:new',
      'message:pinned',
      'message:unpinned',
      'message:updated',
      'notification:new',
      'presence',
      'reaction:updated',
      'read',
      'session:revoked',
      'typing',
    ]);
    expect([...ClientToServerEventNames].sort()).toEqual(['message:read', 'message:send', 'sync', 'typing']);
  });

  it('keeps the collab close codes the y-websocket client depends on', () => {
    // 4400–4499 stop the stock client's reconnect loop; the others must not.
    expect(CollabCloseCodes.unauthorized).toBe(4401);
    expect(CollabCloseCodes.forbidden).toBe(4403);
    expect(CollabCloseCodes.rateLimited).not.toBeLessThan(4500);
  });
});
