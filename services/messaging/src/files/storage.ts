import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredObject {
  key: string;
  size: number;
  /** The first bytes, for sniffing the type. */
  head: Buffer;
}

/** Where file bytes live; a local folder today, an S3-compatible store can implement the same. */
export interface FileStorage {
  /** Streams `body` in; the object exists under `key` only once the stream ended without error. */
  put(body: Readable): Promise<StoredObject>;
  get(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
}

const HEAD_BYTES = 4100; // what file-type needs to recognise every format it knows

/** Counts bytes and keeps the first few while they stream through. */
class Sniffer extends Transform {
  size = 0;
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.size += chunk.length;
    if (this.kept < HEAD_BYTES) {
      this.chunks.push(chunk.subarray(0, HEAD_BYTES - this.kept));
      this.kept += Math.min(chunk.length, HEAD_BYTES - this.kept);
    }
    this.push(chunk);
    callback();
  }

  get head(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export class LocalFileStorage implements FileStorage {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    return join(this.root, key);
  }

  async put(body: Readable): Promise<StoredObject> {
    const id = randomUUID();
    // Two levels of fan-out keep directories small.
    const key = `${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`;
    const final = this.path(key);
    const partial = `${final}.part`;
    await mkdir(dirname(final), { recursive: true });
    const sniffer = new Sniffer();
    try {
      await pipeline(body, sniffer, createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, final);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return { key, size: sniffer.size, head: sniffer.head };
  }

  async get(key: string): Promise<Readable> {
    await stat(this.path(key)); // a missing file fails here, before any header is sent
    return createReadStream(this.path(key));
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
