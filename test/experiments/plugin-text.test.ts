import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, test } from 'node:test';
import { loadPluginText, textMatrixHash } from '../../src/experiments/plugin-text.js';
import { resolveTrainRunConfig, resumeTrainRun, trainRun, type TrainRunEvent } from '../../src/experiments/train-run.js';
import { writeTextMatrices } from '../../src/text/encoders/embed.js';
import type { TextMatrix } from '../../src/text/encoders/matrices.js';
import { readModelCheckpoint } from '../../src/train/checkpoint.js';
import { LmmrecError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/rng.js';
import { TINY } from '../contracts/base-model.js';
import { tempDir } from '../helpers/temp-dir.js';

const out = tempDir('plugin-run');
const file = join(out, 'profiles.lmma');

function randomMatrix(rows: number, dim: number, seed: number): TextMatrix {
  const rng = createRng(seed), matrix = new Float32Array(rows * dim), hasText = new Uint8Array(rows).fill(1);
  for (let i = 0; i < matrix.length; i++) matrix[i] = rng.normal();
  hasText[1] = 0;
  matrix.fill(0, dim, 2 * dim);
  return { matrix, hasText, dim, rows, stats: { withText: rows - 1, empty: 1, zeroVector: 0, computed: rows, reused: 0 } };
}

before(async () => {
  await writeTextMatrices(file, {
    encoder: { id: 'test', model: 'random-12d', dim: 12 }, source: 'profiles',
    S: { users: randomMatrix(40, 12, 1), items: randomMatrix(468, 12, 2) }, sourceStats: {},
  }, 'tiny_amazon_book');
});

const config = (...extra: string[]) => resolveTrainRunConfig({
  set: [
    'model.name=lightgcn', 'model.dim=8', `data.dir=${JSON.stringify(TINY)}`, 'train.epochs=4', 'train.batchSize=128', 'train.earlyStop.every=2',
    'plugins=[lmmrec]', 'plugin.lmmrec.prototypes=4', `text.semantic.file=${JSON.stringify(file)}`, `text.motivation.file=${JSON.stringify(file)}`, ...extra,
  ],
});

test('a LightGCN+LMMRec run: named arm, plug-in tensors (teacher included) in the checkpoint, bit-identical resume', async () => {
  const straight = await trainRun({ config: config('text.motivation.matrix=S'), outDir: join(out, 'a') });
  assert.match(basename(straight.runDir), /-lightgcn\+lmmrec-tiny_amazon_book-s2023$/);
  assert.deepEqual(straight.metrics.plugins, ['lmmrec']);
  const { tensors, metadata } = readModelCheckpoint(join(straight.runDir, 'checkpoints', 'last.safetensors'));
  assert.ok(Object.keys(tensors).includes('lmmrec/motMlpTeacher.w1'));
  assert.match(JSON.parse(metadata.textHashes)['text.semantic'], /^[0-9a-f]{64}$/);

  const controller = new AbortController();
  await assert.rejects(trainRun({
    config: config('text.motivation.matrix=S'), outDir: join(out, 'b'), signal: controller.signal,
    onProgress: (e: TrainRunEvent) => { if (e.type === 'epoch' && e.epoch === 2) controller.abort(); },
  }), (e: unknown) => e instanceof LmmrecError && e.code === 'ABORTED');
  const resumed = await resumeTrainRun(join(out, 'b', readdirSync(join(out, 'b'))[0]));
  assert.deepEqual(resumed.metrics.test, straight.metrics.test);
});

test('LMMRec on a motivation file without M names the setting that uses its S; a file for other data is rejected', async () => {
  await assert.rejects(trainRun({ config: config(), outDir: join(out, 'c') }), /has no M matrix \(embedded from --source profiles\).*text\.motivation\.matrix=S/);
  await assert.rejects(loadPluginText({ semantic: { file, matrix: 'S' } }, { numUsers: 41, numItems: 468 }), /embedded for 40 users × 468 items, the data has 41 × 468/);
  const { text } = await loadPluginText({ semantic: { file, matrix: 'S' } }, { numUsers: 40, numItems: 468 });
  assert.equal(text.semantic!.users.cols, 12);
  assert.equal(text.semantic!.userMask[1], 0);
  assert.equal(text.motivation, undefined);
  const noM = await loadPluginText({ motivation: { file, matrix: 'M' } }, { numUsers: 40, numItems: 468 });
  assert.equal(noM.text.motivation, undefined);
  assert.match(noM.text.missing!.motivation!, /has no M matrix/);
});

test('text content hashes: equal for the same matrices written at another time, different for another matrix', async () => {
  const again = join(out, 'profiles-again.lmma'), other = join(out, 'profiles-other.lmma');
  await new Promise((r) => setTimeout(r, 5)); // another createdAt in the header
  await writeTextMatrices(again, {
    encoder: { id: 'test', model: 'random-12d', dim: 12 }, source: 'profiles',
    S: { users: randomMatrix(40, 12, 1), items: randomMatrix(468, 12, 2) }, sourceStats: {},
  }, 'tiny_amazon_book');
  await writeTextMatrices(other, {
    encoder: { id: 'test', model: 'random-12d', dim: 12 }, source: 'profiles',
    S: { users: randomMatrix(40, 12, 1), items: randomMatrix(468, 12, 3) }, sourceStats: {},
  }, 'tiny_amazon_book');
  const load = (f: string) => loadPluginText({ semantic: { file: f, matrix: 'S' } }, { numUsers: 40, numItems: 468 });
  const [a, b, c] = await Promise.all([load(file), load(again), load(other)]);
  assert.notEqual(a.hashes['text.semantic'], b.hashes['text.semantic'], 'the file bytes differ (header time)');
  assert.equal(a.contentHashes['text.semantic'], b.contentHashes['text.semantic']);
  assert.notEqual(a.contentHashes['text.semantic'], c.contentHashes['text.semantic']);
  assert.equal(await textMatrixHash(again, 'S'), a.contentHashes['text.semantic']);
  assert.equal(await textMatrixHash(again, 'M'), undefined);
});
