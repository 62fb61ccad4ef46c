import { expect, test } from 'vitest';
import { clientZipPassesChunksThrough } from '../../web/src/storage/zip-chunk-identity.ts';

// Save all reads every file into one reused buffer only while this holds (storage/zip-writer.worker.ts); if a
// client-zip update breaks it, Save all still works, on a fresh buffer per piece, and this says why memory grew.
test('the installed client-zip hands an input chunk on as it is, so the zip worker can reuse its read buffer', async () => {
  expect(await clientZipPassesChunksThrough()).toBe(true);
});
