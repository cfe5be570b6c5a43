import { z } from 'zod';
import { createAdam } from '../../tensor/adam.js';
import * as F from '../../tensor/fn.js';
import type { Kernels } from '../../tensor/kernels/types.js';
import { kmeans, nearestRows } from '../../tensor/linalg/kmeans.js';
import { createParam, createTape, type Node, type Param, type Tape, zeroGrads } from '../../tensor/tape.js';
import { type Mat, matrix, sharedF32, sharedI32, toSharedF32 } from '../../tensor/tensor.js';
import { stableStringify } from '../../util/hash.js';
import { type Rng, shuffle } from '../../util/rng.js';
import { createMlp, type Mlp } from './mlp.js';

/**
 * Residual quantization of frozen text embeddings into discrete semantic IDs (RQ-VAE), the offline tokenizer
 * of UIST (method.md §C.6) and AutoGraph (§C.8): an encoder MLP d_t → 256 → 128 → 32 (ReLU), L = 3 levels of
 * residual codebooks initialised by k-means on the encoder's outputs, a mirrored decoder, and the loss
 * L1(x̂, x) + Σ_l [ ‖C_l[c] − sg(r_l)‖² + β ‖r_l − sg(C_l[c])‖² ] (β = 0.25, MSE means), with the
 * straight-through estimator z + sg(Σ_l C_l[c_l] − z) feeding the decoder. Trained with Adam before CF
 * training, from a stream derived from the run seed, so the codes are a function of (text, config, seed).
 *
 * Departure from AutoGraph's `quantization.py`: 1000 epochs of AdamW (wd 1e-3) after 500 k-means iterations
 * are replaced by `epochs` = 10 and `kmeansIterations` = 25 by default (measured 15–30 s per side for 11k × 256 on a loaded 2-core machine),
 * plain Adam; both are knobs.
 */
export const RqConfig = z.strictObject({
  /** Hidden widths of the encoder (the decoder mirrors them). */
  hidden: z.array(z.int().positive()).default([256, 128]),
  codeDim: z.int().positive().default(32),
  levels: z.int().positive().default(3),
  epochs: z.int().nonnegative().default(10),
  batchSize: z.int().positive().default(1024),
  lr: z.number().positive().default(1e-3),
  /** β of the commitment term. */
  commitment: z.number().nonnegative().default(0.25),
  /** Lloyd iterations of each level's k-means initialisation. */
  kmeansIterations: z.int().nonnegative().default(25),
});
export type RqConfig = z.infer<typeof RqConfig>;

export interface RqCodes {
  readonly levels: number;
  readonly codebookSize: number;
  /** rows × levels, row-major; `codebookSize` (one past the last code) marks an entity without text. */
  readonly codes: Int32Array;
  /** Mean L1 reconstruction error per entry after training (0 when no row has text). */
  readonly l1: number;
  /** Distinct codes used at each level. */
  readonly used: readonly number[];
  /** Distinct full code tuples among the rows with text. */
  readonly distinct: number;
}

// Codes are a function of the text matrix, its mask, the config and the seed: computed once per process.
const CACHE = new WeakMap<Float32Array, Map<string, RqCodes>>();

/** The RQ codes of every row of `x` (rows with mask 0 get the "no text" code); cached per (x, config, seed). */
export function residualCodes(x: Mat, mask: Uint8Array, codebookSize: number, cfg: RqConfig, rng: Rng, kernels: Kernels): RqCodes {
  let byKey = CACHE.get(x.data);
  if (!byKey) CACHE.set(x.data, (byKey = new Map()));
  const key = stableStringify({ cfg, codebookSize, seed: rng.seed, mask: maskKey(mask) });
  let out = byKey.get(key);
  if (!out) byKey.set(key, (out = trainResidualQuantizer(x, mask, codebookSize, cfg, rng, kernels)));
  return out;
}

function maskKey(mask: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < mask.length; i++) h = Math.imul(h ^ mask[i], 0x01000193) >>> 0;
  return `${mask.length}:${h}`;
}

/** Train an RQ-VAE on the rows with text and return every row's codes (see RqCodes). */
export function trainResidualQuantizer(x: Mat, mask: Uint8Array, codebookSize: number, cfg: RqConfig, rng: Rng, kernels: Kernels): RqCodes {
  const L = cfg.levels, K = codebookSize;
  const rows = Int32Array.from({ length: x.rows }, (_, i) => i).filter((i) => mask[i] === 1);
  const codes = new Int32Array(x.rows * L).fill(K);
  if (rows.length === 0) return { levels: L, codebookSize: K, codes, l1: 0, used: new Array<number>(L).fill(0), distinct: 0 };
  const data = gather(x, rows);
  const enc = createMlp('rq.enc', [x.cols, ...cfg.hidden, cfg.codeDim], rng.derive('encoder'));
  const dec = createMlp('rq.dec', [cfg.codeDim, ...[...cfg.hidden].reverse(), x.cols], rng.derive('decoder'));
  const books: Param[] = Array.from({ length: L }, (_, l) => createParam(`rq.codebook${l}`, K, cfg.codeDim));
  const t = createTape(kernels);

  // k-means initialisation of each level on the residuals of the untrained encoder's outputs.
  let r = encode(t, enc, data);
  for (let l = 0; l < L; l++) {
    const km = kmeans(r, K, { iterations: cfg.kmeansIterations, rng: rng.derive(`kmeans/${l}`), gemm: kernels.gemm });
    books[l].value.data.set(km.centroids.data);
    r = subtractCodewords(r, books[l].value, km.assign);
  }

  const params = [...enc.params, ...dec.params, ...books];
  const adam = createAdam(params, { lr: cfg.lr }, kernels);
  const order = Int32Array.from({ length: rows.length }, (_, i) => i);
  for (let e = 0; e < cfg.epochs; e++) {
    shuffle(order, rng.derive(`epoch/${e}`));
    for (let b0 = 0; b0 < order.length; b0 += cfg.batchSize) {
      const batch = gather(data, order.subarray(b0, Math.min(order.length, b0 + cfg.batchSize)));
      t.reset();
      zeroGrads(params);
      t.backward(rqLoss(t, enc, dec, books, batch, cfg, kernels));
      adam.step();
    }
  }

  // Final codes and reconstruction error at the trained parameters.
  t.reset();
  const z = encode(t, enc, data);
  const assign = new Int32Array(rows.length);
  const qsum = matrix(rows.length, cfg.codeDim);
  let res = z;
  for (let l = 0; l < L; l++) {
    nearestRows(res, books[l].value, assign, undefined, kernels.gemm);
    for (let i = 0; i < rows.length; i++) codes[rows[i] * L + l] = assign[i];
    addCodewords(qsum, books[l].value, assign);
    res = subtractCodewords(res, books[l].value, assign);
  }
  const xhat = t.value(dec.forward(t, t.constant(qsum)));
  let l1 = 0;
  for (let i = 0; i < xhat.data.length; i++) l1 += Math.abs(xhat.data[i] - data.data[i]);
  const used = Array.from({ length: L }, (_, l) => {
    const seen = new Set<number>();
    for (const i of rows) seen.add(codes[i * L + l]);
    return seen.size;
  });
  const tuples = new Set<string>();
  for (const i of rows) tuples.add(codes.subarray(i * L, i * L + L).join(','));
  return { levels: L, codebookSize: K, codes, l1: l1 / xhat.data.length, used, distinct: tuples.size };
}

/** One minibatch's RQ-VAE loss (see the file header). */
function rqLoss(t: Tape, enc: Mlp, dec: Mlp, books: Param[], x: Mat, cfg: RqConfig, k: Kernels): Node {
  const m = x.rows, dz = cfg.codeDim;
  const xn = t.constant(x), z = enc.forward(t, xn), zv = t.value(z);
  let res = matrix(m, dz, toSharedF32(zv.data.slice()));
  const qsum = matrix(m, dz), assign = new Int32Array(m);
  let vq: Node | undefined;
  for (let l = 0; l < books.length; l++) {
    nearestRows(res, books[l].value, assign, undefined, k.gemm);
    const c = F.gatherRows(t, t.param(books[l]), assign.slice());
    const rl = F.sub(t, z, t.constant(matrix(m, dz, toSharedF32(qsum.data.slice()))));
    const cb = F.sumSquares(t, F.sub(t, c, t.constant(res)));
    const commit = F.sumSquares(t, F.sub(t, rl, t.constant(matrix(m, dz, toSharedF32(t.value(c).data.slice())))));
    const term = F.scale(t, F.add(t, cb, F.scale(t, commit, cfg.commitment)), 1 / (m * dz));
    vq = vq === undefined ? term : F.add(t, vq, term);
    addCodewords(qsum, books[l].value, assign);
    res = subtractCodewords(res, books[l].value, assign);
  }
  // Straight-through: the decoder sees the quantized vector, the gradient goes to z.
  const st = F.add(t, z, t.constant(matrix(m, dz, diff(qsum.data, zv.data))));
  const err = F.sub(t, dec.forward(t, st), xn);
  // |e| = relu(e) + relu(−e): L1 from existing ops.
  const l1 = F.scale(t, F.add(t, F.sum(t, F.relu(t, err)), F.sum(t, F.relu(t, F.scale(t, err, -1)))), 1 / (m * x.cols));
  return F.add(t, l1, vq!);
}

function encode(t: Tape, enc: Mlp, x: Mat): Mat {
  const v = t.value(enc.forward(t, t.constant(x)));
  return matrix(v.rows, v.cols, toSharedF32(v.data.slice()));
}

function diff(a: Float32Array, b: Float32Array): Float32Array {
  const out = sharedF32(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

function gather(x: Mat, rows: Int32Array): Mat {
  const out = matrix(rows.length, x.cols);
  for (let i = 0; i < rows.length; i++) out.data.set(x.data.subarray(rows[i] * x.cols, (rows[i] + 1) * x.cols), i * x.cols);
  return out;
}

function subtractCodewords(r: Mat, book: Mat, assign: Int32Array): Mat {
  const out = matrix(r.rows, r.cols, toSharedF32(r.data.slice())), d = r.cols;
  for (let i = 0; i < r.rows; i++) for (let q = 0; q < d; q++) out.data[i * d + q] -= book.data[assign[i] * d + q];
  return out;
}

function addCodewords(acc: Mat, book: Mat, assign: Int32Array): void {
  const d = acc.cols;
  for (let i = 0; i < acc.rows; i++) for (let q = 0; q < d; q++) acc.data[i * d + q] += book.data[assign[i] * d + q];
}

/** The codes of one level for every row, as a gather index into a table with `codebookSize + 1` rows. */
export function levelCodes(r: RqCodes, level: number): Int32Array {
  const out = sharedI32(r.codes.length / r.levels);
  for (let i = 0; i < out.length; i++) out[i] = r.codes[i * r.levels + level];
  return out;
}
