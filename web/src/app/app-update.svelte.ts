import { Workbox } from 'workbox-window';

/**
 * Registers the service worker (web/src/sw/sw.ts) and says when a new version of the app is waiting. The new
 * worker takes over only when the person chooses to reload, never under a transfer in progress
 * (docs/architecture.md, "Offline and install").
 */
export class AppUpdate {
  /** A new version is installed and waits for a reload. */
  ready = $state(false);
  readonly #workbox: Workbox | undefined;
  /** The person chose to reload into the waiting version. */
  #chosen = false;

  constructor() {
    if (!('serviceWorker' in navigator)) return;
    this.#workbox = new Workbox('/sw.js', { scope: '/' });
    this.#workbox.addEventListener('waiting', () => (this.ready = true));
    // Once the new worker the person chose controls the page, the page reloads into the new version's code. Only
    // then: the first worker also takes control of the page that installed it (clients.claim), and reloading that
    // page would cut a share or a transfer it has started.
    this.#workbox.addEventListener('controlling', () => {
      if (this.#chosen) location.reload();
    });
    void this.#workbox.register();
  }

  /** Lets the waiting version take over; the page reloads when it does. */
  reload(): void {
    this.#chosen = true;
    this.#workbox?.messageSkipWaiting();
  }
}
