import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/data/load.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape } from '../../../src/tensor/tape.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY } from '../../contracts/base-model.js';
import { withPlugins } from '../../contracts/plugin.js';
import { scorePluginSuite } from './score-plugins.js';

scorePluginSuite('once', { hidden: 6, attentionDim: 4 });

test('once: items without text get no content vector; the user vector pools its items with text (perturbed parameters)', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const { model, plugins } = await withPlugins(ds, 'mf', { dim: 8 }, 'once', { hidden: 6, attentionDim: 4 });
  const rng = createRng(4);
  for (const p of plugins[0].params) for (let i = 0; i < p.value.data.length; i++) p.value.data[i] += 0.1 * rng.normal();
  const t = createTape(scalarKernels), ctx = { epoch: 1, step: 0, rng: createRng(1) };
  const e = model.embed(t, ctx), out = plugins[0].transformEmbeddings!(t, e, ctx);
  const I = t.value(out.items!), i0 = t.value(e.items!), U = t.value(out.users!), u0 = t.value(e.users!);
  // tinyText: item 5 and user 3 have no text.
  for (let q = 0; q < 8; q++) assert.equal(I.data[5 * 8 + q], i0.data[5 * 8 + q]);
  let moved = 0;
  for (let q = 0; q < 8; q++) moved += Math.abs(I.data[4 * 8 + q] - i0.data[4 * 8 + q]) + Math.abs(U.data[3 * 8 + q] - u0.data[3 * 8 + q]);
  assert.ok(moved > 1e-3, 'item 4 gets g(S_I), user 3 still pools its items');
});
