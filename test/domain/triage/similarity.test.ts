import { test } from 'node:test';
import assert from 'node:assert/strict';

import { duplicateSearchWords, textSimilarity } from '../../../src/domain/triage/similarity.ts';

test('textSimilarity matches slang and standard spelling', () => {
  const result = textSimilarity('jln rusak parah di depan pasar min', 'Jalan depan pasar rusak, tolong diperbaiki');
  assert.deepEqual(result.matchingWords, ['jalan', 'rusak', 'depan', 'pasar']);
  assert.ok(result.score > 0.5, `score ${result.score}`);
});

test('textSimilarity ignores greetings and function words', () => {
  const result = textSimilarity('assalamualaikum min, tolong yang di sana', 'assalamualaikum pak, tolong dong yang itu');
  assert.deepEqual(result.matchingWords, []);
  assert.equal(result.wordJaccard, 0);
});

test('textSimilarity separates different reports', () => {
  const same = textSimilarity('lampu pju mati di gang mawar', 'pju gang mawar mati');
  const different = textSimilarity('lampu pju mati di gang mawar', 'sampah menumpuk di tps pasar');
  assert.ok(same.score > different.score, `${same.score} vs ${different.score}`);
  assert.ok(different.score < 0.2, `different score ${different.score}`);
});

test('textSimilarity trigrams catch misspellings', () => {
  const result = textSimilarity('jalan berlubang', 'jalan brlubang');
  assert.ok(result.trigramJaccard > result.wordJaccard, `${result.trigramJaccard} vs ${result.wordJaccard}`);
});

test('textSimilarity of identical text is 1', () => {
  const result = textSimilarity('banjir di perumahan griya', 'banjir di perumahan griya');
  assert.equal(result.score, 1);
});

test('textSimilarity of empty text is 0', () => {
  assert.equal(textSimilarity('', '').score, 0);
});

test('duplicateSearchWords: slang and stop words', () => {
  const words = duplicateSearchWords('Jln rusak di depan pasar, tlg dong min 🙏 sdh 3 bulan');
  for (const word of ['jalan', 'jln', 'rusak', 'depan', 'pasar', 'bulan']) assert.ok(words.includes(word), `"${word}" in ${words.join(', ')}`);
  // "tlg" and "sdh" are slang for the stop words "tolong" and "sudah".
  for (const word of ['di', 'tlg', 'tolong', 'dong', 'min', 'sdh', 'sudah', '3']) assert.equal(words.includes(word), false, `"${word}" left out`);
});

test('duplicateSearchWords: greeting only', () => {
  assert.deepEqual(duplicateSearchWords('Assalamualaikum min, terima kasih 🙏'), []);
});
