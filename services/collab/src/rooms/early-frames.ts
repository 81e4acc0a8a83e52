import { CollabCloseCodes } from '@flux/shared/constants';
import { CloseConnection } from './connection.js';

const MAX_FRAMES = 256;

/**
 * What a client sends while its admission (token, document, access) is still being decided: a
 * stock client sends sync step 1 and its awareness, a few bytes. Kept for when it joins, bounded
 * in count and bytes so a socket cannot make us buffer without limit before anything is checked.
 */
export class EarlyFrames {
  private readonly frames: Uint8Array[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Keeps a frame; throws CloseConnection (4529) past 256 frames or `maxBytes`. */
  push(frame: Uint8Array): void {
    this.bytes += frame.length;
    if (this.frames.length >= MAX_FRAMES || this.bytes > this.maxBytes)
      throw new CloseConnection(CollabCloseCodes.rateLimited, 'too much sent before joining');
    this.frames.push(frame);
  }

  /** The frames kept so far, in order; the buffer is empty afterwards. */
  take(): Uint8Array[] {
    this.bytes = 0;
    return this.frames.splice(0);
  }
}
