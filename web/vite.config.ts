// Vite builds the web UI into web/dist, which the HTTP server serves at `/` (src/http/routes/web.ts).
// `npm run dev:web` proxies the API to an `inboxd serve` on the default port.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // one entry chunk: the polyfill would only add bytes
    modulePreload: { polyfill: false },
    // files, never data: URLs, so the page's CSP stays narrow
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8025',
      '/ws': { target: 'ws://127.0.0.1:8025', ws: true },
    },
  },
});
