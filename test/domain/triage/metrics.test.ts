import { test } from 'node:test';
import assert from 'node:assert/strict';

import { stratifiedFolds } from '../../../src/domain/triage/cross-validation.ts';
import { computeMetrics } from '../../../src/domain/triage/metrics.ts';

// Six messages, worked out by hand:
//   actual a: predicted a, a, b      → confusion row a = [2, 1, 0]
//   actual b: predicted b, c         → row b = [0, 1, 1]
//   actual c: predicted c            → row c = [0, 0, 1]
const actual = ['a', 'a', 'a', 'b', 'b', 'c'];
const rankings = [
  ['a', 'b', 'c'],
  ['a', 'c', 'b'],
  ['b', 'c', 'd', 'a'], // a is fourth: a top-3 miss
  ['b', 'a', 'c'],
  ['c', 'b', 'a'], // b is second: a top-3 hit
  ['c', 'a', 'b'],
];

test('computeMetrics builds the confusion matrix', () => {
  const metrics = computeMetrics(actual, rankings);
  assert.deepEqual(metrics.confusion.labels, ['a', 'b', 'c']);
  assert.deepEqual(metrics.confusion.matrix, [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
});

test('computeMetrics top-1 and top-3 accuracy', () => {
  const metrics = computeMetrics(actual, rankings);
  assert.equal(metrics.count, 6);
  assert.equal(metrics.top1Accuracy, 4 / 6);
  assert.equal(metrics.top3Accuracy, 5 / 6);
});

test('computeMetrics per-label precision and recall', () => {
  const byLabel = new Map(computeMetrics(actual, rankings).perLabel.map((row) => [row.label, row]));
  const a = byLabel.get('a')!;
  assert.equal(a.precision, 1);
  assert.equal(a.recall, 2 / 3);
  assert.ok(Math.abs(a.f1 - 0.8) < 1e-12, `f1 of a is ${a.f1}`);
  assert.equal(a.support, 3);

  const b = byLabel.get('b')!;
  assert.equal(b.precision, 0.5);
  assert.equal(b.recall, 0.5);
  assert.equal(b.f1, 0.5);

  const c = byLabel.get('c')!;
  assert.equal(c.precision, 0.5);
  assert.equal(c.recall, 1);
  assert.ok(Math.abs(c.f1 - 2 / 3) < 1e-12, `f1 of c is ${c.f1}`);
});

test('computeMetrics macro-F1', () => {
  const metrics = computeMetrics(actual, rankings);
  assert.ok(Math.abs(metrics.macroF1 - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12, `macro-F1 is ${metrics.macroF1}`);
});

test('computeMetrics counts a never-predicted label as zero', () => {
  const metrics = computeMetrics(['a', 'b'], [['a'], ['a']]);
  const b = metrics.perLabel.find((row) => row.label === 'b')!;
  assert.equal(b.precision, 0);
  assert.equal(b.recall, 0);
  assert.equal(b.f1, 0);
  assert.equal(metrics.macroF1, (2 / 3 + 0) / 2);
});

test('computeMetrics keeps the given label order', () => {
  const metrics = computeMetrics(actual, rankings, ['c', 'b', 'a', 'unused']);
  assert.deepEqual(metrics.confusion.labels, ['c', 'b', 'a']);
  assert.deepEqual(metrics.confusion.matrix[2], [0, 1, 2]);
});

test('computeMetrics rejects mismatched input', () => {
  assert.throws(() => computeMetrics(['a'], []), /must match/);
  assert.throws(() => computeMetrics(['a'], [[]]), /empty/);
});

test('stratifiedFolds balances labels across folds', () => {
  const labels = [...Array(10).fill('x'), ...Array(5).fill('y'), ...Array(3).fill('z')];
  const folds = stratifiedFolds(labels, 5, 42);
  const perFold = [0, 1, 2, 3, 4].map((fold) => labels.filter((_, i) => folds[i] === fold));
  for (const members of perFold) {
    assert.equal(members.filter((label) => label === 'x').length, 2);
    assert.equal(members.filter((label) => label === 'y').length, 1);
  }
  assert.deepEqual(perFold.map((members) => members.length).sort(), [3, 3, 4, 4, 4]);
});

test('stratifiedFolds is reproducible by seed', () => {
  const labels = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'p' : 'q'));
  assert.deepEqual(stratifiedFolds(labels, 4, 7), stratifiedFolds(labels, 4, 7));
  assert.notDeepEqual(stratifiedFolds(labels, 4, 7), stratifiedFolds(labels, 4, 8));
});

test('stratifiedFolds rejects bad fold counts', () => {
  assert.throws(() => stratifiedFolds(['a', 'b'], 1, 1), /at least 2/);
  assert.throws(() => stratifiedFolds(['a', 'b'], 3, 1), /Cannot split/);
});
