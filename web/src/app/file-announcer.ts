import type { FileState } from '../transfer/receiver.ts';

/** The states worth telling a screen reader about: a file is over, for good or not. */
const FINAL: ReadonlySet<FileState> = new Set(['complete', 'failed', 'cancelled']);
/** More files than this finishing in one redraw are counted, not named, so the announcement stays short. */
const NAMED = 3;

/**
 * What a polite live region should say as files arrive: only the files that just finished or failed, never
 * the progress in between (a screen reader reading every percent would drown everything else out). The first
 * update is the baseline: files already over when the view opens (a resumed transfer) are not announced.
 */
export class FileAnnouncer {
  #last: FileState[] | undefined;

  /** The sentence for what changed since the previous call, or undefined when nothing finished. */
  update(files: readonly { entry: { name: string }; state: FileState }[], label: (state: FileState) => string, more: (count: number) => string): string | undefined {
    const before = this.#last;
    this.#last = files.map((f) => f.state);
    if (!before) return undefined;
    const finished = files.filter((f, i) => FINAL.has(f.state) && before[i] !== f.state);
    if (finished.length === 0) return undefined;
    const named = finished.slice(0, NAMED).map((f) => `${f.entry.name}: ${label(f.state)}`);
    return [...named, ...(finished.length > NAMED ? [more(finished.length - NAMED)] : [])].join('. ');
  }
}
