import { launchChromium } from './chromium.ts';
import type { Engine, LaunchOptions, Peer } from './browser.ts';
import { launchFirefox } from './firefox.ts';

/** A peer of either engine, each a browser process of its own with a fresh profile. */
export function launchPeer(engine: Engine, options: LaunchOptions = {}): Promise<Peer> {
  return engine === 'chromium' ? launchChromium(options) : launchFirefox(options);
}
