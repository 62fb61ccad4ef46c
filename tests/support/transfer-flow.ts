import { sha256OfFile, type SourceFile } from './files.ts';
import type { Peer } from './browser.ts';
import type { ChromiumPeer } from './chromium.ts';

/** The row of a received file, by its name, and a control inside it. */
export const rowSelector = (name: string): string => `[data-testid="file-row"][data-name=${JSON.stringify(name)}]`;
export const saveSelector = (name: string): string => `${rowSelector(name)} [data-testid="save"]`;

/** How long a transfer of the small files these tests send may take to reach a state, on a slow shared machine. */
export const TRANSFER_TIMEOUT_MS = 120_000;
/** How long a state change drawn at the next redraw (twice a second) may take to show, with room for a busy machine. */
export const REDRAW_TIMEOUT_MS = 15_000;

/** Reads the share link from the send view: the input's value, or the element's text. */
export const readShareLink = (peer: Peer): Promise<string> =>
  peer.evaluate(() => {
    const link = document.querySelector<HTMLInputElement>('[data-testid="share-link"]');
    return link ? (link.value ?? link.textContent ?? '') : '';
  }, undefined);

/** Sets files on the send view's file input, as a person picking them would, and returns the share link. */
export async function shareFiles(peer: Peer, baseUrl: string, files: SourceFile[]): Promise<string> {
  await peer.goto(baseUrl);
  await peer.pickFiles(files.map((f) => f.path));
  await peer.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  return readShareLink(peer);
}

/**
 * Accepts the files the receive view offers, as a person would once the code matches (nothing is stored before).
 * The offer shows only once the handshake has proven both ends, which on a loaded machine can take longer than a
 * driver's default click timeout (30 s), so it is waited for as a state first.
 */
export async function acceptOffer(peer: Peer): Promise<void> {
  const wait = peer.waitFor(() => document.querySelector<HTMLButtonElement>('[data-testid="accept"]')?.disabled === false, undefined, TRANSFER_TIMEOUT_MS);
  await explained(peer, 'no offer to accept', wait);
  await peer.click('[data-testid="accept"]');
}

/** Opens a share link on `peer` and accepts the files it offers. */
export async function receiveLink(peer: Peer, link: string): Promise<void> {
  await peer.goto(link);
  await acceptOffer(peer);
}

/** Picks a whole folder with the send view's folder input, as a person would, and returns the share link. */
export async function shareFolder(peer: ChromiumPeer, baseUrl: string, folder: string): Promise<string> {
  await peer.goto(baseUrl);
  await peer.page.getByLabel('Choose a folder to send').setInputFiles(folder);
  await peer.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  return readShareLink(peer);
}

/** What the receive view shows, for failure messages: every row's state and text, the alert and the status line. */
export const describeRows = (peer: Peer): Promise<string> =>
  peer.evaluate(
    () =>
      [...document.querySelectorAll('[data-testid="file-row"]')].map((r) => `${r.getAttribute('data-state')}: ${r.textContent?.replace(/\s+/g, ' ').trim()}`).join('\n') +
      `\nalert: ${document.querySelector('[role="alert"]')?.textContent?.trim() ?? '(none)'}` +
      `\nstatus: ${document.querySelector('[role="status"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '(none)'}`,
    undefined,
  );

/** Runs a wait and, if it times out, fails with what the rows show. */
async function explained(peer: Peer, what: string, wait: Promise<void>): Promise<void> {
  try {
    await wait;
  } catch (error) {
    throw new Error(`${what} (${peer.engine}):\n${await describeRows(peer).catch(() => '(page gone)')}\n${String(error)}`);
  }
}

/** Waits until there are `count` rows and every one is in `state`. */
export function waitForRows(peer: Peer, count: number, state: string, timeoutMs = TRANSFER_TIMEOUT_MS): Promise<void> {
  const wait = peer.waitFor(
    ({ count, state }) => {
      const rows = [...document.querySelectorAll('[data-testid="file-row"]')];
      return rows.length === count && rows.every((row) => row.getAttribute('data-state') === state);
    },
    { count, state },
    timeoutMs,
  );
  return explained(peer, `rows did not all reach ${state}`, wait);
}

/** Waits until the row of `name` is in `state`. */
export function waitForRow(peer: Peer, name: string, state: string, timeoutMs = TRANSFER_TIMEOUT_MS): Promise<void> {
  const wait = peer.waitFor(({ selector, state }) => document.querySelector(selector)?.getAttribute('data-state') === state, { selector: rowSelector(name), state }, timeoutMs);
  return explained(peer, `the row of ${name} did not reach ${state}`, wait);
}

/** The text of the row of `name`. */
export const rowText = (peer: Peer, name: string): Promise<string> =>
  peer.evaluate((selector) => document.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '', rowSelector(name));

/** Waits until the page's `role="alert"` element says `text`, and returns all it says. */
export async function waitForAlert(peer: Peer, text: string, timeoutMs = TRANSFER_TIMEOUT_MS): Promise<string> {
  const wait = peer.waitFor((text) => document.querySelector('[role="alert"]')?.textContent?.includes(text), text, timeoutMs);
  await explained(peer, `no alert saying "${text}"`, wait);
  return peer.evaluate(() => document.querySelector('[role="alert"]')?.textContent ?? '', undefined);
}

/** Waits until the receive view says at least `fraction` of the bytes arrived (read from its overall progress). */
export function waitForFraction(peer: Peer, fraction: number): Promise<void> {
  return peer.waitFor(
    (fraction) => {
      const units: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };
      const text = document.querySelector('[data-testid="overall-progress"]')?.textContent ?? '';
      const [stored, total] = [...text.matchAll(/([\d.]+) (B|KB|MB|GB)/g)].map((m) => Number(m[1]) * units[m[2]!]!);
      return stored !== undefined && total !== undefined && stored >= total * fraction;
    },
    fraction,
    TRANSFER_TIMEOUT_MS,
  );
}

/** Whether the save button of `name` can be clicked. */
export const canSave = (peer: Peer, name: string): Promise<boolean> =>
  peer.evaluate((selector) => document.querySelector<HTMLButtonElement>(selector)?.disabled === false, saveSelector(name));

/** Clicks each row's Save, once, and checks that the one download it starts has the file's name and SHA-256. */
export async function saveAndVerify(peer: Peer, files: SourceFile[]): Promise<void> {
  for (const source of files) {
    const saved = await peer.download(saveSelector(source.name)).catch((error: unknown) => {
      throw new Error(`saving ${source.name} (${peer.engine}) started no download: ${String(error)}`);
    });
    if (saved.name !== source.name) throw new Error(`downloaded as ${saved.name}, expected ${source.name}`);
    const hash = await sha256OfFile(saved.path);
    if (hash !== source.sha256) throw new Error(`${source.name} (${peer.engine}): SHA-256 ${hash} != source ${source.sha256}`);
  }
}

/** The verification codes a page shows (one on a receive view, one per proven receiver on a send view). */
export const verificationCodes = (peer: Peer): Promise<string[]> =>
  peer.evaluate(() => [...document.querySelectorAll('[data-testid="verification-code"]')].map((e) => e.textContent?.replace(/\s+/g, ' ').trim() ?? ''), undefined);
