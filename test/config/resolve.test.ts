import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSet, readConfigFile, resolveConfig } from '../../src/config/resolve.js';
import { PRESETS, RunConfig } from '../../src/config/run-config.js';
import { ConfigError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

test('defaults fill every level', () => {
  const c = resolveConfig(RunConfig, PRESETS);
  assert.equal(c.seed, 2023);
  assert.equal(c.train.batchSize, 4096);
  assert.equal(c.train.earlyStop.patience, 5);
  assert.deepEqual(c.eval.ks, [5, 10, 20]);
});

test('precedence: defaults < preset < file < --set', async () => {
  const dir = tempDir('cfg');
  try {
    writeFileSync(join(dir, 'run.yaml'), 'seed: 11\ntrain:\n  lr: 0.005\n  batchSize: 1024\n');
    const c = resolveConfig(RunConfig, PRESETS, {
      preset: 'rlmrec-yelp',
      file: await readConfigFile(join(dir, 'run.yaml')),
      set: ['train.lr=1e-2', 'eval.ks=[10, 50]'],
    });
    assert.equal(c.data.dir, '../shared/data/rlmrec_yelp');
    assert.equal(c.seed, 11);
    assert.equal(c.train.batchSize, 1024);
    assert.equal(c.train.lr, 0.01);
    assert.deepEqual(c.eval.ks, [10, 50]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown keys are rejected at every level, naming the source and the valid keys', async () => {
  assert.throws(() => resolveConfig(RunConfig, PRESETS, { set: ['train.earlyStop.evrey=2'] }),
    (e: unknown) => e instanceof ConfigError && /train\.earlyStop: unknown key\(s\) "evrey"; valid keys: metric, every, patience/.test(e.message));
  const dir = tempDir('cfg');
  try {
    writeFileSync(join(dir, 'bad.yaml'), 'trian:\n  lr: 1\n');
    const file = await readConfigFile(join(dir, 'bad.yaml'));
    assert.throws(() => resolveConfig(RunConfig, PRESETS, { file }), (e: unknown) => e instanceof ConfigError && e.message.includes('bad.yaml') && e.message.includes('"trian"'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wrong types and unknown presets are errors', () => {
  assert.throws(() => resolveConfig(RunConfig, PRESETS, { set: ['train.batchSize=big'] }), /train\.batchSize/);
  assert.throws(() => resolveConfig(RunConfig, PRESETS, { preset: 'nope' }), /valid presets: rlmrec-amazon-book/);
  assert.throws(() => parseSet('noequals'), /expected key=value/);
  assert.deepEqual(parseSet('a.b=3'), { a: { b: 3 } });
});
