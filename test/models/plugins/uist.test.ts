import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/data/load.js';
import { residualCodes } from '../../../src/models/plugins/rq.js';
import { UistConfig } from '../../../src/models/plugins/uist.js';
import { createTape } from '../../../src/tensor/tape.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY } from '../../contracts/base-model.js';
import { tinyText, withPlugins } from '../../contracts/plugin.js';
import { scorePluginSuite, TINY_RQ } from './score-plugins.js';

const CONFIG = { codebookSize: 6, rq: TINY_RQ };
scorePluginSuite('uist', CONFIG);

test('uist: the transformed dot product is base score + Σ_lm w_lm u⁽ˡ⁾·i⁽ᵐ⁾ (prefix sums of the level tokens)', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const { model, plugins } = await withPlugins(ds, 'mf', { dim: 4 }, 'uist', CONFIG);
  const p = plugins[0], byName = Object.fromEntries(p.params.map((q) => [q.name, q.value]));
  const rng = createRng(8);
  for (const q of p.params) for (let k = 0; k < q.value.data.length; k++) q.value.data[k] = 0.3 * rng.normal();
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
  // Item block l = Σ_m w_lm i⁽ᵐ⁾: with W = I the blocks are the prefixes i⁽ᵐ⁾ themselves.
  const mixed = Float64Array.from({ length: 3 * d }, (_, q) => I.data[i * 16 + d + q]);
  w.fill(0);
  [0, 4, 8].forEach((k) => (w[k] = 1));
  const t2 = createTape(scalarKernels), e2 = model.embed(t2, ctx), I2 = t2.value(p.transformEmbeddings!(t2, e2, ctx).items!);
  const prefix = (m: number, q: number) => I2.data[i * 16 + d + m * d + q];
  // …and those are Σ_{k≤m} T_k[c_k] with the item's RQ codes (recomputed from the same stream).
  const pair = tinyText(ds).semantic!;
  const codes = residualCodes(pair.items, pair.itemMask, 6, UistConfig.parse(CONFIG).rq, createRng(7).derive('init').derive('plugin/uist').derive('rq/items'), scalarKernels);
  for (let m = 0; m < 3; m++) {
    for (let q = 0; q < d; q++) {
      let want = 0;
      for (let k = 0; k <= m; k++) want += byName[`item-tokens${k}`].data[codes.codes[i * 3 + k] * d + q];
      assert.ok(Math.abs(prefix(m, q) - want) < 1e-6, `i(${m}) col ${q}`);
    }
  }
  for (let l = 0; l < 3; l++) {
    for (let q = 0; q < d; q++) {
      const want = [0, 1, 2].reduce((acc, m) => acc + 0.1 * (3 * l + m + 1) * prefix(m, q), 0);
      assert.ok(Math.abs(mixed[l * d + q] - want) < 1e-6, `block ${l} col ${q}: ${mixed[l * d + q]} vs ${want}`);
    }
  }
  assert.equal(UistConfig.parse({}).rq.levels, 3);
  assert.equal(UistConfig.parse({}).codebookSize, 256);
});
