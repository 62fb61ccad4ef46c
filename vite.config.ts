import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

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
    svelte(),
    VitePWA({
      // The service worker, manifest and share target are built out in the PWA issue;
      // registering the plugin now keeps the build shape stable.
      injectRegister: false,
      manifest: false,
      selfDestroying: false,
      registerType: 'prompt',
      disable: true,
    }),
  ]
});
