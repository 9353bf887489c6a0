import { test } from 'node:test';
import assert from 'node:assert/strict';

import { explain, parseModel, predict, train, type TrainingExample } from '../../../src/domain/triage/model.ts';

const ROADS = 'DPUPR';
const WASTE = 'DLH';
const LIGHTS = 'Dishub';

/** Hand-written reports in informal Indonesian with some Javanese. */
const EXAMPLES: TrainingExample[] = [
  { text: 'jln rusak parah min banyak lubang', label: ROADS },
  { text: 'jalan berlubang di depan pasar mohon diperbaiki', label: ROADS },
  { text: 'aspal jalan kampung rusak, tolong diaspal ulang', label: ROADS },
  { text: 'dalan bolong-bolong, motor sering jatuh', label: ROADS },
  { text: 'jembatan retak dan jalan amblas setelah hujan', label: ROADS },
  { text: 'jalan desa rusak sudah setahun belum diperbaiki', label: ROADS },
  { text: 'sampah numpuk di tps gk diangkut seminggu', label: WASTE },
  { text: 'bau sampah menyengat, truk sampah tidak datang', label: WASTE },
  { text: 'warga buang sampah ke sungai, mohon ditindak', label: WASTE },
  { text: 'tempat sampah penuh dan berserakan di pinggir jalan', label: WASTE },
  { text: 'sampah pasar belum diangkut, lalat banyak banget', label: WASTE },
  { text: 'tps liar di lahan kosong, sampahnya dibakar', label: WASTE },
  { text: 'lampu pju mati sudah seminggu, gelap banget', label: LIGHTS },
  { text: 'lampu penerangan jalan umum padam di perempatan', label: LIGHTS },
  { text: 'lampu merah traffic light mati, rawan kecelakaan', label: LIGHTS },
  { text: 'pju ora urip, dalane peteng', label: LIGHTS },
  { text: 'lampu jalan kedip-kedip lalu mati total', label: LIGHTS },
  { text: 'tolong pasang lampu pju di gang, gelap dan rawan', label: LIGHTS },
];

const FIXED_TIME = new Date('2026-01-05T03:00:00Z');

test('train and predict rank the right label', () => {
  const model = train(EXAMPLES, { seed: 1, trainedAt: FIXED_TIME });
  assert.equal(predict(model, 'jalan rusak berlubang parahhh')[0].label, ROADS);
  assert.equal(predict(model, 'sampahnya blm diangkut min')[0].label, WASTE);
  assert.equal(predict(model, 'lampu pju mati, gelap')[0].label, LIGHTS);
});

test('predict scores are sorted probabilities', () => {
  const model = train(EXAMPLES, { seed: 1 });
  const suggestions = predict(model, 'lampu jalan mati');
  assert.equal(suggestions.length, 3);
  const total = suggestions.reduce((sum, suggestion) => sum + suggestion.score, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `scores sum to ${total}`);
  for (let i = 1; i < suggestions.length; i++) assert.ok(suggestions[i - 1].score >= suggestions[i].score);
  for (const suggestion of suggestions) assert.ok(suggestion.score > 0 && suggestion.score < 1);
});

test('suggestions carry the model version', () => {
  const model = train(EXAMPLES, { seed: 1 });
  assert.match(model.version, /^sr-[0-9a-f]{16}$/);
  for (const suggestion of predict(model, 'sampah numpuk')) assert.equal(suggestion.modelVersion, model.version);
});

test('version depends on data, not on time', () => {
  const first = train(EXAMPLES, { seed: 1, trainedAt: FIXED_TIME });
  const again = train(EXAMPLES, { seed: 1, trainedAt: new Date('2026-02-01T00:00:00Z') });
  assert.equal(again.version, first.version);

  const moreData = train([...EXAMPLES, { text: 'jalan retak di depan sekolah', label: ROADS }], { seed: 1 });
  assert.notEqual(moreData.version, first.version);

  const relabelled = EXAMPLES.map((example, i) => (i === 0 ? { ...example, label: WASTE } : example));
  assert.notEqual(train(relabelled, { seed: 1 }).version, first.version);
});

test('model survives a JSON round trip', () => {
  const model = train(EXAMPLES, { seed: 1 });
  const restored = parseModel(JSON.stringify(model));
  assert.equal(restored.version, model.version);
  const text = 'lampu pju ora urip';
  assert.deepEqual(predict(restored, text), predict(model, text));
});

test('parseModel rejects other JSON', () => {
  assert.throws(() => parseModel('{"hello":1}'), /Not an Aduan triage model/);
});

test('explain names the words behind a label', () => {
  const model = train(EXAMPLES, { seed: 1 });
  const reasons = explain(model, 'lampu pju mati di jalan', LIGHTS);
  assert.ok(reasons.length > 0);
  const terms = reasons.map((reason) => reason.term);
  assert.ok(terms.includes('lampu') || terms.includes('pju'), `reasons: ${terms.join(', ')}`);
  for (let i = 1; i < reasons.length; i++) assert.ok(reasons[i - 1].weight >= reasons[i].weight);
  for (const reason of reasons) assert.ok(reason.weight > 0);
});

test('explain rejects an unknown label', () => {
  const model = train(EXAMPLES, { seed: 1 });
  assert.throws(() => explain(model, 'sampah', 'Dinas Antah Berantah'), /not in this model/);
});

test('naive Bayes baseline trains and explains', () => {
  const model = train(EXAMPLES, { algorithm: 'naive_bayes' });
  assert.match(model.version, /^nb-[0-9a-f]{16}$/);
  const suggestions = predict(model, 'sampah belum diangkut');
  assert.equal(suggestions[0].label, WASTE);
  const total = suggestions.reduce((sum, suggestion) => sum + suggestion.score, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `scores sum to ${total}`);
  assert.ok(explain(model, 'sampah belum diangkut', WASTE).some((reason) => reason.term === 'sampah'));
});

test('train rejects unusable data', () => {
  assert.throws(() => train([]), /zero examples/);
  assert.throws(() => train([{ text: 'a', label: 'x' }, { text: 'b', label: '' }]), /empty label/);
  assert.throws(() => train([{ text: 'a', label: 'x' }, { text: 'b', label: 'x' }]), /two different labels/);
});

test('predict handles text with no known words', () => {
  const model = train(EXAMPLES, { seed: 1 });
  const suggestions = predict(model, '🙏🙏 ...');
  assert.equal(suggestions.length, 3);
  assert.ok(suggestions.every((suggestion) => Number.isFinite(suggestion.score)));
});

/** Category labels for a second, smaller data set; its texts share few words with EXAMPLES. */
const CATEGORY_EXAMPLES: TrainingExample[] = [
  { text: 'aspal kampung rusak', label: 'Infrastruktur' },
  { text: 'gang gelap malam hari', label: 'Infrastruktur' },
  { text: 'kali mampet airnya hitam', label: 'Lingkungan' },
  { text: 'asap pembakaran mengganggu warga', label: 'Lingkungan' },
];

test('auxiliary model probabilities become features', () => {
  const auxiliaryModel = train(EXAMPLES, { seed: 1 });
  const plain = train(CATEGORY_EXAMPLES, { seed: 1 });
  const withAuxiliary = train(CATEGORY_EXAMPLES, { seed: 1, auxiliaryModel });
  // Only the auxiliary model has seen these words, and it ranks them as rubbish.
  const text = 'tps sampah numpuk belum diangkut';
  assert.equal(predict(auxiliaryModel, text)[0].label, WASTE);

  const score = (model: ReturnType<typeof train>): number => predict(model, text).find((suggestion) => suggestion.label === 'Lingkungan')!.score;
  assert.equal(predict(withAuxiliary, text)[0].label, 'Lingkungan');
  assert.ok(score(withAuxiliary) > score(plain), `with auxiliary ${score(withAuxiliary)}, without ${score(plain)}`);
  assert.notEqual(withAuxiliary.version, plain.version);
});

test('auxiliary model survives a JSON round trip', () => {
  const model = train(CATEGORY_EXAMPLES, { seed: 1, auxiliaryModel: train(EXAMPLES, { seed: 1 }), auxiliaryWeight: 0.3 });
  const restored = parseModel(JSON.stringify(model));
  assert.equal(restored.version, model.version);
  const text = 'sampah di kali belum diangkut';
  assert.deepEqual(predict(restored, text), predict(model, text));
  assert.deepEqual(explain(restored, text, 'Lingkungan'), explain(model, text, 'Lingkungan'));
});

test('explain leaves auxiliary features out', () => {
  const model = train(CATEGORY_EXAMPLES, { seed: 1, auxiliaryModel: train(EXAMPLES, { seed: 1 }) });
  const words = new Set(['kali', 'mampet', 'sampah', 'kali mampet', 'mampet sampah']);
  const reasons = explain(model, 'kali mampet sampah', 'Lingkungan');
  assert.ok(reasons.length > 0);
  for (const reason of reasons) assert.ok(words.has(reason.term), `unexpected term ${reason.term}`);
});

test('train rejects an auxiliary weight outside 0–1', () => {
  const auxiliaryModel = train(EXAMPLES, { seed: 1 });
  assert.throws(() => train(CATEGORY_EXAMPLES, { auxiliaryModel, auxiliaryWeight: 1 }), /auxiliaryWeight must be between 0 and 1/);
  assert.throws(() => train(CATEGORY_EXAMPLES, { auxiliaryModel, auxiliaryWeight: 0 }), /auxiliaryWeight must be between 0 and 1/);
});
