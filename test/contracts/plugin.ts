import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { sampleEpochTriples } from '../../src/data/negatives.js';
import { createPlugins } from '../../src/models/plugin-registry.js';
import type { PluginText, TextPair } from '../../src/models/plugins/context.js';
import type { BaseModel, Batch, Plugin, StepContext } from '../../src/models/types.js';
import { createAdam } from '../../src/tensor/adam.js';
import * as F from '../../src/tensor/fn.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { createTape, zeroGrads } from '../../src/tensor/tape.js';
import { matrix } from '../../src/tensor/tensor.js';
import { trainModel } from '../../src/train/trainer.js';
import { createRng } from '../../src/util/rng.js';
import { TINY, tinyModel } from './base-model.js';

/** Random text matrices for the tiny fixture; user 3 and item 5 have no text (zero rows, mask 0). */
export function tinyTextPair(ds: Dataset, dim: number, seed: number): TextPair {
  const rng = createRng(seed);
  const fill = (rows: number, missing: number) => {
    const m = matrix(rows, dim), mask = new Uint8Array(rows).fill(1);
    for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
    m.data.fill(0, missing * dim, missing * dim + dim);
    mask[missing] = 0;
    return { m, mask };
  };
  const u = fill(ds.numUsers, 3), i = fill(ds.numItems, 5);
  return { users: u.m, items: i.m, userMask: u.mask, itemMask: i.mask };
}

export function tinyText(ds: Dataset): PluginText {
  return { semantic: tinyTextPair(ds, 12, 1), motivation: tinyTextPair(ds, 10, 2) };
}

export async function withPlugins(ds: Dataset, base: string, baseConfig: Record<string, unknown>, name: string, cfg: Record<string, unknown>, seed = 7): Promise<{ model: BaseModel; plugins: Plugin[] }> {
  const model = await tinyModel(ds, base, baseConfig, seed);
  const plugins = createPlugins([name], { [name]: cfg }, {
    model, train: ds.train, kernels: scalarKernels, rng: createRng(seed).derive('init'), text: tinyText(ds),
  });
  return { model, plugins };
}

/** A step context with the plug-ins' ego hooks composed, as the trainer builds it. */
export function hookCtx(ctx: StepContext, plugins: readonly Plugin[]): StepContext {
  const hooks = plugins.filter((p) => p.transformEgo);
  if (hooks.length === 0) return ctx;
  const out: StepContext = { ...ctx, transformEgo: (t, ego) => hooks.reduce((x, p) => p.transformEgo!(t, x, out), ego) };
  return out;
}

/** The plug-ins' summed loss terms for one batch at the current parameters, with a fixed step stream. */
export function pluginLoss(model: BaseModel, plugins: readonly Plugin[], b: Batch, seed: number): number {
  const t = createTape(scalarKernels);
  const ctx = hookCtx({ epoch: 1, step: 0, rng: createRng(seed) }, plugins);
  const e = model.embed(t, ctx);
  return plugins.flatMap((p) => Object.entries(p.loss(t, e, b, ctx))).filter(([k]) => k !== 'reg').reduce((s, [, n]) => s + t.scalar(n), 0);
}

export interface PluginContractOptions {
  base?: string;
  baseConfig?: Record<string, unknown>;
  /** The plug-in's settings for the active checks (defaults otherwise). */
  config?: Record<string, unknown>;
  /** Settings with every weight at 0 (and anything else that changes the base's training switched off). */
  zero: Record<string, unknown>;
  /** Parameters that by design take no gradient (a momentum teacher). */
  noGrad?: RegExp;
}

const LOOP = { epochs: 2, batchSize: 64, lr: 1e-3, earlyStop: { metric: 'recall@20', every: 3, patience: 5 } };

/**
 * What every plug-in owes (style.md §2.6), on test/fixtures/tiny_amazon_book with random text: with all its
 * weights at 0 training is bit-identical to the bare base model (method.md §B.9); the same seed gives identical
 * parameters, and the active plug-in changes them; every term is finite and every trainable parameter gets a
 * gradient; its loss falls over 20 Adam steps on one batch.
 */
export function pluginContract(name: string, opts: PluginContractOptions): void {
  const base = opts.base ?? 'lightgcn', baseConfig = opts.baseConfig ?? { layers: 2, dim: 8 }, config = opts.config ?? {};
  const train = async (ds: Dataset, cfg: Record<string, unknown> | undefined, seed = 5): Promise<Float32Array[][]> => {
    const { model, plugins } = cfg === undefined ? { model: await tinyModel(ds, base, baseConfig, seed), plugins: [] } : await withPlugins(ds, base, baseConfig, name, cfg, seed);
    await trainModel({ model, plugins, train: ds.train, seed, kernels: scalarKernels, config: LOOP });
    return [model.params.map((p) => p.value.data.slice()), plugins.flatMap((p) => p.params.map((q) => q.value.data.slice()))];
  };

  describe(`${name}: plug-in contract (base ${base})`, () => {
    let ds: Dataset;
    before(async () => {
      ds = await loadDataset(TINY, { texts: false });
    });

    test('with every weight at 0, training is bit-identical to the bare base model', async () => {
      const [bare] = await train(ds, undefined);
      const [withZero] = await train(ds, opts.zero);
      assert.deepEqual(withZero, bare);
    });

    test('the same seed gives identical parameters; the active plug-in changes the base\'s', async () => {
      const a = await train(ds, config), b = await train(ds, config);
      assert.deepEqual(a, b);
      assert.ok(a[1].length > 0);
      const [bare] = await train(ds, undefined);
      assert.notDeepEqual(a[0], bare);
    });

    test('every term is finite and every trainable parameter gets a gradient', async () => {
      const { model, plugins } = await withPlugins(ds, base, baseConfig, name, config);
      const tr = sampleEpochTriples(ds.train, createRng(3));
      const t = createTape(scalarKernels);
      const params = [...model.params, ...plugins.flatMap((p) => p.params)];
      zeroGrads(params);
      const hooked = hookCtx({ epoch: 1, step: 0, rng: createRng(9) }, plugins);
      const e = model.embed(t, hooked);
      const terms = Object.entries(plugins[0].loss(t, e, { users: tr.users, pos: tr.pos, neg: tr.neg }, hooked));
      assert.ok(terms.length > 0);
      for (const [k, n] of terms) assert.ok(Number.isFinite(t.scalar(n)), `${k} = ${t.scalar(n)}`);
      t.backward(terms.map(([, n]) => n).reduce((a, n) => F.add(t, a, n)));
      for (const p of plugins[0].params) {
        const nonzero = p.grad.data.some((g) => g !== 0);
        assert.equal(nonzero, !opts.noGrad?.test(p.name), `gradient of ${p.name}`);
      }
    });

    test('its loss falls over 20 Adam steps on one batch', async () => {
      const { model, plugins } = await withPlugins(ds, base, baseConfig, name, config);
      const tr = sampleEpochTriples(ds.train, createRng(3));
      const batch: Batch = { users: tr.users, pos: tr.pos, neg: tr.neg };
      const params = [...model.params, ...plugins.flatMap((p) => p.params)];
      const adam = createAdam(params, { lr: 1e-2 }, scalarKernels);
      const before = pluginLoss(model, plugins, batch, 11);
      const t = createTape(scalarKernels);
      for (let s = 0; s < 20; s++) {
        t.reset();
        zeroGrads(params);
        const ctx = hookCtx({ epoch: 1, step: s, rng: createRng(100 + s) }, plugins);
        const e = model.embed(t, ctx);
        const terms = plugins.flatMap((p) => Object.values(p.loss(t, e, batch, ctx)));
        t.backward(terms.reduce((a, n) => F.add(t, a, n)));
        adam.step();
        for (const p of plugins) p.onStepEnd?.();
      }
      const after = pluginLoss(model, plugins, batch, 11);
      assert.ok(Number.isFinite(before) && after < before - 1e-3, `loss ${before} -> ${after}`);
    });
  });
}
