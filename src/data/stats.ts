import { nnz, type Csr } from './csr.js';
import type { Dataset, EntityTexts } from './dataset.js';

export interface DegreeStats {
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Entities with degree 0. */
  zero: number;
}

export interface TextCoverage {
  source: string;
  /** Entities with a non-empty text. */
  covered: number;
  /** covered / entity count. */
  fraction: number;
}

export interface DatasetStats {
  name: string;
  users: number;
  items: number;
  train: number;
  valid: number;
  test: number;
  /** train / (users × items). */
  density: number;
  /** (train + valid + test) / (users × items). */
  densityAll: number;
  usersWithValid: number;
  usersWithTest: number;
  /** Train degrees (interactions per user / per item). */
  userDegree: DegreeStats;
  itemDegree: DegreeStats;
  userTexts?: TextCoverage;
  itemTexts?: TextCoverage;
  reviews?: { count: number; usersCovered: number; itemsCovered: number; withText: number };
}

/** Summary numbers for `data stats` and run manifests. */
export function datasetStats(ds: Dataset): DatasetStats {
  const cells = ds.numUsers * ds.numItems;
  const train = nnz(ds.train), valid = nnz(ds.valid), test = nnz(ds.test);
  const stats: DatasetStats = {
    name: ds.name,
    users: ds.numUsers,
    items: ds.numItems,
    train,
    valid,
    test,
    density: cells ? train / cells : 0,
    densityAll: cells ? (train + valid + test) / cells : 0,
    usersWithValid: nonEmptyRows(ds.valid),
    usersWithTest: nonEmptyRows(ds.test),
    userDegree: degreeStats(ds.train),
    itemDegree: degreeStats(ds.trainT),
  };
  if (ds.userTexts) stats.userTexts = coverage(ds.userTexts);
  if (ds.itemTexts) stats.itemTexts = coverage(ds.itemTexts);
  if (ds.reviews) {
    const users = new Uint8Array(ds.numUsers), items = new Uint8Array(ds.numItems);
    let withText = 0;
    for (const r of ds.reviews) {
      users[r.user] = 1;
      items[r.item] = 1;
      if (r.text.trim() !== '') withText++;
    }
    stats.reviews = { count: ds.reviews.length, usersCovered: sum(users), itemsCovered: sum(items), withText };
  }
  return stats;
}

/** Row-length statistics of a CSR matrix. */
export function degreeStats(m: Csr): DegreeStats {
  const deg = new Int32Array(m.rows);
  let zero = 0, total = 0;
  for (let r = 0; r < m.rows; r++) {
    deg[r] = m.indptr[r + 1] - m.indptr[r];
    total += deg[r];
    if (deg[r] === 0) zero++;
  }
  if (m.rows === 0) return { min: 0, max: 0, mean: 0, median: 0, zero: 0 };
  deg.sort();
  const mid = m.rows >> 1;
  const median = m.rows % 2 ? deg[mid] : (deg[mid - 1] + deg[mid]) / 2;
  return { min: deg[0], max: deg[m.rows - 1], mean: total / m.rows, median, zero };
}

function nonEmptyRows(m: Csr): number {
  let n = 0;
  for (let r = 0; r < m.rows; r++) if (m.indptr[r + 1] > m.indptr[r]) n++;
  return n;
}

function coverage(t: EntityTexts): TextCoverage {
  let covered = 0;
  for (const s of t.text) if (s !== undefined && s.trim() !== '') covered++;
  return { source: t.source, covered, fraction: t.text.length ? covered / t.text.length : 0 };
}

function sum(a: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
