import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { infoNce } from '../../src/tensor/ops/info-nce.js';
import { infoNcePrefix } from '../../src/tensor/ops/info-nce-prefix.js';
import { randMat } from '../../src/tensor/ops/sample.js';
import { matrix64 } from '../../src/tensor/tensor.js';
import { createRng } from '../../src/util/rng.js';

// Finite-difference gradients of infoNcePrefix (padding rows included) are checked with every op in ops.test.ts.
test('infoNcePrefix equals infoNce on the real rows; padding rows get no gradient', () => {
  const rng = createRng(5), n = 5, pad = 3, d = 4;
  const [a, b] = [randMat(rng, n + pad, d), randMat(rng, n + pad, d)];
  const attrs = { temperature: 0.2, eps: 1e-24, rows: n };
  const head = (m: typeof a) => matrix64(n, d, m.data.slice(0, n * d));
  const run = (op: typeof infoNce, xs: (typeof a)[], rows: number) => {
    const y = matrix64(1, 1), s = new Float64Array(op.scratch!(xs.map((x) => [x.rows, x.cols]), attrs));
    op.forward(scalarKernels, xs, y, attrs, s);
    const da = matrix64(rows, d), db = matrix64(rows, d);
    op.backward(scalarKernels, xs, y, matrix64(1, 1, Float64Array.of(1)), [da, db, db], attrs, s);
    return { y: y.data[0], da: da.data, db: db.data };
  };
  const padded = run(infoNcePrefix as typeof infoNce, [a, b, b], n + pad), plain = run(infoNce, [head(a), head(b), head(b)], n);
  assert.equal(padded.y, plain.y);
  assert.deepEqual(padded.da.subarray(0, n * d), plain.da);
  assert.deepEqual(padded.db.subarray(0, n * d), plain.db);
  assert.ok(padded.da.subarray(n * d).every((x) => x === 0) && padded.db.subarray(n * d).every((x) => x === 0));
  assert.throws(() => infoNcePrefix.outShape([[8, 4], [8, 4], [8, 4]], { ...attrs, rows: 9 }), /rows must be/);
  assert.throws(() => infoNcePrefix.outShape([[8, 4], [8, 4], [7, 4]], attrs), /one shape/);
});
