import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Dataset } from '../../../src/data/dataset.js';
import { loadDataset } from '../../../src/data/load.js';
import { sampleEpochTriples } from '../../../src/data/negatives.js';
import { egoMatrix } from '../../../src/models/base/polycf-branch.js';
import { freezeWithPlugins } from '../../../src/models/freeze.js';
import { createPlugins } from '../../../src/models/plugin-registry.js';
import type { BaseModel, Batch, Plugin, Scorer } from '../../../src/models/types.js';
import * as F from '../../../src/tensor/fn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape, zeroGrads } from '../../../src/tensor/tape.js';
import { trainModel, withEmbeddingHooks } from '../../../src/train/trainer.js';
import { ConfigError } from '../../../src/util/errors.js';
import { createRng } from '../../../src/util/rng.js';
import { baseModelContract, TINY, tinyModel } from '../../contracts/base-model.js';
import { tinyText, withPlugins } from '../../contracts/plugin.js';

const BARE = { order: 2, lowPassRank: 8, usersPerBatch: 16 };
const BRANCH = { ...BARE, branchDim: 8, branchLayers: 2 };
const LOOP = { epochs: 2, batchSize: 64, lr: 1e-2, earlyStop: { metric: 'recall@20', every: 3, patience: 5 } };
const TINY_RQ = { hidden: [8], codeDim: 4, levels: 3, epochs: 2, batchSize: 32, kmeansIterations: 5 };

baseModelContract('polycf', BRANCH);

function allScores(s: Scorer, numUsers: number): Float32Array {
  const out = new Float32Array(numUsers * s.numItems);
  s.scoreBatch(Int32Array.from({ length: numUsers }, (_, u) => u), out);
  return out;
}

async function trained(model: BaseModel, plugins: Plugin[], ds: Dataset) {
  const log = await trainModel({ model, plugins, train: ds.train, seed: 5, kernels: scalarKernels, config: LOOP });
  return { log, params: model.params.map((p) => p.value.data.slice()), scores: allScores(freezeWithPlugins(model, plugins, scalarKernels), ds.numUsers) };
}

/** The same model's filter scores alone: a branch-less PolyCF with the same θ. */
async function polyOnly(ds: Dataset, m: BaseModel): Promise<Float32Array> {
  const bare = await tinyModel(ds, 'polycf', BARE, 1);
  bare.params[0].value.data.set(m.params[0].value.data);
  return allScores(bare.freeze(), ds.numUsers);
}

describe('PolyCF embedding branch', () => {
  let ds: Dataset;
  before(async () => {
    ds = await loadDataset(TINY, { texts: false });
  });

  test('off (default or branchDim 0, whatever the other branch knobs) trains bit-identically to the bare model', async () => {
    const bare = await trained(await tinyModel(ds, 'polycf', BARE, 5), [], ds);
    const off = await trained(await tinyModel(ds, 'polycf', { ...BARE, branchDim: 0, branchLayers: 5, branchRegWeight: 1 }, 5), [], ds);
    assert.equal(bare.params.length, 1);
    assert.deepEqual(off.params, bare.params);
    assert.deepEqual(off.scores, bare.scores);
    const m = await tinyModel(ds, 'polycf', BARE, 5);
    const e = m.embed(createTape(scalarKernels), { epoch: 1, step: 0, rng: createRng(1) });
    assert.equal(e.users, undefined);
    assert.equal(m.freeze().embeddings, undefined);
  });

  test('ego rows: items are W, users the mean of their training items; final = mean of layers 0..L', async () => {
    const m = await tinyModel(ds, 'polycf', BRANCH, 3);
    const w = m.params[1];
    assert.equal(w.name, 'branch-items');
    assert.deepEqual([w.value.rows, w.value.cols], [ds.numItems, 8]);
    const t = createTape(scalarKernels);
    const e = m.embed(t, { epoch: 1, step: 0, rng: createRng(1) });
    assert.equal(e.layers.length, 3);
    const e0 = t.value(e.layers[0]), nu = ds.numUsers, W = w.value.data;
    for (const u of [0, 7, nu - 1]) {
      const row = ds.train.indices.subarray(ds.train.indptr[u], ds.train.indptr[u + 1]);
      assert.ok(row.length > 0);
      for (let q = 0; q < 8; q++) {
        const mean = row.reduce((s, i) => s + W[i * 8 + q], 0) / row.length;
        assert.ok(Math.abs(e0.data[u * 8 + q] - mean) < 1e-6, `user ${u} dim ${q}`);
      }
    }
    for (const i of [0, 5, ds.numItems - 1]) for (let q = 0; q < 8; q++) assert.equal(e0.data[(nu + i) * 8 + q], W[i * 8 + q]);
    const items = t.value(e.items!), layers = e.layers.map((l) => t.value(l).data);
    for (const i of [0, 9]) {
      for (let q = 0; q < 8; q++) {
        const mean = (layers[0][(nu + i) * 8 + q] + layers[1][(nu + i) * 8 + q] + layers[2][(nu + i) * 8 + q]) / 3;
        assert.ok(Math.abs(items.data[i * 8 + q] - mean) < 1e-6);
      }
    }
    assert.ok(items.data.some((x) => x !== 0) && [...items.data].every(Number.isFinite));
  });

  test('egoMatrix: D_U⁻¹R over the identity, users without items give zero rows', () => {
    const m = egoMatrix({ rows: 3, cols: 2, indptr: Int32Array.of(0, 2, 2, 3), indices: Int32Array.of(0, 1, 1) });
    assert.deepEqual([m.rows, m.cols], [5, 2]);
    assert.deepEqual(Array.from(m.indptr), [0, 2, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(m.indices), [0, 1, 1, 0, 1]);
    assert.deepEqual(Array.from(m.values), [0.5, 0.5, 1, 1, 1]);
  });

  test('the init stream is derived by a new name: θ starts as in the bare model, W depends on the seed', async () => {
    const [a, b, c] = [await tinyModel(ds, 'polycf', BRANCH, 3), await tinyModel(ds, 'polycf', BRANCH, 4), await tinyModel(ds, 'polycf', BARE, 3)];
    assert.deepEqual(a.params[0].value.data, c.params[0].value.data);
    assert.notDeepEqual(a.params[1].value.data, b.params[1].value.data);
  });

  test('the BPR gradient reaches W and matches a finite difference', async () => {
    const m = await tinyModel(ds, 'polycf', { ...BRANCH, recWeight: 0, branchRegWeight: 0 }, 3);
    const tr = sampleEpochTriples(ds.train, createRng(3));
    const b: Batch = { users: tr.users, pos: tr.pos, neg: tr.neg };
    const w = m.params[1];
    const bpr = (): number => {
      const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(11) };
      return t.scalar(m.loss(t, m.embed(t, ctx), b, ctx).bpr);
    };
    const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(11) };
    zeroGrads(m.params);
    t.backward(m.loss(t, m.embed(t, ctx), b, ctx).bpr);
    const g = w.grad.data;
    let k = 0;
    for (let j = 1; j < g.length; j++) if (Math.abs(g[j]) > Math.abs(g[k])) k = j;
    assert.ok(Math.abs(g[k]) > 1e-5, `largest |∂bpr/∂W| ${g[k]}`);
    const h = 1e-2, x = w.value.data[k];
    w.value.data[k] = x + h;
    const up = bpr();
    w.value.data[k] = x - h;
    const down = bpr();
    w.value.data[k] = x;
    const fd = (up - down) / (2 * h);
    assert.ok(Math.abs(fd - g[k]) < 0.05 * Math.abs(g[k]) + 1e-5, `finite difference ${fd} vs gradient ${g[k]}`);
  });

  test('frozen scores = s^poly + e_u·e_i, and the scorer exposes e with the filter scores as residual', async () => {
    const m = await tinyModel(ds, 'polycf', BRANCH, 3);
    m.params[0].value.data.set(m.params[0].value.data.map((_, j) => 0.1 * (j + 1)));
    const t = createTape(scalarKernels);
    const e = m.embed(t, { epoch: 1, step: 0, rng: createRng(1) });
    const u = t.value(e.users!), it = t.value(e.items!), ni = ds.numItems;
    const poly = await polyOnly(ds, m), frozen = m.freeze(), scores = allScores(frozen, ds.numUsers);
    assert.equal(frozen.embeddings?.dim, 8);
    assert.ok(frozen.embeddings?.residual !== undefined);
    let maxDot = 0, maxPoly = 0;
    for (let uu = 0; uu < ds.numUsers; uu += 5) {
      for (let ii = 0; ii < ni; ii += 3) {
        let dot = 0;
        for (let q = 0; q < 8; q++) dot += u.data[uu * 8 + q] * it.data[ii * 8 + q];
        maxDot = Math.max(maxDot, Math.abs(dot));
        maxPoly = Math.max(maxPoly, Math.abs(poly[uu * ni + ii]));
        const want = poly[uu * ni + ii] + dot;
        assert.ok(Math.abs(scores[uu * ni + ii] - want) < 1e-5, `${uu},${ii}: ${scores[uu * ni + ii]} vs ${want}`);
      }
    }
    assert.ok(maxDot > 1e-3 && maxPoly > 1e-3, `both terms count: max |dot| ${maxDot}, max |s^poly| ${maxPoly}`);
  });

  for (const [plugin, cfg] of [['rlmrec-con', {}], ['lmmrec', { prototypes: 4 }], ['rlmrec-gen', {}]] as const) {
    test(`polycf + ${plugin} trains 2 epochs without NaN; the plug-in changes W and the scores`, async () => {
      const alone = await trained(await tinyModel(ds, 'polycf', BRANCH, 5), [], ds);
      const { model, plugins } = await withPlugins(ds, 'polycf', BRANCH, plugin, cfg, 5);
      const run = await trained(model, plugins, ds);
      assert.ok(run.scores.every(Number.isFinite));
      const last = run.log.state.losses.at(-1)!.loss;
      assert.equal(run.log.state.epoch, 2);
      assert.ok(Object.keys(last).some((k) => k.startsWith(`${plugin}.`) && k !== `${plugin}.reg`), Object.keys(last).join());
      for (const v of Object.values(last)) assert.ok(Number.isFinite(v));
      let diff = 0;
      for (let j = 0; j < run.params[1].length; j++) diff = Math.max(diff, Math.abs(run.params[1][j] - alone.params[1][j]));
      assert.ok(diff > 1e-4, `max W change ${diff}`);
      let sdiff = 0;
      for (let j = 0; j < run.scores.length; j++) sdiff = Math.max(sdiff, Math.abs(run.scores[j] - alone.scores[j]));
      assert.ok(sdiff > 1e-4, `max score change ${sdiff}`);
    });
  }

  test('an aligning plug-in on PolyCF without the branch is a ConfigError naming model.branchDim', async () => {
    const model = await tinyModel(ds, 'polycf', BARE, 5);
    const args = { model, train: ds.train, kernels: scalarKernels, rng: createRng(5), text: tinyText(ds) };
    for (const name of ['rlmrec-con', 'lmmrec']) {
      assert.throws(() => createPlugins([name], {}, args), (e: unknown) => e instanceof ConfigError && /model\.branchDim/.test(e.message));
    }
  });

  for (const [plugin, cfg] of [['once', {}], ['uist', { rq: TINY_RQ }]] as const) {
    test(`${plugin} on the branch: frozen scores = s^poly + dot products of the transformed training embeddings`, async () => {
      const { model, plugins } = await withPlugins(ds, 'polycf', BRANCH, plugin, cfg, 5);
      await trainModel({ model, plugins, train: ds.train, seed: 5, kernels: scalarKernels, config: { ...LOOP, epochs: 1 } });
      const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(1) };
      const e = withEmbeddingHooks(t, model.embed(t, ctx), plugins, ctx);
      const u = t.value(e.users!), it = t.value(e.items!), d = u.cols, ni = ds.numItems;
      assert.ok(d >= 8);
      const poly = await polyOnly(ds, model), scores = allScores(freezeWithPlugins(model, plugins, scalarKernels), ds.numUsers);
      let maxPoly = 0;
      for (const uu of [0, 3, ds.numUsers - 1]) {
        for (let ii = 0; ii < ni; ii++) {
          let dot = 0;
          for (let q = 0; q < d; q++) dot += u.data[uu * d + q] * it.data[ii * d + q];
          const want = poly[uu * ni + ii] + dot;
          maxPoly = Math.max(maxPoly, Math.abs(poly[uu * ni + ii]));
          assert.ok(Math.abs(scores[uu * ni + ii] - want) < 1e-5 * Math.max(1, Math.abs(want)), `${uu},${ii}: ${scores[uu * ni + ii]} vs ${want}`);
        }
      }
      assert.ok(maxPoly > 1e-3, 'the filter term is not negligible');
    });
  }

  test('the branch-on loss has bpr, rec on s^poly and reg on W; each is finite', async () => {
    const m = await tinyModel(ds, 'polycf', BRANCH, 3);
    const tr = sampleEpochTriples(ds.train, createRng(3));
    const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(2) };
    const terms = m.loss(t, m.embed(t, ctx), { users: tr.users, pos: tr.pos, neg: tr.neg }, ctx);
    assert.deepEqual(Object.keys(terms).sort(), ['bpr', 'rec', 'reg']);
    const w = m.params[1].value.data;
    assert.ok(Math.abs(t.scalar(terms.reg) - 1e-6 * w.reduce((s, x) => s + x * x, 0)) < 1e-9);
    for (const n of Object.values(terms)) assert.ok(Number.isFinite(t.scalar(n)));
    const total = Object.values(terms).reduce((a, n) => F.add(t, a, n));
    zeroGrads(m.params);
    t.backward(total);
    assert.ok(m.params[0].grad.data.some((g) => g !== 0) && m.params[1].grad.data.some((g) => g !== 0));
  });
});
