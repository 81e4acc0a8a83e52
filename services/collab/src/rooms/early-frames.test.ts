import { CollabCloseCodes } from '@flux/shared/constants';
import { describe, expect, it } from 'vitest';
import { CloseConnection } from './connection.js';
import { EarlyFrames } from './early-frames.js';

const closeCodeOf = (fn: () => void): number | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CloseConnection) return err.code;
    throw err;
  }
  return undefined;
};

describe('EarlyFrames', () => {
  it('keeps up to 256 frames in order and refuses the next with 4529', () => {
    const early = new EarlyFrames(1024 * 1024);
    for (let i = 0; i < 256; i++) early.push(Uint8Array.of(i % 256));
    expect(closeCodeOf(() => early.push(Uint8Array.of(0)))).toBe(CollabCloseCodes.rateLimited);
    expect(early.take().map((frame) => frame[0])).toEqual(Array.from({ length: 256 }, (_, i) => i % 256));
  });

  it('refuses with 4529 the frame that takes it past its byte budget', () => {
    const early = new EarlyFrames(100_000);
    early.push(new Uint8Array(60_000));
    expect(closeCodeOf(() => early.push(new Uint8Array(60_000)))).toBe(CollabCloseCodes.rateLimited);
    expect(early.take()).toHaveLength(1);
  });
});
