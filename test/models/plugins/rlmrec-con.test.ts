import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RlmrecConConfig } from '../../../src/models/plugins/rlmrec-con.js';
import { pluginContract } from '../../contracts/plugin.js';

pluginContract('rlmrec-con', { zero: { weight: 0, regWeight: 0 } });
pluginContract('rlmrec-con', { config: { userCandidates: 'batch' }, zero: { weight: 0, regWeight: 0, userCandidates: 'batch' } });

test('defaults are RLMRec-Con on Amazon-book; unknown keys are rejected', () => {
  assert.deepEqual(RlmrecConConfig.parse({}), { weight: 1e-2, temperature: 0.2, userCandidates: 'all', alignBatch: 0, warmupEpochs: 0, regWeight: 1e-7 });
  assert.throws(() => RlmrecConConfig.parse({ wieght: 1 }), /wieght/);
});
