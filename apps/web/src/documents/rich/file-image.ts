import Image from '@tiptap/extension-image';
import type { ApiClient } from '../../api/client.js';

/**
 * Images live in the files API (`/api/files/:id`, stored as the node's `src`), which answers only
 * with the bearer token an <img src> cannot send: the node view fetches the bytes into a blob: URL.
 */
export const fileImage = (api: ApiClient) =>
  Image.extend({
    addNodeView() {
      return ({ node }) => {
        const img = document.createElement('img');
        img.alt = node.attrs.alt ?? '';
        img.className = 'doc-image';
        let url: string | null = null;
        let dropped = false;
        const src = String(node.attrs.src ?? '');
        if (src.startsWith('/api/files/')) {
          img.dataset.loading = 'true';
          api
            .blob(src)
            .then((blob) => {
              if (dropped) return;
              url = URL.createObjectURL(blob);
              img.src = url;
              delete img.dataset.loading;
            })
            .catch(() => {
              img.alt = `${img.alt} (could not load the image)`;
              img.dataset.failed = 'true';
            });
        }
        return {
          dom: img,
          destroy() {
            dropped = true;
            if (url) URL.revokeObjectURL(url);
          },
        };
      };
    },
  });
