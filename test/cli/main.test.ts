import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

/** The real process: exit codes and stderr are what scripts see. */
function lmmrec(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('exit codes tell bad data, bad config and bad usage apart', () => {
  const ok = lmmrec('data', 'stats', join(ROOT, 'test', 'fixtures', 'tiny_beauty'));
  assert.equal(ok.status, 0);
  assert.match(ok.stdout, /train \/ valid \/ test\s+82 \/ 30 \/ 30/);

  const data = lmmrec('data', 'stats', join(ROOT, 'test', 'fixtures', 'rlmrec_yelp_prompt_examples'));
  assert.equal(data.status, 4);
  assert.match(data.stderr, /^lmmrec: .*train\.tsv/m);

  const config = lmmrec('config', 'print', '--set', 'train.bogus=1');
  assert.equal(config.status, 3);
  assert.match(config.stderr, /unknown key\(s\) "bogus"/);

  const usage = lmmrec('data', 'frobnicate');
  assert.equal(usage.status, 2);
});
