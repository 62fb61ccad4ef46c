import type { Text } from '../i18n/messages.ts';
import { storageProblemText } from './problem-text.ts';
import { shareUrl } from '../net/share-link.ts';
import { OLD_TRANSFER_DAYS, deleteStoredTransfer, listUnfinishedTransfers, type UnfinishedTransfer } from '../storage/stored-transfers.ts';
import type { FileEntry } from '../transfer/protocol.ts';

export interface UnfinishedTransferView {
  key: string;
  files: FileEntry[];
  storedBytes: number;
  totalBytes: number;
  updatedAt: number;
  /** The share link, which continues the transfer at once; absent for transfers stored before links were kept. */
  href: string | undefined;
  /** Untouched for longer than OLD_TRANSFER_DAYS: offered for deletion. */
  old: boolean;
}

/**
 * The start page's list of received transfers that did not finish (paused: the tab or the browser went away), a
 * thin view-model over storage/stored-transfers.ts. Continue is the link itself: a link whose record exists
 * rejoins and resumes with no further click.
 */
export class UnfinishedTransfers {
  items = $state<UnfinishedTransferView[]>([]);
  /** Why a delete did not happen (another tab is receiving the transfer). */
  problem = $state<Text | undefined>(undefined);
  /** When the list was read, for "last touched" (a fixed time, so the page does not redraw every day). */
  now = $state(Date.now());
  readonly oldAfterDays = OLD_TRANSFER_DAYS;

  async load(): Promise<void> {
    if (typeof indexedDB === 'undefined') return;
    this.now = Date.now();
    // Unreadable storage (blocked by a newer version in another tab, say) leaves the list out: sending still works.
    this.items = (await listUnfinishedTransfers({ now: this.now }).catch(() => [])).map(view);
  }

  async remove(key: string): Promise<void> {
    try {
      await deleteStoredTransfer(key);
      this.problem = undefined;
    } catch (error) {
      this.problem = storageProblemText(error);
    }
    await this.load();
  }
}

function view({ key, files, storedBytes, totalBytes, updatedAt, link, old }: UnfinishedTransfer): UnfinishedTransferView {
  return { key, files, storedBytes, totalBytes, updatedAt, old, href: link && shareUrl(location.origin, link) };
}
