import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

/** The console: a static app (web/dist) that talks only to the public HTTP API. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small entry; the budget test measures its gzip size (first load ≤ 200 KB).
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
