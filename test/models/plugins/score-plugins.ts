import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Dataset } from '../../../src/data/dataset.js';
import { loadDataset } from '../../../src/data/load.js';
import { sampleEpochTriples } from '../../../src/data/negatives.js';
import { freezeWithPlugins } from '../../../src/models/freeze.js';
import { getPlugin } from '../../../src/models/plugin-registry.js';
import type { Plugin, Scorer } from '../../../src/models/types.js';
import * as F from '../../../src/tensor/fn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape, zeroGrads } from '../../../src/tensor/tape.js';
import { trainModel, withEmbeddingHooks } from '../../../src/train/trainer.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY, tinyModel } from '../../contracts/base-model.js';
import { withPlugins } from '../../contracts/plugin.js';

/** A small RQ for the fixture (the defaults take seconds on full-size text). */
export const TINY_RQ = { hidden: [8], codeDim: 4, levels: 3, epochs: 2, batchSize: 32, kmeansIterations: 5 };

const BASES: Record<string, Record<string, unknown>> = {
  lightgcn: { layers: 2, dim: 8 },
  mf: { dim: 8 },
  weightedgcl: { layers: 2, dim: 8 },
  polycf: { order: 2, lowPassRank: 8, usersPerBatch: 16 },
};
const LOOP = { epochs: 2, batchSize: 64, lr: 1e-2, earlyStop: { metric: 'recall@20', every: 3, patience: 5 } };

async function trained(ds: Dataset, base: string, plugin: string | undefined, cfg: Record<string, unknown>, seed = 5) {
  const { model, plugins } = plugin === undefined
    ? { model: await tinyModel(ds, base, BASES[base], seed), plugins: [] as Plugin[] }
    : await withPlugins(ds, base, BASES[base], plugin, cfg, seed);
  await trainModel({ model, plugins, train: ds.train, seed, kernels: scalarKernels, config: LOOP });
  const scorer = freezeWithPlugins(model, plugins, scalarKernels);
  return { model, plugins, params: [...model.params, ...plugins.flatMap((p) => p.params)].map((p) => p.value.data.slice()), scores: allScores(scorer, ds.numUsers) };
}

/** Add N(0, 0.1²) to every plug-in parameter (the zero-initialised ones then take part too). */
function perturb(plugins: readonly Plugin[]): void {
  const rng = createRng(77);
  for (const p of plugins.flatMap((q) => q.params)) for (let i = 0; i < p.value.data.length; i++) p.value.data[i] += 0.1 * rng.normal();
}

function allScores(s: Scorer, numUsers: number): Float32Array {
  const out = new Float32Array(numUsers * s.numItems);
  s.scoreBatch(Int32Array.from({ length: numUsers }, (_, u) => u), out);
  return out;
}

/**
 * The checks every score plug-in (transformEmbeddings) owes, on test/fixtures/tiny_amazon_book with random
 * text: weight 0 is bit-identical to the bare base; untrained it scores as the base; it trains on LightGCN, MF, WeightedGCL and PolyCF without
 * NaN and changes the scores; same seed → same parameters; each of its parameters gets a gradient through
 * the base's loss; the frozen scorer equals dot products of the transformed training embeddings (MF: no
 * dropout); unknown config keys are rejected.
 */
export function scorePluginSuite(name: string, config: Record<string, unknown>): void {
  describe(`${name}: score plug-in checks`, () => {
    let ds: Dataset;
    before(async () => {
      ds = await loadDataset(TINY, { texts: false });
    });

    for (const base of ['lightgcn', 'polycf']) {
      test(`weight 0 trains bit-identically to bare ${base} (parameters and scores)`, async () => {
        const bare = await trained(ds, base, undefined, {});
        const zero = await trained(ds, base, name, { ...config, weight: 0 });
        assert.deepEqual(zero.params.slice(0, bare.params.length), bare.params);
        assert.deepEqual(zero.scores, bare.scores);
      });
    }

    for (const base of ['lightgcn', 'polycf']) {
      test(`untrained, it scores as bare ${base} (identityInit: the contribution starts at 0)`, async () => {
        const bare = allScores(freezeWithPlugins(await tinyModel(ds, base, BASES[base], 5), [], scalarKernels), ds.numUsers);
        const { model, plugins } = await withPlugins(ds, base, BASES[base], name, config, 5);
        const got = allScores(freezeWithPlugins(model, plugins, scalarKernels), ds.numUsers);
        for (let i = 0; i < bare.length; i++) if (Math.abs(got[i] - bare[i]) > 1e-6 * (1 + Math.abs(bare[i]))) assert.fail(`score ${i}: ${got[i]} vs ${bare[i]}`);
        const random = await withPlugins(ds, base, BASES[base], name, { ...config, identityInit: false }, 5);
        const moved = allScores(freezeWithPlugins(random.model, random.plugins, scalarKernels), ds.numUsers);
        assert.ok(moved.some((v, i) => Math.abs(v - bare[i]) > 1e-3), 'identityInit: false should start away from the base');
      });
    }

    for (const base of Object.keys(BASES)) {
      test(`trains on ${base} without NaN and changes the scores${base === 'lightgcn' ? '; the same seed gives the same parameters' : ''}`, async () => {
        const bare = await trained(ds, base, undefined, {});
        const a = await trained(ds, base, name, config);
        if (base === 'lightgcn') assert.deepEqual((await trained(ds, base, name, config)).params, a.params);
        assert.ok(a.scores.every(Number.isFinite));
        let diff = 0;
        for (let i = 0; i < a.scores.length; i++) diff = Math.max(diff, Math.abs(a.scores[i] - bare.scores[i]));
        assert.ok(diff > 1e-3, `max score change ${diff}`);
      });
    }

    test('every parameter gets a gradient through the base loss (after a random perturbation)', async () => {
      const { model, plugins } = await withPlugins(ds, 'lightgcn', BASES.lightgcn, name, config);
      perturb(plugins);
      const tr = sampleEpochTriples(ds.train, createRng(3));
      const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(9) };
      zeroGrads(plugins[0].params);
      const e = model.embed(t, ctx);
      const terms = [...Object.values(model.loss(t, withEmbeddingHooks(t, e, plugins, ctx), tr, ctx)), ...Object.values(plugins[0].loss(t, e, tr, ctx))];
      t.backward(terms.reduce((x, n) => F.add(t, x, n)));
      for (const p of plugins[0].params) assert.ok(p.grad.data.some((g) => g !== 0), `gradient of ${p.name}`);
    });

    test('the frozen scorer scores with the transformed embeddings (MF)', async () => {
      const { model, plugins } = await withPlugins(ds, 'mf', BASES.mf, name, config);
      perturb(plugins);
      const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(1) };
      const e = withEmbeddingHooks(t, model.embed(t, ctx), plugins, ctx);
      const u = t.value(e.users!), it = t.value(e.items!);
      assert.ok(u.cols >= 8);
      const scores = allScores(freezeWithPlugins(model, plugins, scalarKernels), ds.numUsers);
      for (const [uu, ii] of [[0, 0], [3, 5], [ds.numUsers - 1, ds.numItems - 1]]) {
        let s = 0;
        for (let q = 0; q < u.cols; q++) s += u.data[uu * u.cols + q] * it.data[ii * it.cols + q];
        assert.ok(Math.abs(scores[uu * ds.numItems + ii] - s) < 1e-5, `score ${uu},${ii}: ${scores[uu * ds.numItems + ii]} vs ${s}`);
      }
    });

    test('the config rejects unknown keys, also nested', () => {
      const schema = getPlugin(name).schema;
      assert.throws(() => schema.parse({ wieght: 1 }), /unrecognized/i);
      assert.ok(schema.safeParse({}).success);
      if ('rq' in (schema.parse({}) as Record<string, unknown>)) assert.throws(() => schema.parse({ rq: { level: 2 } }), /unrecognized/i);
    });
  });
}
