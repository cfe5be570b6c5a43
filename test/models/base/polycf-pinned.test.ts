import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Dataset } from '../../../src/data/dataset.js';
import { loadDataset } from '../../../src/data/load.js';
import { sampleEpochTriples } from '../../../src/data/negatives.js';
import { createPolyCf, PolyCfConfig } from '../../../src/models/base/polycf.js';
import type { BaseModel } from '../../../src/models/types.js';
import { createAdam } from '../../../src/tensor/adam.js';
import * as F from '../../../src/tensor/fn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape, zeroGrads } from '../../../src/tensor/tape.js';
import { userBatches } from '../../../src/train/batches.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY, tinyModel } from '../../contracts/base-model.js';

/**
 * Numbers pinned from the first PolyCF implementation (full Chebyshev blocks T_k(x)·S for every batch user,
 * then a gather at the sampled items), before it was made fast. The fast paths must compute the same
 * model: losses, θ gradients and full scores equal within float32 rounding.
 */
const PINNED = {
  uniform: {
    terms: [[0.47453293204307556, 0.012797005474567413], [0.4198622703552246, 0.00756699126213789], [0.3748833239078522, 0.0034426830243319273]],
    grad: [-0.37882548570632935, 0.26305249333381653, -0.12805408239364624, -0.45174819231033325, 0.07387324422597885, -0.35114091634750366,
      -0.29970020055770874, 0.4067211449146271, -0.1375335305929184, -0.05147527903318405],
    theta: [0.19661881029605865, -0.02996988594532013, 0.029671844094991684, 0.19664941728115082, -0.029639044776558876, 0.029956916347146034,
      0.19667357206344604, -0.02988659404218197, 0.029892941936850548, 0.3298068940639496],
    scores: [180.91526629340342, 320.14814794960375, 551.5007261081819, 0.15164804458618164, 0.00345785659737885, -0.010619997046887875,
      0.013826302252709866, -0.005469496361911297, 0],
  },
  top: {
    terms: [[0.5020972490310669, 0.013140540570020676], [0.4593033194541931, 0.00828037690371275], [0.4071958363056183, 0.004163581412285566]],
    grad: [-0.37669479846954346, 0.2672099471092224, -0.12057920545339584, -0.433197021484375, 0.12737514078617096, -0.26530343294143677,
      -0.2716463804244995, 0.4482022821903229, -0.15109623968601227, -0.019798140972852707],
  },
  branch: {
    terms: [[0.47241172194480896, 0.012797005474567413, 0.00001545783379697241], [0.4243912100791931, 0.008105471730232239, 0.000013579979167843703],
      [0.3843326270580292, 0.004039796069264412, 0.000012854739907197654]],
    grad: [-0.39384838938713074, 0.2694360613822937, -0.4682425558567047, 0.07599172741174698, -0.3096556067466736, 0.4226314127445221, -0.05351146310567856],
    scores: [180.63865067418902, 341.758615420327, 556.2305426901781, 0.15520308911800385, 0.0048743365332484245, -0.003402318339794874,
      0.01114120427519083, -0.0012675696052610874, 0.00022927916143089533],
  },
};

interface Trace { terms: number[][]; grad: number[]; theta: number[] }

/** Three Adam steps over the user batches of one sampled epoch; terms per step and the last θ gradient. */
function trace(model: BaseModel, ds: Dataset): Trace {
  const batches = userBatches(sampleEpochTriples(ds.train, createRng(3)), ds.numUsers, model.usersPerBatch!, createRng(4));
  const adam = createAdam(model.params, { lr: 1e-2 }, scalarKernels), t = createTape(scalarKernels);
  const terms: number[][] = [];
  for (let s = 0; s < 3; s++) {
    t.reset();
    zeroGrads(model.params);
    const ctx = { epoch: 1, step: s, rng: createRng(20 + s) };
    const out = model.loss(t, model.embed(t, ctx), batches[s % batches.length], ctx);
    terms.push(Object.keys(out).sort().map((k) => t.scalar(out[k])));
    t.backward(Object.values(out).reduce((a, n) => F.add(t, a, n)));
    adam.step();
  }
  return { terms, grad: Array.from(model.params[0].grad!.data), theta: Array.from(model.params[0].value.data) };
}

/** Σ s, Σ |s|, Σ s·(index mod 7) and six entries. */
function checksums(s: Float32Array): number[] {
  let a = 0, b = 0, c = 0;
  s.forEach((x, i) => {
    a += x;
    b += Math.abs(x);
    c += x * (i % 7);
  });
  return [a, b, c, ...[17, 555, 1234, 4321, 9876, s.length - 2].map((i) => s[i])];
}

function allScores(model: BaseModel, numUsers: number): Float32Array {
  const s = model.freeze();
  const out = new Float32Array(numUsers * s.numItems);
  s.scoreBatch(Int32Array.from({ length: numUsers }, (_, u) => u), out);
  return out;
}

const near = (a: number, b: number, what: string, tol = 1e-6): void => {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs pinned ${b}`);
};
const nearAll = (a: readonly number[], b: readonly number[], what: string, tol?: number): void => {
  assert.equal(a.length, b.length, `${what}: length`);
  a.forEach((x, i) => near(x, b[i], `${what}[${i}]`, tol));
};

describe('PolyCF pinned to the first implementation', () => {
  let ds: Dataset;
  before(async () => {
    ds = await loadDataset(TINY, { texts: false });
  });

  for (const mode of ['dense T_2 tables', 'sparse products only'] as const) {
    test(`defaults (3 Gram filters, K = 3, low-pass rank 8), ${mode}: losses, θ gradient, θ after Adam, full scores`, async () => {
      const cfg = PolyCfConfig.parse({ lowPassRank: 8, usersPerBatch: 16 });
      const ctx = { train: ds.train, kernels: scalarKernels, rng: createRng(7).derive('init') };
      const m = await createPolyCf(cfg, ctx, { denseBasisBytes: mode === 'sparse products only' ? 0 : undefined });
      const got = trace(m, ds);
      got.terms.forEach((t, s) => nearAll(t, PINNED.uniform.terms[s], `terms of step ${s}`));
      nearAll(got.grad, PINNED.uniform.grad, 'grad θ');
      nearAll(got.theta, PINNED.uniform.theta, 'θ');
      nearAll(checksums(allScores(m, ds.numUsers)), PINNED.uniform.scores, 'scores');
    });
  }

  test('hard negatives (top 5) and the embedding branch: losses and gradients', async () => {
    const br = await tinyModel(ds, 'polycf', { order: 2, lowPassRank: 8, usersPerBatch: 16, branchDim: 8, branchLayers: 2 });
    const branch = trace(br, ds);
    const top = trace(await tinyModel(ds, 'polycf', { lowPassRank: 8, usersPerBatch: 16, negatives: 'top', topNegatives: 5 }), ds);
    top.terms.forEach((t, s) => nearAll(t, PINNED.top.terms[s], `top: terms of step ${s}`));
    nearAll(top.grad, PINNED.top.grad, 'top: grad θ');
    branch.terms.forEach((t, s) => nearAll(t, PINNED.branch.terms[s], `branch: terms of step ${s}`));
    nearAll(branch.grad, PINNED.branch.grad, 'branch: grad θ');
    nearAll(checksums(allScores(br, ds.numUsers)), PINNED.branch.scores, 'branch: scores');
  });
});
