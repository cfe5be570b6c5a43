import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const BEAUTY = join(import.meta.dirname, '..', 'fixtures', 'tiny_beauty');
const tmp = tempDir('cli-exp');

const specPath = join(tmp, 'tiny.yaml');
writeFileSync(specPath, `
name: tiny-cli
description: two arms, two seeds on the beauty fixture
datasets:
  - id: beauty
    dir: ${BEAUTY}
    prepare:
      - { step: llm-extract, provider: rules }
      - { step: text-embed, name: motivations, source: motivations, dim: 4 }
    text:
      semantic: { prepared: motivations, matrix: S }
      motivation: { prepared: motivations, matrix: M }
base: { model.name: lightgcn, model.dim: 4, train.batchSize: 32, train.earlyStop.every: 1 }
arms:
  - name: lightgcn
  - name: lightgcn+lmmrec
    set: { plugins: [lmmrec], plugin.lmmrec.prototypes: 2 }
seeds: [1, 2]
baseline: lightgcn
`);

test('experiment run: 2 arms × 2 seeds with --max-epochs 2, then dry-run, report and list', async () => {
  const out = join(tmp, 'out');
  const printed = await runCli(['experiment', 'run', specPath, '--out', out, '--max-epochs', '2', '--threads', '1', '--quiet']);
  assert.match(printed, /^4 runs trained, 0 finished earlier/);
  assert.match(printed, /beauty: arm +seeds +recall@20 +ndcg@20/);
  assert.match(printed, /lightgcn\+lmmrec +2\/2 +[01]\.\d{4} ± 0\.\d{4} +[01]\.\d{4} ± 0\.\d{4} +\d+\.\d{3}$/m);
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /Report made by `lmmrec .*experiment run .*--max-epochs 2/);
  assert.match(report, /at most 2 epochs/);
  assert.match(report, /4 of 4 runs finished/);
  for (const f of ['curves-beauty.svg', 'metrics-beauty.svg', 'runs/beauty-lightgcn+lmmrec-s2/metrics.json']) assert.ok(existsSync(join(out, f)), f);
  const m = JSON.parse(readFileSync(join(out, 'runs', 'beauty-lightgcn+lmmrec-s2', 'metrics.json'), 'utf8'));
  assert.deepEqual([m.epochs, m.plugins, m.seed], [2, ['lmmrec'], 2]);

  const dry = await runCli(['experiment', 'run', specPath, '--out', out, '--max-epochs', '2', '--dry-run']);
  assert.equal(dry.split('\n').filter((l) => / done +test recall@20 [01]\.\d{4}$/.test(l)).length, 4);
  assert.match(dry, /4 runs in .*: 4 done$/);
  const again = await runCli(['experiment', 'run', specPath, '--out', out, '--max-epochs', '2', '--quiet']);
  assert.match(again, /^0 runs trained, 4 finished earlier/);

  const rep = await runCli(['experiment', 'report', out]);
  assert.match(rep, /report: .*report\.md$/);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /Report made by `lmmrec .*experiment report /);

  const list = await runCli(['experiment', 'list']);
  for (const name of ['demo', 'ablation', 'mcs-itc', 'paper-table', 'noise', 'baseline-weights', 'align-weights', 'align-weights-lightgcn']) assert.match(list, new RegExp(`^${name}\\.yaml +${name}: `, 'm'));
  assert.doesNotMatch(list, /invalid/);
});

test('experiment run: a bad spec exits with a config error naming file and key; an unknown spec is a usage error', async () => {
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(bad, 'name: x\ndatasets: [{ id: d, dir: y }]\narms: [{ name: a, sets: {} }]\nbaseline: a\n');
  await assert.rejects(runCli(['experiment', 'run', bad, '--dry-run']), (e: unknown) => (e as { code?: string }).code === 'CONFIG' && (e as Error).message.includes(bad) && /arms\[0\]: unknown key\(s\) "sets"/.test((e as Error).message));
  await assert.rejects(runCli(['experiment', 'run', join(tmp, 'nope.yaml')]), (e: unknown) => (e as { code?: string }).code === 'USAGE');
});
