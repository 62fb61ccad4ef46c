/**
 * Tells a person who switched to another app or tab that a transfer finished: on a phone the page is out of sight
 * for most of a long transfer. Shown only while the tab is hidden (in sight, the page says it itself), and only
 * with permission, which is asked after a click that starts something worth waiting for, never on load
 * (browsers hold an unprompted request against the site, and it would puzzle the person).
 */

/** The page's one request: a prompt dismissed stays `default`, and asking again at every share would nag. */
let asked = false;

/** Asks for permission to notify, once per page, if the person was never asked (permission `default`). */
export function askToNotify(): void {
  if (asked || typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  asked = true;
  try {
    // Older Safari answers through a callback and returns nothing; either way the answer is read when needed.
    void Promise.resolve(Notification.requestPermission()).catch(() => undefined);
  } catch {
    // A browser that refuses to ask here: the transfer goes on without notices.
  }
}

/**
 * Shows `title` and `body` if the tab is hidden and notices are allowed. Through the service worker where there is
 * one (Android Chrome has no `new Notification` in pages); a click on it brings this tab to the front (sw.ts
 * `notificationclick`, or the handler below).
 */
export async function notifyFinished(title: string, body: string): Promise<void> {
  if (document.visibilityState !== 'hidden' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const options: NotificationOptions = { body, icon: '/icons/icon-192.png', data: { url: location.href } };
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    if (registration) {
      await registration.showNotification(title, options);
      return;
    }
    const notice = new Notification(title, options);
    notice.onclick = () => {
      window.focus();
      notice.close();
    };
  } catch {
    // Refused at the last moment (permission revoked, no worker active yet): the page itself says it is done.
  }
}

