import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { kmeans, nearestRows } from '../../src/tensor/linalg/kmeans.js';
import { matrix } from '../../src/tensor/tensor.js';
import { createRng } from '../../src/util/rng.js';

/** n points around k well-separated centres (±10 on one axis each), noise σ; returns points and true labels. */
function clusters(k: number, perCluster: number, d: number, sigma: number, seed: number) {
  const rng = createRng(seed), x = matrix(k * perCluster, d), label = new Int32Array(k * perCluster);
  for (let i = 0; i < x.rows; i++) {
    const c = i % k;
    label[i] = c;
    for (let q = 0; q < d; q++) x.data[i * d + q] = (q === c % d ? (c < d ? 10 : -10) : 0) + sigma * rng.normal();
  }
  return { x, label };
}

test('kmeans recovers well-separated clusters exactly (a bijection between clusters and labels)', () => {
  const { x, label } = clusters(6, 40, 4, 0.3, 1);
  const r = kmeans(x, 6, { iterations: 50, rng: createRng(2) });
  const map = new Map<number, number>();
  for (let i = 0; i < x.rows; i++) {
    const had = map.get(r.assign[i]);
    if (had === undefined) map.set(r.assign[i], label[i]);
    else assert.equal(had, label[i], `row ${i}`);
  }
  assert.equal(new Set(map.values()).size, 6);
  // Inertia ≈ n · d · σ² = 240 · 4 · 0.09 = 86.4 (minus the 6·4 degrees of freedom of the centres).
  assert.ok(r.inertia > 60 && r.inertia < 110, `inertia ${r.inertia}`);
  for (let j = 0; j < 6; j++) {
    let norm = 0;
    for (let q = 0; q < 4; q++) norm += r.centroids.data[j * 4 + q] ** 2;
    assert.ok(Math.abs(Math.sqrt(norm) - 10) < 0.2, `centroid ${j} norm ${Math.sqrt(norm)}`);
  }
});

test('kmeans is deterministic per seed and n ≤ k puts every row on its own centroid', () => {
  const { x } = clusters(3, 30, 5, 1, 4);
  const a = kmeans(x, 8, { iterations: 10, rng: createRng(9) }), b = kmeans(x, 8, { iterations: 10, rng: createRng(9) });
  assert.deepEqual(a.assign, b.assign);
  assert.deepEqual(a.centroids.data, b.centroids.data);
  const small = matrix(3, 2, new Float32Array([0, 0, 1, 1, 5, 5]));
  const s = kmeans(small, 4, { iterations: 5, rng: createRng(1) });
  assert.deepEqual(Array.from(s.assign), [0, 1, 2]);
  assert.equal(s.inertia, 0);
  assert.throws(() => kmeans(matrix(0, 2), 2, { iterations: 1, rng: createRng(1) }), /no rows/);
});

test('nearestRows matches brute force, ties go to the lower index, and block boundaries do not matter', () => {
  const rng = createRng(5), x = matrix(2100, 3), c = matrix(7, 3);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  for (let i = 0; i < c.data.length; i++) c.data[i] = rng.normal();
  const assign = new Int32Array(x.rows), dist = new Float32Array(x.rows);
  const total = nearestRows(x, c, assign, dist, scalarKernels.gemm);
  let sum = 0;
  for (let i = 0; i < x.rows; i++) {
    let best = 0, bd = Infinity;
    for (let j = 0; j < 7; j++) {
      let s = 0;
      for (let q = 0; q < 3; q++) s += (x.data[i * 3 + q] - c.data[j * 3 + q]) ** 2;
      if (s < bd - 1e-5) [bd, best] = [s, j];
    }
    assert.equal(assign[i], best, `row ${i}`);
    assert.ok(Math.abs(dist[i] - bd) < 1e-4);
    sum += bd;
  }
  assert.ok(Math.abs(total - sum) / sum < 1e-5);
  const tie = new Int32Array(1);
  nearestRows(matrix(1, 1, new Float32Array([0])), matrix(2, 1, new Float32Array([1, -1])), tie);
  assert.equal(tie[0], 0);
});
