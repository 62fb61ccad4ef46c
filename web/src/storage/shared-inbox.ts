/**
 * Files the system share sheet sent to the installed app (docs/architecture.md, "Share target"): the service
 * worker keeps them here when it receives the share target's POST, and the send view takes them once, as if
 * they had been picked. Plain TypeScript over IndexedDB, used from both the worker and the page.
 */
import { DATABASE_NAME, openDatabase, type InboxRecord } from './database.ts';

export type SharedItems = Omit<InboxRecord, 'id' | 'createdAt'>;

/** The share target's form as the manifest names its fields (web/web-app-manifest.ts): any files, a title, a text and a link. */
export function sharedItemsOf(form: FormData): SharedItems {
  const text = (name: string): Partial<Record<string, string>> => {
    const value = form.get(name);
    return typeof value === 'string' && value !== '' ? { [name]: value } : {};
  };
  const files = form.getAll('files').filter((value): value is File => typeof value !== 'string');
  return { files, ...text('title'), ...text('text'), ...text('url') };
}

/** The title, text and link shared with the items, one a line, as the text of the share ('' for none). */
export const sharedTextOf = (items: SharedItems): string => [items.title, items.text, items.url].filter((part) => part !== undefined).join('\n');

/** Keeps shared items until the send view takes them; returns the id it takes them by. */
export async function keepShared(items: SharedItems, { databaseName = DATABASE_NAME } = {}): Promise<string> {
  const id = crypto.randomUUID();
  const db = await openDatabase(databaseName);
  try {
    await db.put('inbox', { ...items, id, createdAt: Date.now() });
  } finally {
    db.close();
  }
  return id;
}

/** The shared items kept under `id`, removed as they are taken, so a reload does not share them twice. */
export async function takeShared(id: string, { databaseName = DATABASE_NAME } = {}): Promise<SharedItems | undefined> {
  const db = await openDatabase(databaseName);
  try {
    const tx = db.transaction('inbox', 'readwrite');
    const record = await tx.store.get(id);
    if (record) await tx.store.delete(id);
    await tx.done;
    if (!record) return undefined;
    const { id: _id, createdAt: _createdAt, ...items } = record;
    return items;
  } finally {
    db.close();
  }
}
