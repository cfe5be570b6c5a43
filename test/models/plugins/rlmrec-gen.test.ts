import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/data/load.js';
import { RlmrecGenConfig } from '../../../src/models/plugins/rlmrec-gen.js';
import { createTape } from '../../../src/tensor/tape.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY } from '../../contracts/base-model.js';
import { hookCtx, pluginContract, withPlugins } from '../../contracts/plugin.js';

pluginContract('rlmrec-gen', { zero: { maskRatio: 0, weight: 0, regWeight: 0 } });

test('defaults are RLMRec-Gen on Amazon-book', () => {
  assert.deepEqual(RlmrecGenConfig.parse({}), { maskRatio: 0.15, weight: 0.1, temperature: 0.5, regWeight: 1e-7 });
});

test('masking replaces ⌊ratio·N⌋ ego rows by the mask token and leaves the others', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const { model, plugins } = await withPlugins(ds, 'lightgcn', { layers: 1, dim: 4, keepRate: 1 }, 'rlmrec-gen', { maskRatio: 0.25 });
  const token = plugins[0].params.find((p) => p.name === 'maskToken')!;
  token.value.data.set([7, 7, 7, 7]);
  const t = createTape(scalarKernels);
  const e = model.embed(t, hookCtx({ epoch: 1, step: 0, rng: createRng(1) }, plugins)).layers[0];
  const ego = model.params[0].value.data, masked = t.value(e).data;
  const n = ds.numUsers + ds.numItems;
  let replaced = 0;
  for (let v = 0; v < n; v++) {
    const row = Array.from(masked.subarray(4 * v, 4 * v + 4));
    if (row.every((x) => x === 7)) replaced++;
    else assert.deepEqual(row, Array.from(ego.subarray(4 * v, 4 * v + 4)));
  }
  assert.equal(replaced, Math.floor(0.25 * n));
});

test('a base that does not apply ego transforms is rejected by name', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const { model, plugins } = await withPlugins(ds, 'mf', { dim: 4 }, 'rlmrec-gen', {});
  const t = createTape(scalarKernels);
  const ctx = hookCtx({ epoch: 1, step: 0, rng: createRng(1) }, plugins);
  const b = { users: Int32Array.of(0), pos: Int32Array.of(0), neg: Int32Array.of(1) };
  assert.throws(() => plugins[0].loss(t, model.embed(t, ctx), b, ctx), /base model "mf" does not apply ego transforms/);
});
