import { expect, test } from 'vitest';
import { savePaths, zipName } from '../../web/src/app/save-all.ts';

test('saved paths keep folders, drop segments that climb out, and number a repeated path', () => {
  expect(savePaths(['a/b/c.txt', '../../etc/passwd', 'C:\\x\\y.txt', 'a/b/c.txt', 'A/B/C.TXT', '..', 'noext', 'noext'])).toEqual([
    'a/b/c.txt',
    'etc/passwd',
    'x/y.txt',
    'a/b/c (2).txt',
    'A/B/C (3).TXT',
    'file 6',
    'noext',
    'noext (2)',
  ]);
  const blob = new Blob([]);
  expect(zipName([{ path: 'holiday/a.jpg', blob, lastModified: 0 }, { path: 'holiday/b/c.jpg', blob, lastModified: 0 }])).toBe('holiday.zip');
  expect(zipName([{ path: 'a.jpg', blob, lastModified: 0 }, { path: 'holiday/b.jpg', blob, lastModified: 0 }])).toBe('Dropline files.zip');
});
