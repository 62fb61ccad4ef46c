import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { makeFile } from '../support/files.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, acceptOffer, shareFiles, waitForRows } from '../support/transfer-flow.ts';

// The sender: an English browser, as every other test's. The reader: a Chromium whose language is Chinese.
const peers = useTransferPeers(0);
const signal = useSignalServer();
let reader: ChromiumPeer;

beforeAll(async () => {
  reader = await launchChromium({ locale: 'zh-CN' });
});
afterEach(() => {
  // Any console or page error of the Chinese browser fails the test, as useTransferPeers does for the sender.
  expect(reader.errors.splice(0)).toEqual([]);
});
afterAll(async () => {
  await reader?.close();
});

const htmlLang = (peer: ChromiumPeer): Promise<string> => peer.page.evaluate(() => document.documentElement.lang);
const heading = (peer: ChromiumPeer, name: string) => peer.page.getByRole('heading', { level: 1, name, exact: true });
const switchTo = (peer: ChromiumPeer, locale: 'en' | 'zh-CN') => peer.page.getByTestId('language').selectOption(locale);

test('a Chinese browser gets the send view in Chinese', async () => {
  await reader.goto(signal.server.url);
  await heading(reader, '直接发送文件').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await htmlLang(reader)).toBe('zh-CN');
  await reader.page.getByRole('button', { name: '选择文件', exact: true }).waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await reader.page.getByLabel('选择要发送的文件夹').count()).toBe(1);
  expect(await reader.page.getByTestId('language').inputValue()).toBe('zh-CN');
});

test("it receives an English sender's files in Chinese, and the header switch turns the page to English and back", async () => {
  const { sender, dir } = peers;
  const file = await makeFile(dir, '报告 2026.pdf', 300_000);
  const link = await shareFiles(sender, signal.server.url, [file]);

  await reader.goto(link);
  const offer = reader.page.getByTestId('offer');
  await offer.filter({ hasText: '共 1 个文件，总计 300 KB。' }).waitFor({ timeout: 60_000 });
  expect(await reader.page.getByTestId('accept').textContent()).toBe('接受');
  await acceptOffer(reader);
  await waitForRows(reader, 1, 'complete');
  await heading(reader, '接收文件').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  await reader.page.getByRole('status').filter({ hasText: '所有文件都已收到并通过校验。' }).waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await reader.page.getByTestId('file-row').textContent()).toContain('已校验');
  // The sender's page stays in its own language.
  await waitForReceivers(sender, ['done'], REDRAW_TIMEOUT_MS);
  expect(await sender.page.getByTestId('receiver-row').textContent()).toContain('Delivered');

  // Switched without a reload: what is on the screen, the view-model's status too, is drawn again in English.
  await switchTo(reader, 'en');
  await heading(reader, 'Incoming files').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  await reader.page.getByRole('status').filter({ hasText: 'All files arrived and were verified.' }).waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await reader.page.getByTestId('file-row').textContent()).toContain('Verified');
  expect(await htmlLang(reader)).toBe('en');

  await switchTo(reader, 'zh-CN');
  await heading(reader, '接收文件').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await reader.page.getByTestId('file-row').textContent()).toContain('已校验');
  expect(await htmlLang(reader)).toBe('zh-CN');
});

test('the choice of language survives a reload, over the browser’s own language', async () => {
  await reader.goto(signal.server.url);
  await heading(reader, '直接发送文件').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  await switchTo(reader, 'en');
  await heading(reader, 'Send files directly').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await reader.page.evaluate(() => localStorage.getItem('dropline:lang'))).toBe('en');

  await reader.reload();
  await heading(reader, 'Send files directly').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await htmlLang(reader)).toBe('en');
  expect(await reader.page.getByTestId('language').inputValue()).toBe('en');

  await switchTo(reader, 'zh-CN');
  await reader.reload();
  await heading(reader, '直接发送文件').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await htmlLang(reader)).toBe('zh-CN');
});
