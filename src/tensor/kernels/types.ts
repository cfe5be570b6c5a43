import type { SparseMat } from '../sparse.js';
import type { Arr } from '../tensor.js';

/**
 * C (+)= op(A) · op(B) on flat row-major arrays. op(A) is m × k (A is stored k × m when transA), op(B) is
 * k × n (B is stored n × k when transB), C is m × n. With `accumulate` the product is added to C, otherwise C
 * is overwritten. C must not alias A or B.
 */
export type GemmFn = (
  a: Arr, b: Arr, c: Arr,
  m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate: boolean,
) => void;

/** Adam hyper-parameters for one step (bias corrections already folded in by the caller). */
export interface AdamStepArgs {
  readonly beta1: number;
  readonly beta2: number;
  /** lr / (1 − β1^t) */
  readonly stepSize: number;
  /** sqrt(1 − β2^t) */
  readonly bc2Sqrt: number;
  readonly eps: number;
  readonly weightDecay: number;
}

/**
 * The kernel table. Every kernel writes into caller-provided buffers and allocates nothing per call.
 * Naming: `…Grad` kernels ADD into their gradient outputs (dx += …), as the autograd requires; forward kernels
 * overwrite their outputs unless an `accumulate` flag says otherwise. `n` is an element count, `rows`/`cols`
 * a matrix shape. In-place use (out === input) is allowed for elementwise and row kernels unless noted.
 *
 * Implementations: scalarKernels (the reference), createFastKernels (wasm GEMM), createWorkerKernels (threads).
 * A missing kernel is a compile error through `satisfies Kernels`.
 */
export interface Kernels {
  readonly name: string;

  gemm: GemmFn;
  /** y (+)= A · x, x is a.cols × n, y is a.rows × n. y must not alias x. */
  spmm(a: SparseMat, x: Arr, y: Arr, n: number, accumulate: boolean): void;

  /**
   * Edge-dropout compaction of a structurally symmetric `s` with sorted rows: `a` keeps the entries k with
   * keep[k] = 1, `t` becomes aᵀ exactly as transposeSparse(a) would build it. With mirror = mirrorIndex(s),
   * tValues[k] = s.values[mirror[k]] and keepT[k] = keep[mirror[k]] (keep, keepT hold only 0 or 1). `a` and
   * `t` are s-shaped with capacity ≥ nnz(s).
   */
  keepEntries(s: SparseMat, tValues: Float32Array, keep: Uint8Array, keepT: Uint8Array, a: SparseMat, t: SparseMat): void;

  /** out[i, :] = src[idx[i], :] for i < idx.length. */
  gatherRows(src: Arr, idx: Int32Array, out: Arr, cols: number): void;
  /** out[i, :] += src[idx[i], :] (backward of scatterAddRows). */
  gatherAddRows(src: Arr, idx: Int32Array, out: Arr, cols: number): void;
  /** out[idx[i], :] += src[i, :], in increasing i for every destination row (deterministic). */
  scatterAddRows(src: Arr, idx: Int32Array, out: Arr, cols: number): void;

  /** out = a + b */
  add(a: Arr, b: Arr, out: Arr, n: number): void;
  /**
   * out = ((x0 + x1) + x2) + …, each partial sum rounded to out's precision (exactly a chain of `add`s, in one
   * pass). out must not alias an input; no inputs gives zeros.
   */
  addMany(out: Arr, xs: readonly Arr[], n: number): void;
  /** y += alpha · x */
  axpy(alpha: number, x: Arr, y: Arr, n: number): void;
  /** out = a − b */
  sub(a: Arr, b: Arr, out: Arr, n: number): void;
  /** out = a ⊙ b */
  mul(a: Arr, b: Arr, out: Arr, n: number): void;
  /** out += a ⊙ b */
  mulAdd(a: Arr, b: Arr, out: Arr, n: number): void;
  /** out = a / b */
  div(a: Arr, b: Arr, out: Arr, n: number): void;
  /** dx += dy / b (gradient of a / b in a; also of log b in b) */
  divGradA(b: Arr, dy: Arr, dx: Arr, n: number): void;
  /** db −= dy · a / b² (gradient of a / b in b) */
  divGradB(a: Arr, b: Arr, dy: Arr, db: Arr, n: number): void;
  /** out = s · a */
  scale(a: Arr, s: number, out: Arr, n: number): void;
  /** x += c (every element) */
  addScalar(x: Arr, c: number, n: number): void;
  /** out[i, :] = x[i, :] + v */
  addRowVector(x: Arr, v: Arr, out: Arr, rows: number, cols: number): void;
  /** out[j] += Σ_i x[i, j] */
  colSumsAdd(x: Arr, out: Arr, rows: number, cols: number): void;
  /** out[i] = Σ_j x[i, j] */
  sumRows(x: Arr, out: Arr, rows: number, cols: number): void;
  /** dx[i, j] += g[i] (backward of sumRows) */
  addRowScalars(g: Arr, dx: Arr, rows: number, cols: number): void;
  /** out[i] = x[i, :] · y[i, :] */
  rowDot(x: Arr, y: Arr, out: Arr, rows: number, cols: number): void;
  /** dx[i, :] += g[i] · y[i, :] (backward of rowDot, once per side) */
  rowScaleAdd(g: Arr, y: Arr, dx: Arr, rows: number, cols: number): void;

  exp(x: Arr, y: Arr, n: number): void;
  log(x: Arr, y: Arr, n: number): void;
  leakyRelu(x: Arr, y: Arr, n: number, slope: number): void;
  leakyReluGrad(x: Arr, dy: Arr, dx: Arr, n: number, slope: number): void;
  relu(x: Arr, y: Arr, n: number): void;
  reluGrad(x: Arr, dy: Arr, dx: Arr, n: number): void;
  sigmoid(x: Arr, y: Arr, n: number): void;
  /** dx += dy · y (1 − y), from the forward output y */
  sigmoidGrad(y: Arr, dy: Arr, dx: Arr, n: number): void;
  tanh(x: Arr, y: Arr, n: number): void;
  /** dx += dy · (1 − y²), from the forward output y */
  tanhGrad(y: Arr, dy: Arr, dx: Arr, n: number): void;

  /**
   * y[i, :] = x[i, :] / s[i] with s[i] = sqrt(‖x[i, :]‖² + eps): RLMRec's `x / sqrt(1e-8 + x².sum(-1))`
   * (smooth everywhere, a zero row maps to zero). The norms s are written for the backward pass.
   */
  rowL2Normalize(x: Arr, y: Arr, s: Arr, rows: number, cols: number, eps: number): void;
  /** dx += (dy − y (y·dy)) / s */
  rowL2NormalizeGrad(y: Arr, s: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void;
  /** out[i] = log Σ_j exp(x[i, j]) (max-shifted; −Infinity for a row of zero width) */
  logSumExpRows(x: Arr, out: Arr, rows: number, cols: number): void;
  /** dx[i, j] += dy[i] · exp(x[i, j] − lse[i]) */
  logSumExpRowsGrad(x: Arr, lse: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void;
  /** y[i, :] = softmax(scale · x[i, :]); lse[i] = log Σ_j exp(scale · x[i, j]). x may equal y. */
  softmaxRows(x: Arr, y: Arr, lse: Arr, rows: number, cols: number, scale: number): void;
  /** dx += y ⊙ (dy − rowsum(y ⊙ dy)) (for softmax with scale 1) */
  softmaxRowsGrad(y: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void;
  /** y[i, :] = x[i, :] − logsumexp(x[i, :]). x may equal y. */
  logSoftmaxRows(x: Arr, y: Arr, rows: number, cols: number): void;
  /** dx += dy − exp(y) · rowsum(dy) */
  logSoftmaxRowsGrad(y: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void;

  /** dst[i, dstOff + j] (+)= src[i, srcOff + j] for j < width (concat, split and their gradients). */
  copyCols(
    src: Arr, srcCols: number, srcOff: number,
    dst: Arr, dstCols: number, dstOff: number,
    rows: number, width: number, accumulate: boolean,
  ): void;

  /** Σ x (double accumulation, sequential order) */
  sum(x: Arr, n: number): number;
  /** Σ x² */
  sumSquares(x: Arr, n: number): number;
  /**
   * A hint that sumSquares(x, n) will be asked for, with this very array, before x changes: a threaded table
   * starts the sum on a worker so the calling thread can do serial work meanwhile (the same value either
   * way). Other tables ignore it. The table forgets it when a kernel writes into x's buffer; writes to x by
   * other code in between are not allowed.
   */
  prefetchSumSquares(x: Arr, n: number): void;

  /** Mean over rows of softplus(u·q − u·p) (BPR as coded in RLMRec/SSLRec). */
  bprLoss(u: Arr, p: Arr, q: Arr, rows: number, cols: number): number;
  /** Gradients of g · bprLoss, added into du/dp/dq; a null slot is skipped. */
  bprLossGrad(u: Arr, p: Arr, q: Arr, rows: number, cols: number, g: number, du: Arr | null, dp: Arr | null, dq: Arr | null): void;

  /**
   * bprLoss of the rows users[ui[i]], items[pi[i]], items[qi[i]] read in place (no gathered copies); the same
   * value as three gatherRows and bprLoss.
   */
  bprLossRows(users: Arr, items: Arr, ui: Int32Array, pi: Int32Array, qi: Int32Array, cols: number): number;
  /**
   * The gradients of g · bprLossRows added into dUsers / dItems (a null slot is skipped), bit-identical to
   * bprLossGrad followed by the three gathers' scatter-adds (negatives, positives, users).
   */
  bprLossRowsGrad(
    users: Arr, items: Arr, ui: Int32Array, pi: Int32Array, qi: Int32Array, cols: number, g: number,
    dUsers: Arr | null, dItems: Arr | null,
  ): void;

  /**
   * Full-ranking top-K per row (topk.ts): row r of the users.length × n `scores` gets its best min(k, n)
   * column ids, excluding its user's sorted ids exclIndices[exclIndptr[u] ..exclIndptr[u + 1]) with
   * u = users[r], at out[r · stride ..]; counts[r] = ids written.
   */
  topKRows(
    scores: Float32Array, n: number, k: number, users: Int32Array, exclIndptr: Int32Array, exclIndices: Int32Array,
    out: Int32Array, stride: number, counts: Int32Array,
  ): void;

  /** One PyTorch Adam step (see adam.ts) on n elements; m and v are updated in place. */
  adamStep(param: Arr, grad: Arr, m: Arr, v: Arr, n: number, h: AdamStepArgs): void;
}
