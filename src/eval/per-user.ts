import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError } from '../util/errors.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import type { EvalResult, PerUserMetrics } from './full-ranking.js';
import { parseMetricKey } from './metrics.js';
import type { MetricKey } from './metrics.js';

/**
 * Per-user results on disk, so significance tests can compare runs made at different times:
 * `user<TAB>recall@5<TAB>…` header, one row per evaluated user. Numbers are written with JS's shortest
 * round-trip form, so reading a file back gives the same doubles bit for bit. A path ending in `.gz` is
 * gzip-compressed (run directories use `test-per-user.tsv.gz`: ~8× smaller, mostly zero rows).
 */

/** The per-user test results of a run directory (older runs wrote the uncompressed `test-per-user.tsv`). */
export const RUN_PER_USER_FILE = 'test-per-user.tsv.gz';
export function formatPerUserTsv(perUser: PerUserMetrics): string {
  const keys = metricKeysOf(perUser);
  const lines = [['user', ...keys].join('\t')];
  const cols = keys.map((k) => perUser[k]);
  for (let i = 0; i < perUser.users.length; i++) {
    let line = String(perUser.users[i]);
    for (const c of cols) line += '\t' + String(c[i]);
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

export function parsePerUserTsv(text: string, file: string): PerUserMetrics {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new DataError({ file }, 'empty file (expected a "user<TAB>metric@K…" header)');
  const header = lines[0].split('\t');
  if (header[0] !== 'user') throw new DataError({ file, line: 1, field: header[0] }, 'first column must be "user"');
  const keys = header.slice(1) as MetricKey[];
  for (const k of keys) {
    try {
      parseMetricKey(k);
    } catch (e) {
      throw new DataError({ file, line: 1, field: k }, (e as Error).message);
    }
  }
  const n = lines.length - 1;
  const users = new Int32Array(n);
  const cols = keys.map(() => new Float64Array(n));
  for (let r = 0; r < n; r++) {
    const line = r + 2;
    const f = lines[r + 1].replace(/\r$/, '').split('\t');
    if (f.length !== header.length) throw new DataError({ file, line }, `expected ${header.length} columns, got ${f.length}`);
    const u = Number(f[0]);
    if (!Number.isInteger(u) || u < 0 || u > 0x7fffffff) throw new DataError({ file, line, field: 'user' }, `not a user id: "${f[0]}"`);
    if (r > 0 && u <= users[r - 1]) throw new DataError({ file, line, field: 'user' }, `users must be strictly ascending (${u} after ${users[r - 1]})`);
    users[r] = u;
    for (let c = 0; c < keys.length; c++) {
      const v = Number(f[c + 1]);
      if (f[c + 1] === '' || (Number.isNaN(v) && f[c + 1] !== 'NaN')) throw new DataError({ file, line, field: keys[c] }, `not a number: "${f[c + 1]}"`);
      cols[c][r] = v;
    }
  }
  const perUser = { users } as PerUserMetrics;
  keys.forEach((k, c) => (perUser[k] = cols[c]));
  return perUser;
}

/** Write atomically (temp file + rename) so an interrupted run never leaves half a table. */
export async function writePerUserTsv(path: string, perUser: PerUserMetrics): Promise<void> {
  const text = formatPerUserTsv(perUser);
  await writeFileAtomic(path, path.endsWith('.gz') ? gzipSync(text, { level: 9 }) : text);
}

export async function readPerUserTsv(path: string): Promise<PerUserMetrics> {
  const bytes = await readFile(path);
  return parsePerUserTsv((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'), path);
}

/** The JSON summary of a run: protocol spelled out, means, counts; per-user arrays go to the TSV. */
export function summarizeResult(r: EvalResult): Omit<EvalResult, 'perUser'> {
  const { perUser: _perUser, ...summary } = r;
  return summary;
}

function metricKeysOf(perUser: PerUserMetrics): MetricKey[] {
  return Object.keys(perUser).filter((k) => k !== 'users') as MetricKey[];
}
