// The admin console's build (src/web → dist/web), run by `npm run build` after tsc. The server
// serves dist/web at /console (src/http/console-routes.ts), so every URL is under /console/.
// No inline script or style may come out of it: the console runs under a CSP without
// 'unsafe-inline' (the module-preload polyfill would be one, so it is off; every browser the
// console targets supports modulepreload).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    modulePreload: { polyfill: false },
    // Inlined assets would be data: URLs in CSS; keep every asset a file of its own.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
