/** Chromium's install offer; not in TypeScript's DOM types (https://wicg.github.io/manifest-incubations/). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const IOS_HINT_DISMISSED = 'dropline-ios-install-hint-dismissed';

/** Safari on an iPhone or iPad, not already running as the installed app: it has no install offer, only Add to Home Screen. */
function iosSafariInBrowser(): boolean {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1);
  const standalone = (navigator as Navigator & { standalone?: boolean }).standalone === true || matchMedia('(display-mode: standalone)').matches;
  return ios && !standalone && !/CriOS|FxiOS|EdgiOS/.test(navigator.userAgent);
}

/**
 * Installing the app (docs/architecture.md, "Offline and install"): a button where the browser offers to install
 * (beforeinstallprompt), and on iOS Safari, which never does, a hint to use Share → Add to Home Screen.
 */
export class InstallOffer {
  /** The browser's offer, kept until the person uses it. */
  #offer = $state<BeforeInstallPromptEvent | undefined>(undefined);
  iosHint = $state(false);

  constructor() {
    window.addEventListener('beforeinstallprompt', (event) => {
      // Our own button asks instead of the browser's mini-infobar.
      event.preventDefault();
      this.#offer = event as BeforeInstallPromptEvent;
    });
    window.addEventListener('appinstalled', () => (this.#offer = undefined));
    this.iosHint = iosSafariInBrowser() && localStorage.getItem(IOS_HINT_DISMISSED) === null;
  }

  get canInstall(): boolean {
    return this.#offer !== undefined;
  }

  async install(): Promise<void> {
    const offer = this.#offer;
    if (!offer) return;
    // An offer is good for one prompt.
    this.#offer = undefined;
    await offer.prompt();
    await offer.userChoice;
  }

  dismissIosHint(): void {
    this.iosHint = false;
    localStorage.setItem(IOS_HINT_DISMISSED, '1');
  }
}
