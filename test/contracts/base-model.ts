import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { sampleEpochTriples } from '../../src/data/negatives.js';
import { evaluate } from '../../src/eval/full-ranking.js';
import { createModel } from '../../src/models/registry.js';
import type { BaseModel, Batch } from '../../src/models/types.js';
import { createAdam } from '../../src/tensor/adam.js';
import * as F from '../../src/tensor/fn.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { createTape, zeroGrads } from '../../src/tensor/tape.js';
import { loadParams, readModelCheckpoint, writeModelCheckpoint } from '../../src/train/checkpoint.js';
import { keyParams, trainModel } from '../../src/train/trainer.js';
import { createRng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/temp-dir.js';

export const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');

/** A model on the tiny fixture from an init seed. */
export function tinyModel(ds: Dataset, name: string, cfg: Record<string, unknown>, seed = 7): Promise<BaseModel> {
  return createModel({ name, ...cfg }, { train: ds.train, kernels: scalarKernels, rng: createRng(seed).derive('init') });
}

/** Total loss of one batch at the current parameters with a fixed step stream (same dropout / noise). */
export function batchLoss(model: BaseModel, b: Batch, seed: number): number {
  const t = createTape(scalarKernels);
  const ctx = { epoch: 1, step: 0, rng: createRng(seed) };
  const terms = Object.values(model.loss(t, model.embed(t, ctx), b, ctx));
  return terms.reduce((s, n) => s + t.scalar(n), 0);
}

function snapshot(model: BaseModel): Float32Array[] {
  return model.params.map((p) => p.value.data.slice());
}

/**
 * What every base model owes (style.md §2.6), on test/fixtures/tiny_amazon_book: the loss falls over 20
 * steps; the same seed gives identical parameters (and another seed different ones); a checkpoint
 * round-trips to identical scores; metrics do not depend on the evaluation batch size.
 */
export function baseModelContract(name: string, cfg: Record<string, unknown> = {}): void {
  describe(`${name}: base model contract`, () => {
    let ds: Dataset;
    before(async () => {
      ds = await loadDataset(TINY, { texts: false });
    });

    test('the loss falls over 20 Adam steps', async () => {
      const model = await tinyModel(ds, name, cfg);
      const tr = sampleEpochTriples(ds.train, createRng(3));
      const batch: Batch = { users: tr.users, pos: tr.pos, neg: tr.neg };
      const before = batchLoss(model, batch, 11);
      const adam = createAdam(model.params, { lr: 1e-2 }, scalarKernels);
      const t = createTape(scalarKernels);
      for (let s = 0; s < 20; s++) {
        t.reset();
        zeroGrads(model.params);
        const ctx = { epoch: 1, step: s, rng: createRng(100 + s) };
        const terms = Object.values(model.loss(t, model.embed(t, ctx), batch, ctx));
        t.backward(terms.reduce((a, n) => F.add(t, a, n)));
        adam.step();
      }
      const after = batchLoss(model, batch, 11);
      assert.ok(Number.isFinite(before) && after < before - 1e-3, `loss ${before} -> ${after}`);
    });

    test('the same seed gives identical parameters; another seed does not', async () => {
      const run = async (seed: number): Promise<Float32Array[]> => {
        const model = await tinyModel(ds, name, cfg, seed);
        await trainModel({
          model, train: ds.train, seed, kernels: scalarKernels,
          config: { epochs: 2, batchSize: 128, lr: 1e-3, earlyStop: { metric: 'recall@20', every: 3, patience: 5 } },
        });
        return snapshot(model);
      };
      const [a, b, c] = [await run(5), await run(5), await run(6)];
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    });

    test('a checkpoint round-trips to identical parameters and scores', async () => {
      const model = await tinyModel(ds, name, cfg, 1);
      const dir = tempDir('contract');
      try {
        const path = join(dir, 'model.safetensors');
        writeModelCheckpoint(path, keyParams(model), { model: name });
        const copy = await tinyModel(ds, name, cfg, 2);
        for (const p of copy.params) p.value.data.fill(0.125);
        assert.notDeepEqual(snapshot(copy), snapshot(model));
        const { tensors, metadata } = readModelCheckpoint(path);
        loadParams(path, tensors, keyParams(copy));
        assert.equal(metadata.model, name);
        assert.deepEqual(snapshot(copy), snapshot(model));
        const users = Int32Array.from({ length: ds.numUsers }, (_, u) => u);
        const [sa, sb] = [new Float32Array(ds.numUsers * ds.numItems), new Float32Array(ds.numUsers * ds.numItems)];
        model.freeze().scoreBatch(users, sa);
        copy.freeze().scoreBatch(users, sb);
        assert.deepEqual(sb, sa);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('metrics do not depend on the evaluation batch size', async () => {
      const model = await tinyModel(ds, name, cfg, 3);
      const scorer = model.freeze();
      const runs = await Promise.all([1, 7, 1024].map((chunkUsers) => evaluate(scorer, { train: ds.train, targets: ds.test, chunkUsers })));
      assert.ok(runs[0].numUsers > 0);
      for (const r of runs.slice(1)) {
        assert.deepEqual(r.mean, runs[0].mean);
        assert.deepEqual(r.perUser, runs[0].perUser);
      }
    });
  });
}
