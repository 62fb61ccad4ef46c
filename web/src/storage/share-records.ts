import { DATABASE_NAME, openDatabase, type DroplineDatabase, type ShareRecord } from './database.ts';

/**
 * The sender's open shares, kept in the `shares` store so a reload of the sender's page continues them under the
 * same link (docs/architecture.md, "Stored records"). Keyed by room.
 */
export class ShareRecords {
  readonly #db: Promise<DroplineDatabase>;

  constructor(databaseName = DATABASE_NAME) {
    this.#db = openDatabase(databaseName);
  }

  /** Whether this browser can keep shares at all (some private modes have no IndexedDB). */
  static get available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  /** Every open share, oldest first. */
  async all(): Promise<ShareRecord[]> {
    const records = await (await this.#db).getAll('shares');
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  async put(record: ShareRecord): Promise<void> {
    await (await this.#db).put('shares', record);
  }

  async delete(room: string): Promise<void> {
    await (await this.#db).delete('shares', room);
  }
}
