import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.js';
import type { Attachment } from './types.js';

/**
 * Files are served only with the bearer token, which an <img src> cannot send: images are
 * fetched into a blob: URL (allowed by the CSP), other files download on click.
 */
export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const api = useApi();
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const image = attachment.mimeType.startsWith('image/');

  useEffect(() => {
    if (!image) return;
    let url: string | null = null;
    let cancelled = false;
    api
      .blob(attachment.url)
      .then((blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setSrc(url);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, attachment.url, image]);

  const download = async () => {
    try {
      const url = URL.createObjectURL(await api.blob(attachment.url));
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setFailed(true);
    }
  };

  if (image && src) return <img src={src} alt={attachment.name} className="attachment-image" />;
  return (
    <button type="button" className="attachment-file" onClick={download}>
      📎 {attachment.name} <span className="muted small">({formatSize(attachment.size)})</span>
      {failed && <span className="field-error"> — could not load</span>}
    </button>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
