/**
 * Dense row-major matrices over typed arrays. Production code uses Float32Array only (so every hot call site
 * sees one array type); Float64Array exists for gradient checks, which need float64 finite differences.
 *
 * Buffers the library allocates live in SharedArrayBuffers, so the worker kernels can read and write them
 * without copies. A plain Float32Array still works everywhere; the worker kernels stage it through shared
 * memory (one copy per call).
 */
export type Arr = Float32Array | Float64Array;

export interface Mat<D extends Arr = Float32Array> {
  readonly rows: number;
  readonly cols: number;
  /** Row-major, length ≥ rows × cols; entry (i, j) is data[i * cols + j]. */
  readonly data: D;
}

/** [rows, cols]. Shapes stay out of the type system; ops check them once, when recorded on a tape. */
export type Shape = readonly [number, number];

/** A zeroed Float32Array over a SharedArrayBuffer. */
export function sharedF32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}

/** A zeroed Int32Array over a SharedArrayBuffer. */
export function sharedI32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/** Copy into shared memory (a no-op if `a` already is shared). */
export function toSharedF32(a: Float32Array): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = sharedF32(a.length);
  s.set(a);
  return s;
}

/** Copy into shared memory (a no-op if `a` already is shared). */
export function toSharedI32(a: Int32Array): Int32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = sharedI32(a.length);
  s.set(a);
  return s;
}

/** A zero rows × cols matrix in shared memory, or a view of `data` (checked for length). */
export function matrix(rows: number, cols: number, data?: Float32Array): Mat {
  checkDims(rows, cols);
  if (data === undefined) return { rows, cols, data: sharedF32(rows * cols) };
  if (data.length < rows * cols) throw new RangeError(`matrix ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  return { rows, cols, data };
}

/** A float64 matrix (gradient checks). */
export function matrix64(rows: number, cols: number, data?: Float64Array): Mat<Float64Array> {
  checkDims(rows, cols);
  const d = data ?? new Float64Array(rows * cols);
  if (d.length < rows * cols) throw new RangeError(`matrix ${rows}x${cols} needs ${rows * cols} values, got ${d.length}`);
  return { rows, cols, data: d };
}

export function shapeOf(m: Mat<Arr>): Shape {
  return [m.rows, m.cols];
}

export function formatShape(s: Shape): string {
  return `${s[0]}x${s[1]}`;
}

function checkDims(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`matrix dimensions must be non-negative integers, got ${rows}x${cols}`);
  }
}
