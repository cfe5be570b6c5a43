// Dense f32 GEMM for WebAssembly SIMD (v128 f32x4), compiled by scripts/build-wasm.mjs.
//
// C(m×n) (+)= op(A)(m×k) · op(B)(k×n), all row-major, all pointers are byte offsets into this module's
// memory. The JS side (src/tensor/kernels/wasm-gemm.ts) lays out the buffers and grows the memory.
//
// Summation order is part of the contract: every C element is the left fold
//   c = c0; for p in 0..k: c = c + a[i,p]*b[p,j]     (f32 multiply, then f32 add; no FMA)
// with c0 = 0 or the old C value. No blocking choice (rows per call, MR, NR, KC) changes that order, so a
// row's result does not depend on which other rows share the call: splitting C by rows across threads is
// bit-identical to one call.

// Register block: MR rows × NR columns = 8 f32x4 accumulators. V8 on x64 has 15 usable xmm registers
// (xmm15 is its scratch): 8 accumulators + 2 B vectors + 1 broadcast A + 1 product fit without spills;
// 6×8 would need 16.
const MR: i32 = 4;
const NR: i32 = 8;
// k-block: one packed B micro-panel (KC×NR floats = 8 KB) stays in L1 while MR-row A panels stream past it.
const KC: i32 = 256;

export function blockRows(): i32 {
  return MR;
}
export function blockCols(): i32 {
  return NR;
}
export function blockDepth(): i32 {
  return KC;
}
export function heapBase(): usize {
  return __heap_base;
}

/** Packs op(B) (k×n) into ceil(n/NR) panels; panel jp at dst + jp·k·NR floats, row p at + p·NR, zero-padded. */
export function packB(b: usize, k: i32, n: i32, transB: bool, dst: usize): void {
  const panels = (n + NR - 1) / NR;
  const zero = f32x4.splat(0);
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = min(NR, n - j0);
    let d = dst + (<usize>jp * <usize>k * NR << 2);
    if (!transB) {
      // B stored k×n: each panel row is a contiguous run of w floats.
      let s = b + (<usize>j0 << 2);
      const ld = <usize>n << 2;
      if (w == NR) {
        for (let p = 0; p < k; p++) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          s += ld;
          d += NR << 2;
        }
      } else {
        for (let p = 0; p < k; p++) {
          v128.store(d, zero);
          v128.store(d, zero, 16);
          for (let j = 0; j < w; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
          s += ld;
          d += NR << 2;
        }
      }
    } else {
      // B stored n×k: column j of op(B) is row j of the stored matrix.
      for (let p = 0; p < k; p++) {
        const row = d + (<usize>p * NR << 2);
        v128.store(row, zero);
        v128.store(row, zero, 16);
      }
      for (let j = 0; j < w; j++) {
        let s = b + (<usize>(j0 + j) * <usize>k << 2);
        let t = d + (<usize>j << 2);
        for (let p = 0; p < k; p++) {
          store<f32>(t, load<f32>(s));
          s += 4;
          t += NR << 2;
        }
      }
    }
  }
}

/** Packs rows [0, m) and depth [p0, p0+kc) of op(A) into MR-row panels: panel ip at dst + ip·kc·MR, row p at + p·MR. */
function packA(a: usize, lda: i32, transA: bool, m: i32, p0: i32, kc: i32, dst: usize): void {
  const panels = (m + MR - 1) / MR;
  const zero = f32x4.splat(0);
  for (let ip = 0; ip < panels; ip++) {
    const i0 = ip * MR;
    const h = min(MR, m - i0);
    const d = dst + (<usize>ip * <usize>kc * MR << 2);
    if (transA) {
      // A stored k×m (lda = m): the MR values for one p are contiguous.
      let s = a + (<usize>p0 * <usize>lda + <usize>i0 << 2);
      const ld = <usize>lda << 2;
      let t = d;
      if (h == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(t, v128.load(s));
          s += ld;
          t += MR << 2;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          v128.store(t, zero);
          for (let i = 0; i < h; i++) store<f32>(t + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
          s += ld;
          t += MR << 2;
        }
      }
    } else {
      // A stored m×k (lda = k): gather one value from each of the MR rows per p.
      if (h < MR) for (let p = 0; p < kc; p++) v128.store(d + (<usize>p * MR << 2), zero);
      for (let i = 0; i < h; i++) {
        let s = a + (<usize>(i0 + i) * <usize>lda + <usize>p0 << 2);
        let t = d + (<usize>i << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(t, load<f32>(s));
          s += 4;
          t += MR << 2;
        }
      }
    }
  }
}

/** C tile (MR×NR at c, row stride ldc bytes) = (fromC ? C : 0) + Σ_p a_p ⊗ b_p over kc packed steps. */
// @ts-ignore: decorator
@inline
function micro(kc: i32, a: usize, b: usize, c: usize, ldc: usize, fromC: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (fromC) {
    c00 = v128.load(c);
    c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc);
    c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc);
    c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc);
    c31 = v128.load(c + 3 * ldc, 16);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = f32x4.splat(0);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    a += MR << 2;
    b += NR << 2;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * C(m×n) (+)= op(A) · op(B) with op(B) already packed by packB (depth k, n columns).
 * A is stored m×k (lda = k) or, if transA, k×m (lda = m). C has row stride n. work needs
 * m·KC·4 bytes rounded up to whole MR panels, plus MR·NR·4 bytes for edge tiles.
 */
export function gemmPacked(
  a: usize, lda: i32, transA: bool, m: i32, k: i32, n: i32,
  pb: usize, c: usize, accumulate: bool, work: usize,
): void {
  const panelsM = (m + MR - 1) / MR;
  const panelsN = (n + NR - 1) / NR;
  const ldc = <usize>n << 2;
  const edge = work + (<usize>panelsM * MR * KC << 2);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const fromC = accumulate || p0 > 0;
    packA(a, lda, transA, m, p0, kc, work);
    for (let jp = 0; jp < panelsN; jp++) {
      const j0 = jp * NR;
      const w = min(NR, n - j0);
      const bp = pb + ((<usize>jp * <usize>k + <usize>p0) * NR << 2);
      for (let ip = 0; ip < panelsM; ip++) {
        const i0 = ip * MR;
        const h = min(MR, m - i0);
        const ap = work + (<usize>ip * <usize>kc * MR << 2);
        const ct = c + (<usize>i0 * ldc) + (<usize>j0 << 2);
        if (h == MR && w == NR) {
          micro(kc, ap, bp, ct, ldc, fromC);
        } else {
          // Edge tile: run the same kernel on a zero-padded MR×NR copy, so edge elements see the same order.
          for (let i = 0; i < MR; i++) {
            for (let j = 0; j < NR; j++) {
              const v: f32 = fromC && i < h && j < w ? load<f32>(ct + <usize>i * ldc + (<usize>j << 2)) : 0;
              store<f32>(edge + (<usize>(i * NR + j) << 2), v);
            }
          }
          micro(kc, ap, bp, edge, NR << 2, true);
          for (let i = 0; i < h; i++) {
            for (let j = 0; j < w; j++) {
              store<f32>(ct + <usize>i * ldc + (<usize>j << 2), load<f32>(edge + (<usize>(i * NR + j) << 2)));
            }
          }
        }
      }
    }
  }
}
