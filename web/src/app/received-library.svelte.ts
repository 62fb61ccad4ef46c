import type { Text } from '../i18n/messages.ts';
import { storageProblemText } from './problem-text.ts';
import { deleteReceivedFile, listReceivedFiles, receivedFileBlob, storageEstimate, type ReceivedFile } from '../storage/received-files.ts';

export interface LibraryItem extends ReceivedFile {
  /** The stored file, assembled by reference when the list is read, so Save hands it over within the click. */
  blob: Blob | undefined;
}

/**
 * The library view's model, thin over storage/received-files.ts: the received files with their stored Blobs,
 * and how much storage this origin uses of what it may.
 */
export class ReceivedLibrary {
  items = $state<LibraryItem[]>([]);
  usage = $state<{ usage: number; quota: number } | undefined>(undefined);
  /** Why a delete or a read did not happen, in words. */
  problem = $state<Text | undefined>(undefined);
  loaded = $state(false);

  async load(): Promise<void> {
    if (typeof indexedDB === 'undefined') return void (this.loaded = true);
    // Unreadable storage (blocked by a newer version in another tab, say) shows an empty library with the reason.
    const files = await listReceivedFiles().catch((error: unknown) => {
      this.problem = storageProblemText(error);
      return [];
    });
    this.items = await Promise.all(files.map(async (file) => ({ ...file, blob: await receivedFileBlob(file).catch(() => undefined) })));
    this.usage = await storageEstimate();
    this.loaded = true;
  }

  async remove(item: LibraryItem): Promise<void> {
    try {
      await deleteReceivedFile(item);
      this.problem = undefined;
    } catch (error) {
      this.problem = storageProblemText(error);
    }
    await this.load();
  }
}
