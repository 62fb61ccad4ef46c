/**
 * Keeps a phone's screen on while a transfer runs (Screen Wake Lock API): a sleeping phone suspends the page and
 * the transfer stalls. The browser drops the lock when the tab is hidden, so it is taken again when the tab
 * comes back while still wanted. Where the API is missing or refused, nothing happens: the transfer still works.
 */
export class ScreenAwake {
  #wanted = false;
  #lock: WakeLockSentinel | undefined;
  readonly #onVisible = (): void => {
    if (document.visibilityState === 'visible') void this.#take();
  };

  /** Wants the screen on (a transfer runs) or no longer (it ended or paused). */
  set(wanted: boolean): void {
    if (wanted === this.#wanted) return;
    this.#wanted = wanted;
    if (wanted) {
      document.addEventListener('visibilitychange', this.#onVisible);
      void this.#take();
    } else {
      document.removeEventListener('visibilitychange', this.#onVisible);
      void this.#lock?.release().catch(() => undefined);
      this.#lock = undefined;
    }
  }

  async #take(): Promise<void> {
    if (!this.#wanted || (this.#lock && !this.#lock.released) || typeof navigator.wakeLock?.request !== 'function') return;
    try {
      const lock = await navigator.wakeLock.request('screen');
      // Released in the meantime: no longer wanted by the time the browser granted it.
      if (this.#wanted) this.#lock = lock;
      else void lock.release();
    } catch {
      // Refused (low battery, not visible, a policy): the transfer goes on with the screen's own timeout.
    }
  }
}
