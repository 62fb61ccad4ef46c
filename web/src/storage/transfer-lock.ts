/**
 * The Web Lock a page holds on a stored transfer while it uses it, so a second tab of the same browser opening the
 * same link is told rather than writing over the first one's files, and the start page does not delete a transfer
 * a tab is receiving (storage/README.md).
 */

const lockName = (key: string): string => `dropline-transfer:${key}`;

/** Web Locks are missing in Node (the unit tests) and in old engines: there every page holds every transfer. */
const locks = (): LockManager | undefined => (typeof navigator === 'undefined' ? undefined : navigator.locks);

/**
 * Takes the transfer's lock, held until the returned release is called or the page goes away; undefined when
 * another tab holds it.
 */
export async function holdTransfer(key: string): Promise<(() => void) | undefined> {
  const manager = locks();
  if (!manager) return () => {};
  return new Promise((granted) => {
    void manager.request(lockName(key), { ifAvailable: true }, (lock) => {
      if (!lock) return granted(undefined);
      return new Promise<void>((done) => granted(done));
    });
  });
}

/** Whether some tab of this browser holds the transfer now. */
export async function transferHeld(key: string): Promise<boolean> {
  const manager = locks();
  if (!manager) return false;
  const { held = [] } = await manager.query();
  return held.some((lock) => lock.name === lockName(key));
}
