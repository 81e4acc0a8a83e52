import { useEffect } from 'react';

/** The tab's title for the screen on show, so tabs and history entries say where they lead. */
export function useDocumentTitle(title: string | null | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · FluxStudio` : 'FluxStudio';
  }, [title]);
}
