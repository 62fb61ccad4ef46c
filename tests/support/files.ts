import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SourceFile {
  path: string;
  name: string;
  sha256: string;
  size: number;
}

export const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
export const sha256OfFile = async (path: string): Promise<string> => sha256Hex(await readFile(path));

export const scratchDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'dropline-test-'));

/** Writes a test file to `dir`: random bytes of `size`, or the given contents. */
export async function makeFile(dir: string, name: string, content: number | string): Promise<SourceFile> {
  const data = typeof content === 'number' ? randomBytes(content) : Buffer.from(content);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, name, sha256: sha256Hex(data), size: data.byteLength };
}
