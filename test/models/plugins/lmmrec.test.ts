import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Dataset } from '../../../src/data/dataset.js';
import { loadDataset } from '../../../src/data/load.js';
import { createPlugins } from '../../../src/models/plugin-registry.js';
import { createIme } from '../../../src/models/plugins/lmmrec/ime.js';
import { LmmrecConfig } from '../../../src/models/plugins/lmmrec/index.js';
import { distillationLoss } from '../../../src/models/plugins/lmmrec/itc.js';
import { batchNodeSet } from '../../../src/models/plugins/lmmrec/mcs.js';
import type { PluginContext } from '../../../src/models/plugins/context.js';
import * as F from '../../../src/tensor/fn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { edgePattern } from '../../../src/tensor/ops/edge-pattern.js';
import { createTape, type Tape } from '../../../src/tensor/tape.js';
import { matrix } from '../../../src/tensor/tensor.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY, tinyModel } from '../../contracts/base-model.js';
import { hookCtx, pluginContract, tinyText, withPlugins } from '../../contracts/plugin.js';

const ZERO = { lambdaS: 0, lambdaA: 0, lambdaC: 0, lambdaT: 0, regWeight: 0, useIME: false };
pluginContract('lmmrec', { config: { prototypes: 4 }, zero: ZERO, noGrad: /Teacher/ });
pluginContract('lmmrec', { config: { prototypes: 4, itcMode: 'faithful', userCandidates: 'batch' }, zero: { ...ZERO, itcMode: 'faithful' }, noGrad: /Teacher/ });

const constant = (t: Tape, rows: number, cols: number, values: number[]) => {
  const m = matrix(rows, cols);
  m.data.set(values);
  return t.constant(m);
};

test('defaults: IRLLRec Amazon-book settings, MCS / ITC weights inside the §B.6 grid', () => {
  const c = LmmrecConfig.parse({});
  assert.deepEqual([c.prototypes, c.lambdaS, c.tauS, c.lambdaA, c.tauA, c.tauC, c.momentum, c.regWeight], [128, 1e-2, 0.2, 2e-2, 0.2, 1, 0.999, 1e-7]);
  assert.deepEqual([c.lambdaC, c.lambdaT, c.itcMode, c.userCandidates, c.nodeCap, c.alignBatch, c.every], [1e-3, 1e-3, 'dist', 'all', 4096, 0, 1]);
  assert.throws(() => LmmrecConfig.parse({ useIme: false }), /useIme/);
});

test('InfoNCE: a single candidate gives 0; identical rows give log|C| per row', () => {
  const t = createTape(scalarKernels);
  const a = constant(t, 1, 3, [1, 2, 3]);
  assert.ok(Math.abs(t.scalar(F.infoNce(t, a, a, a, 0.2))) < 1e-6);
  const same = constant(t, 4, 2, [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.ok(Math.abs(t.scalar(F.infoNce(t, same, same, same, 0.2)) - 4 * Math.log(4)) < 1e-5);
});

describe('interaction motivation encoder', () => {
  let ds: Dataset;
  let ctx: PluginContext;
  before(async () => {
    ds = await loadDataset(TINY, { texts: false });
    ctx = { train: ds.train, numUsers: ds.numUsers, numItems: ds.numItems, dim: 4, baseName: 'lightgcn', kernels: scalarKernels, rng: createRng(1), text: {} };
  });

  const layers = (t: Tape, count: number) => {
    const rng = createRng(4), out = [];
    for (let l = 0; l < count; l++) {
      const m = matrix(ds.numUsers + ds.numItems, 4);
      for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
      out.push(t.constant(m));
    }
    return out;
  };

  test('α ∈ [0, 1] on every edge, and every row of Ã sums to 1', () => {
    const ime = createIme(ctx, 3);
    const t = createTape(scalarKernels);
    const out = ime.forward(t, layers(t, 3));
    assert.equal(out.alpha.length, 2);
    const p = edgePattern(ds.train);
    for (const a of out.alpha) {
      const v = t.value(a).data;
      assert.equal(v.length, ds.train.indptr[ds.numUsers]);
      assert.ok(v.every((x) => x >= 0 && x <= 1));
      assert.ok(new Set(v).size > 10, 'weights vary with the prototypes');
      const ones = matrix(ds.numItems, 1);
      ones.data.fill(1);
      const sums = t.value(F.rowNormSpmm(t, a, t.constant(ones), p)).data;
      for (let u = 0; u < ds.numUsers; u++) assert.ok(Math.abs(sums[u] - 1) < 1e-6, `row ${u} sums to ${sums[u]}`);
    }
  });

  test('forwardAt: the anchors\' rows of the full-graph H, with the same gradients', () => {
    const ime = createIme(ctx, 3);
    const users = Int32Array.of(5, 0, 9), items = Int32Array.of(2, 11, 3, 0);
    const run = (at: boolean) => {
      const t = createTape(scalarKernels);
      for (const p of ime.params) p.grad.data.fill(0);
      const ls = layers(t, 3);
      const out = at ? ime.forwardAt(t, ls, users, items) : undefined;
      const full = at ? undefined : ime.forward(t, ls);
      const hu = at ? F.gatherRows(t, out!.users, users.map((u) => out!.userRow[u])) : F.gatherRows(t, full!.users, users);
      const hi = at ? F.gatherRows(t, out!.items, items.map((i) => out!.itemRow[i])) : F.gatherRows(t, full!.items, items);
      const loss = F.add(t, F.sumSquares(t, hu), F.sumSquares(t, hi));
      t.backward(loss);
      return { hu: t.value(hu).data.slice(), hi: t.value(hi).data.slice(), grads: ime.params.map((p) => p.grad.data.slice()) };
    };
    const want = run(false), got = run(true);
    const close = (a: Float32Array, b: Float32Array) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `${v} vs ${b[i]}`));
    close(got.hu, want.hu);
    close(got.hi, want.hi);
    got.grads.forEach((g, k) => close(g, want.grads[k]));
    assert.ok(want.grads[0].some((v) => v !== 0) && want.hi.some((v) => v !== 0));
  });

  test('P = 0 gives α = 0.5 and H = mean over layers of the random-walk D⁻¹A E^(l)', () => {
    const ime = createIme(ctx, 3);
    for (const p of ime.params) p.value.data.fill(0);
    const t = createTape(scalarKernels);
    const ls = layers(t, 3);
    const out = ime.forward(t, ls);
    for (const a of out.alpha) assert.ok(t.value(a).data.every((x) => x === 0.5));
    const { indptr, indices } = ds.train, nu = ds.numUsers, d = 4;
    const hu = t.value(out.users).data;
    for (const u of [0, 7, nu - 1]) {
      for (let j = 0; j < d; j++) {
        let want = 0;
        for (const l of [0, 1]) {
          const e = t.value(ls[l]).data;
          let s = 0;
          for (let k = indptr[u]; k < indptr[u + 1]; k++) s += e[(nu + indices[k]) * d + j];
          want += s / (indptr[u + 1] - indptr[u]) / 2;
        }
        assert.ok(Math.abs(hu[u * d + j] - want) < 1e-5, `h[${u},${j}] = ${hu[u * d + j]}, want ${want}`);
      }
    }
  });
});

describe('momentum teacher and distillation', () => {
  let ds: Dataset;
  before(async () => {
    ds = await loadDataset(TINY, { texts: false });
  });

  test('EMA: after one step θ_tch = 0.999·θ_tch + 0.001·θ, and the teacher starts as a copy', async () => {
    const { plugins } = await withPlugins(ds, 'lightgcn', { layers: 2, dim: 8 }, 'lmmrec', { prototypes: 4 });
    const params = plugins[0].params;
    const student = params.filter((p) => p.name.startsWith('motMlp.')), teacher = params.filter((p) => p.name.startsWith('motMlpTeacher.'));
    assert.equal(teacher.length, 4);
    teacher.forEach((p, i) => assert.deepEqual(p.value.data, student[i].value.data));
    student.forEach((p) => p.value.data.forEach((x, i) => (p.value.data[i] = x + 1)));
    const old = teacher.map((p) => p.value.data.slice());
    plugins[0].onStepEnd!();
    teacher.forEach((p, k) => p.value.data.forEach((x, i) => assert.equal(x, Math.fround(0.999 * old[k][i] + 0.001 * student[k].value.data[i]))));
  });

  test('L_dist ≥ entropy of the teacher softmax, with equality when student = teacher', () => {
    const t = createTape(scalarKernels);
    const teacher = constant(t, 2, 3, [0.1, 2, -1, 0.5, 0.5, 0]);
    const entropy = [[0.1, 2, -1], [0.5, 0.5, 0]].reduce((s, row) => {
      const z = row.reduce((a, x) => a + Math.exp(x), 0);
      return s - row.reduce((a, x) => a + (Math.exp(x) / z) * (x - Math.log(z)), 0);
    }, 0) / 2;
    assert.ok(Math.abs(t.scalar(distillationLoss(t, teacher, teacher)) - entropy) < 1e-6);
    const student = constant(t, 2, 3, [1, 0, 0, -2, 1, 3]);
    assert.ok(t.scalar(distillationLoss(t, student, teacher)) > entropy + 1e-3);
  });
});

describe('terms, switches and masks', () => {
  let ds: Dataset;
  before(async () => {
    ds = await loadDataset(TINY, { texts: false });
  });
  const batch = { users: Int32Array.of(0, 1, 3, 3), pos: Int32Array.of(2, 5, 7, 9), neg: Int32Array.of(11, 12, 5, 13) };

  const terms = async (cfg: Record<string, unknown>, step = 0) => {
    const { model, plugins } = await withPlugins(ds, 'lightgcn', { layers: 2, dim: 8 }, 'lmmrec', { prototypes: 4, ...cfg });
    const t = createTape(scalarKernels);
    const ctx = hookCtx({ epoch: 1, step, rng: createRng(2) }, plugins);
    const out = plugins[0].loss(t, model.embed(t, ctx), batch, ctx);
    return Object.fromEntries(Object.entries(out).map(([k, n]) => [k, t.scalar(n)]));
  };

  test('every term is present by default and each switch removes its own', async () => {
    assert.deepEqual(Object.keys(await terms({})).sort(), ['align', 'itc', 'mcs', 'reg', 'sem']);
    for (const [flag, term] of [['useSem', 'sem'], ['useAlign', 'align'], ['useMCS', 'mcs'], ['useITC', 'itc']]) {
      const keys = Object.keys(await terms({ [flag]: false }));
      assert.ok(!keys.includes(term) && keys.length === 4, `${flag}: ${keys}`);
    }
    const noIme = await terms({ useIME: false }), withIme = await terms({});
    assert.notEqual(noIme.align, withIme.align);
    assert.equal(noIme.sem, withIme.sem);
  });

  test('alignBatch n: the contrastive terms see only the first n triples of the batch', async () => {
    const capped = await terms({ alignBatch: 2 });
    const { model, plugins } = await withPlugins(ds, 'lightgcn', { layers: 2, dim: 8 }, 'lmmrec', { prototypes: 4 });
    const t = createTape(scalarKernels);
    const ctx = hookCtx({ epoch: 1, step: 0, rng: createRng(2) }, plugins);
    const head = { users: batch.users.slice(0, 2), pos: batch.pos.slice(0, 2), neg: batch.neg.slice(0, 2) };
    const out = plugins[0].loss(t, model.embed(t, ctx), head, ctx);
    for (const k of ['sem', 'align', 'mcs', 'itc']) assert.equal(capped[k], t.scalar(out[k]), k);
    assert.notEqual(capped.sem, (await terms({})).sem);
  });

  test('warm-up: no contrastive term in epoch 1, half weight halfway, full weight after', async () => {
    const full = await terms({});
    const at = async (epoch: number) => {
      const { model, plugins } = await withPlugins(ds, 'lightgcn', { layers: 2, dim: 8 }, 'lmmrec', { prototypes: 4, warmupEpochs: 4 });
      const t = createTape(scalarKernels);
      const ctx = hookCtx({ epoch, step: 0, rng: createRng(2) }, plugins);
      const out = plugins[0].loss(t, model.embed(t, ctx), batch, ctx);
      return Object.fromEntries(Object.entries(out).map(([k, n]) => [k, t.scalar(n)]));
    };
    assert.deepEqual(Object.keys(await at(1)), ['reg']);
    const half = await at(3), after = await at(9);
    for (const k of ['sem', 'align', 'mcs', 'itc']) {
      assert.ok(Math.abs(half[k] - full[k] / 2) < 1e-6 * Math.abs(full[k]), `${k}: ${half[k]} vs ${full[k]} / 2`);
      assert.equal(after[k], full[k]);
    }
  });

  test('faithful ITC = λ_t·(0.6·L_dist + 0.4·λ_c·L_MCS)', async () => {
    const dist = await terms({ lambdaT: 1 }), faithful = await terms({ lambdaT: 1, itcMode: 'faithful' });
    const want = 0.6 * dist.itc + 0.4 * dist.mcs;
    assert.ok(Math.abs(faithful.itc - want) < 1e-5 * Math.abs(want), `${faithful.itc} vs ${want}`);
  });

  test('every n: the text terms on steps 0, n, 2n… at n × their weights, none in between (faithful ITC too)', async () => {
    for (const step of [0, 3]) {
      const once = await terms({}, step), lazy = await terms({ every: 3 }, step);
      for (const k of ['sem', 'align', 'mcs', 'itc']) assert.ok(Math.abs(lazy[k] - 3 * once[k]) < 1e-6 * Math.abs(once[k]), `step ${step} ${k}: ${lazy[k]} vs 3 × ${once[k]}`);
      assert.equal(lazy.reg, once.reg);
    }
    for (const step of [1, 2, 4]) assert.deepEqual(Object.keys(await terms({ every: 3 }, step)), ['reg'], `step ${step}`);
    const faithful = await terms({ lambdaT: 1, itcMode: 'faithful' }), lazyFaithful = await terms({ lambdaT: 1, itcMode: 'faithful', every: 2 });
    assert.ok(Math.abs(lazyFaithful.itc - 2 * faithful.itc) < 1e-5 * Math.abs(faithful.itc), `${lazyFaithful.itc} vs 2 × ${faithful.itc}`);
  });

  test('a batch whose entities all lack text adds no alignment term', async () => {
    const { model, plugins } = await withPlugins(ds, 'lightgcn', { layers: 2, dim: 8 }, 'lmmrec', { prototypes: 4 });
    const t = createTape(scalarKernels);
    const ctx = { epoch: 1, step: 0, rng: createRng(2) };
    const out = plugins[0].loss(t, model.embed(t, ctx), { users: Int32Array.of(3, 3), pos: Int32Array.of(5, 5), neg: Int32Array.of(5, 5) }, ctx);
    assert.deepEqual(Object.keys(out), ['reg']);
  });

  test('MCS / ITC node set: distinct batch nodes with text, users first, capped', () => {
    const pair = tinyText(ds).motivation!;
    const v = batchNodeSet(batch, pair, 100, createRng(1));
    assert.deepEqual(Array.from(v.users), [0, 1]);
    assert.deepEqual(Array.from(v.items), [2, 7, 9, 11, 12, 13]);
    const capped = batchNodeSet(batch, pair, 3, createRng(1));
    assert.equal(capped.users.length + capped.items.length, 3);
    assert.ok([...capped.users].every((u) => u === 0 || u === 1));
  });

  test('missing motivation text is a config error naming the setting; a base without embeddings is rejected', async () => {
    const model = await tinyModel(ds, 'lightgcn', { layers: 2, dim: 8 });
    const args = { model, train: ds.train, kernels: scalarKernels, rng: createRng(1), text: { semantic: tinyText(ds).semantic } };
    assert.throws(() => createPlugins(['lmmrec'], {}, args), /needs motivation text embeddings; set text\.motivation/);
    assert.doesNotThrow(() => createPlugins(['lmmrec'], { lmmrec: { useAlign: false, useMCS: false, useITC: false } }, args));
    const poly = await tinyModel(ds, 'polycf', {});
    assert.throws(() => createPlugins(['rlmrec-con'], {}, { ...args, model: poly }), /base model "polycf" has none/);
    assert.throws(() => createPlugins(['lmmrec', 'nope'], {}, args), /unknown plug-in "nope"/);
  });
});
