import type { Download, Locator, Page } from 'playwright-core';
import { join } from 'node:path';
import { sha256OfFile, type SourceFile } from './files.ts';

/** Sets files on the send view's file input, as a person picking them would, and returns the share link. */
export async function shareFiles(page: Page, baseUrl: string, files: SourceFile[]): Promise<string> {
  await page.goto(baseUrl);
  await page.getByTestId('file-input').setInputFiles(files.map((f) => f.path));
  const link = page.getByTestId('share-link');
  await link.waitFor();
  return link.inputValue();
}

/** Picks a whole folder with the send view's folder input, as a person would, and returns the share link. */
export async function shareFolder(page: Page, baseUrl: string, folder: string): Promise<string> {
  await page.goto(baseUrl);
  await page.getByLabel('Choose a folder to send').setInputFiles(folder);
  const link = page.getByTestId('share-link');
  await link.waitFor();
  return link.inputValue();
}

/** Waits until every row reaches `state` (or fails loudly with the rows' states and errors). */
export async function waitForRows(page: Page, count: number, state: string, timeout = 120_000): Promise<void> {
  try {
    await page.waitForFunction(
      ({ count, state }) => {
        const rows = [...document.querySelectorAll('[data-testid="file-row"]')];
        return rows.length === count && rows.every((row) => row.getAttribute('data-state') === state);
      },
      { count, state },
      { timeout, polling: 200 },
    );
  } catch (error) {
    const rows = await page.getByTestId('file-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-state')}: ${r.textContent?.replace(/\s+/g, ' ')}`));
    throw new Error(`rows did not all reach ${state}:\n${rows.join('\n')}\n${String(error)}`);
  }
}

/** Clicks each row's save button and checks the download's name and SHA-256 against its source. */
export async function saveAndVerify(page: Page, files: SourceFile[], downloadDir: string): Promise<void> {
  for (const source of files) {
    const row = page.getByTestId('file-row').filter({ hasText: source.name });
    const download = await clickForDownload(page, row.getByTestId('save')).catch((error: unknown) => {
      throw new Error(`saving ${source.name} started no download: ${String(error)}`);
    });
    if (download.suggestedFilename() !== source.name) {
      throw new Error(`downloaded as ${download.suggestedFilename()}, expected ${source.name}`);
    }
    const target = join(downloadDir, `${Date.now()}-${source.name}`);
    await download.saveAs(target);
    const hash = await sha256OfFile(target);
    if (hash !== source.sha256) throw new Error(`${source.name}: SHA-256 ${hash} != source ${source.sha256}`);
  }
}

/**
 * Clicks and waits for the download it starts. Headless Chromium silently
 * drops the 11th of a quick series of downloads from one page, even a plain
 * anchor download on a blank page (measured), so one unanswered click is
 * clicked again; a second silence is a real failure.
 */
async function clickForDownload(page: Page, button: Locator): Promise<Download> {
  try {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), button.click()]);
    return download;
  } catch {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), button.click()]);
    return download;
  }
}
