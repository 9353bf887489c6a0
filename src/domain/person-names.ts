/**
 * Finds names of people in Indonesian and Javanese free text, for public
 * views. Citizens write about neighbours, officials and relatives by name
 * ("rumah Pak Slamet", "atas nama Sri Wahyuni"). A name is recognised only
 * where the text marks it: after a form of address (Pak, Bu, Mas, Mbak,
 * Sdr., …) as capitalised words, or after "nama saya", "bernama", "atas
 * nama" or "a.n." as up to three words. Job titles after a form of address
 * ("Pak Lurah", "Bu Camat") are kept, because the public needs them and
 * they name an office, not a person.
 *
 * NOTE: names without such a marker ("Slamet bilang …") are not found.
 */

/** Forms of address that come before a person's name. */
const ADDRESS_FORMS = [
  'pak', 'bapak', 'bpk', 'bp', 'bu', 'ibu', 'mas', 'mbak', 'mba', 'sdr', 'sdri', 'saudara', 'saudari',
  'mbah', 'kak', 'om', 'tante', 'bang', 'abang', 'cak', 'ning', 'dik', 'adik', 'hj', 'haji', 'alm', 'almarhum', 'almh', 'almarhumah',
];

/** Phrases after which the next words are a name, whatever their case. */
const NAME_INTRODUCERS = ['nama saya', 'namaku', 'namanya', 'bernama', 'atas nama', 'a\\.n\\.', 'a/n'];

/** Words after a form of address that name an office or a role, not a person. */
const TITLE_WORDS = new Set([
  'lurah', 'camat', 'bupati', 'wakil', 'wabup', 'kades', 'kepala', 'rt', 'rw', 'sekdes', 'kadus', 'carik', 'presiden', 'gubernur',
  'menteri', 'dokter', 'dr', 'guru', 'polisi', 'satpam', 'petugas', 'admin', 'direktur', 'dirut', 'kapolsek', 'kapolres', 'danramil',
  'kasi', 'kabid', 'kadis', 'kadin', 'sekda', 'dprd', 'dewan', 'ketua', 'bidan', 'perawat', 'mantri', 'modin', 'bayan', 'jogoboyo',
  'kamituwo', 'ustadz', 'ustad', 'kyai', 'kiai', 'pejabat', 'pegawai', 'staf', 'staff', 'sopir', 'supir', 'tukang', 'pemilik',
  'penjual', 'pedagang', 'kepsek', 'kasek', 'komandan', 'babinsa', 'bhabinkamtibmas', 'hakim', 'jaksa', 'pengacara', 'notaris',
  'tni', 'polri', 'asn', 'pns', 'perangkat', 'kami', 'saya', 'dan', 'yang', 'di', 'ke', 'dari',
]);

/** Words that end a name introduced by "nama saya" and the like. */
const STOP_WORDS = new Set([
  'yang', 'dan', 'di', 'ke', 'dari', 'ini', 'itu', 'tidak', 'tak', 'gak', 'nggak', 'mau', 'untuk', 'dengan', 'saya', 'aku', 'sudah',
  'belum', 'rt', 'rw', 'no', 'nomor', 'alamat', 'warga', 'tinggal', 'dusun', 'desa', 'kelurahan', 'kecamatan', 'jalan', 'jl', 'umur',
  'usia', 'mohon', 'ingin', 'hendak', 'akan', 'adalah', 'sebagai', 'selaku', 'pada', 'tanggal', 'tgl', 'telah', 'juga', 'tapi',
  'namun', 'karena', 'pak', 'bu', 'min', 'admin', 'anonim', 'dirahasiakan', 'rahasia', 'disamarkan',
]);

export const NAME_MASK = '[nama disamarkan]';

export interface NameMatch {
  start: number;
  end: number;
}

/** A word: letters, with apostrophes, dots and hyphens inside ("Ma'ruf", "Sri-Rejeki"). */
const WORD = "\\p{L}[\\p{L}'’.-]*";
// The flag i lets forms of address match in any case, so the capital of a name is checked word by word.
// The name is captured inside a lookahead, so a match consumes only the form of address.
const ADDRESS_RE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${ADDRESS_FORMS.join('|')})\\.?\\s+(?=((?:${WORD}\\s*){1,3}))`, 'giu');
const INTRODUCER_RE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${NAME_INTRODUCERS.join('|')})\\s*:?\\s+(?=((?:${WORD}\\s*){1,3}))`, 'giu');
const WORD_RE = /\p{L}[\p{L}'’.-]*/gu;

/**
 * Finds the spans of names in a text.
 *
 * @example findPersonNames('Rumah Pak Slamet Riyadi dekat balai desa') // [{ start: 10, end: 23 }]
 */
export function findPersonNames(text: string): NameMatch[] {
  const matches: NameMatch[] = [];
  for (const match of text.matchAll(ADDRESS_RE)) {
    const start = match.index + match[0].length;
    pushWords(matches, text, start, match[1], (word) => !TITLE_WORDS.has(word.toLowerCase().replace(/\.$/, '')) && /^\p{Lu}/u.test(word));
  }
  for (const match of text.matchAll(INTRODUCER_RE)) {
    const start = match.index + match[0].length;
    pushWords(matches, text, start, match[1], (word) => !STOP_WORDS.has(word.toLowerCase().replace(/\.$/, '')));
  }
  return mergeSpans(matches);
}

/** Adds the span of the leading words of `words` that `isName` accepts; stops at the first it rejects. */
function pushWords(matches: NameMatch[], text: string, offset: number, words: string, isName: (word: string) => boolean): void {
  let end = -1;
  for (const word of words.matchAll(WORD_RE)) {
    if (!isName(word[0])) break;
    end = offset + word.index + word[0].replace(/[.'’-]+$/u, '').length;
  }
  if (end > offset) matches.push({ start: offset, end });
}

function mergeSpans(spans: NameMatch[]): NameMatch[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: NameMatch[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/**
 * Replaces every name that `findPersonNames` finds with NAME_MASK, keeping
 * the form of address.
 *
 * @example maskPersonNames('Rumah Pak Slamet rusak') // 'Rumah Pak [nama disamarkan] rusak'
 */
export function maskPersonNames(text: string): string {
  let result = '';
  let cursor = 0;
  for (const match of findPersonNames(text)) {
    result += text.slice(cursor, match.start) + NAME_MASK;
    cursor = match.end;
  }
  return result + text.slice(cursor);
}
