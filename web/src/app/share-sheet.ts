/**
 * The system share sheet for the share link (Web Share API), where there is one: on a phone it hands the link to
 * a messenger in two taps, where copying and pasting takes many more.
 */

/** What the share sheet is given, if this browser has one and takes a link (`canShare`, where it exists, agrees). */
export function shareSheetData(link: string, title: string): ShareData | undefined {
  if (typeof navigator === 'undefined' || typeof navigator.share !== 'function') return undefined;
  const data: ShareData = { title, url: link };
  return typeof navigator.canShare !== 'function' || navigator.canShare(data) ? data : undefined;
}

/** Opens the share sheet; closing it without choosing (AbortError) or a refusal leaves the page as it was. */
export async function openShareSheet(data: ShareData): Promise<void> {
  await navigator.share(data).catch(() => undefined);
}
