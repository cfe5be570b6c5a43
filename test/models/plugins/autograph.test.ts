import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AutographConfig } from '../../../src/models/plugins/autograph.js';
import { scorePluginSuite, TINY_RQ } from './score-plugins.js';

scorePluginSuite('autograph', { userCodebook: 6, itemCodebook: 5, rq: TINY_RQ });

test('autograph: defaults follow AutoGraph (user codebooks 300, item 256, 3 levels, code dim 32)', () => {
  const c = AutographConfig.parse({});
  assert.deepEqual([c.userCodebook, c.itemCodebook, c.rq.levels, c.rq.codeDim, c.rq.hidden], [300, 256, 3, 32, [256, 128]]);
  assert.throws(() => AutographConfig.parse({ rq: { codeDim: 0 } }));
});
