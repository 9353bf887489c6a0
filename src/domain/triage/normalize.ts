/**
 * Text normalisation for informal Indonesian complaint messages.
 *
 * Citizens write in a mix of Indonesian, Javanese and chat slang ("jln rusak
 * parahhh min", "matur suwun", "gk ada yg ngurus"). The classifier and the
 * duplicate helper both see text through `normalizeText` and `tokenize`, so
 * that spelling variants of one word become one feature.
 *
 * The steps run in this order. Text is put in Unicode NFKC form and lower
 * case. Personal data becomes a kind token, because a phone number is a
 * signal but its digits are not. URLs and mentions become tokens, and emoji
 * and other symbols are removed. Runs of three or more identical letters are
 * collapsed. Slang, abbreviations and common Javanese words are mapped to
 * standard Indonesian.
 *
 * @example
 * normalizeText('Jln rusak parahhhh min, tolong dong 🙏')
 * // → 'jalan rusak parah admin tolong dong'
 */
import { findPersonalData, type PersonalDataKind } from './personal-data.ts';

/** Token that replaces each kind of personal data inside normalised text. */
export const PERSONAL_DATA_TOKENS: Record<PersonalDataKind, string> = {
  nik: 'xniktoken',
  phone: 'xteleponxtoken',
  email: 'xemailtoken',
  plate: 'xnopoltoken',
};

/**
 * Informal spellings, abbreviations and Javanese words → standard Indonesian.
 * Keys are whole tokens after lower-casing and letter-run collapsing. A value
 * may hold several words. Phrases such as "matur suwun" are handled before
 * this lookup, by `PHRASE_RULES`.
 */
export const SLANG_LEXICON: Readonly<Record<string, string>> = {
  // Negation: the most varied word in chat Indonesian.
  gk: 'tidak', ga: 'tidak', gak: 'tidak', nggak: 'tidak', ngga: 'tidak', nggk: 'tidak', ngk: 'tidak',
  engga: 'tidak', enggak: 'tidak', enggk: 'tidak', kagak: 'tidak', tdk: 'tidak', tak: 'tidak',
  ndak: 'tidak', nda: 'tidak', ndk: 'tidak', ora: 'tidak', mboten: 'tidak', boten: 'tidak',
  gada: 'tidak ada', gaada: 'tidak ada', blm: 'belum', blum: 'belum', belom: 'belum', durung: 'belum',
  // Function words.
  yg: 'yang', yng: 'yang', dgn: 'dengan', dg: 'dengan', dngn: 'dengan', karo: 'dengan',
  utk: 'untuk', untk: 'untuk', krn: 'karena', karna: 'karena', krna: 'karena', soale: 'karena',
  dr: 'dari', dri: 'dari', pd: 'pada', dlm: 'dalam', sdh: 'sudah', udh: 'sudah', udah: 'sudah',
  dah: 'sudah', sudh: 'sudah', wis: 'sudah', uwis: 'sudah', wes: 'sudah', sampun: 'sudah',
  tp: 'tapi', tpi: 'tapi', tetapi: 'tapi', sm: 'sama', ama: 'sama', aja: 'saja', aj: 'saja',
  ae: 'saja', bs: 'bisa', isa: 'bisa', iso: 'bisa', jg: 'juga', lg: 'lagi', lgi: 'lagi',
  kalo: 'kalau', klo: 'kalau', kl: 'kalau', klau: 'kalau', nek: 'kalau', gmn: 'bagaimana',
  gimana: 'bagaimana', gmana: 'bagaimana', piye: 'bagaimana', pripun: 'bagaimana', knp: 'kenapa',
  napa: 'kenapa', opo: 'apa', spt: 'seperti', kyk: 'seperti', kayak: 'seperti', tsb: 'tersebut',
  dll: 'dan lain lain', dsb: 'dan sebagainya', sblm: 'sebelum', stlh: 'setelah', trs: 'terus',
  trus: 'terus', sampe: 'sampai', emang: 'memang', emg: 'memang', mmg: 'memang', gitu: 'begitu',
  gini: 'begini', iki: 'ini', kuwi: 'itu', iku: 'itu', nang: 'di', neng: 'di', ndek: 'di',
  ben: 'agar', biar: 'agar', krg: 'kurang', sgt: 'sangat', bgt: 'banget', bngt: 'banget',
  bener: 'benar', bnr: 'benar', tuh: 'itu', nih: 'ini', kq: 'kok', msh: 'masih', masi: 'masih',
  ttg: 'tentang', tntg: 'tentang', skrg: 'sekarang', skrng: 'sekarang', saiki: 'sekarang',
  byk: 'banyak', bnyk: 'banyak', akeh: 'banyak', pengen: 'ingin', pingin: 'ingin',
  kepengin: 'ingin', pgn: 'ingin', pengin: 'ingin', nggih: 'ya', nggeh: 'ya', iya: 'ya',
  monggo: 'silakan', silahkan: 'silakan',
  // Pronouns and people.
  sy: 'saya', aq: 'saya', aku: 'saya', gue: 'saya', gw: 'saya', kulo: 'saya', kula: 'saya',
  kmi: 'kami', org: 'orang', wong: 'orang', uwong: 'orang', tiyang: 'orang',
  // Time.
  thn: 'tahun', bln: 'bulan', hr: 'hari', mgg: 'minggu', wkt: 'waktu',
  // Requests, thanks, greetings.
  tlg: 'tolong', tolongin: 'tolong', tulung: 'tolong', mhn: 'mohon', nyuwun: 'mohon',
  plis: 'tolong', pls: 'tolong', suwun: 'terima kasih', nuwun: 'terima kasih',
  makasih: 'terima kasih', mksh: 'terima kasih', trims: 'terima kasih', thx: 'terima kasih',
  tks: 'terima kasih', trmksh: 'terima kasih', terimakasih: 'terima kasih',
  assalamu: 'assalamualaikum', askum: 'assalamualaikum', maap: 'maaf', mf: 'maaf',
  // "maaaf" loses its double vowel when letter runs are collapsed.
  maf: 'maaf',
  sepurane: 'maaf',
  // Forms of address: "min"/"mimin" address the account's admin.
  min: 'admin', mimin: 'admin', bpk: 'bapak', pak: 'bapak', bu: 'ibu', mba: 'mbak', cak: 'mas',
  // Places and public services.
  jln: 'jalan', jl: 'jalan', jlan: 'jalan', dalan: 'jalan', ds: 'desa', kel: 'kelurahan',
  kec: 'kecamatan', kab: 'kabupaten', prov: 'provinsi', pemkot: 'pemerintah kota',
  pemkab: 'pemerintah kabupaten', pemda: 'pemerintah daerah', pemdes: 'pemerintah desa',
  gg: 'gang', rmh: 'rumah', omah: 'rumah', banyu: 'air', sklh: 'sekolah',
  // Complaint words.
  bolong: 'berlubang', lobang: 'lubang',
};

/** Multi-word expressions rewritten before tokenising (Javanese thanks). */
const PHRASE_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:matur|maturo?)\s+(?:sembah\s+)?(?:suwun|nuwun|suwon)\b/gu, ' terima kasih '],
  [/\bterima\s*kasih\b/gu, ' terima kasih '],
];

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/giu;
const MENTION_RE = /(^|\s)@[\p{L}\p{N}_.]+/gu;
const HASHTAG_RE = /#([\p{L}\p{N}_]+)/gu;
/** Emoji, pictographs, variation selectors and zero-width joiners. */
const EMOJI_RE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{FE0F}\u{200D}\u{20E3}]/gu;
/** Three or more of the same letter in a row ("parahhhh", "tolonggg"). */
const LETTER_RUN_RE = /(\p{L})\1{2,}/gu;
/** Reduplication written with the digit 2 ("anak2", "hati2"). */
const REDUPLICATION_DIGIT_RE = /^(\p{L}{2,})2$/u;
const NON_WORD_RE = /[^\p{L}\p{N}]+/gu;

/** Options shared by `normalizeText` and `tokenize`. */
export interface NormalizeOptions {
  /** Replace personal data by kind tokens (default true). */
  maskPersonalData?: boolean;
  /** Apply the slang lexicon (default true). */
  expandSlang?: boolean;
}

/**
 * Normalises one message to lower-case words separated by single spaces.
 *
 * @example
 * normalizeText('Matur suwun mimin, lampu PJU gk nyala2') // → 'terima kasih admin lampu pju tidak nyala'
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  return normalizeTokens(text, options).join(' ');
}

/** Splits normalised text into word tokens (same as `normalizeText(...).split(' ')`). */
export function tokenize(text: string, options: NormalizeOptions = {}): string[] {
  return normalizeTokens(text, options);
}

function normalizeTokens(text: string, options: NormalizeOptions): string[] {
  const maskPersonal = options.maskPersonalData ?? true;
  const expandSlang = options.expandSlang ?? true;

  let value = text.normalize('NFKC');
  if (maskPersonal) value = replacePersonalData(value);
  value = value.toLowerCase();
  value = value.replace(URL_RE, ' xurltoken ');
  value = value.replace(MENTION_RE, '$1 xmentiontoken ');
  value = value.replace(HASHTAG_RE, ' $1 ');
  value = value.replace(EMOJI_RE, ' ');
  value = value.replace(LETTER_RUN_RE, '$1');
  for (const [pattern, replacement] of PHRASE_RULES) value = value.replace(pattern, replacement);

  const tokens: string[] = [];
  for (const raw of value.split(NON_WORD_RE)) {
    if (raw === '') continue;
    const reduplicated = REDUPLICATION_DIGIT_RE.exec(raw);
    const word = reduplicated ? reduplicated[1] : raw;
    const mapped = expandSlang ? SLANG_LEXICON[word] : undefined;
    if (mapped === undefined) {
      tokens.push(word);
    } else {
      for (const part of mapped.split(' ')) tokens.push(part);
    }
  }
  return tokens;
}

function replacePersonalData(text: string): string {
  const matches = findPersonalData(text);
  if (matches.length === 0) return text;
  let result = '';
  let cursor = 0;
  for (const match of matches) {
    result += text.slice(cursor, match.start) + ` ${PERSONAL_DATA_TOKENS[match.kind]} `;
    cursor = match.end;
  }
  return result + text.slice(cursor);
}

/** Particles and possessive suffixes removed by `lightStem`, longest first. */
const PARTICLE_SUFFIXES = ['nya', 'lah', 'kah', 'pun', 'ku', 'mu'] as const;
/** Shortest stem that `lightStem` leaves, so short roots ("punya", "kaku") survive. */
const MIN_STEM_LENGTH = 4;

/**
 * Removes one particle or possessive suffix (-nya, -lah, -kah, -pun, -ku,
 * -mu) and then one derivational suffix (-kan, -an, -i) or prefix (di-, ke-,
 * se-) when the rest keeps at least four letters. This is deliberately lighter
 * than a full Nazief–Adriani stemmer: it merges "jalannya"/"jalan" and
 * "diperbaiki"/"perbaiki" without the dictionary the full algorithm needs.
 *
 * @example
 * lightStem('jalannya') // → 'jalan'
 * lightStem('diperbaiki') // → 'perbaik'
 */
export function lightStem(word: string): string {
  let stem = word;
  for (const suffix of PARTICLE_SUFFIXES) {
    if (stem.endsWith(suffix) && stem.length - suffix.length >= MIN_STEM_LENGTH) {
      stem = stem.slice(0, -suffix.length);
      break;
    }
  }
  for (const suffix of ['kan', 'an', 'i']) {
    if (stem.endsWith(suffix) && stem.length - suffix.length >= MIN_STEM_LENGTH) {
      stem = stem.slice(0, -suffix.length);
      break;
    }
  }
  for (const prefix of ['di', 'ke', 'se']) {
    if (stem.startsWith(prefix) && stem.length - prefix.length >= MIN_STEM_LENGTH) {
      stem = stem.slice(prefix.length);
      break;
    }
  }
  return stem;
}
