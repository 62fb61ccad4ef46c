/**
 * Where the share target's POST goes and how the send view is told what arrived (docs/architecture.md, "Share
 * target"): named once for the manifest, the service worker and the send view.
 */
export const SHARE_TARGET_PATH = '/share-target';
/** The send view's query parameter naming the shared items the service worker kept (storage/shared-inbox.ts). */
export const SHARED_PARAM = 'shared';

/** The id of the shared items a send view opened with, if any. */
export const sharedArrivalId = (search: string): string | undefined => new URLSearchParams(search).get(SHARED_PARAM) ?? undefined;
