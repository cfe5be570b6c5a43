import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';

/**
 * Write a file atomically: a temporary file next to it, then a rename, so readers and an interrupted writer never
 * see half a file. The temporary name is unique per call, so two writers of the same file (two `experiment run`
 * sessions into one folder, or two async calls) never rename each other's temporary file away.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
