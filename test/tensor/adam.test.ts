import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdam } from '../../src/tensor/adam.js';
import { normalInit, xavierUniform } from '../../src/tensor/init.js';
import { createParam } from '../../src/tensor/tape.js';
import { matrix } from '../../src/tensor/tensor.js';
import { createRng } from '../../src/util/rng.js';

/**
 * Golden values from the PyTorch formula evaluated by hand in float64 (lr 0.1, betas (0.9, 0.999), eps 1e-8).
 * Loss Σ θ₀..₂² plus a constant gradient 1e-9 on θ₃. Step 1 is the classic check: m̂ = g, v̂ = g², so
 * θ ← θ − lr·g/(|g| + eps): −0.1 for θ₀..₂ and −0.1/11 for θ₃, whose |g| = 1e-9 is small next to eps — which
 * pins eps as added after the square root (inside it, θ₃ would move by only 1e-6).
 */
const GOLDEN: Record<string, number[][]> = {
  '0': [
    [0.400000001, -0.9000000005, 1.90000000025, -0.00809090909090909],
    [0.3011874216591668, -0.8004122286917927, 1.800166486115701, -0.017181818181818177],
    [0.2048712525602996, -0.7015862729460302, 1.700623392046465, -0.026272727272727267],
  ],
  '0.01': [
    [0.40000000099502486, -0.9000000004975124, 1.9000000002487563, -0.09890010987913296],
    [0.3011874216488609, -0.8004122286867155, 1.8001664861131867, -0.025168487193149694],
    [0.2048712525444829, -0.7015862729382771, 1.700623392042656, 0.04582510277702444],
  ],
};

for (const wd of [0, 0.01]) {
  test(`adam matches hand-computed PyTorch steps (weight_decay ${wd})`, () => {
    const p = createParam('theta', 1, 4);
    p.value.data.set([0.5, -1.0, 2.0, 1e-3]);
    const adam = createAdam([p], { lr: 0.1, weightDecay: wd });
    for (let step = 0; step < 3; step++) {
      const d = p.value.data;
      p.grad.data.set([2 * d[0], 2 * d[1], 2 * d[2], 1e-9]);
      adam.step();
      GOLDEN[String(wd)][step].forEach((want, i) => {
        assert.ok(Math.abs(d[i] - want) <= 2e-7, `step ${step + 1}, θ${i}: ${d[i]} vs ${want}`);
      });
    }
    assert.equal(adam.stepCount, 3);
  });
}

test('adam state round-trips: a restored optimiser continues bit-identically', () => {
  const make = () => {
    const p = createParam('w', 2, 3);
    p.value.data.set([1, 2, 3, -1, -2, -3]);
    return p;
  };
  const run = (p: ReturnType<typeof make>, adam: ReturnType<typeof createAdam>, steps: number) => {
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < 6; i++) p.grad.data[i] = Math.sin(3 * p.value.data[i]);
      adam.step();
    }
  };
  const a = make(), adamA = createAdam([a], { lr: 0.01 });
  run(a, adamA, 5);
  const b = make(), adamB = createAdam([b], { lr: 0.01 });
  run(b, adamB, 2);
  const saved = adamB.state();
  const c = make();
  c.value.data.set(b.value.data);
  const adamC = createAdam([c], { lr: 0.01 });
  adamC.load({ step: saved.step, m: saved.m.map((x) => x.slice()), v: saved.v.map((x) => x.slice()) });
  run(c, adamC, 3);
  assert.equal(adamC.stepCount, 5);
  assert.deepEqual(c.value.data, a.value.data);
  assert.throws(() => adamC.load({ step: 1, m: [], v: [] }), /state has 0 tensors/);
});

test('adam rejects invalid hyper-parameters', () => {
  assert.throws(() => createAdam([], { lr: -1 }), /lr must be ≥ 0/);
  assert.throws(() => createAdam([], { lr: 1, beta1: 1 }), /betas must be in \[0, 1\)/);
});

test('xavierUniform: bound sqrt(6/(fan_in+fan_out)), deterministic per stream', () => {
  const m = matrix(200, 50);
  xavierUniform(m, createRng(1).derive('emb'));
  const a = Math.sqrt(6 / 250);
  let max = 0, sumSq = 0;
  for (const x of m.data) {
    max = Math.max(max, Math.abs(x));
    sumSq += x * x;
  }
  assert.ok(max <= a && max > 0.95 * a);
  const variance = sumSq / m.data.length;
  assert.ok(Math.abs(variance - (a * a) / 3) < 0.05 * (a * a) / 3, `variance ${variance}`);
  const again = matrix(200, 50);
  xavierUniform(again, createRng(1).derive('emb'));
  assert.deepEqual(again.data, m.data);
});

test('normalInit: mean and std', () => {
  const m = matrix(100, 100);
  normalInit(m, createRng(2), 0.1, 1);
  let s = 0, q = 0;
  for (const x of m.data) {
    s += x;
    q += (x - 1) * (x - 1);
  }
  assert.ok(Math.abs(s / 1e4 - 1) < 0.005);
  assert.ok(Math.abs(Math.sqrt(q / 1e4) - 0.1) < 0.005);
});
