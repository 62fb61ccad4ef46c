import { afterEach, expect, test, vi } from 'vitest';
import { openShareSheet, shareSheetData } from '../../web/src/app/share-sheet.ts';

afterEach(() => vi.unstubAllGlobals());

const LINK = 'https://drop.example/r/room#k=secret';

test('the Share button is offered only where the share sheet exists and takes the link', async () => {
  vi.stubGlobal('navigator', {});
  expect(shareSheetData(LINK, 'Files for you')).toBeUndefined();
  vi.stubGlobal('navigator', { share: async () => undefined, canShare: () => false });
  expect(shareSheetData(LINK, 'Files for you')).toBeUndefined();
  const shared: ShareData[] = [];
  vi.stubGlobal('navigator', { share: async (data: ShareData) => void shared.push(data), canShare: (data: ShareData) => data.url === LINK });
  const data = shareSheetData(LINK, 'Files for you');
  expect(data).toMatchObject({ url: LINK });
  await openShareSheet(data!);
  expect(shared).toEqual([data]);
  // No canShare (older browsers): share alone decides.
  vi.stubGlobal('navigator', { share: async () => undefined });
  expect(shareSheetData(LINK, 'Files for you')).toMatchObject({ url: LINK });
});

test('closing the share sheet without choosing leaves the page as it was', async () => {
  vi.stubGlobal('navigator', { share: () => Promise.reject(new DOMException('closed', 'AbortError')) });
  await expect(openShareSheet({ url: LINK })).resolves.toBeUndefined();
});
