import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development, the Vite server proxies the API to the local nginx gateway (`./flux up`).
const gateway = process.env.FLUX_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: true },
  server: {
    proxy: {
      '/api': gateway,
      '/socket.io': { target: gateway, ws: true },
      '/collab': { target: gateway, ws: true },
    },
  },
});
