import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../util/errors.js';
import { createRng, type Rng } from '../util/rng.js';
import { csrFromPairs, hasEntry, nnz, toPairs, transpose, type Csr } from './csr.js';
import type { Dataset } from './dataset.js';
import { ManifestSchema, describeInputs, lmmrecVersion, type Manifest } from './preprocess/manifest.js';
import type { Counts, StepRecord } from './preprocess/records.js';
import { mapToTsv, pairsToTsv, writeDirAtomic, type WriteOptions } from './preprocess/write.js';

export interface NoiseResult {
  /** The same dataset with the added pairs in `train` (CSR and transpose rebuilt); valid/test untouched. */
  dataset: Dataset;
  /** The added (user, item) pairs, sorted by (user, item). */
  added: { users: Int32Array; items: Int32Array };
}

/** ⌊ratio·|train|⌋; the 1e-9 keeps 0.29·100 from flooring to 28 through rounding error. */
export function noiseCount(ratio: number, trainSize: number): number {
  return Math.floor(ratio * trainSize + 1e-9);
}

/**
 * Noise-robustness protocol (method.md B.8): add ⌊ratio·|train|⌋ user–item pairs drawn uniformly among the
 * pairs in none of train, valid and test, to train only. The result depends only on the dataset, ratio and
 * the stream of `rng`.
 */
export function injectNoise(ds: Dataset, ratio: number, rng: Rng): NoiseResult {
  if (!Number.isFinite(ratio) || ratio < 0) throw new ConfigError(`noise ratio must be a non-negative number, got ${ratio}`);
  const U = ds.numUsers, I = ds.numItems;
  const m = noiseCount(ratio, nnz(ds.train));
  const taken = (u: number, i: number): boolean => hasEntry(ds.train, u, i) || hasEntry(ds.valid, u, i) || hasEntry(ds.test, u, i);
  const free = U * I - occupied(ds);
  if (m > free) {
    throw new ConfigError(`noise ratio ${ratio} needs ${m} new pairs but only ${free} user–item pairs are outside train/valid/test`);
  }
  const codes: number[] = [];
  if (m * 4 <= free) {
    // Sparse case (every real dataset): rejection sampling over all U·I pairs, uniform over the free ones.
    const chosen = new Set<number>();
    while (codes.length < m) {
      const u = rng.int(U), i = rng.int(I);
      const code = u * I + i;
      if (taken(u, i) || chosen.has(code)) continue;
      chosen.add(code);
      codes.push(code);
    }
  } else {
    // Dense case (tiny inputs): rejection would spin, so list the free pairs and take a random m of them.
    const pool: number[] = [];
    for (let u = 0; u < U; u++) for (let i = 0; i < I; i++) if (!taken(u, i)) pool.push(u * I + i);
    for (let k = 0; k < m; k++) {
      const j = k + rng.int(pool.length - k);
      const t = pool[k]; pool[k] = pool[j]; pool[j] = t;
      codes.push(pool[k]);
    }
  }
  codes.sort((a, b) => a - b);
  const users = new Int32Array(m), items = new Int32Array(m);
  codes.forEach((c, k) => { users[k] = Math.floor(c / I); items[k] = c - users[k] * I; });
  const base = toPairs(ds.train);
  const train = csrFromPairs(U, I, concat(base.r, users), concat(base.c, items));
  return { dataset: { ...ds, name: `${ds.name}+noise${ratio}`, train, trainT: transpose(train) }, added: { users, items } };
}

/** |train ∪ valid ∪ test|, correct even if an in-memory dataset's splits overlap. */
function occupied(ds: Dataset): number {
  let n = nnz(ds.train);
  const parts: Csr[] = [ds.train];
  for (const m of [ds.valid, ds.test]) {
    for (let u = 0; u < m.rows; u++) {
      for (let k = m.indptr[u]; k < m.indptr[u + 1]; k++) if (!parts.some((p) => hasEntry(p, u, m.indices[k]))) n++;
    }
    parts.push(m);
  }
  return n;
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export interface NoisyCopy extends NoiseResult {
  manifest: Manifest;
}

/**
 * Write a reusable noisy copy of a dataset folder, so every method in a noise experiment trains on the same
 * pairs. The folder holds the noisy train.tsv, valid/test.tsv and the other files the dataset was loaded from
 * (maps, profiles, reviews) copied byte for byte, `noise_added.tsv` (the added pairs) and a manifest with the
 * ratio, seed, count and the source files' hashes. The random stream is `createRng(seed).derive('noise')`.
 * A dataset not loaded from a folder (no `files`) has its splits and maps written from memory instead.
 */
export async function writeNoisyCopy(
  ds: Dataset,
  ratio: number,
  seed: number,
  outDir: string,
  opts: WriteOptions & { now?: () => Date } = {},
): Promise<NoisyCopy> {
  const result = injectNoise(ds, ratio, createRng(seed).derive('noise'));
  const sourceFiles = (ds.files ?? []).filter((f) => f !== 'train.tsv');
  const manifestPath = join(ds.dir, 'manifest.json');
  const parentText = ds.files ? await readFile(manifestPath, 'utf8').catch(() => undefined) : undefined;
  const parent = parentText === undefined ? undefined : ManifestSchema.safeParse(safeJson(parentText));
  const inputs = await describeInputs([...(ds.files ?? []).map((f) => join(ds.dir, f)), ...(parentText === undefined ? [] : [manifestPath])]);
  const step: StepRecord = {
    name: 'noise',
    params: { ratio, seed, source: ds.dir },
    in: trainCounts(ds.train),
    out: trainCounts(result.dataset.train),
    details: {
      added: result.added.users.length,
      parentManifest: parent === undefined ? 'none' : parent.success ? 'steps copied' : 'unrecognised (hashed, steps not copied)',
    },
  };
  const manifest: Manifest = {
    format: 'lmmrec-data/1',
    kind: 'noise',
    lmmrecVersion: lmmrecVersion(),
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    seed,
    inputs,
    steps: [...(parent?.success ? parent.data.steps : []), step],
    output: { users: ds.numUsers, items: ds.numItems, train: nnz(result.dataset.train), valid: nnz(ds.valid), test: nnz(ds.test) },
  };
  await writeDirAtomic(outDir, async (tmp) => {
    const csrPairs = (m: Csr) => { const p = toPairs(m); return { users: p.r, items: p.c }; };
    await writeFile(join(tmp, 'train.tsv'), pairsToTsv(csrPairs(result.dataset.train), ds.numItems));
    for (const f of sourceFiles) await copyFile(join(ds.dir, f), join(tmp, f));
    for (const part of ['valid', 'test'] as const) {
      if (!sourceFiles.includes(`${part}.tsv`)) await writeFile(join(tmp, `${part}.tsv`), pairsToTsv(csrPairs(ds[part]), ds.numItems));
    }
    if (!ds.files) {
      if (ds.userRawIds) await writeFile(join(tmp, 'user_map.tsv'), mapToTsv(ds.userRawIds, join(outDir, 'user_map.tsv')));
      if (ds.itemRawIds) await writeFile(join(tmp, 'item_map.tsv'), mapToTsv(ds.itemRawIds, join(outDir, 'item_map.tsv')));
    }
    await writeFile(join(tmp, 'noise_added.tsv'), pairsToTsv(result.added, ds.numItems));
    await writeFile(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }, opts);
  return { ...result, manifest };
}

function trainCounts(train: Csr): Counts {
  const nonEmpty = (m: Csr): number => { let k = 0; for (let r = 0; r < m.rows; r++) if (m.indptr[r + 1] > m.indptr[r]) k++; return k; };
  return { users: nonEmpty(train), items: nonEmpty(transpose(train)), interactions: nnz(train) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
