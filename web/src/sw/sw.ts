/// <reference lib="webworker" />
/**
 * Dropline's service worker (docs/architecture.md, "Offline and install"). It precaches the app shell that
 * vite-plugin-pwa lists into `self.__WB_MANIFEST` at build time, so the app opens with no network, and answers
 * every navigation to the app (the send view `/`, the library `/library`, a share link `/r/…`) with that cached shell. Nothing else is
 * routed: the signaling socket and /healthz always go to the network, and files never pass through here.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// The signaler answers `/`, `/library` and `/r/:room` with the same index.html; offline, the precached copy stands in for each.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { allowlist: [/^\/$/, /^\/library$/, /^\/r\/[^/]+$/] }));

// A new version waits until the page says the person chose to reload (the update prompt, docs/architecture.md):
// taking over on its own would swap the code under a transfer in progress.
self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
