import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lmmrec from '../src/index.js';

test('the library entry exports the public API and opens nothing on import', async () => {
  for (const name of ['loadDataset', 'evaluate', 'trainRun', 'extractMotivations', 'createTfidfSvdEncoder', 'createModel', 'createPlugins', 'openStore', 'injectNoise', 'compareRuns']) {
    assert.equal(typeof (lmmrec as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(lmmrec.RLMREC.name, 'rlmrec');
  const ds = await lmmrec.loadDataset(new URL('./fixtures/tiny_beauty', import.meta.url).pathname);
  const r = await lmmrec.evaluate(lmmrec.createPopularityScorer(ds.train), { train: ds.train, targets: ds.test });
  assert.equal(r.numUsers, 30);
});
