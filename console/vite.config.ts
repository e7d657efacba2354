// The console is built on its own (root console/) into console/dist, which the
// control plane serves at `/`. Hashed file names let those assets be cached for good.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${root}dist`,
    emptyOutDir: true,
    // Vite prints each chunk's gzipped size; the initial chunk must stay <= 250 KB gzipped.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 800,
    assetsDir: 'assets',
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3100' } },
});
