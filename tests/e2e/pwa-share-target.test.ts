import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { REDRAW_TIMEOUT_MS, readShareLink, receiveLink, saveAndVerify, waitForRows } from '../support/transfer-flow.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const signal = useSignalServer();
const peers = useTransferPeers();

test('files shared to the app through its share target open the send view with a share link, and arrive intact with the text shared beside them', async () => {
  const { sender, receiver, dir } = peers;
  const { server } = signal;
  const files = [await makeFile(dir, 'IMG_0042.jpg', 3 * 1024 * 1024), await makeFile(dir, 'trip notes.txt', 'shared from the gallery\n')];
  const sources = await Promise.all(files.map(async (f) => ({ name: f.name, base64: (await readFile(f.path)).toString('base64') })));

  // The app loaded once, so its service worker controls the page: the share sheet's POST goes to that worker.
  await sender.goto(server.url);
  await sender.waitFor(() => navigator.serviceWorker.controller !== null, undefined, REDRAW_TIMEOUT_MS);
  const arrival = await sender.evaluate(async (shared) => {
    const form = new FormData();
    form.append('title', 'Holiday');
    form.append('text', 'Look at these');
    for (const { name, base64 } of shared) form.append('files', new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    const response = await fetch('/share-target', { method: 'POST', body: form });
    return { redirected: response.redirected, url: response.url };
  }, sources);
  expect(arrival.redirected).toBe(true);
  expect(new URL(arrival.url).pathname).toBe('/');

  await sender.goto(arrival.url);
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  const listed = await sender.evaluate(() => document.querySelector('main')?.textContent ?? '', undefined);
  for (const file of files) expect(listed).toContain(file.name);
  // The id left the address, and the inbox gave the files up: a reload shares nothing twice.
  expect(new URL(sender.page.url()).search).toBe('');
  const link = await readShareLink(sender);
  expect(link).toMatch(new RegExp(`^${server.url}/r/[A-Za-z0-9_-]{22}#k=[A-Za-z0-9_-]{22}$`));

  await receiveLink(receiver, link);
  await waitForRows(receiver, files.length, 'complete');
  await saveAndVerify(receiver, files);
  // The title and text the share sheet sent along are the share's text.
  expect(await receiver.evaluate(() => document.querySelector('[data-testid="shared-text"]')?.textContent, undefined)).toBe('Holiday\nLook at these');
});

test('files the installed app is opened with from the file manager (launchQueue) are shared as if picked, and arrive intact', async () => {
  const { sender, receiver, dir } = peers;
  const files = [await makeFile(dir, 'report.pdf', 2 * 1024 * 1024), await makeFile(dir, 'notes.md', '# opened with Dropline\n')];
  const sources = await Promise.all(files.map(async (f) => ({ name: f.name, base64: (await readFile(f.path)).toString('base64') })));

  // What Chromium does for an installed app named in file_handlers: the page's launch queue gets file handles.
  // Headless Chromium cannot install the app, so the queue is the one stand-in; the handles are real ones (OPFS).
  await sender.addInitScript(() => {
    const launched: { consume?: (params: { files: FileSystemHandle[] }) => void } = {};
    Object.defineProperty(window, 'launchQueue', { value: { setConsumer: (consume: typeof launched.consume) => (launched.consume = consume) } });
    Object.defineProperty(window, 'launched', { value: launched });
  });
  await sender.goto(signal.server.url);
  await sender.waitFor(() => (window as unknown as { launched: { consume?: unknown } }).launched.consume, undefined, REDRAW_TIMEOUT_MS);
  await sender.evaluate(async (opened) => {
    const folder = await navigator.storage.getDirectory();
    const handles: FileSystemFileHandle[] = [];
    for (const { name, base64 } of opened) {
      const handle = await folder.getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      await writable.write(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
      await writable.close();
      handles.push(handle);
    }
    (window as unknown as { launched: { consume(params: { files: FileSystemHandle[] }): void } }).launched.consume({ files: handles });
  }, sources);

  const link = await readShareLink(sender);
  const listed = await sender.evaluate(() => document.querySelector('main')?.textContent ?? '', undefined);
  for (const file of files) expect(listed).toContain(file.name);
  await receiveLink(receiver, link);
  await waitForRows(receiver, files.length, 'complete');
  await saveAndVerify(receiver, files);
});
