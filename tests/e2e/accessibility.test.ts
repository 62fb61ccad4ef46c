/**
 * Every view, in both languages and both colour schemes and at phone and desktop size, audited by axe-core: no violation of impact
 * serious or critical. One transfer of small files is reused for every view; the language and the scheme are
 * switched through the header's own controls (no reload, so a view mid-transfer stays as it is) and the size with setViewportSize.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import { expect, test } from 'vitest';
import type { ChromiumPeer } from '../support/chromium.ts';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, TRANSFER_TIMEOUT_MS, acceptOffer, shareFiles, waitForRows } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

/** The languages the app speaks: each is audited like the others, picked through the header's switch. */
const languages = ['en', 'zh-CN'] as const;
const themes = ['light', 'dark'] as const;
const viewports = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
/** The narrowest phone the layout is made for: nothing may scroll sideways at this width. */
const NARROWEST = { width: 320, height: 640 };

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Clicks the header's theme switch until it says `choice`, as a person would; returns once <html> shows it. */
async function chooseTheme(peer: ChromiumPeer, choice: (typeof themes)[number]): Promise<void> {
  const button = peer.page.getByTestId('theme-switch');
  for (let clicks = 0; (await button.getAttribute('data-choice')) !== choice; clicks++) {
    if (clicks === 3) throw new Error(`the theme switch never offered ${choice}`);
    await button.click();
  }
  // Colours that ease from one scheme to the other (the drop zone's) are audited once they have arrived.
  await peer.waitFor(
    (choice) => document.documentElement.dataset.theme === choice && document.getAnimations().every((a) => !(a instanceof CSSTransition)),
    choice,
    REDRAW_TIMEOUT_MS,
  );
}

/** Picks the language in the header's switch, as a person would; the page redraws in it without a reload. */
async function chooseLanguage(peer: ChromiumPeer, language: (typeof languages)[number]): Promise<void> {
  await peer.page.getByTestId('language').selectOption(language);
  await peer.waitFor((language) => document.documentElement.lang === language, language, REDRAW_TIMEOUT_MS);
}

/** The serious and critical violations axe finds on the page, one line per element. */
async function violations(peer: ChromiumPeer): Promise<string[]> {
  if (!(await peer.page.evaluate(() => 'axe' in window))) await peer.page.evaluate(await axeSource);
  // axe is a global the evaluated source defined; the page's own types do not know it.
  const results = await peer.page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run());
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${v.id} (${v.impact}): ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? v.help}`));
}

/** Audits what `peer` shows now in every language, scheme and size; returns the problems, each labelled. */
async function auditEverywhere(peer: ChromiumPeer, view: string): Promise<string[]> {
  const problems: string[] = [];
  for (const language of languages) {
    await chooseLanguage(peer, language);
    for (const theme of themes) {
      await chooseTheme(peer, theme);
      for (const [size, viewport] of Object.entries(viewports)) {
        await peer.page.setViewportSize(viewport);
        problems.push(...(await violations(peer)).map((line) => `${view}, ${language}, ${theme}, ${size}: ${line}`));
      }
    }
    await peer.page.setViewportSize(NARROWEST);
    const overflow = await peer.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth, undefined);
    if (overflow > 0) problems.push(`${view}, ${language}, ${NARROWEST.width} px wide: scrolls sideways by ${overflow} px`);
  }
  // Back to the first language, so what the test waits for next reads as it expects.
  await chooseLanguage(peer, languages[0]);
  return problems;
}

test('every view passes axe (no serious or critical violation) in both languages and both schemes, at phone and desktop size', async () => {
  const { sender, receiver, dir } = peers;
  const url = signal.server.url;
  const files = [await makeFile(dir, 'minutes.txt', 'Agenda\n'), await makeFile(dir, '照片.jpg', 20_000)];
  const problems: string[] = [];

  await sender.goto(url);
  await sender.page.getByTestId('file-input').waitFor({ state: 'attached' });
  problems.push(...(await auditEverywhere(sender, 'send view, empty')));
  await sender.goto(`${url}/library`);
  await sender.page.locator('[data-testid="library"] p.muted').waitFor();
  problems.push(...(await auditEverywhere(sender, 'library, empty')));

  const link = await shareFiles(sender, url, files);
  problems.push(...(await auditEverywhere(sender, 'send view, link ready')));

  await receiver.goto(`${url}/r/not-a-room`);
  await receiver.page.getByRole('heading', { level: 1 }).waitFor();
  problems.push(...(await auditEverywhere(receiver, 'bad link')));

  await receiver.goto(link);
  await receiver.page.getByTestId('accept').waitFor({ timeout: TRANSFER_TIMEOUT_MS });
  problems.push(...(await auditEverywhere(receiver, 'receive view, offer')));
  await acceptOffer(receiver);
  await waitForRows(receiver, files.length, 'complete');
  await receiver.page.getByTestId('file-announcement').filter({ hasText: 'Verified' }).waitFor({ state: 'attached', timeout: REDRAW_TIMEOUT_MS });
  problems.push(...(await auditEverywhere(receiver, 'receive view, complete')));
  await sender.page.locator('[data-testid="receiver-row"][data-state="done"]').waitFor({ timeout: TRANSFER_TIMEOUT_MS });
  problems.push(...(await auditEverywhere(sender, 'send view, delivered')));

  await receiver.goto(`${url}/library`);
  await receiver.page.locator('[data-testid="library-file"] [data-testid="save"]:not([disabled])').first().waitFor({ timeout: REDRAW_TIMEOUT_MS });
  problems.push(...(await auditEverywhere(receiver, 'library, with files')));

  expect(problems, `axe found:\n${problems.join('\n')}`).toEqual([]);
});

test('the theme switch sets data-theme on <html> and is remembered across a reload; System follows the device', async () => {
  const { sender } = peers;
  await sender.page.emulateMedia({ colorScheme: 'dark' });
  try {
    await sender.goto(signal.server.url);
    await chooseTheme(sender, 'light');
    expect(await sender.evaluate(() => localStorage.getItem('dropline:theme'), undefined)).toBe('light');
    await sender.reload();
    // Set by public/theme-boot.js before the app's module runs, so it is there as soon as the page is.
    expect(await sender.evaluate(() => document.documentElement.dataset.theme, undefined)).toBe('light');
    expect(await sender.page.getByTestId('theme-switch').getAttribute('data-choice')).toBe('light');

    await chooseTheme(sender, 'dark');
    await sender.reload();
    expect(await sender.evaluate(() => document.documentElement.dataset.theme, undefined)).toBe('dark');
    expect(await sender.evaluate(() => [...document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')].map((m) => m.content), undefined)).toEqual(['#0b1020', '#0b1020']);

    // From the keyboard: Tab reaches the switch, which shows the focus ring, and Enter works it.
    for (let tabs = 0; !(await sender.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'theme-switch', undefined)); tabs++) {
      if (tabs === 10) throw new Error('Tab never reached the theme switch');
      await sender.page.keyboard.press('Tab');
    }
    expect(await sender.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle, undefined)).toBe('solid');
    await sender.page.keyboard.press('Enter');
    // System: the device's scheme decides, and a change of it is followed without a reload.
    expect(await sender.page.getByTestId('theme-switch').getAttribute('data-choice')).toBe('system');
    expect(await sender.evaluate(() => localStorage.getItem('dropline:theme'), undefined)).toBe('system');
    await sender.waitFor(() => document.documentElement.dataset.theme === 'dark', undefined, REDRAW_TIMEOUT_MS);
    await sender.page.emulateMedia({ colorScheme: 'light' });
    await sender.waitFor(() => document.documentElement.dataset.theme === 'light', undefined, REDRAW_TIMEOUT_MS);
  } finally {
    await sender.page.emulateMedia({ colorScheme: null });
  }
});
