import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { learningCurveChart, metricBarsChart, noiseChart, renderSvg } from '../../src/experiments/charts.js';
import { writeExperimentManifest } from '../../src/experiments/manifest.js';
import { planExperiment } from '../../src/experiments/plan.js';
import { writeExperimentReport } from '../../src/experiments/report.js';
import { meanSd, relativeGain } from '../../src/experiments/results.js';
import { parseSpec } from '../../src/experiments/spec.js';
import { pairedTTest } from '../../src/eval/significance.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
const tmp = tempDir('report');

test('mean and sample sd', () => {
  assert.deepEqual(meanSd([]), { mean: NaN, sd: null, n: 0 });
  assert.deepEqual(meanSd([0.25]), { mean: 0.25, sd: null, n: 1 });
  const s = meanSd([0.1, 0.2, 0.3]);
  assert.ok(Math.abs(s.mean - 0.2) < 1e-15 && Math.abs(s.sd! - 0.1) < 1e-15);
  assert.ok(Math.abs(meanSd([2, 4, 4, 4, 5, 5, 7, 9]).sd! - Math.sqrt(32 / 7)) < 1e-12);
  assert.equal(relativeGain(0.3, 0.2).toFixed(6), '50.000000');
});

interface FakeArms {
  /** Arm → [recall@20, ndcg@20] of seeds 1–3. */
  test: Record<string, number[][]>;
  /** Arm → per-user recall@20 of seeds 1–3 (ndcg@20 is half of it). */
  perUser: Record<string, number[][]>;
  focus?: unknown;
  select?: unknown;
  /** Seeds the spec lists (default 1–4; seed 4 is planned and never started). */
  seeds?: number[];
}

const HAND: FakeArms = {
  test: { a: [[0.1, 0.05], [0.2, 0.05], [0.3, 0.08]], 'lightgcn+lmmrec': [[0.3, 0.1], [0.3, 0.1], [0.3, 0.1]] },
  perUser: {
    a: [[0.1, 0.2, 0.0, 0.1], [0.3, 0.2, 0.1, 0.2], [0.2, 0.2, 0.2, 0.6]],
    'lightgcn+lmmrec': [[0.3, 0.4, 0.2, 0.3], [0.3, 0.4, 0.2, 0.3], [0.3, 0.4, 0.2, 0.3]],
  },
};

/** Hand-written run directories: the arms of `arms` (the first is the baseline), seeds 1–3 finished, seed 4 planned, 4 test users. */
async function fakeExperiment(out: string, { test, perUser, focus, select, seeds = [1, 2, 3, 4] }: FakeArms = HAND): Promise<void> {
  const spec = parseSpec({
    name: 'hand', notes: ['Steam is not run: no training split.'], datasets: [{ id: 'book', dir: TINY }], base: { 'model.name': 'lightgcn' }, ks: [20],
    arms: Object.keys(test).map((name) => (name.includes('lmmrec') ? { name, set: { plugins: ['lmmrec'] } } : { name })),
    baseline: Object.keys(test)[0], seeds, ...(focus !== undefined && { focus }), ...(select !== undefined && { select }),
  }, 'hand.yaml');
  const plan = planExperiment(spec, { specPath: 'hand.yaml', outDir: out });
  for (const r of plan.runs) {
    mkdirSync(r.runDir, { recursive: true });
    writeFileSync(join(r.runDir, 'config.json'), JSON.stringify(r.config));
    if (r.seed === 4) continue; // planned, never started
    const [recall, ndcg] = test[r.arm][r.seed - 1];
    writeFileSync(join(r.runDir, 'metrics.json'), JSON.stringify({
      protocol: 'rlmrec', model: 'lightgcn', dataset: 'book', seed: r.seed, epochs: 10 * r.seed, stopped: 'early-stop', bestEpoch: 5,
      valid: { 'recall@20': 0.5 }, test: { 'recall@20': recall, 'ndcg@20': ndcg }, testUsers: 4, trainMs: 2000, testMs: 1000, meanEpochMs: r.arm.includes('lmmrec') ? 750 : 250,
      history: [{ epoch: 3, metrics: { 'recall@20': 0.4 } }, { epoch: 6, metrics: { 'recall@20': 0.5 } }],
    }));
    const u = perUser[r.arm][r.seed - 1];
    writeFileSync(join(r.runDir, 'test-per-user.tsv'), `user\trecall@20\tndcg@20\n${u.map((v, i) => `${i}\t${v}\t${v / 2}`).join('\n')}\n`);
  }
  await writeExperimentManifest(plan, [{ id: 'book', dir: TINY, users: 40, items: 468, hashes: { 'train.tsv': 'f'.repeat(64) }, noisy: {}, text: {} }], 'lmmrec experiment run hand.yaml', undefined);
}

test('report tables: mean ± sd over finished seeds, gains, paired tests, unfinished seeds marked', async () => {
  const out = join(tmp, 'hand');
  await fakeExperiment(out);
  const path = await writeExperimentReport(out, { command: 'lmmrec experiment report hand' });
  const md = readFileSync(path, 'utf8');
  assert.match(md, /^# Experiment hand/);
  assert.match(md, /\n> \*\*Note\.\*\* Steam is not run: no training split\.\n/);
  assert.match(md, /Report made by `lmmrec experiment report hand`/);
  assert.match(md, /- runs: `lmmrec experiment run hand\.yaml` at .* on \d+ cores/);
  assert.match(md, /seeds 1, 2, 3, 4; baseline arm a; focus arm lightgcn\+lmmrec/);
  assert.match(md, /6 of 8 runs finished, 2 not started\n/);
  // 6 finished runs × (trainMs 2000 + testMs 1000)
  assert.match(md, /\n- compute: 18\.0 s of one process for the 6 runs trained here\n/);
  // recall@20 of a: 0.1, 0.2, 0.3 → 0.2000 ± 0.1000; ndcg@20: 0.05, 0.05, 0.08 → 0.0600 ± sqrt(0.0003) = 0.0173
  assert.match(md, /\| a \| 3\/4 \(unfinished\) \| 0\.2000 ± 0\.1000 \| 0\.0600 ± 0\.0173 \| 20\.0 \| 0\.250 \| 3\.0 s \|/);
  assert.match(md, /\| lightgcn\+lmmrec \| 3\/4 \(unfinished\) \| 0\.3000 ± 0\.0000 \| 0\.1000 ± 0\.0000 \|/);
  // gains: 0.3 / 0.2 → +50 %, 0.1 / 0.06 → +66.67 %
  assert.match(md, /\| lightgcn\+lmmrec \| a \| \+50\.00 \| \+66\.67 \| 3\.00 \|/);
  // per-user means over seeds 1–3: a = [0.2, 0.2, 0.1, 0.3], lightgcn+lmmrec = [0.3, 0.4, 0.2, 0.3]; A is the arm, B its
  // baseline; Wilcoxon: all three non-zero differences positive → W = min(W+, W−) = 0, exact p = 2 · 1/8
  const t = pairedTTest([0.3, 0.4, 0.2, 0.3], [0.2, 0.2, 0.1, 0.3]);
  assert.ok(Math.abs(t.t - 2.4495) < 1e-3);
  const row = md.split('\n').find((l) => l.startsWith('| book | lightgcn+lmmrec | a | baseline | 1,2,3 | recall@20'));
  assert.ok(row, md);
  const cells = row.split('|').map((c) => c.trim());
  assert.deepEqual(cells.slice(7, 14), ['0.3000', '0.2000', '+50.00', t.t.toFixed(2), t.p.toFixed(4), '0', '0.2500']);
  assert.match(md, /\| book-a-s4 \| not started \|/);
  const svg = readFileSync(join(out, 'metrics-book.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg') && svg.includes('lightgcn+lmmrec'));
});

test('several focus arms, each against the best of its own rivals', async () => {
  const out = join(tmp, 'rivals');
  const same = (v: number) => [[v, v / 2], [v, v / 2], [v, v / 2]];
  const users = (v: number) => [[v, v, v, v + 0.1], [v, v, v, v + 0.1], [v, v, v, v + 0.1]];
  await fakeExperiment(out, {
    test: { a: same(0.5), x: same(0.2), y: same(0.25), f: same(0.3), g: same(0.1) },
    perUser: { a: users(0.5), x: users(0.2), y: users(0.25), f: users(0.3), g: users(0.1) },
    focus: [{ arm: 'f', against: ['x', 'y'] }, 'a'],
  });
  const md = readFileSync(await writeExperimentReport(out), 'utf8');
  assert.match(md, /focus arm f \(vs the best of x, y\); a/);
  assert.match(md, /\| book \| f \| y \| best rival \| 1,2,3 \| recall@20 \| 0\.3250 \| 0\.2750 \| \+18\.18 \|/, 'y beats x; a is not f\'s rival');
  assert.doesNotMatch(md, /\| book \| f \| a \| best/);
  assert.match(md, /\| book \| a \| f \| best other arm \|/, 'a focus name alone is tested against every other arm');
  assert.throws(() => parseSpec({ datasets: [{ id: 'd', dir: TINY }], name: 'n', arms: [{ name: 'a' }], baseline: 'a', focus: [{ arm: 'a', against: ['zz'] }] }, 's.yaml'),
    /focus\[0\]\.against\[0\]: unknown arm "zz"/);
});

test('a spec with `select` reports its validation picks', async () => {
  const out = join(tmp, 'picks');
  await fakeExperiment(out, { ...HAND, select: [{ name: 'which', from: ['lightgcn+lmmrec', 'a'] }], seeds: [1, 2, 3] });
  const md = readFileSync(await writeExperimentReport(out), 'utf8');
  // every run's valid recall@20 is 0.5: a tie, so the first listed wins
  assert.match(md, /## Validation picks\n\nOf each selection's arms, the one with the best validation recall@20/);
  assert.match(md, /\| which \| lightgcn\+lmmrec \| 0\.5000 \| 0\.5000 \| \*\*picked\*\* \|\n\|  \| a \| 0\.5000 \| 0\.5000 \|  \|/);
});

test('charts render to SVG naming every arm', async () => {
  const arms = ['lightgcn', 'lightgcn+lmmrec'];
  const curves = await renderSvg(learningCurveChart(
    [{ arm: arms[0], seed: 1, epoch: 3, value: 0.1 }, { arm: arms[0], seed: 1, epoch: 6, value: 0.12 }, { arm: arms[1], seed: 1, epoch: 3, value: 0.11 }],
    arms, { title: 'curves', metric: 'recall@20' },
  ));
  const bars = await renderSvg(metricBarsChart(
    arms.flatMap((arm, i) => ['recall@20', 'ndcg@20'].map((metric) => ({ arm, metric, mean: 0.1 + i / 10, sd: i ? null : 0.01 }))),
    arms, ['recall@20', 'ndcg@20'], { title: 'bars' },
  ));
  const noise = await renderSvg(noiseChart(
    arms.flatMap((arm) => [0, 5, 10].flatMap((rate) => ['recall@20', 'ndcg@20'].map((metric) => ({ arm, rate, metric, mean: 0.1 - rate / 1000 })))),
    arms, { title: 'noise' },
  ));
  for (const svg of [curves, bars, noise]) {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="\d+" height="\d+"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    for (const a of arms) assert.ok(svg.includes(`>${a}</text>`), `${a} in the legend`);
  }
  assert.ok(noise.includes('>recall@20</text>') && noise.includes('>ndcg@20</text>'), 'one panel per metric');
});

test('noise specs: a table and a chart of each arm by noise rate', async () => {
  const out = join(tmp, 'noise');
  const spec = parseSpec({
    name: 'noisy', datasets: [{ id: 'book', dir: TINY }], base: { 'model.name': 'lightgcn' }, ks: [20], noise: [0, 0.1],
    arms: [{ name: 'lightgcn' }, { name: 'lightgcn+lmmrec', set: { plugins: ['lmmrec'] } }, { name: 'lightgcn+once', set: { plugins: ['once'] } }],
    baseline: 'lightgcn', seeds: [1], focus: [{ arm: 'lightgcn+lmmrec', against: ['lightgcn+once'] }],
  }, 'noisy.yaml');
  // recall@20 at 0 / 10 %: lightgcn .2 → .15 (−25 %), +lmmrec .25 → .2 (−20 %), +once .3 → .29 (−3.3 %);
  // ndcg@20 is half of recall except for +once, whose ndcg@20 .15 → .05 falls by two thirds
  const plan = planExperiment(spec, { specPath: 'noisy.yaml', outDir: out });
  for (const r of plan.runs) {
    mkdirSync(r.runDir, { recursive: true });
    writeFileSync(join(r.runDir, 'config.json'), JSON.stringify(r.config));
    const n = r.noise ?? 0;
    const recall = r.arm === 'lightgcn+once' ? 0.3 - n / 10 : (r.arm === 'lightgcn' ? 0.2 : 0.25) - n / 2;
    const ndcg = r.arm === 'lightgcn+once' ? 0.15 - n : recall / 2;
    writeFileSync(join(r.runDir, 'metrics.json'), JSON.stringify({
      protocol: 'rlmrec', model: 'lightgcn', dataset: 'book', seed: 1, epochs: 3, stopped: 'early-stop', bestEpoch: 3, valid: null,
      test: { 'recall@20': recall, 'ndcg@20': ndcg }, testUsers: 2, trainMs: 1, testMs: 1, meanEpochMs: 1, history: [],
    }));
    writeFileSync(join(r.runDir, 'test-per-user.tsv'), `user\trecall@20\tndcg@20\n0\t${recall}\t0.1\n1\t${recall / 2}\t0.2\n`);
  }
  await writeExperimentManifest(plan, [{ id: 'book', dir: TINY, users: 40, items: 468, hashes: {}, noisy: {}, text: {} }], 'run', undefined);
  const md = readFileSync(await writeExperimentReport(out), 'utf8');
  assert.match(md, /## book, 10 % noise/);
  assert.match(md, /book, test recall@20 by added noise:\n\n\| arm \| 0 % \| 10 % \|\n\|---\|---:\|---:\|\n\| lightgcn \| 0\.2000 \| 0\.1500 \|\n\| lightgcn\+lmmrec \| 0\.2500 \| 0\.2000 \|/);
  // each arm against its own clean value: .2 → .15 is −25 %, .25 → .2 is −20 %
  assert.match(md, /book, change of test recall@20 from the arm's own 0 % value \(mean over seeds\):\n\n\| arm \| 10 % \|\n\|---\|---:\|\n\| lightgcn \| −25\.0 % \|\n\| lightgcn\+lmmrec \| −20\.0 % \|/);
  // the robustness claim: the focus arm against the least-falling of its base and rivals
  assert.match(md, /does the focus arm's recall@20 fall less than its base's and every rival's\? \(its change against the least-falling other arm\)\n\n\| arm \| 10 % \|\n\|---\|---\|\n\| lightgcn\+lmmrec \| no: −20\.0 % vs −3\.3 % \(lightgcn\+once\) \|/);
  assert.match(md, /does the focus arm's ndcg@20 fall less [^\n]*\n\n[^\n]*\n[^\n]*\n\| lightgcn\+lmmrec \| yes: −20\.0 % vs −25\.0 % \(lightgcn\) \|/);
  const svg = readFileSync(join(out, 'noise-book.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg') && svg.includes('>lightgcn+lmmrec</text>') && svg.includes('>recall@20</text>'));

  const partOut = join(tmp, 'noise-part');
  const part = planExperiment(spec, { specPath: 'noisy.yaml', outDir: partOut, only: ['lightgcn'] });
  await writeExperimentManifest(part, [{ id: 'book', dir: TINY, users: 40, items: 468, hashes: {}, noisy: {}, text: {} }], 'run --only lightgcn', undefined);
  const partMd = readFileSync(await writeExperimentReport(partOut), 'utf8');
  assert.match(partMd, /0 of 2 runs finished, 2 not started; 4 more of the spec's 6 runs not yet requested/);

  // a rate no session requested (--rates) gets no column
  const rateOut = join(tmp, 'noise-rate');
  const byRate = planExperiment(spec, { specPath: 'noisy.yaml', outDir: rateOut, rates: [0.1] });
  await writeExperimentManifest(byRate, [{ id: 'book', dir: TINY, users: 40, items: 468, hashes: {}, noisy: {}, text: {} }], 'run --rates 0.1', undefined);
  const rateMd = readFileSync(await writeExperimentReport(rateOut), 'utf8');
  assert.match(rateMd, /book, test recall@20 by added noise:\n\n\| arm \| 10 % \|\n/);
  assert.doesNotMatch(rateMd, /change of test/);
});
