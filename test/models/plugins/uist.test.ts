import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/data/load.js';
import { UistConfig } from '../../../src/models/plugins/uist.js';
import { createTape } from '../../../src/tensor/tape.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY } from '../../contracts/base-model.js';
import { withPlugins } from '../../contracts/plugin.js';
import { scorePluginSuite, TINY_RQ } from './score-plugins.js';

const CONFIG = { codebookSize: 6, rq: TINY_RQ };
scorePluginSuite('uist', CONFIG);

test('uist: the transformed dot product is base score + Σ_lm w_lm u⁽ˡ⁾·i⁽ᵐ⁾ (prefix sums of the level tokens)', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const { model, plugins } = await withPlugins(ds, 'mf', { dim: 4 }, 'uist', CONFIG);
  const p = plugins[0], byName = Object.fromEntries(p.params.map((q) => [q.name, q.value]));
  const w = byName.hmi.data;
  w.forEach((_, k) => (w[k] = 0.1 * (k + 1)));
  const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(1) };
  const e = model.embed(t, ctx), out = p.transformEmbeddings!(t, e, ctx);
  const U = t.value(out.users!), I = t.value(out.items!), u0 = t.value(e.users!), i0 = t.value(e.items!);
  assert.equal(U.cols, 4 * 4);
  const u = 2, i = 7, d = 4;
  let base = 0, hmi = 0;
  for (let q = 0; q < d; q++) base += u0.data[u * d + q] * i0.data[i * d + q];
  // User block l is u⁽ˡ⁾ (weight 1): the dot product splits into the base score and Σ_l u⁽ˡ⁾·(item block l).
  const uPrefix = (l: number) => Array.from({ length: d }, (_, q) => U.data[u * 16 + d + l * d + q]);
  let dot = 0;
  for (let q = 0; q < U.cols; q++) dot += U.data[u * 16 + q] * I.data[i * 16 + q];
  for (let l = 0; l < 3; l++) for (let q = 0; q < d; q++) hmi += uPrefix(l)[q] * I.data[i * 16 + d + l * d + q];
  assert.ok(Math.abs(dot - (base + hmi)) < 1e-5);
  // Item block l = Σ_m w_lm i⁽ᵐ⁾: with w rows (.1,.2,.3), (.4,.5,.6), (.7,.8,.9) block 3 − 2·block 2 + block 1 = 0.
  for (let q = 0; q < d; q++) {
    const b = (l: number) => I.data[i * 16 + d + l * d + q];
    assert.ok(Math.abs(b(2) - 2 * b(1) + b(0)) < 1e-5);
  }
  assert.equal(UistConfig.parse({}).rq.levels, 3);
  assert.equal(UistConfig.parse({}).codebookSize, 256);
});
