import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Written into a run directory while a process trains it; holds that process's pid. */
export const CLAIM_FILE = '.running';

/**
 * Claim a run directory for this process, so two `experiment run` sessions into one folder (one per core) never
 * train the same run at once. Returns a release function, or undefined when a live process holds the claim.
 * A claim left by a process that no longer exists (killed with -9, a crashed machine) is taken over.
 */
export async function claimRun(runDir: string): Promise<(() => Promise<void>) | undefined> {
  await mkdir(runDir, { recursive: true });
  const path = join(runDir, CLAIM_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const f = await open(path, 'wx');
      await f.writeFile(`${process.pid}\n`);
      await f.close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return undefined;
      await rm(path, { force: true });
    }
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
