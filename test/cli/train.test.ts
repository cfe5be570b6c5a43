import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { registerEvalCommand } from '../../src/cli/eval.js';
import { registerTrainCommand } from '../../src/cli/train.js';
import { LmmrecError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
const out = tempDir('cli-train');

async function run(args: string[]): Promise<string> {
  const program = new Command('lmmrec').exitOverride();
  registerTrainCommand(program);
  registerEvalCommand(program);
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

test('train --json writes a run and prints its metrics; eval --checkpoint reproduces the test metrics', async () => {
  const m = JSON.parse(await run(['train', '--model', 'mf', '--data', TINY, '--out', out, '--set', 'train.epochs=2', '--set', 'model.dim=4', '--json', '--quiet']));
  assert.equal(m.model, 'mf');
  assert.equal(m.epochs, 2);
  assert.equal(m.seed, 2023);
  const runDir = join(out, readdirSync(out)[0]);
  const ev = JSON.parse(await run(['eval', '--checkpoint', join(runDir, 'checkpoints', 'best.safetensors'), '--data', TINY, '--json']));
  assert.equal(ev.users, 40);
  assert.equal(ev.mean['recall@20'], m.test['recall@20']);
  assert.equal(ev.mean['ndcg@10'], m.test['ndcg@10']);
  const table = await run(['eval', '--checkpoint', join(runDir, 'checkpoints', 'best.safetensors'), '--data', TINY, '--ks', '5,10']);
  assert.match(table, /recall@5 +recall@10 +ndcg@5 +ndcg@10/);
});

test('usage errors: no model, resume with other options, eval without a checkpoint, unknown model', async () => {
  await assert.rejects(run(['train', '--data', TINY]), (e: unknown) => e instanceof LmmrecError && e.code === 'USAGE');
  await assert.rejects(run(['train', '--resume', out, '--model', 'mf']), /--resume takes no other options/);
  await assert.rejects(run(['eval', '--data', TINY]), /--checkpoint/);
  await assert.rejects(run(['train', '--model', 'nope', '--data', TINY]), /Invalid discriminator value/);
});
