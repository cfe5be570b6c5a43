import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METRICS, parseMetricKey, relevance, scoreRanking } from '../../src/eval/metrics.js';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} != ${b}`);
const L3 = 1 / Math.log2(3); // discount at rank 2 = 0.6309297535714575
const L6 = 1 / Math.log2(6); // discount at rank 5 = 0.38685280723454163

test('metrics: hits at ranks 1 and 3 of 5, three targets', () => {
  // ranked [7, 2, 9, 4, 1], targets {1, 7, 9}: rel = [1, 0, 1, 0, 1]
  const m = scoreRanking([7, 2, 9, 4, 1], new Int32Array([1, 7, 9]), [1, 3, 5]);
  close(m['recall@1']!, 1 / 3);
  close(m['recall@3']!, 2 / 3);
  close(m['recall@5']!, 1);
  // NDCG@3: DCG = 1 + 1/log2(4) = 1.5; IDCG over min(3,3) = 3 hits = 1 + 1/log2 3 + 1/2
  close(m['ndcg@3']!, 1.5 / (1 + L3 + 0.5));
  // NDCG@5: DCG = 1.5 + 1/log2 6; IDCG still over 3 ideal hits
  close(m['ndcg@5']!, (1.5 + L6) / (1 + L3 + 0.5));
  close(m['ndcg@1']!, 1);
  close(m['precision@3']!, 2 / 3);
  close(m['precision@5']!, 3 / 5);
  assert.equal(m['hit@1'], 1);
  assert.equal(m['mrr@5'], 1);
});

test('metrics: fewer targets than K, IDCG over |T_u| ideal hits', () => {
  // one target found at rank 2 of a top-5: DCG = 1/log2 3, IDCG = 1 (min(5, 1) = 1 ideal hit)
  const m = scoreRanking([3, 8, 5, 6, 0], new Int32Array([8]), [1, 5]);
  close(m['ndcg@5']!, L3);
  assert.equal(m['recall@5'], 1);
  close(m['precision@5']!, 1 / 5);
  close(m['mrr@5']!, 1 / 2);
  assert.equal(m['recall@1'], 0);
  assert.equal(m['ndcg@1'], 0);
  assert.equal(m['mrr@1'], 0);
  assert.equal(m['hit@1'], 0);
  assert.equal(m['hit@5'], 1);
});

test('metrics: K larger than the ranked list (fewer candidates than K)', () => {
  // only 3 candidates, K = 10: precision still divides by K; targets {4, 0}, rel = [0, 1, 1]
  const m = scoreRanking([2, 4, 0], new Int32Array([0, 4]), [10]);
  assert.equal(m['recall@10'], 1);
  close(m['precision@10']!, 2 / 10);
  // DCG = 1/log2 3 + 1/log2 4, IDCG = 1 + 1/log2 3
  close(m['ndcg@10']!, (L3 + 0.5) / (1 + L3));
  close(m['mrr@10']!, 1 / 2);
});

test('metrics: a user without targets has undefined Recall/NDCG (NaN); never averaged by evaluate', () => {
  const rel = relevance([1, 2, 3], new Int32Array(0));
  assert.deepEqual([...rel], [0, 0, 0]);
  assert.ok(Number.isNaN(METRICS.recall(rel, 0, 3)));
  assert.ok(Number.isNaN(METRICS.ndcg(rel, 0, 3)));
  assert.equal(METRICS.precision(rel, 0, 3), 0);
});

test('metrics: a perfect ranking scores 1 on recall, NDCG, hit, MRR', () => {
  const m = scoreRanking([5, 6], new Int32Array([5, 6]), [2]);
  assert.deepEqual([m['recall@2'], m['ndcg@2'], m['hit@2'], m['mrr@2'], m['precision@2']], [1, 1, 1, 1, 1]);
});

test('parseMetricKey: parses name@K and lists valid names otherwise', () => {
  assert.deepEqual(parseMetricKey('ndcg@20'), { name: 'ndcg', k: 20 });
  assert.throws(() => parseMetricKey('auc@5'), /unknown metric "auc@5".*recall, ndcg, precision, hit, mrr/);
  assert.throws(() => parseMetricKey('recall@0'), /unknown metric/);
});
