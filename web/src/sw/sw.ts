/// <reference lib="webworker" />
/**
 * Dropline's service worker (docs/architecture.md, "Offline and install"). It precaches the app shell that
 * vite-plugin-pwa lists into `self.__WB_MANIFEST` at build time, so the app opens with no network, and answers
 * every navigation to the app (the send view `/`, the library `/library`, a share link `/r/…`) with that cached shell. Nothing else is
 * routed but the share target's POST: the signaling socket and /healthz always go to the network, and transferred
 * files never pass through here.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { SHARED_PARAM, SHARE_TARGET_PATH } from '../share/shared-arrival.ts';
import { keepShared, sharedItemsOf } from '../storage/shared-inbox.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// The signaler answers `/`, `/library` and `/r/:room` with the same index.html; offline, the precached copy stands in for each.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { allowlist: [/^\/$/, /^\/library$/, /^\/r\/[^/]+$/] }));

// The share target (web/web-app-manifest.ts): the shared files are kept in IndexedDB and the send view opens
// with their id, and takes them as if they had been picked. 303, so the browser follows with a GET.
registerRoute(
  ({ url }) => url.pathname === SHARE_TARGET_PATH,
  async ({ request }) => {
    const id = await keepShared(sharedItemsOf(await request.formData()));
    return Response.redirect(`/?${SHARED_PARAM}=${encodeURIComponent(id)}`, 303);
  },
  'POST',
);

// The first version takes the pages that loaded it at once, so a share right after install reaches this worker.
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// A new version waits until the page says the person chose to reload (the update prompt, docs/architecture.md):
// taking over on its own would swap the code under a transfer in progress.
self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// A "transfer finished" notice (app/finished-notice.ts) brings back the tab that showed it, or opens its page
// again if that tab was closed meanwhile.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: unknown } | null)?.url;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = tabs.find((client) => client.url === url) ?? tabs[0];
      if (tab) await tab.focus();
      else if (typeof url === 'string') await self.clients.openWindow(url);
    })(),
  );
});
