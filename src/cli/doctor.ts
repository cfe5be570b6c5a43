import { Command } from 'commander';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../data/store/store.js';
import { defaultDataRoot } from './paths.js';

export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

const REQUIRED_SPLIT_FILES = ['train.tsv', 'valid.tsv', 'test.tsv'];

/** Environment checks: Node version, native modules, SIMD, data folders. Never throws; each check reports. */
export async function runDoctor(dataDirs: string[]): Promise<Check[]> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  checks.push({
    name: 'node',
    status: major === 20 && minor >= 10 ? 'ok' : major > 20 && major < 23 ? 'warn' : 'fail',
    detail: `v${process.versions.node} (tested on 20.x; better-sqlite3@12 and openai@6 pins target Node 20)`,
  });
  checks.push(await tryCheck('better-sqlite3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmmrec-doctor-'));
    try {
      const s = openStore(join(dir, 'doctor.sqlite'));
      const v = (s.db.prepare('select sqlite_version() as v').get() as { v: string }).v;
      s.close();
      return `native module loads; SQLite ${v}; store schema v${s.version}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));
  checks.push(await tryCheck('webassembly simd', () => {
    // Smallest module using a v128 instruction: (func (result v128) v128.const i32x4 0 0 0 0)
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
    if (!WebAssembly.validate(bytes)) throw new Error('this runtime rejects v128 instructions; the scalar GEMM will be used');
    return 'v128 instructions validate';
  }, 'warn'));
  checks.push({ name: 'threads', status: 'ok', detail: `${(await import('node:os')).availableParallelism()} cores available to worker threads` });
  const dirs = dataDirs.length ? dataDirs : discoverDataDirs();
  if (!dirs.length) checks.push({ name: 'data', status: 'warn', detail: 'no data folder given and ../shared/data not found; pass folders: lmmrec doctor <dir>...' });
  for (const d of dirs) checks.push(checkDataDir(d));
  return checks;
}

function discoverDataDirs(): string[] {
  const root = defaultDataRoot();
  if (!root) return [];
  return ['rlmrec_amazon_book', 'rlmrec_yelp', 'amazon2018_all_beauty_5', 'xrec/yelp'].map((d) => join(root, d)).filter(existsSync);
}

function checkDataDir(dir: string): Check {
  const name = `data ${dir}`;
  const missing = REQUIRED_SPLIT_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) return { name, status: 'fail', detail: `missing ${missing.join(', ')}` };
  try {
    for (const f of REQUIRED_SPLIT_FILES) accessSync(join(dir, f), constants.R_OK);
  } catch (e) {
    return { name, status: 'fail', detail: (e as Error).message };
  }
  return { name, status: 'ok', detail: `readable (${resolve(dir)})` };
}

async function tryCheck(name: string, fn: () => string, onError: 'warn' | 'fail' = 'fail'): Promise<Check> {
  try {
    return { name, status: 'ok', detail: fn() };
  } catch (e) {
    return { name, status: onError, detail: (e as Error).message };
  }
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check Node version, native modules, WebAssembly SIMD and data folders')
    .argument('[dirs...]', 'data folders to check (default: the ../shared/data folders that exist)')
    .option('--json', 'machine-readable output')
    .action(async (dirs: string[], opts: { json?: boolean }) => {
      const checks = await runDoctor(dirs);
      if (opts.json) console.log(JSON.stringify(checks, null, 2));
      else for (const c of checks) console.log(`${c.status.padEnd(4)}  ${c.name.padEnd(28)} ${c.detail}`);
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
}
