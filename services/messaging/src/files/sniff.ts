import { fileTypeFromBuffer } from 'file-type';

/**
 * The media type from the bytes, never from the client's claim: a recognised binary format,
 * else UTF-8 text without NULs as text/plain, else application/octet-stream.
 */
export async function sniffMimeType(head: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  if (detected) return detected.mime;
  if (head.includes(0)) return 'application/octet-stream';
  try {
    // stream: true tolerates a character cut in half at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'text/plain; charset=utf-8';
  } catch {
    return 'application/octet-stream';
  }
}
