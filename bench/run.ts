/**
 * `npm run bench [-- <name> [args…]]`: imports `bench/<name>.ts` and awaits its `run(args)`; with no name,
 * lists the benchmarks with the first line of each file's doc comment. (Put `--` before the name when
 * passing `--flags`, or npm takes them as its own options.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const HERE = import.meta.dirname;

function available(): string[] {
  return readdirSync(HERE)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** First sentence-ish line of the file's leading doc comment. */
function summary(name: string): string {
  const m = /^\s*\/\*\*\s*\n?\s*\*?\s*(.+)/.exec(readFileSync(join(HERE, `${name}.ts`), 'utf8'));
  return m ? m[1].replace(/\*\/\s*$/, '').trim() : '';
}

function list(): void {
  console.log('benchmarks (npm run bench -- <name> [args]):');
  for (const n of available()) console.log(`  ${n.padEnd(18)} ${summary(n)}`);
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  list();
} else if (!available().includes(name)) {
  console.error(`unknown benchmark "${name}"`);
  list();
  process.exitCode = 2;
} else {
  const mod = (await import(pathToFileURL(join(HERE, `${name}.ts`)).href)) as { run?: (args: string[]) => Promise<void> };
  if (typeof mod.run !== 'function') {
    console.error(`bench/${name}.ts does not export run(args)`);
    process.exitCode = 2;
  } else {
    await mod.run(args);
  }
}
