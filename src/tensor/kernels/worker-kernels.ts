import { sparseNnz } from '../sparse.js';
import type { Arr } from '../tensor.js';
import type { GemmChoice } from './gemm-select.js';
import { type TaskArray, type TaskName, TASKS } from './parallel-tasks.js';
import { createPool, type SpinChoice } from './pool.js';
import { scalarKernels } from './scalar.js';
import type { Kernels } from './types.js';

export interface WorkerKernelsOptions {
  /** Threads doing work, the calling thread included (threads − 1 workers are started). */
  threads: number;
  /** Default 'auto': the wasm SIMD GEMM when built, else scalar. */
  gemm?: GemmChoice;
  /**
   * Calls with less work than this (inner-loop iterations) run on the calling thread alone, where a ~15 µs
   * dispatch would cost more than it saves. Does not change results. Default 32768; tests use 0.
   */
  minParallelWork?: number;
  /**
   * How long a waiting thread spins before it sleeps, in microseconds: a spinning worker picks up the next
   * kernel at once, where waking a sleeping one costs a futex wake-up and, on a VM, possibly an idle vCPU's
   * exit. Default 'auto': 500 µs while the load average leaves a core per thread, else 0 (on an oversubscribed
   * machine a spinning thread takes CPU from the thread it waits for). Does not change results.
   */
  spinMicros?: SpinChoice;
}

export interface WorkerKernels extends Kernels {
  readonly threads: number;
  readonly gemmKind: 'wasm' | 'scalar';
  /** Stop the workers. Idle workers are unref'd, so a process also exits without this. */
  close(): Promise<void>;
}

/**
 * The threaded kernel table. SpMM is split by output rows balanced by non-zeros; GEMM by rows of C (in
 * blocks of 8 rows); gathers, row ops and elementwise ops by rows or elements; scatter-add by destination
 * rows. Each part runs the same code as the single-threaded path on a slice (parallel-tasks.ts), so results
 * are bit-identical for any thread count. Reductions (sum, column sums) are small and order-sensitive and
 * stay on the calling thread; BPR's per-row terms are computed in parallel and summed there in row order, and
 * a prefetched sum of squares runs in sequence on one worker in the background (pool.start) while the calling
 * thread does serial work. Float64 inputs run on the calling thread (gradient checks).
 */
export async function createWorkerKernels(opts: WorkerKernelsOptions): Promise<WorkerKernels> {
  const pool = await createPool(opts.threads, opts.gemm ?? 'auto', opts.spinMicros);
  const minWork = opts.minParallelWork ?? 32768;
  const T = pool.threads, b = pool.bounds;

  // A sum of squares prefetched on a worker (prefetchSumSquares), until sumSquares takes it or a kernel
  // writes into its array's buffer.
  let prefetched: { x: Arr; n: number } | null = null;
  const ssOut = new Float64Array(new SharedArrayBuffer(8));
  let bprTerms: Float64Array = new Float64Array(new SharedArrayBuffer(0));
  const forgetWritten = (name: TaskName, arrays: readonly TaskArray[]): void => {
    if (prefetched !== null && TASKS[name].outputs.some((o) => arrays[o].buffer === prefetched!.x.buffer)) prefetched = null;
  };
  const run = (name: TaskName, arrays: readonly TaskArray[], nums: readonly number[]): void => {
    forgetWritten(name, arrays);
    pool.run(name, arrays, nums);
  };
  const runLocal = (name: TaskName, arrays: readonly TaskArray[], nums: readonly number[], total: number): void => {
    forgetWritten(name, arrays);
    TASKS[name].run(arrays, nums, 0, total, pool.gemm);
  };

  const serial = (arrays: readonly TaskArray[], total: number, work: number): boolean => {
    if (pool.closed) throw new Error('worker kernels: used after close()');
    return T === 1 || total < 2 || work < minWork || arrays.some((a) => a instanceof Float64Array);
  };

  /** Split [0, total) evenly, boundaries rounded down to multiples of `align` (the last part takes the rest). */
  const par = (name: TaskName, arrays: readonly TaskArray[], nums: readonly number[], total: number, work: number, align = 1): void => {
    if (serial(arrays, total, work)) return runLocal(name, arrays, nums, total);
    b[0] = 0;
    for (let t = 1; t < T; t++) b[t] = Math.max(b[t - 1], Math.floor((total * t) / T / align) * align);
    b[T] = total;
    run(name, arrays, nums);
  };

  let f64 = new Float64Array(new SharedArrayBuffer(0));
  const f64Scratch = (n: number): Float64Array => {
    if (f64.length < n) f64 = new Float64Array(new SharedArrayBuffer(8 * n));
    return f64;
  };
  const evenRows = (total: number): void => {
    b[0] = 0;
    for (let t = 1; t < T; t++) b[t] = Math.floor((total * t) / T);
    b[T] = total;
  };

  const table = {
    name: `worker-${T}`,
    threads: T,
    gemmKind: pool.gemmKind,
    close: () => pool.close(),
    gemm(a, bm, c, m, k, n, transA, transB, accumulate) {
      par('gemm', [a, bm, c], [m, k, n, +transA, +transB, +accumulate], m, m * k * n, 8);
    },
    spmm(s, x, y, n, accumulate) {
      const arrays = [s.indptr, s.indices, s.values, x, y];
      const nums = [n, +accumulate, s.cols];
      const nnz = s.indptr[s.rows];
      if (serial(arrays, s.rows, nnz * n)) return runLocal('spmm', arrays, nums, s.rows);
      // Balance parts by cost(r) = indptr[r] + r: non-zeros plus a per-row overhead.
      const total = nnz + s.rows;
      b[0] = 0;
      for (let t = 1; t < T; t++) {
        const target = (total * t) / T;
        let lo = b[t - 1], hi = s.rows;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (s.indptr[mid] + mid < target) lo = mid + 1; else hi = mid;
        }
        b[t] = lo;
      }
      b[T] = s.rows;
      run('spmm', arrays, nums);
    },
    keepEntries(s, tValues, keep, keepT, a, t) {
      const arrays = [s.indptr, s.indices, s.values, tValues, keep, keepT, a.indptr, a.indices, a.values, t.indptr, t.indices, t.values];
      const nums = [s.rows, s.cols];
      if (serial(arrays, 2, 2 * sparseNnz(s))) return runLocal('keepEntries', arrays, nums, 2);
      // Two parts (a and t); threads beyond the second get empty ranges.
      b[0] = 0;
      for (let t2 = 1; t2 <= T; t2++) b[t2] = Math.min(t2, 2);
      run('keepEntries', arrays, nums);
    },
    gatherRows: (src, idx, out, cols) => par('gatherRows', [src, idx, out], [cols], idx.length, idx.length * cols),
    gatherAddRows: (src, idx, out, cols) => par('gatherAddRows', [src, idx, out], [cols], idx.length, idx.length * cols),
    scatterAddRows(src, idx, out, cols) {
      const rows = cols === 0 ? 0 : Math.floor(out.length / cols);
      par('scatterAddRows', [src, idx, out], [cols], rows, idx.length * cols);
    },
    add: (a, bb, out, n) => par('add', [a, bb, out].map((v) => v.subarray(0, n)), [], n, n),
    addMany: (out, xs, n) => par('addMany', [out, ...xs].map((v) => v.subarray(0, n)), [], n, (1 + xs.length) * n),
    axpy: (alpha, x, y, n) => par('axpy', [x, y].map((v) => v.subarray(0, n)), [alpha], n, n),
    sub: (a, bb, out, n) => par('sub', [a, bb, out].map((v) => v.subarray(0, n)), [], n, n),
    div: (a, bb, out, n) => par('div', [a, bb, out].map((v) => v.subarray(0, n)), [], n, n),
    divGradA: (bb, dy, dx, n) => par('divGradA', [bb, dy, dx].map((v) => v.subarray(0, n)), [], n, n),
    divGradB: (a, bb, dy, db, n) => par('divGradB', [a, bb, dy, db].map((v) => v.subarray(0, n)), [], n, n),
    exp: (x, y, n) => par('exp', [x, y].map((v) => v.subarray(0, n)), [], n, 8 * n),
    log: (x, y, n) => par('log', [x, y].map((v) => v.subarray(0, n)), [], n, 8 * n),
    mul: (a, bb, out, n) => par('mul', [a, bb, out].map((v) => v.subarray(0, n)), [], n, n),
    mulAdd: (a, bb, out, n) => par('mulAdd', [a, bb, out].map((v) => v.subarray(0, n)), [], n, n),
    scale: (a, s, out, n) => par('scale', [a, out].map((v) => v.subarray(0, n)), [s], n, n),
    addScalar: (x, c, n) => par('addScalar', [x.subarray(0, n)], [c], n, n),
    addRowVector: (x, v, out, rows, cols) => par('addRowVector', [x, v, out], [cols], rows, rows * cols),
    colSumsAdd(x, out, rows, cols) {
      if (prefetched !== null && out.buffer === prefetched.x.buffer) prefetched = null;
      scalarKernels.colSumsAdd(x, out, rows, cols);
    },
    sumRows: (x, out, rows, cols) => par('sumRows', [x, out], [cols], rows, rows * cols),
    addRowScalars: (g, dx, rows, cols) => par('addRowScalars', [g, dx], [cols], rows, rows * cols),
    logSoftmaxRows: (x, y, rows, cols) => par('logSoftmaxRows', [x, y], [cols], rows, 8 * rows * cols),
    logSoftmaxRowsGrad: (y, dy, dx, rows, cols) => par('logSoftmaxRowsGrad', [y, dy, dx], [cols], rows, 8 * rows * cols),
    rowDot: (x, y, out, rows, cols) => par('rowDot', [x, y, out], [cols], rows, rows * cols),
    rowScaleAdd: (g, y, dx, rows, cols) => par('rowScaleAdd', [g, y, dx], [cols], rows, rows * cols),
    leakyRelu: (x, y, n, slope) => par('leakyRelu', [x, y].map((v) => v.subarray(0, n)), [slope], n, n),
    leakyReluGrad: (x, dy, dx, n, slope) => par('leakyReluGrad', [x, dy, dx].map((v) => v.subarray(0, n)), [slope], n, n),
    relu: (x, y, n) => par('relu', [x, y].map((v) => v.subarray(0, n)), [], n, n),
    reluGrad: (x, dy, dx, n) => par('reluGrad', [x, dy, dx].map((v) => v.subarray(0, n)), [], n, n),
    sigmoid: (x, y, n) => par('sigmoid', [x, y].map((v) => v.subarray(0, n)), [], n, 8 * n),
    sigmoidGrad: (y, dy, dx, n) => par('sigmoidGrad', [y, dy, dx].map((v) => v.subarray(0, n)), [], n, n),
    tanh: (x, y, n) => par('tanh', [x, y].map((v) => v.subarray(0, n)), [], n, 8 * n),
    tanhGrad: (y, dy, dx, n) => par('tanhGrad', [y, dy, dx].map((v) => v.subarray(0, n)), [], n, n),
    rowL2Normalize: (x, y, s, rows, cols, eps) => par('rowL2Normalize', [x, y, s], [cols, eps], rows, 2 * rows * cols),
    rowL2NormalizeGrad: (y, s, dy, dx, rows, cols) => par('rowL2NormalizeGrad', [y, s, dy, dx], [cols], rows, 2 * rows * cols),
    logSumExpRows: (x, out, rows, cols) => par('logSumExpRows', [x, out], [cols], rows, 8 * rows * cols),
    logSumExpRowsGrad: (x, l, dy, dx, rows, cols) => par('logSumExpRowsGrad', [x, l, dy, dx], [cols], rows, 8 * rows * cols),
    softmaxRows: (x, y, l, rows, cols, scale) => par('softmaxRows', [x, y, l], [cols, scale], rows, 8 * rows * cols),
    softmaxRowsGrad: (y, dy, dx, rows, cols) => par('softmaxRowsGrad', [y, dy, dx], [cols], rows, 2 * rows * cols),
    copyCols(src, srcCols, srcOff, dst, dstCols, dstOff, rows, width, accumulate) {
      par('copyCols', [src, dst], [srcCols, srcOff, dstCols, dstOff, width, +accumulate], rows, rows * width);
    },
    sum: scalarKernels.sum,
    sumSquares(x, n) {
      if (prefetched !== null && prefetched.x === x && prefetched.n === n) {
        prefetched = null;
        pool.join();
        return ssOut[0];
      }
      return scalarKernels.sumSquares(x, n);
    },
    prefetchSumSquares(x, n) {
      prefetched = null;
      if (T === 1 || pool.closed || n < minWork || !(x instanceof Float32Array) || !(x.buffer instanceof SharedArrayBuffer)) return;
      pool.start('sumSquares', [x.subarray(0, n), ssOut], [], n);
      prefetched = { x, n };
    },
    bprLoss(u, p, q, rows, cols) {
      if (rows === 0 || serial([u, p, q], rows, 8 * rows * cols)) return scalarKernels.bprLoss(u, p, q, rows, cols);
      // Row terms in parallel, summed here in row order: the value bprLoss computes in one loop.
      if (bprTerms.length < rows) bprTerms = new Float64Array(new SharedArrayBuffer(8 * rows));
      b[0] = 0;
      for (let t = 1; t < T; t++) b[t] = Math.floor((rows * t) / T);
      b[T] = rows;
      run('bprTerms', [u, p, q, bprTerms], [cols]);
      let s = 0;
      for (let i = 0; i < rows; i++) s += bprTerms[i];
      return s / rows;
    },
    bprLossGrad(u, p, q, rows, cols, g, du, dp, dq) {
      const arrays = [u, p, q, du ?? u, dp ?? u, dq ?? u];
      par('bprLossGrad', arrays, [cols, g, rows, +(du !== null), +(dp !== null), +(dq !== null)], rows, 4 * rows * cols);
    },
    bprLossRows(users, items, ui, pi, qi, cols) {
      const rows = ui.length;
      if (rows === 0 || cols === 0 || serial([users, items], rows, 8 * rows * cols)) return scalarKernels.bprLossRows(users, items, ui, pi, qi, cols);
      const terms = f64Scratch(rows);
      evenRows(rows);
      run('bprRowsTerms', [users, items, ui, pi, qi, terms], [cols]);
      let s = 0;
      for (let i = 0; i < rows; i++) s += terms[i];
      return s / rows;
    },
    bprLossRowsGrad(users, items, ui, pi, qi, cols, g, dUsers, dItems) {
      const rows = ui.length;
      const arrays = [users, items, ...(dUsers ? [dUsers] : []), ...(dItems ? [dItems] : [])];
      if (cols === 0 || serial(arrays, rows, 8 * rows * cols)) return scalarKernels.bprLossRowsGrad(users, items, ui, pi, qi, cols, g, dUsers, dItems);
      const w = f64Scratch(rows);
      evenRows(rows);
      run('bprRowsWeights', [users, items, ui, pi, qi, w], [cols, g]);
      // Destination rows of users ⊕ items, split evenly; each thread scans the whole batch for its rows.
      const numUsers = Math.floor(users.length / cols), total = numUsers + Math.floor(items.length / cols);
      evenRows(total);
      run('bprRowsScatter', [users, items, ui, pi, qi, w, dUsers ?? users, dItems ?? items], [cols, numUsers, +(dUsers !== null), +(dItems !== null)]);
    },
    topKRows(scores, n, k, users, exclIndptr, exclIndices, out, stride, counts) {
      par('topKRows', [scores, users, exclIndptr, exclIndices, out, counts], [n, k, stride], users.length, users.length * n);
    },
    adamStep(p, g, m, v, n, h) {
      const arrays: Arr[] = [p, g, m, v].map((a) => a.subarray(0, n));
      par('adamStep', arrays, [h.beta1, h.beta2, h.stepSize, h.bc2Sqrt, h.eps, h.weightDecay], n, 4 * n);
    },
  } satisfies WorkerKernels;
  return table;
}

