import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvalConfig } from '../../src/config/run-config.js';
import { PROTOCOLS, Protocol, ProtocolName, RLMREC, getProtocol } from '../../src/eval/protocol.js';

test('protocol: every named protocol satisfies the schema; rlmrec masks train only', () => {
  for (const p of Object.values(PROTOCOLS)) assert.deepEqual(Protocol.parse(p), p);
  assert.equal(getProtocol('rlmrec'), RLMREC);
  assert.deepEqual(RLMREC.mask, ['train']);
  assert.deepEqual(RLMREC.ks, [5, 10, 20]);
  assert.deepEqual(RLMREC.metrics, ['recall', 'ndcg']);
});

test('protocol: unknown names list the valid ones; schema rejects unknown keys', () => {
  assert.throws(() => getProtocol('loo'), { code: 'CONFIG', message: /unknown evaluation protocol "loo"; valid: rlmrec/ });
  assert.throws(() => getProtocol('toString'), /unknown evaluation protocol/);
  assert.throws(() => Protocol.parse({ ...RLMREC, sampled: 100 }), /sampled/);
  assert.equal(ProtocolName.safeParse('rlmrec').success, true);
});

test('protocol: the run config offers exactly the named protocols', () => {
  assert.deepEqual([...EvalConfig.shape.protocol.unwrap().options].sort(), Object.keys(PROTOCOLS).sort());
});
