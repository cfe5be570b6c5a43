import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/data/store/store.js';
import { planExperiment } from '../../src/experiments/plan.js';
import { prepareExperiment } from '../../src/experiments/prepare.js';
import { CLAIM_FILE } from '../../src/experiments/run-claim.js';
import { experimentRuns } from '../../src/experiments/run-records.js';
import { runExperiment, runStates, type ExperimentEvent } from '../../src/experiments/runner.js';
import { parseSpec } from '../../src/experiments/spec.js';
import { LmmrecError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
const tmp = tempDir('exp-run');

const spec = (extra: Record<string, unknown> = {}) => parseSpec({
  name: 'tiny',
  datasets: [{
    id: 'book', dir: TINY,
    prepare: [{ step: 'text-embed', name: 'profiles', source: 'profiles', dim: 6 }],
    text: { semantic: { prepared: 'profiles', matrix: 'S' } },
  }],
  base: { 'model.name': 'lightgcn', 'model.dim': 4, train: { epochs: 4, batchSize: 128, threads: 1, earlyStop: { every: 2 } } },
  arms: [{ name: 'lightgcn' }, { name: 'con', set: { plugins: ['rlmrec-con'] } }],
  seeds: [1, 2],
  baseline: 'lightgcn',
  ...extra,
}, 'tiny.yaml');

test('an aborted spec resumes: finished runs are skipped, the interrupted one resumes, no duplicate rows', async () => {
  const out = join(tmp, 'resume');
  const plan = planExperiment(spec(), { specPath: 'tiny.yaml', outDir: out });
  assert.deepEqual(plan.runs.map((r) => r.id), ['book-lightgcn-s1', 'book-con-s1', 'book-lightgcn-s2', 'book-con-s2']);
  const controller = new AbortController();
  await assert.rejects(runExperiment(plan, {
    signal: controller.signal,
    onProgress: (e) => { if (e.type === 'run-event' && e.index === 1 && e.event.type === 'epoch' && e.event.epoch === 2) controller.abort(); },
  }), (e: unknown) => e instanceof LmmrecError && e.code === 'ABORTED');
  let states = await runStates(plan);
  assert.deepEqual([...states.values()].map((s) => s.state), ['done', 'partial', 'pending', 'pending']);
  const partial = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(partial, /1 of 4 runs finished, 1 started \(resumable\), 2 not started/);
  assert.match(partial, /\| con \| 0\/2 \(unfinished\) \| not finished/);

  const events: ExperimentEvent[] = [];
  const res = await runExperiment(plan, { onProgress: (e) => events.push(e) });
  assert.deepEqual(res.skipped, ['book-lightgcn-s1']);
  assert.deepEqual(res.trained, ['book-con-s1', 'book-lightgcn-s2', 'book-con-s2']);
  const starts = events.filter((e) => e.type === 'run-start');
  assert.deepEqual(starts.map((e) => [e.run.id, e.type === 'run-start' && e.resume]), [['book-con-s1', true], ['book-lightgcn-s2', false], ['book-con-s2', false]]);
  assert.ok(events.some((e) => e.type === 'prepare' && e.cached), 'text embedding reused');
  states = await runStates(plan);
  assert.deepEqual([...states.values()].map((s) => s.state), ['done', 'done', 'done', 'done']);

  // A third call trains nothing.
  const again = await runExperiment(plan);
  assert.equal(again.trained.length, 0);
  assert.equal(again.skipped.length, 4);

  const store = openStore(join(out, 'lmmrec.sqlite'));
  try {
    const rows = experimentRuns(store, plan.outDir);
    assert.deepEqual(rows.map((r) => [r.run_id, r.status]).sort(), plan.runs.map((r) => [r.id, 'done']).sort());
    const m = JSON.parse(readFileSync(join(plan.outDir, 'runs', 'book-con-s2', 'metrics.json'), 'utf8'));
    assert.deepEqual(JSON.parse(rows.find((r) => r.run_id === 'book-con-s2')!.test_metrics!), m.test);
  } finally {
    store.close();
  }
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  for (const r of plan.runs) assert.equal(report.split(`| ${r.id} | done`).length, 2, `${r.id} listed once`);
  assert.match(report, /4 of 4 runs finished/);
  assert.ok(existsSync(join(out, 'curves-book.svg')) && existsSync(join(out, 'metrics-book.svg')));
});

test('a changed config is not silently mixed with finished runs', async () => {
  const out = join(tmp, 'resume');
  const plan = planExperiment(spec(), { specPath: 'tiny.yaml', outDir: out, maxEpochs: 2 });
  const states = await runStates(plan);
  assert.equal(states.get('book-lightgcn-s1')!.state, 'stale');
  await assert.rejects(runExperiment(plan), /train\.epochs 4 \(now 2\)[\s\S]*another --out/);
  const same = planExperiment(spec(), { specPath: 'tiny.yaml', outDir: out, threads: 2, set: ['eval.chunkUsers=7'] });
  assert.equal((await runStates(same)).get('book-lightgcn-s1')!.state, 'done', 'threads and chunk size do not change results');
  const retuned = planExperiment(spec(), { specPath: 'tiny.yaml', outDir: out, set: ['plugin.rlmrec-con.weight=0.5'] });
  const retunedStates = await runStates(retuned);
  assert.equal(retunedStates.get('book-lightgcn-s1')!.state, 'done', 'settings of an unused plug-in do not change results');
  assert.equal(retunedStates.get('book-con-s1')!.state, 'stale');

  // A run made before a plug-in key existed: its stored settings lack the key, whose default keeps the old behaviour.
  const stored = join(out, 'runs', 'book-con-s1', 'config.json'), text = readFileSync(stored, 'utf8');
  const older = JSON.parse(text) as { plugin: Record<string, Record<string, unknown>> };
  assert.equal(older.plugin['rlmrec-con'].every, 1);
  delete older.plugin['rlmrec-con'].every;
  writeFileSync(stored, JSON.stringify(older));
  try {
    assert.equal((await runStates(planExperiment(spec(), { specPath: 'tiny.yaml', outDir: out }))).get('book-con-s1')!.state, 'done');
    const lazy = planExperiment(spec(), { specPath: 'tiny.yaml', outDir: out, set: ['plugin.rlmrec-con.every=2'] });
    assert.match(JSON.stringify((await runStates(lazy)).get('book-con-s1')), /stale.*every 1 \(now 2\)/);
  } finally {
    writeFileSync(stored, text);
  }
});

test('noise rates: one noisy copy per rate, shared by every arm and seed', async () => {
  const out = join(tmp, 'noise');
  const plan = planExperiment(spec({ noise: [0, 0.1] }), { specPath: 'tiny.yaml', outDir: out });
  assert.equal(plan.runs.length, 8);
  assert.deepEqual(plan.runs.slice(4, 6).map((r) => r.id), ['book-n10-lightgcn-s1', 'book-n10-con-s1']);
  const dirs = new Set(plan.runs.filter((r) => r.noise === 0.1).map((r) => r.config!.data.dir));
  assert.equal(dirs.size, 1);
  assert.equal(plan.runs[0].config!.data.dir, TINY);
  const store = openStore(':memory:');
  try {
    const [info] = await prepareExperiment(plan, { store });
    assert.deepEqual(Object.keys(info.noisy), ['0.1']);
    const noisyTrain = readFileSync(join([...dirs][0]!, 'train.tsv'), 'utf8').trim().split('\n').length;
    assert.equal(noisyTrain, 306 + 30); // ⌊0.1 · 306⌋ added pairs
    assert.match(info.text.profiles.sha256, /^[0-9a-f]{64}$/);
  } finally {
    store.close();
  }
});

test('a failing run is recorded and the spec goes on; the error is raised at the end', async () => {
  const out = join(tmp, 'fail');
  const plan = planExperiment(spec({
    arms: [{ name: 'broken', set: { plugins: ['rlmrec-con'], 'text.semantic.file': join(tmp, 'missing.lmma') } }, { name: 'lightgcn' }],
    seeds: [1], base: { 'model.name': 'lightgcn', 'model.dim': 4, train: { epochs: 1, batchSize: 128, threads: 1 } },
  }), { specPath: 'tiny.yaml', outDir: out });
  await assert.rejects(runExperiment(plan), /1 run\(s\) failed \(the others finished; see .*report\.md\):\n {2}book-broken-s1: /);
  const states = await runStates(plan);
  assert.deepEqual([...states.values()].map((s) => s.state), ['pending', 'done']);
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /1 of 2 runs finished, 1 failed/);
  assert.match(report, /\| book-broken-s1 \| failed: .*missing\.lmma/);
  const store = openStore(join(out, 'lmmrec.sqlite'));
  try {
    assert.deepEqual(experimentRuns(store, plan.outDir).map((r) => [r.run_id, r.status]), [['book-broken-s1', 'failed'], ['book-lightgcn-s1', 'done']]);
  } finally {
    store.close();
  }
});

test('a run claimed by a live process is left to it; a claim of a dead process is taken over', async () => {
  const out = join(tmp, 'claims');
  const plan = planExperiment(spec({ arms: [{ name: 'lightgcn' }] }), { specPath: 'tiny.yaml', outDir: out, maxEpochs: 2 });
  const [first, second] = plan.runs;
  mkdirSync(first.runDir, { recursive: true });
  writeFileSync(join(first.runDir, CLAIM_FILE), `${process.pid}\n`);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  mkdirSync(second.runDir, { recursive: true });
  writeFileSync(join(second.runDir, CLAIM_FILE), `${dead}\n`);
  const events: ExperimentEvent[] = [];
  const res = await runExperiment(plan, { onProgress: (e) => events.push(e) });
  assert.deepEqual(res.busy, [first.id]);
  assert.deepEqual(res.trained, [second.id]);
  assert.ok(events.some((e) => e.type === 'run-busy' && e.run.id === first.id));
  assert.equal(existsSync(join(second.runDir, CLAIM_FILE)), false, 'the claim is released after the run');
  assert.equal(existsSync(join(first.runDir, 'config.json')), false, 'the live claim was not touched');

  rmSync(join(first.runDir, CLAIM_FILE));
  const again = await runExperiment(plan);
  assert.deepEqual([again.trained, again.skipped, again.busy], [[first.id], [second.id], []]);
});
