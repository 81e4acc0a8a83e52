import { AppError } from '@flux/shared';
import sharp from 'sharp';

/** Avatars are stored (and served) as one square WebP this many pixels wide. */
export const AVATAR_SIZE = 256;
/** An upload larger than this is refused before decoding. */
export const MAX_AVATAR_BYTES = 5 * 1024 * 1024;
/** A decompression bomb (a small file of huge dimensions) is refused before its pixels are decoded. */
const MAX_INPUT_PIXELS = 40_000_000;

/**
 * Decodes an uploaded image (JPEG, PNG, WebP, GIF, AVIF, TIFF: whatever libvips reads), turns it
 * upright from its EXIF orientation, crops it to a centred square, resizes it and re-encodes it as
 * WebP. Re-encoding drops every metadata block (EXIF location included) and anything that is not
 * pixels, so the stored file is safe to serve as an image. Anything sharp cannot decode is a 415.
 */
export async function toAvatar(input: Buffer): Promise<Buffer> {
  try {
    return await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false })
      .rotate()
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'attention' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch (err) {
    throw new AppError('unsupported_media_type', 415, 'The file is not an image we can read (JPEG, PNG, WebP, GIF or AVIF).', {
      reason: err instanceof Error ? err.message : String(err),
    });
  }
}
