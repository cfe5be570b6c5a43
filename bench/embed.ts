/**
 * `npm run bench -- embed [dataDir] [--dim 256] [--power-iters 2] [--reps 1]`: fit + encode the built-in tfidf-svd
 * encoder on every user and item profile of rlmrec_amazon_book (20,332 texts; default ../shared/data/…). Prints
 * median fit (tf-idf + randomized SVD; wall and CPU time, as the machine may be shared) and encode times over the
 * reps, the tf-idf step alone, vocabulary size, peak RSS, and a quality
 * check on 500 sampled users: mean cosine to their own train items vs to all other items.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { rowOf } from '../src/data/csr.js';
import { loadDataset } from '../src/data/load.js';
import { createTfidfSvdEncoder } from '../src/text/encoders/tfidf-svd.js';
import { fitTfidf, TfidfOptions } from '../src/text/encoders/tfidf.js';
import { createRng } from '../src/util/rng.js';
import { median } from './lib/common.js';

const DEFAULT_DIR = resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_amazon_book');

function parseArgs(args: string[]): { dir: string; dim: number; powerIters: number; reps: number } {
  let dir: string | undefined;
  let dim = 256, powerIters = 2, reps = 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--dim') dim = Number(args[++i]);
    else if (a === '--power-iters') powerIters = Number(args[++i]);
    else if (a === '--reps') reps = Number(args[++i]);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a} (use --dim N, --power-iters N, --reps N)`);
    else dir = resolve(a);
  }
  if (![dim, reps].every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(powerIters) && powerIters >= 0)) {
    throw new Error('--dim and --reps take positive integers, --power-iters a non-negative integer');
  }
  dir ??= DEFAULT_DIR;
  if (!existsSync(dir)) throw new Error(`data folder ${dir} not found; pass one with user_profiles/item_profiles`);
  return { dir, dim, powerIters, reps };
}

export async function run(args: string[]): Promise<void> {
  const { dir, dim, powerIters, reps } = parseArgs(args);
  const ds = await loadDataset(dir);
  if (!ds.userTexts || !ds.itemTexts) throw new Error(`${dir} has no user_profiles / item_profiles`);
  const users = ds.userTexts.text, items = ds.itemTexts.text;
  const corpus = [...users, ...items].filter((t): t is string => !!t && t.trim() !== '');
  console.log(`${ds.name}: ${users.length} user + ${items.length} item profiles, ${corpus.length} non-empty texts, dim ${dim}, power iterations ${powerIters}`);

  const fitMs: number[] = [], encodeMs: number[] = [], fitCpuMs: number[] = [];
  const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  let enc = createTfidfSvdEncoder({ dim, powerIters });
  let vectors: Float32Array = new Float32Array(0);
  for (let r = 0; r < reps; r++) {
    enc = createTfidfSvdEncoder({ dim, powerIters });
    let t = performance.now();
    const c = cpuMs();
    await enc.fit(corpus);
    fitMs.push(performance.now() - t);
    fitCpuMs.push(cpuMs() - c);
    t = performance.now();
    vectors = await enc.encode([...users, ...items].map((x) => x ?? ''));
    encodeMs.push(performance.now() - t);
  }
  const t0 = performance.now();
  const { matrix } = fitTfidf(corpus, TfidfOptions.parse({}));
  const tfidfMs = performance.now() - t0;
  const vocab = matrix.cols;
  const s = enc.singularValues!;
  console.log(`tf-idf alone (tokenize, vocabulary, weights): ${(tfidfMs / 1000).toFixed(2)} s, ${matrix.indptr[matrix.rows]} non-zeros`);
  console.log(`vocabulary ${vocab} terms; σ1 ${s[0].toFixed(3)}, σ${dim} ${s[dim - 1].toFixed(3)}; model ${enc.model}`);
  console.log(`fit (tf-idf + randomized SVD): median ${(median(fitMs) / 1000).toFixed(2)} s over ${reps} (${fitMs.map((x) => (x / 1000).toFixed(2)).join(', ')}); CPU time ${(median(fitCpuMs) / 1000).toFixed(2)} s`);
  console.log(`encode ${users.length + items.length} texts: median ${(median(encodeMs) / 1000).toFixed(2)} s (${((users.length + items.length) / (median(encodeMs) / 1000)).toFixed(0)} texts/s)`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

  const rng = createRng(1).derive('bench-embed');
  const nu = users.length;
  let pos = 0, neg = 0, wins = 0;
  const sample = 500;
  for (let k = 0; k < sample; k++) {
    const u = rng.int(nu);
    const own = new Set(rowOf(ds.train, u));
    let p = 0, n = 0;
    for (let i = 0; i < items.length; i++) {
      let c = 0;
      for (let j = 0; j < dim; j++) c += vectors[u * dim + j] * vectors[(nu + i) * dim + j];
      if (own.has(i)) p += c; else n += c;
    }
    p /= own.size; n /= items.length - own.size;
    pos += p; neg += n;
    if (p > n) wins++;
  }
  console.log(`quality, ${sample} sampled users: mean cos to own train items ${(pos / sample).toFixed(3)} vs other items ${(neg / sample).toFixed(3)}; ${wins}/${sample} users closer to their own`);
}
