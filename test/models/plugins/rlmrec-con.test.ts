import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/data/load.js';
import { lazyFactor } from '../../../src/models/plugins/align.js';
import { RlmrecConConfig } from '../../../src/models/plugins/rlmrec-con.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape } from '../../../src/tensor/tape.js';
import { createRng } from '../../../src/util/rng.js';
import { TINY } from '../../contracts/base-model.js';
import { pluginContract, withPlugins } from '../../contracts/plugin.js';

pluginContract('rlmrec-con', { zero: { weight: 0, regWeight: 0 } });
pluginContract('rlmrec-con', { config: { userCandidates: 'batch' }, zero: { weight: 0, regWeight: 0, userCandidates: 'batch' } });

test('defaults are RLMRec-Con on Amazon-book; unknown keys are rejected', () => {
  assert.deepEqual(RlmrecConConfig.parse({}), { weight: 1e-2, temperature: 0.2, userCandidates: 'all', alignBatch: 0, warmupEpochs: 0, every: 1, regWeight: 1e-7 });
  assert.throws(() => RlmrecConConfig.parse({ wieght: 1 }), /wieght/);
});

test('lazyFactor: n on steps 0, n, 2n…, 0 in between; 1 keeps every step', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((s) => lazyFactor(3, s)), [3, 0, 0, 3, 0, 0, 3]);
  assert.deepEqual([0, 1, 2].map((s) => lazyFactor(1, s)), [1, 1, 1]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((s) => lazyFactor(3, s, 7)), [3, 0, 0, 3, 0, 0, 1], 'the last period of a 7-step epoch is 1 step');
  assert.deepEqual([0, 1, 2, 3, 4].map((s) => lazyFactor(4, s, 5)), [4, 0, 0, 0, 1]);
});

test('every n: L_sem at n × its weight on steps 0, n…, absent in between; the projector L2 every step', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const batch = { users: Int32Array.of(0, 1, 3, 3), pos: Int32Array.of(2, 5, 7, 9), neg: Int32Array.of(11, 12, 5, 13) };
  const terms = async (cfg: Record<string, unknown>, step: number) => {
    const { model, plugins } = await withPlugins(ds, 'lightgcn', { layers: 2, dim: 8 }, 'rlmrec-con', cfg);
    const t = createTape(scalarKernels), ctx = { epoch: 1, step, rng: createRng(2) };
    const out = plugins[0].loss(t, model.embed(t, ctx), batch, ctx);
    return Object.fromEntries(Object.entries(out).map(([k, n]) => [k, t.scalar(n)]));
  };
  const once = await terms({}, 2), lazy = await terms({ every: 2 }, 2);
  assert.ok(once.sem > 0 && Math.abs(lazy.sem - 2 * once.sem) < 1e-6 * once.sem, `${lazy.sem} vs 2 × ${once.sem}`);
  assert.equal(lazy.reg, once.reg);
  assert.deepEqual(Object.keys(await terms({ every: 2 }, 3)), ['reg']);
});
