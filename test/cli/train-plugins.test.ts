import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Command } from 'commander';
import { registerTrainCommand } from '../../src/cli/train.js';
import { evalCheckpoint } from '../../src/experiments/eval-checkpoint.js';
import { writeTextMatrices } from '../../src/text/encoders/embed.js';
import type { TextMatrix } from '../../src/text/encoders/matrices.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
const out = tempDir('cli-plugins');
const file = join(out, 'text.lmma');

const filled = (rows: number, dim: number): TextMatrix => ({
  matrix: Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i)), hasText: new Uint8Array(rows).fill(1), dim, rows,
  stats: { withText: rows, empty: 0, zeroVector: 0, computed: rows, reused: 0 },
});

before(async () => {
  await writeTextMatrices(file, { encoder: { id: 'test', model: 'sin-6d', dim: 6 }, source: 'profiles', S: { users: filled(40, 6), items: filled(468, 6) }, sourceStats: {} }, 'tiny');
});

async function run(args: string[]): Promise<string> {
  const program = new Command('lmmrec').exitOverride();
  registerTrainCommand(program);
  const logged: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { logged.push(a.join(' ')); };
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    console.log = log;
  }
  return logged.join('\n');
}

test('train --plugin --text trains a base model with plug-ins on the given text matrices', async () => {
  const common = ['train', '--model', 'lightgcn', '--data', TINY, '--out', out, '--set', 'train.epochs=2', '--set', 'model.dim=4', '--text', file, '--quiet'];
  const m = JSON.parse(await run([...common, '--plugin', 'rlmrec-con', '--set', 'plugin.rlmrec-con.weight=0.1', '--json']));
  assert.deepEqual([m.model, m.plugins, m.epochs], ['lightgcn', ['rlmrec-con'], 2]);
  const table = await run([...common, '--plugin', 'lmmrec', '--set', 'plugin.lmmrec.prototypes=2', '--set', 'text.motivation.matrix=S']);
  assert.match(table, /model {4}lightgcn\+lmmrec on tiny_amazon_book/);
});

test('eval --checkpoint of a run with a score plug-in rebuilds the plug-in and reproduces the test metrics', async () => {
  const m = JSON.parse(await run(['train', '--model', 'mf', '--data', TINY, '--out', out, '--set', 'train.epochs=3', '--set', 'model.dim=4', '--text', file,
    '--plugin', 'once', '--quiet', '--json']));
  const runDir = readdirSync(out).find((d) => d.includes('mf+once'));
  assert.ok(runDir);
  const { result } = await evalCheckpoint({ checkpoint: join(out, runDir, 'checkpoints', 'best.safetensors'), dataDir: TINY, threads: 1 });
  for (const k of ['recall@20', 'ndcg@20'] as const) assert.equal(result.mean[k], m.test[k], k);
});

test('train rejects a third --text file and an unknown plug-in', async () => {
  await assert.rejects(run(['train', '--model', 'lightgcn', '--data', TINY, '--plugin', 'lmmrec', '--text', file, '--text', file, '--text', file]), /at most two files/);
  await assert.rejects(run(['train', '--model', 'lightgcn', '--data', TINY, '--out', out, '--plugin', 'nope', '--quiet']), /plugins/);
});
