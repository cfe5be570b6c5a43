import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kernels } from '../../src/tensor/kernels/types.js';
import { bipartiteAdjacency, dropEntries, mirrorIndex, type SparseMat, sparseNnz, transposeSparse } from '../../src/tensor/sparse.js';
import { type Arr, sharedF32, sharedI32 } from '../../src/tensor/tensor.js';
import { createRng, type Rng } from '../../src/util/rng.js';

/**
 * The shared kernel suite (style.md §2.3): every Kernels implementation runs it against the reference on
 * awkward shapes (0 rows, 1 column, widths that are not a multiple of 8, rows that do not split evenly), with
 * inputs both in shared memory and in plain arrays. Results must be identical to the reference except GEMM
 * (and what is built on it) when the implementation uses a different GEMM: then within `gemmTol`.
 */
export interface KernelCaseOptions {
  /** Absolute tolerance for GEMM results on inputs in [−1, 1]; default 0 (bit-identical). */
  gemmTol?: number;
  close?: (k: Kernels) => Promise<void>;
}

type Alloc = (n: number) => Float32Array;
const ALLOCS: [string, Alloc][] = [['shared', sharedF32], ['plain', (n) => new Float32Array(n)]];

function rand(rng: Rng, n: number, alloc: Alloc, positive = false): Float32Array {
  const a = alloc(n);
  for (let i = 0; i < n; i++) a[i] = positive ? 0.1 + rng.next() : 2 * rng.next() - 1;
  return a;
}

function index(rng: Rng, n: number, bound: number, shared: boolean): Int32Array {
  const a = shared ? sharedI32(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(bound);
  return a;
}

function sparse(rng: Rng, rows: number, cols: number, shared: boolean): SparseMat {
  const indptr: number[] = [0], idx: number[] = [], val: number[] = [];
  for (let r = 0; r < rows; r++) {
    // Skewed row lengths, so balancing by non-zeros matters; some empty rows.
    const len = r % 7 === 3 ? 0 : Math.min(cols, 1 + rng.int(r % 11 === 0 ? 40 : 6));
    const seen = new Set<number>();
    for (let e = 0; e < len; e++) seen.add(rng.int(cols));
    for (const c of seen) {
      idx.push(c);
      val.push(2 * rng.next() - 1);
    }
    indptr.push(idx.length);
  }
  const i32 = (v: number[]) => {
    const a = shared ? sharedI32(v.length) : new Int32Array(v.length);
    a.set(v);
    return a;
  };
  const values = shared ? sharedF32(val.length) : new Float32Array(val.length);
  values.set(val);
  return { rows, cols, indptr: i32(indptr), indices: i32(idx), values };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const ok = tol === 0 ? Object.is(actual[i], expected[i]) : Math.abs(actual[i] - expected[i]) <= tol;
    if (!ok) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}${tol === 0 ? ' (must be identical)' : ` (tolerance ${tol})`}`);
  }
}

/** A copy in the same kind of memory (slice() would always give a non-shared array). */
function clone(a: Arr): Arr {
  if (!(a.buffer instanceof SharedArrayBuffer)) return a.slice();
  const c = sharedF32(a.length);
  c.set(a);
  return c;
}

/** Run `call` on both tables with copies of the same inputs; compare every array argument afterwards. */
function same(k: Kernels, ref: Kernels, what: string, args: Arr[], call: (t: Kernels, a: Arr[]) => number | void, tol = 0): void {
  const mine = args.map(clone);
  const theirs = args.map(clone);
  const r1 = call(k, mine), r2 = call(ref, theirs);
  if (typeof r2 === 'number') assert.ok(Math.abs((r1 as number) - r2) <= Math.max(tol, 1e-12 * Math.abs(r2)), `${what}: ${r1} vs ${r2}`);
  mine.forEach((a, i) => close(a, theirs[i], tol, `${what} arg ${i}`));
}

export function kernelCases(name: string, factory: () => Kernels | Promise<Kernels>, reference: Kernels, opts: KernelCaseOptions = {}): void {
  const scalarRef = reference;
  const tol = opts.gemmTol ?? 0;
  describe(`kernels: ${name}`, () => {
    let k: Kernels;
    before(async () => {
      k = await factory();
    });
    after(async () => {
      await opts.close?.(k);
    });

    test('gemm: known product for all transposes, overwrite and accumulate', () => {
      const A = [1, 2, 3, 4, 5, 6], B = [1, -1, 0, 2, 3, 1]; // A 2×3, B 3×2
      const want = [10, 6, 22, 12];
      const At = [1, 4, 2, 5, 3, 6], Bt = [1, 0, 3, -1, 2, 1];
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const c = sharedF32(4).fill(1);
        k.gemm(Float32Array.from(ta ? At : A), Float32Array.from(tb ? Bt : B), c, 2, 3, 2, ta, tb, false);
        assert.deepEqual(Array.from(c), want, `transA=${ta} transB=${tb}`);
        k.gemm(Float32Array.from(ta ? At : A), Float32Array.from(tb ? Bt : B), c, 2, 3, 2, ta, tb, true);
        assert.deepEqual(Array.from(c), want.map((x) => 2 * x));
      }
    });

    test('spmm: known product; accumulate adds', () => {
      const a: SparseMat = { rows: 2, cols: 3, indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(0, 2, 1), values: Float32Array.of(2, -1, 0.5) };
      const x = Float32Array.of(1, 2, 3, 4, 5, 6), y = sharedF32(4);
      k.spmm(a, x, y, 2, false);
      assert.deepEqual(Array.from(y), [2 - 5, 4 - 6, 1.5, 2]);
      k.spmm(a, x, y, 2, true);
      assert.deepEqual(Array.from(y), [-6, -4, 3, 4]);
    });

    test('topKRows: same ids and counts as the reference (ties, NaN, masks, k > candidates)', () => {
      const rng = createRng(15);
      for (const [rows, n, top] of [[0, 5, 3], [1, 1, 1], [9, 40, 7], [33, 300, 20], [5, 6, 10]]) {
        const scores = sharedF32(rows * n);
        for (let i = 0; i < scores.length; i++) scores[i] = i % 17 === 3 ? NaN : rng.int(9) / 8;
        const users = sharedI32(rows), indptr = sharedI32(rows + 2), ex: number[] = [];
        for (let r = 0; r < rows; r++) users[r] = rows - 1 - r;
        for (let u = 0; u < rows + 1; u++) {
          for (let i = 0; i < n; i++) if (rng.next() < 0.2) ex.push(i);
          indptr[u + 1] = ex.length;
        }
        const indices = sharedI32(ex.length);
        indices.set(ex);
        const kk = Math.min(top, n), stride = top + 1;
        const run = (t: Kernels) => {
          const out = sharedI32(rows * stride).fill(-7), counts = sharedI32(rows).fill(-7);
          t.topKRows(scores, n, kk, users, indptr, indices, out, stride, counts);
          return { out: Array.from(out), counts: Array.from(counts) };
        };
        assert.deepEqual(run(k), run(reference), `${rows}x${n} k=${top}`);
      }
    });

    test('addMany: a chain of adds for 0 to 5 inputs (plain and shared)', () => {
      const rng = createRng(14);
      for (const [, alloc] of ALLOCS) {
        for (let m = 0; m <= 5; m++) {
          for (const n of [0, 1, 37, 1000]) {
            const xs = Array.from({ length: m }, () => rand(rng, n, alloc).map((v) => v * 10 ** rng.int(5)));
            const out = alloc(n).fill(7), want = new Float32Array(n);
            if (m >= 1) want.set(xs[0]);
            for (let i = 1; i < m; i++) scalarRef.add(want, xs[i], want, n);
            k.addMany(out, xs, n);
            close(out, want, 0, `addMany ${m} inputs n=${n}`);
          }
        }
      }
    });

    test('keepEntries: equals dropEntries + transposeSparse for the same draws (shared and plain buffers)', () => {
      const rng = createRng(13);
      for (const [users, items] of [[1, 1], [23, 17], [140, 61]]) {
        const indptr = [0], idx: number[] = [];
        for (let u = 0; u < users; u++) {
          const row = new Set<number>();
          for (let e = 0; e < (u % 5 === 2 ? 0 : 1 + rng.int(6)); e++) row.add(rng.int(items));
          idx.push(...[...row].sort((x, y) => x - y));
          indptr.push(idx.length);
        }
        const s = bipartiteAdjacency({ rows: users, cols: items, indptr: Int32Array.from(indptr), indices: Int32Array.from(idx) });
        const mirror = mirrorIndex(s), nnz = sparseNnz(s);
        for (const shared of [true, false]) {
          const seed = rng.int(1000);
          const want = dropEntries(s, 0.7, createRng(seed)), wantT = transposeSparse(want);
          const draws = createRng(seed), keep = shared ? new Uint8Array(new SharedArrayBuffer(nnz)) : new Uint8Array(nnz);
          const keepT = shared ? new Uint8Array(new SharedArrayBuffer(nnz)) : new Uint8Array(nnz);
          const tValues = shared ? sharedF32(nnz) : new Float32Array(nnz);
          for (let e = 0; e < nnz; e++) keep[e] = draws.next() < 0.7 ? 1 : 0;
          for (let e = 0; e < nnz; e++) {
            keepT[e] = keep[mirror[e]];
            tValues[e] = s.values[mirror[e]];
          }
          const out = (): SparseMat => ({
            rows: s.rows, cols: s.cols, indptr: shared ? sharedI32(s.rows + 1) : new Int32Array(s.rows + 1),
            indices: shared ? sharedI32(nnz) : new Int32Array(nnz), values: shared ? sharedF32(nnz) : new Float32Array(nnz),
          });
          const a = out(), t = out();
          k.keepEntries(s, tValues, keep, keepT, a, t);
          for (const [got, exp, what] of [[a, want, 'a'], [t, wantT, 't']] as const) {
            const n = sparseNnz(exp);
            assert.deepEqual(Array.from(got.indptr), Array.from(exp.indptr), `${what} indptr ${users}x${items}`);
            assert.deepEqual(Array.from(got.indices.subarray(0, n)), Array.from(exp.indices.subarray(0, n)), `${what} indices`);
            assert.deepEqual(Array.from(got.values.subarray(0, n)), Array.from(exp.values.subarray(0, n)), `${what} values`);
          }
        }
      }
    });

    for (const [mem, alloc] of ALLOCS) {
      const shared = mem === 'shared';
      test(`gemm vs reference on awkward shapes (${mem})`, () => {
        const rng = createRng(11);
        for (const [m, kk, n] of [[0, 3, 4], [5, 0, 3], [1, 1, 1], [37, 13, 9], [131, 33, 17], [70, 8, 1], [3, 40, 65]]) {
          for (const ta of [false, true]) {
            for (const tb of [false, true]) {
              for (const acc of [false, true]) {
                const args = [rand(rng, m * kk, alloc), rand(rng, kk * n, alloc), rand(rng, m * n, alloc)];
                same(k, reference, `gemm ${m}x${kk}x${n} ${ta} ${tb} ${acc}`, args, (t, [a, b, c]) => t.gemm(a, b, c, m, kk, n, ta, tb, acc), tol);
              }
            }
          }
        }
      });

      test(`spmm, gather, scatter vs reference (${mem})`, () => {
        const rng = createRng(12);
        for (const [rows, cols] of [[0, 5], [1, 1], [97, 60], [300, 41]]) {
          const s = sparse(rng, rows, cols, shared);
          for (const n of [1, 7, 8, 13, 32, 33]) {
            for (const acc of [false, true]) {
              same(k, reference, `spmm ${rows}x${cols} n=${n}`, [rand(rng, cols * n, alloc), rand(rng, rows * n, alloc)],
                (t, [x, y]) => t.spmm(s, x, y, n, acc));
            }
          }
        }
        for (const [srcRows, len, cols] of [[5, 0, 3], [1, 1, 1], [50, 200, 13], [300, 257, 33], [40, 1000, 8]]) {
          const idx = index(rng, len, srcRows, shared);
          same(k, reference, `gatherRows ${len}x${cols}`, [rand(rng, srcRows * cols, alloc), rand(rng, len * cols, alloc)],
            (t, [src, out]) => t.gatherRows(src, idx, out, cols));
          same(k, reference, `gatherAddRows ${len}x${cols}`, [rand(rng, srcRows * cols, alloc), rand(rng, len * cols, alloc)],
            (t, [src, out]) => t.gatherAddRows(src, idx, out, cols));
          same(k, reference, `scatterAddRows ${len}x${cols}`, [rand(rng, len * cols, alloc), rand(rng, srcRows * cols, alloc)],
            (t, [src, out]) => t.scatterAddRows(src, idx, out, cols));
        }
      });

      test(`elementwise, activations and adam vs reference (${mem})`, () => {
        const rng = createRng(13);
        for (const n of [0, 1, 1001, 5003]) {
          const r = () => rand(rng, n, alloc);
          same(k, reference, 'add', [r(), r(), r()], (t, [a, b, o]) => t.add(a, b, o, n));
          same(k, reference, 'axpy', [r(), r()], (t, [x, y]) => t.axpy(-0.3, x, y, n));
          same(k, reference, 'sub', [r(), r(), r()], (t, [a, b, o]) => t.sub(a, b, o, n));
          same(k, reference, 'mul', [r(), r(), r()], (t, [a, b, o]) => t.mul(a, b, o, n));
          same(k, reference, 'div', [r(), r(), r()], (t, [a, b, o]) => t.div(a, b, o, n));
          same(k, reference, 'divGradA', [r(), r(), r()], (t, [b, dy, dx]) => t.divGradA(b, dy, dx, n));
          same(k, reference, 'divGradB', [r(), r(), r(), r()], (t, [a, b, dy, db]) => t.divGradB(a, b, dy, db, n));
          same(k, reference, 'exp', [r(), r()], (t, [x, y]) => t.exp(x, y, n));
          same(k, reference, 'log', [rand(rng, n, alloc, true), r()], (t, [x, y]) => t.log(x, y, n));
          same(k, reference, 'mulAdd', [r(), r(), r()], (t, [a, b, o]) => t.mulAdd(a, b, o, n));
          same(k, reference, 'scale', [r(), r()], (t, [a, o]) => t.scale(a, 1.7, o, n));
          same(k, reference, 'scale in place', [r()], (t, [a]) => t.scale(a, 1.7, a, n));
          same(k, reference, 'addScalar', [r()], (t, [x]) => t.addScalar(x, 0.25, n));
          same(k, reference, 'leakyRelu', [r(), r()], (t, [x, y]) => t.leakyRelu(x, y, n, 0.2));
          same(k, reference, 'leakyReluGrad', [r(), r(), r()], (t, [x, dy, dx]) => t.leakyReluGrad(x, dy, dx, n, 0.2));
          same(k, reference, 'relu', [r(), r()], (t, [x, y]) => t.relu(x, y, n));
          same(k, reference, 'reluGrad', [r(), r(), r()], (t, [x, dy, dx]) => t.reluGrad(x, dy, dx, n));
          same(k, reference, 'sigmoid', [r(), r()], (t, [x, y]) => t.sigmoid(x, y, n));
          same(k, reference, 'sigmoidGrad', [r(), r(), r()], (t, [y, dy, dx]) => t.sigmoidGrad(y, dy, dx, n));
          same(k, reference, 'tanh', [r(), r()], (t, [x, y]) => t.tanh(x, y, n));
          same(k, reference, 'tanhGrad', [r(), r(), r()], (t, [y, dy, dx]) => t.tanhGrad(y, dy, dx, n));
          same(k, reference, 'sum', [r()], (t, [x]) => t.sum(x, n));
          same(k, reference, 'sumSquares', [r()], (t, [x]) => t.sumSquares(x, n));
          const h = { beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / 0.1, bc2Sqrt: Math.sqrt(0.001), eps: 1e-8, weightDecay: 0.01 };
          same(k, reference, 'adamStep', [r(), r(), r(), rand(rng, n, alloc, true)], (t, [p, g, m, v]) => t.adamStep(p, g, m, v, n, h));
        }
      });

      test(`row kernels vs reference (${mem})`, () => {
        const rng = createRng(14);
        for (const [rows, cols] of [[0, 4], [1, 1], [257, 13], [301, 33], [9, 1]]) {
          const r = (len = rows * cols) => rand(rng, len, alloc);
          same(k, reference, 'addRowVector', [r(), r(cols), r()], (t, [x, v, o]) => t.addRowVector(x, v, o, rows, cols));
          same(k, reference, 'colSumsAdd', [r(), r(cols)], (t, [x, o]) => t.colSumsAdd(x, o, rows, cols));
          same(k, reference, 'rowDot', [r(), r(), r(rows)], (t, [x, y, o]) => t.rowDot(x, y, o, rows, cols));
          same(k, reference, 'sumRows', [r(), r(rows)], (t, [x, o]) => t.sumRows(x, o, rows, cols));
          same(k, reference, 'addRowScalars', [r(rows), r()], (t, [g, dx]) => t.addRowScalars(g, dx, rows, cols));
          same(k, reference, 'logSoftmaxRows', [r(), r()], (t, [x, y]) => t.logSoftmaxRows(x, y, rows, cols));
          same(k, reference, 'logSoftmaxRowsGrad', [r(), r(), r()], (t, [y, dy, dx]) => t.logSoftmaxRowsGrad(y, dy, dx, rows, cols));
          same(k, reference, 'rowScaleAdd', [r(rows), r(), r()], (t, [g, y, dx]) => t.rowScaleAdd(g, y, dx, rows, cols));
          same(k, reference, 'rowL2Normalize', [r(), r(), r(rows)], (t, [x, y, s]) => t.rowL2Normalize(x, y, s, rows, cols, 1e-8));
          same(k, reference, 'rowL2NormalizeGrad', [r(), rand(rng, rows, alloc, true), r(), r()],
            (t, [y, s, dy, dx]) => t.rowL2NormalizeGrad(y, s, dy, dx, rows, cols));
          same(k, reference, 'logSumExpRows', [r(), r(rows)], (t, [x, o]) => t.logSumExpRows(x, o, rows, cols));
          same(k, reference, 'logSumExpRowsGrad', [r(), r(rows), r(rows), r()], (t, [x, l, dy, dx]) => t.logSumExpRowsGrad(x, l, dy, dx, rows, cols));
          same(k, reference, 'softmaxRows', [r(), r(), r(rows)], (t, [x, y, l]) => t.softmaxRows(x, y, l, rows, cols, 5));
          same(k, reference, 'softmaxRows in place', [r(), r(rows)], (t, [x, l]) => t.softmaxRows(x, x, l, rows, cols, 0.5));
          same(k, reference, 'softmaxRowsGrad', [r(), r(), r()], (t, [y, dy, dx]) => t.softmaxRowsGrad(y, dy, dx, rows, cols));
          same(k, reference, 'copyCols', [r(), r(rows * (cols + 3))], (t, [s, d]) => t.copyCols(s, cols, 0, d, cols + 3, 2, rows, cols, false));
          same(k, reference, 'copyCols acc', [r(rows * (cols + 3)), r()], (t, [s, d]) => t.copyCols(s, cols + 3, 3, d, cols, 0, rows, cols, true));
          same(k, reference, 'bprLoss', [r(), r(), r()], (t, [u, p, q]) => t.bprLoss(u, p, q, rows, cols));
          same(k, reference, 'bprLossGrad', [r(), r(), r(), r(), r(), r()],
            (t, [u, p, q, du, dp, dq]) => t.bprLossGrad(u, p, q, rows, cols, 0.7, du, dp, dq));
          same(k, reference, 'bprLossGrad with skipped slots', [r(), r(), r(), r()],
            (t, [u, p, q, dp]) => t.bprLossGrad(u, p, q, rows, cols, -1.3, null, dp, null));
        }
      });
    }
  });
}
