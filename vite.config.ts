import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { webAppManifest } from './web/web-app-manifest.ts';
import { messageCompilerOptions } from './web/src/i18n/compiler-options.ts';

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev`: the signaler runs separately (npm run serve) and Vite forwards to it.
    proxy: { '/ws': { target: 'ws://localhost:8787', ws: true }, '/api': 'http://localhost:8787' },
  },
  plugins: [
    paraglideVitePlugin({ ...messageCompilerOptions, strategy: [...messageCompilerOptions.strategy] }),
    svelte(),
    VitePWA({
      // Our own service worker (web/src/sw/), bundled by the plugin with the precache list injected: workbox's
      // generated worker could not take the share target's POST (docs/architecture.md, "Offline and install").
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      // The page registers it itself (web/src/app/service-worker.ts) and asks before a new version takes over.
      injectRegister: false,
      registerType: 'prompt',
      manifest: webAppManifest,
      manifestFilename: 'manifest.webmanifest',
      injectManifest: {
        // The app shell: code, styles, the page and the icons. The manifest's screenshots are only for the
        // install dialog, so they stay out of every installed copy.
        globPatterns: ['**/*.{js,css,html,svg,woff2}', 'icons/*.png'],
      },
    }),
  ]
});
