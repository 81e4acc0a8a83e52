import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.js';

/** One or two letters for someone without a picture. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase() || '?';
}

/**
 * Object URLs by avatar URL. An avatar URL names its version (`?v=`), so its bytes never change:
 * one fetch per page load (and the browser's HTTP cache, told `immutable`, serves even that).
 */
const loaded = new Map<string, Promise<string>>();

function objectUrl(fetchBlob: (path: string) => Promise<Blob>, url: string): Promise<string> {
  let hit = loaded.get(url);
  if (!hit) {
    hit = fetchBlob(url).then((blob) => URL.createObjectURL(blob));
    // A failure is not kept: the next render may try again.
    hit.catch(() => loaded.delete(url));
    loaded.set(url, hit);
  }
  return hit;
}

/**
 * A person's avatar, or their initials while it loads or when they have none. The image needs the
 * bearer token, which an <img src> cannot send: it is fetched into a blob: URL (allowed by the CSP).
 */
export function Avatar({ name, avatarUrl, size = 'small' }: { name: string; avatarUrl: string | null; size?: 'small' | 'large' }) {
  const api = useApi();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    setSrc(null);
    if (!avatarUrl) return;
    let cancelled = false;
    objectUrl((path) => api.blob(path), avatarUrl).then(
      (url) => !cancelled && setSrc(url),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, avatarUrl]);
  const className = `avatar people-avatar ${size === 'large' ? 'people-avatar-large' : ''}`;
  if (src) return <img className={className} src={src} alt="" data-avatar-loaded="true" />;
  return (
    <span className={className} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
