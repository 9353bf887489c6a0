/**
 * Text similarity for spotting duplicate reports. The shared words are
 * returned so that an officer can see why two reports matched. It complements the database's pg_trgm search:
 * that finds candidates, this scores a pair and explains the match.
 *
 * Both texts go through `tokenize` (slang expanded, personal data replaced by
 * kind tokens), and words that carry no topic ("yang", "tolong", "admin") are
 * dropped. The score is the mean of two Jaccard indices: over the remaining
 * word sets and over their character trigram sets, so that spelling variants
 * ("berlubang"/"brlubang") still count.
 */
import { PERSONAL_DATA_TOKENS, tokenize } from './normalize.ts';

/** Result of `textSimilarity`. */
export interface TextSimilarity {
  /** 0 (nothing shared) to 1 (same words). */
  score: number;
  /** Jaccard index of the word sets. */
  wordJaccard: number;
  /** Jaccard index of the character trigram sets. */
  trigramJaccard: number;
  /** Words present in both texts, in the order of the first text. */
  matchingWords: string[];
}

/**
 * Function words, greetings and forms of address, which carry no information
 * about what a report is about. Negations are kept because "lampu mati" and "lampu tidak
 * mati" are different reports.
 */
export const SIMILARITY_STOP_WORDS: ReadonlySet<string> = new Set([
  'yang', 'dan', 'di', 'ke', 'dari', 'ini', 'itu', 'untuk', 'dengan', 'pada', 'dalam', 'ada', 'atau',
  'juga', 'sudah', 'saja', 'sama', 'karena', 'kalau', 'agar', 'oleh', 'akan', 'bisa', 'sangat',
  'banget', 'lagi', 'masih', 'sekali', 'apa', 'bagaimana', 'kenapa', 'kok', 'dong', 'ya', 'sih',
  'nya', 'pun', 'lah', 'kah', 'tersebut', 'mohon', 'tolong', 'terima', 'kasih', 'admin', 'bapak',
  'ibu', 'mas', 'mbak', 'pak', 'saya', 'kami', 'kita', 'kamu', 'anda', 'assalamualaikum',
  'warahmatullahi', 'wabarakatuh', 'selamat', 'pagi', 'siang', 'sore', 'malam', 'maaf', 'izin',
  'ijin', 'mau', 'ingin', 'tanya', 'min', 'wr', 'wb', 'the', 'rt', 'rw',
  ...Object.values(PERSONAL_DATA_TOKENS),
  'xurltoken', 'xmentiontoken',
]);

/**
 * Scores how alike two messages are.
 *
 * @example
 * textSimilarity('jln rusak parah di depan pasar', 'jalan depan pasar rusak')
 * // → { score: 0.8…, matchingWords: ['jalan', 'rusak', 'depan', 'pasar'], … }
 */
export function textSimilarity(a: string, b: string): TextSimilarity {
  return similarityTo(a)(b);
}

/**
 * Returns a function that scores messages against `a`, as `textSimilarity(a, b)`
 * does, with `a` tokenised once: for one report against many candidates.
 */
export function similarityTo(a: string): (b: string) => TextSimilarity {
  const uniqueA = [...new Set(contentWords(a))];
  const setA = new Set(uniqueA);
  const trigramsA = trigrams(uniqueA);
  return (b) => {
    const wordsB = contentWords(b);
    const setB = new Set(wordsB);
    const wordJaccard = jaccard(setA, setB);
    const trigramJaccard = jaccard(trigramsA, trigrams(wordsB));
    return {
      score: (wordJaccard + trigramJaccard) / 2,
      wordJaccard,
      trigramJaccard,
      matchingWords: uniqueA.filter((word) => setB.has(word)),
    };
  };
}

function contentWords(text: string): string[] {
  return tokenize(text).filter((word) => !SIMILARITY_STOP_WORDS.has(word) && !/^\d+$/.test(word));
}

/** Character trigrams of each word padded with spaces, as pg_trgm builds them. */
function trigrams(words: ReadonlyArray<string>): Set<string> {
  const result = new Set<string>();
  for (const word of words) {
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) result.add(padded.slice(i, i + 3));
  }
  return result;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Upper bound on the words `duplicateSearchWords` returns; a long report is searched by its first 64. */
const MAX_SEARCH_WORDS = 64;

/**
 * Words to look up other reports by, under the database's full-text
 * configuration: the content words of `text` as `textSimilarity` computes them (slang
 * expanded), and its words as written, since the stored reports are
 * indexed as written. Stop words and numbers are left out, so two reports
 * that share only "di" or "yang" are not candidates. A report must share
 * a content word to be proposed at all (see `textSimilarity`).
 *
 * @example duplicateSearchWords('jln rusak di depan pasar') // → ['jalan', 'rusak', 'depan', 'pasar', 'jln']
 */
export function duplicateSearchWords(text: string): string[] {
  const words = new Set(contentWords(text));
  for (const word of tokenize(text, { expandSlang: false })) {
    if (words.size >= MAX_SEARCH_WORDS) break;
    // "tlg" is slang for the stop word "tolong"; it is left out like "tolong".
    if (!words.has(word) && contentWords(word).length > 0) words.add(word);
  }
  return [...words].slice(0, MAX_SEARCH_WORDS);
}
