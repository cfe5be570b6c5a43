import type { Arr } from '../tensor.js';
import * as ew from './scalar-elementwise.js';
import { gemmScalar } from './scalar-gemm.js';
import * as rw from './scalar-rows.js';
import { gatherAddRowsScalar, gatherRowsScalar, keepEntriesParts, scatterAddRowsRange, spmmScalar } from './scalar-sparse.js';
import type { SparseMat } from '../sparse.js';
import { topKRows } from '../topk.js';
import type { GemmFn } from './types.js';
import { bestAdamStep } from './wasm-adam.js';
import { bestElementwise } from './wasm-elementwise.js';
import { bestSoftmaxRows } from './wasm-rows.js';
import { threadWasmSpmm } from './wasm-spmm.js';

/**
 * The work the worker pool can split, shared by the main thread and the workers so both run the very same
 * code on their part. A task runs its kernel on the part [lo, hi) of its partition axis (rows of the output,
 * or elements) by slicing views, so a part's result cannot depend on where the other parts begin: this is
 * what makes results bit-identical for any thread count.
 *
 * `arrays` are the array arguments in a fixed order per task, `nums` the scalar ones; `outputs` lists the
 * arrays a task writes (the pool copies those back when it had to stage a non-shared array).
 */
export type TaskArray = Arr | Int32Array | Uint8Array;

export interface Task {
  readonly outputs: readonly number[];
  run(a: readonly TaskArray[], x: readonly number[], lo: number, hi: number, gemm: GemmFn): void;
}

const f = (a: TaskArray): Arr => a as Arr;
const i32 = (a: TaskArray): Int32Array => a as Int32Array;
const sub = (a: TaskArray, lo: number, hi: number): Arr => f(a).subarray(lo, hi);
const isF64 = (a: TaskArray): boolean => a instanceof Float64Array;

/** Elementwise task over elements [lo, hi); `fn` gets the sliced arrays and the element count. */
function elems(outputs: number[], fn: (v: Arr[], x: readonly number[], n: number) => void): Task {
  return { outputs, run: (a, x, lo, hi) => fn(a.map((t) => sub(t, lo, hi)), x, hi - lo) };
}

/**
 * Row task over rows [lo, hi); nums[0] is the row width. `layout` has one letter per array: 'm' a
 * row-major matrix (sliced by rows), 'r' one value per row (sliced by rows), 'w' whole (a shared vector).
 */
function rows(outputs: number[], layout: string, fn: (v: Arr[], x: readonly number[], rows: number) => void): Task {
  return {
    outputs,
    run(a, x, lo, hi) {
      const cols = x[0];
      const v = a.map((t, i) => (layout[i] === 'm' ? sub(t, lo * cols, hi * cols) : layout[i] === 'r' ? sub(t, lo, hi) : f(t)));
      fn(v, x, hi - lo);
    },
  };
}

export const TASKS = {
  gemm: {
    // arrays: a, b, c; nums: m, k, n, transA, transB, accumulate. Part: rows of C.
    outputs: [2],
    run(a, x, lo, hi, gemm) {
      const [m, k, n, transA, transB, acc] = x;
      const g: GemmFn = isF64(a[0]) || isF64(a[1]) || isF64(a[2]) ? gemmScalar : gemm;
      const c = sub(a[2], lo * n, hi * n);
      if (!transA) g(sub(a[0], lo * k, hi * k), f(a[1]), c, hi - lo, k, n, false, transB === 1, acc === 1);
      else if (lo === 0 && hi === m) g(f(a[0]), f(a[1]), c, m, k, n, true, transB === 1, acc === 1);
      else g(columnBlock(f(a[0]), m, k, lo, hi), f(a[1]), c, hi - lo, k, n, true, transB === 1, acc === 1);
    },
  },
  spmm: {
    // arrays: indptr, indices, values, x, y; nums: n, accumulate, cols. Part: rows of y.
    outputs: [4],
    run(a, x, lo, hi) {
      const [n, acc, cols] = x;
      const part = { rows: hi - lo, cols, indptr: i32(a[0]).subarray(lo, hi + 1), indices: i32(a[1]), values: a[2] as Float32Array };
      (threadWasmSpmm() ?? spmmScalar)(part, f(a[3]), sub(a[4], lo * n, hi * n), n, acc === 1);
    },
  },
  keepEntries: {
    // arrays: s (indptr, indices, values), tValues, keep, keepT, a (indptr, indices, values), t (same);
    // nums: rows, cols. Parts: 0 builds a, 1 builds t.
    outputs: [6, 7, 8, 9, 10, 11],
    run(a, [rows, cols], lo, hi) {
      const mat = (o: number): SparseMat => ({ rows, cols, indptr: i32(a[o]), indices: i32(a[o + 1]), values: a[o + 2] as Float32Array });
      keepEntriesParts(mat(0), a[3] as Float32Array, a[4] as Uint8Array, a[5] as Uint8Array, mat(6), mat(9), lo, hi);
    },
  },
  gatherRows: {
    // arrays: src, idx, out; nums: cols. Part: rows of out.
    outputs: [2],
    run: (a, [cols], lo, hi) => gatherRowsScalar(f(a[0]), i32(a[1]).subarray(lo, hi), sub(a[2], lo * cols, hi * cols), cols),
  },
  gatherAddRows: {
    outputs: [2],
    run: (a, [cols], lo, hi) => gatherAddRowsScalar(f(a[0]), i32(a[1]).subarray(lo, hi), sub(a[2], lo * cols, hi * cols), cols),
  },
  scatterAddRows: {
    // Part: destination rows; every part scans all sources, keeping the per-row order of the scalar kernel.
    outputs: [2],
    run: (a, [cols], lo, hi) => scatterAddRowsRange(f(a[0]), i32(a[1]), f(a[2]), cols, lo, hi),
  },
  add: elems([2], ([a, b, o], _x, n) => ew.add(a, b, o, n)),
  // arrays: out, then the inputs.
  addMany: elems([0], ([o, ...xs], _x, n) => bestElementwise().addMany(o, xs, n)),
  axpy: elems([1], ([x, y], [alpha], n) => bestElementwise().axpy(alpha, x, y, n)),
  sub: elems([2], ([a, b, o], _x, n) => ew.sub(a, b, o, n)),
  mul: elems([2], ([a, b, o], _x, n) => ew.mul(a, b, o, n)),
  div: elems([2], ([a, b, o], _x, n) => ew.div(a, b, o, n)),
  divGradA: elems([2], ([b, dy, dx], _x, n) => ew.divGradA(b, dy, dx, n)),
  divGradB: elems([3], ([a, b, dy, db], _x, n) => ew.divGradB(a, b, dy, db, n)),
  exp: elems([1], ([x, y], _x, n) => ew.exp(x, y, n)),
  log: elems([1], ([x, y], _x, n) => ew.log(x, y, n)),
  mulAdd: elems([2], ([a, b, o], _x, n) => ew.mulAdd(a, b, o, n)),
  scale: elems([1], ([a, o], [s], n) => ew.scale(a, s, o, n)),
  addScalar: elems([0], ([o], [c], n) => ew.addScalar(o, c, n)),
  leakyRelu: elems([1], ([x, y], [slope], n) => bestElementwise().leakyRelu(x, y, n, slope)),
  leakyReluGrad: elems([2], ([x, dy, dx], [slope], n) => bestElementwise().leakyReluGrad(x, dy, dx, n, slope)),
  relu: elems([1], ([x, y], _x, n) => ew.relu(x, y, n)),
  reluGrad: elems([2], ([x, dy, dx], _x, n) => ew.reluGrad(x, dy, dx, n)),
  sigmoid: elems([1], ([x, y], _x, n) => ew.sigmoid(x, y, n)),
  sigmoidGrad: elems([2], ([y, dy, dx], _x, n) => ew.sigmoidGrad(y, dy, dx, n)),
  tanh: elems([1], ([x, y], _x, n) => ew.tanh(x, y, n)),
  tanhGrad: elems([2], ([y, dy, dx], _x, n) => ew.tanhGrad(y, dy, dx, n)),
  adamStep: elems([0, 2, 3], ([p, g, m, v], [beta1, beta2, stepSize, bc2Sqrt, eps, weightDecay], n) =>
    bestAdamStep()(p, g, m, v, n, { beta1, beta2, stepSize, bc2Sqrt, eps, weightDecay })),
  addRowVector: rows([2], 'mwm', ([x, v, o], [cols], r) => rw.addRowVector(x, v, o, r, cols)),
  sumRows: rows([1], 'mr', ([x, o], [cols], r) => rw.sumRows(x, o, r, cols)),
  addRowScalars: rows([1], 'rm', ([g, dx], [cols], r) => rw.addRowScalars(g, dx, r, cols)),
  logSoftmaxRows: rows([1], 'mm', ([x, y], [cols], r) => rw.logSoftmaxRows(x, y, r, cols)),
  logSoftmaxRowsGrad: rows([2], 'mmm', ([y, dy, dx], [cols], r) => rw.logSoftmaxRowsGrad(y, dy, dx, r, cols)),
  rowDot: rows([2], 'mmr', ([x, y, o], [cols], r) => rw.rowDot(x, y, o, r, cols)),
  rowScaleAdd: rows([2], 'rmm', ([g, y, dx], [cols], r) => rw.rowScaleAdd(g, y, dx, r, cols)),
  rowL2Normalize: rows([1, 2], 'mmr', ([x, y, s], [cols, eps], r) => rw.rowL2Normalize(x, y, s, r, cols, eps)),
  rowL2NormalizeGrad: rows([3], 'mrmm', ([y, s, dy, dx], [cols], r) => rw.rowL2NormalizeGrad(y, s, dy, dx, r, cols)),
  logSumExpRows: rows([1], 'mr', ([x, o], [cols], r) => rw.logSumExpRows(x, o, r, cols)),
  logSumExpRowsGrad: rows([3], 'mrrm', ([x, l, dy, dx], [cols], r) => rw.logSumExpRowsGrad(x, l, dy, dx, r, cols)),
  softmaxRows: rows([1, 2], 'mmr', ([x, y, l], [cols, scale], r) => bestSoftmaxRows()(x, y, l, r, cols, scale)),
  softmaxRowsGrad: rows([2], 'mmm', ([y, dy, dx], [cols], r) => rw.softmaxRowsGrad(y, dy, dx, r, cols)),
  topKRows: {
    // arrays: scores, users, exclIndptr, exclIndices, out, counts; nums: n, k, stride. Part: rows.
    outputs: [4, 5],
    run(a, [n, k, stride], lo, hi) {
      topKRows(a[0] as Float32Array, n, k, i32(a[1]), i32(a[2]), i32(a[3]), i32(a[4]), stride, i32(a[5]), lo, hi);
    },
  },
  bprLossGrad: {
    // arrays: u, p, q, du, dp, dq (a skipped slot carries any array); nums: cols, g, rows, then 1 per used slot.
    outputs: [3, 4, 5],
    run(a, [cols, g, rows, hasDu, hasDp, hasDq], lo, hi) {
      rw.bprLossGradRows(f(a[0]), f(a[1]), f(a[2]), rows, cols, g, hasDu ? f(a[3]) : null, hasDp ? f(a[4]) : null,
        hasDq ? f(a[5]) : null, lo, hi);
    },
  },
  bprTerms: {
    // arrays: u, p, q, terms (Float64Array, one per row); nums: cols. Part: rows.
    outputs: [3],
    run: (a, [cols], lo, hi) => rw.bprTermsRows(f(a[0]), f(a[1]), f(a[2]), cols, a[3] as Float64Array, lo, hi),
  },
  bprRowsTerms: {
    // arrays: users, items, ui, pi, qi, terms (Float64Array); nums: cols. Part: batch rows.
    outputs: [5],
    run: (a, [cols], lo, hi) => rw.bprRowsTerms(f(a[0]), f(a[1]), i32(a[2]), i32(a[3]), i32(a[4]), cols, a[5] as Float64Array, lo, hi),
  },
  bprRowsWeights: {
    // arrays: users, items, ui, pi, qi, w (Float64Array); nums: cols, g. Part: batch rows.
    outputs: [5],
    run: (a, [cols, g], lo, hi) => rw.bprRowsWeights(f(a[0]), f(a[1]), i32(a[2]), i32(a[3]), i32(a[4]), cols, g, a[5] as Float64Array, lo, hi),
  },
  bprRowsScatter: {
    // arrays: users, items, ui, pi, qi, w, dUsers, dItems (a stand-in when absent); nums: cols, numUsers,
    // hasDUsers, hasDItems. Part: destination rows of the stacked users ⊕ items.
    outputs: [6, 7],
    run(a, [cols, numUsers, hasDu, hasDi], lo, hi) {
      rw.bprRowsScatter(f(a[0]), f(a[1]), i32(a[2]), i32(a[3]), i32(a[4]), cols, a[5] as Float64Array,
        hasDu ? f(a[6]) : null, hasDi ? f(a[7]) : null, numUsers, lo, hi);
    },
  },
  sumSquares: {
    // arrays: x, out (Float64Array, 1 element); nums: none. One part only (start() gives all of it to one
    // worker): the sum runs in sequence, as on the calling thread.
    outputs: [1],
    run(a, _x, lo, hi) {
      if (hi > lo) (a[1] as Float64Array)[0] = rw.sumSquares(sub(a[0], lo, hi), hi - lo);
    },
  },
  copyCols: {
    // arrays: src, dst; nums: srcCols, srcOff, dstCols, dstOff, width, accumulate. Part: rows.
    outputs: [1],
    run(a, [sc, so, dc, doff, width, acc], lo, hi) {
      rw.copyCols(sub(a[0], lo * sc, hi * sc), sc, so, sub(a[1], lo * dc, hi * dc), dc, doff, hi - lo, width, acc === 1);
    },
  },
} satisfies Record<string, Task>;

export type TaskName = keyof typeof TASKS;

/** Task names in a fixed order; a task's code is its index (the main thread and workers share this list). */
export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

let blockBuf = new Float32Array(0);
let blockBuf64 = new Float64Array(0);

/**
 * Columns [lo, hi) of A (stored k × m) as a k × (hi − lo) array, still "transposed" for GEMM: each of the k
 * rows is one contiguous copy. Same values, same order of p, so the product is unchanged (reused buffer).
 */
function columnBlock(a: Arr, m: number, k: number, lo: number, hi: number): Arr {
  const h = hi - lo, len = h * k;
  let out: Arr;
  if (a instanceof Float64Array) {
    if (blockBuf64.length < len) blockBuf64 = new Float64Array(len);
    out = blockBuf64.subarray(0, len);
  } else {
    if (blockBuf.length < len) blockBuf = new Float32Array(len);
    out = blockBuf.subarray(0, len);
  }
  for (let p = 0; p < k; p++) out.set(a.subarray(p * m + lo, p * m + hi), p * h);
  return out;
}
