import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTransformersEncoder } from '../../../src/text/encoders/transformers.js';
import { embeddingRow, HIDDEN, writeTinyBert } from './tiny-bert.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * The transformers.js path, fully offline: the test writes a tiny BERT-layout model (WordPiece tokenizer +
 * an ONNX embedding-lookup graph) and checks pooled vectors against a hand computation from the table.
 */

/** Skip only when ONNX Runtime's native binary cannot be loaded on this machine; any other error fails. */
function nativeOrtProblem(): string | undefined {
  try {
    createRequire(import.meta.url)('onnxruntime-node');
    return undefined;
  } catch (e) {
    const msg = (e as Error).message;
    if (/\.node|\.so|shared object|GLIBC|dlopen|onnxruntime_binding/i.test(msg)) return `onnxruntime-node native library does not load here: ${msg}`;
    throw e;
  }
}
const skip = nativeOrtProblem();

const root = tempDir('tinybert');

/** [CLS]=2 … [SEP]=3 around the token ids; mean of the table rows, optionally L2-normalised (float64). */
function expected(ids: number[], normalize: boolean): number[] {
  const all = [2, ...ids, 3];
  const mean = Array.from({ length: HIDDEN }, (_, h) => all.reduce((s, t) => s + embeddingRow(t)[h], 0) / all.length);
  if (!normalize) return mean;
  const n = Math.hypot(...mean);
  return mean.map((x) => x / n);
}

function assertClose(actual: Float32Array, want: number[], what: string): void {
  assert.equal(actual.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(actual[i] - want[i]) < 1e-6, `${what}[${i}]: ${actual[i]} vs ${want[i]}`);
}

test('transformers encoder: mean pooling + normalize equals the hand-computed mean of embedding rows', { skip }, async () => {
  const dir = join(root, 'tinybert');
  writeTinyBert(dir);
  const enc = await createTransformersEncoder({ modelDir: dir, batchSize: 2 });
  assert.equal(enc.id, 'transformers');
  assert.equal(enc.dim, HIDDEN);
  assert.match(enc.model, /^tinybert@[0-9a-f]{12}$/);
  const texts = ['The book is great', 'boring plots zzz', 'this story'];
  const out = await enc.encode(texts);
  assert.equal(out.length, 3 * HIDDEN);
  // the=4 book=5 is=6 great=7 | boring=8 plot=13 ##s=12 [UNK]=1 | this=11 story=9 (padded in its batch)
  assertClose(out.subarray(0, 8), expected([4, 5, 6, 7], true), 'text 0');
  assertClose(out.subarray(8, 16), expected([8, 13, 12, 1], true), 'text 1');
  assertClose(out.subarray(16, 24), expected([11, 9], true), 'text 2');
  // Batch composition (padding to the longest text in the batch) does not change a vector.
  const alone = await enc.encode(['this story']);
  assertClose(alone, Array.from(out.subarray(16, 24)), 'text 2 alone');
});

test('transformers encoder: cls pooling without normalisation returns the [CLS] row', { skip }, async () => {
  const dir = join(root, 'tinybert-cls');
  writeTinyBert(dir);
  const enc = await createTransformersEncoder({ modelDir: dir, pooling: 'cls', normalize: false });
  const out = await enc.encode(['love this book']);
  assertClose(out, embeddingRow(2), '[CLS]');
});

test('transformers encoder: a missing file is named, nothing is downloaded', async () => {
  for (const missing of ['tokenizer.json', 'onnx/model.onnx', 'config.json']) {
    const dir = join(root, `broken-${missing.replace('/', '-')}`);
    writeTinyBert(dir, missing);
    await assert.rejects(createTransformersEncoder({ modelDir: dir }), (e: Error) => e.message.includes(join(dir, missing)) && /missing model file/.test(e.message));
  }
  await assert.rejects(createTransformersEncoder({ modelDir: join(root, 'nope') }), /model directory not found/);
  const dir = join(root, 'tinybert-q8');
  writeTinyBert(dir);
  await assert.rejects(createTransformersEncoder({ modelDir: dir, dtype: 'q8' }), (e: Error) => e.message.includes(join(dir, 'onnx', 'model_quantized.onnx')));
});
