/**
 * The dashboard build: `vite build ui` (part of `npm run build`) writes dist/ui, which the API
 * process serves at /ui/ (src/http/ui.ts). Preact through the automatic JSX runtime, no plugin.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    // The service serves index.html for every /ui/ path: a CSP of 'self' needs no inline script.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
