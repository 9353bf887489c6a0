/**
 * Finds names of people in Indonesian and Javanese free text, for public
 * views. Citizens write about neighbours, officials and relatives by name
 * ("rumah Pak Slamet", "atas nama Sri Wahyuni"). A name is recognised only
 * where the text marks it:
 * - after a form of address (Pak, Bu, Mas, Mbak, Sdr., Ny., Mbah, Pakdhe, …),
 *   also behind a job title ("Pak Lurah Budi", "Pak RT 03 Sukijan") or a
 *   possessive ("ibu saya, Sumiyati"), where the title stays visible;
 * - after "nama saya", "Nama:", "bernama", "namanya", "atas nama", "a.n."
 *   or a capitalised name after "Saya".
 * A name word is a word that is not in the hand-written list of common
 * Indonesian and Javanese words below. Lowercase name words are accepted only
 * after the spoken forms of address and Bpk./Sdr. ("pak slamet", "bpk
 * darmo") and after the phrases above other than "Saya". A form of address
 * after a place word ("Jl. Pak Ali", "Makam Mbah Mangun") is part of a place
 * name and stays. The text is split into tokens once and scanned left to
 * right, and each rule reads a bounded number of tokens, so the cost is
 * linear in the text length.
 *
 * NOTE: names without such a marker ("Slamet bilang …") are not found, and a
 * name that is also a common word ("Pak Bagus" is found, "Bu Sehat" is not)
 * depends on the word list.
 */

export const NAME_MASK = '[nama disamarkan]';

export interface NameMatch {
  start: number;
  end: number;
}

const words = (list: string): Set<string> => new Set(list.trim().split(/\s+/));

/** Forms of address written in full. A dot right after one ends the sentence ("Terima kasih Pak."). */
const SPOKEN_FORMS = words(`
  pak bapak bu ibu mas mbak mba mbok mbah saudara saudari kak om tante bang abang cak pakdhe pakde bude budhe
  bulik bulek paklik paklek mbakyu eyang
`);
/** Forms written in full that are followed only by a capitalised name ("Kang Darmo", not "kang" = "which"). */
const CAPITAL_FORMS = words('kang den ning dik adik haji hajjah almarhum almarhumah');
/** Abbreviated forms, which may take a dot ("Bpk. Darmo", "Ny.Sri"). */
const ABBREVIATED_FORMS = words('bpk bp sdr sdri ny tn hj h alm almh dr drs ir kh prof');
/** Abbreviated forms that count only with their dot, because without it they are everyday abbreviations ("dr" = "dari"). */
const DOT_REQUIRED_FORMS = words('h dr drs ir prof');
/** Abbreviated forms that accept a lowercase name ("bpk darmo"). */
const LOWERCASE_ABBREVIATED_FORMS = words('bpk bp sdr sdri');

/** Job titles and roles kept visible between a form of address and a name ("Pak Lurah Budi"). */
const TITLES = words(`
  lurah camat bupati wabup wakil kades kepala rt rw sekdes kadus carik presiden gubernur menteri dokter dr drs ir prof
  guru polisi satpam petugas admin direktur dirut kapolsek kapolres danramil kasi kabid kadis kadin sekda sekretaris
  bendahara dprd dewan ketua bidan perawat mantri modin bayan jogoboyo kamituwo ustadz ustad ustaz kyai kiai haji hj h
  kh pejabat pegawai staf staff sopir supir tukang pemilik penjual pedagang kepsek kasek komandan babinsa
  bhabinkamtibmas bhabin hakim jaksa pengacara notaris tni polri asn pns perangkat dukuh kamitua kaur kasun pamong
  takmir marbot pendeta romo pastor dosen kapten mayor serka sertu peltu bripka brigadir aiptu ipda iptu akp kompol
  operator pendamping penyuluh kader linmas hansip pj plt plh kabag kasubag kasubbag wali walikota wawali kapolda kajari
  kasir teller kurir jukir juru
`);
/** Titles that take a dot as abbreviations ("Bu Dr. Rina"). */
const ABBREVIATED_TITLES = words('dr drs ir prof h hj kh pj plt plh');
/** Office words allowed right after a leading title ("Pak Kepala Desa Budi", "Bapak Sekretaris Daerah"). */
const TITLE_TAILS = words('desa dusun daerah sekolah dinas bidang seksi kelurahan kecamatan wilayah rt rw kota');
const TITLE_HEADS = words('kepala ketua wakil sekretaris kasi kabid kaur plt plh pj wali');
/** Words before a form of address that make it part of a place name ("Jl. Pak Ali", "Makam Mbah Mangun"). */
const PLACE_WORDS = words(`
  jl jln jalan gg gang lorong jembatan makam pemakaman kuburan petilasan dusun dukuh kampung pasar taman masjid mesjid
  musholla mushola musala langgar surau pondok ponpes yayasan gedung lapangan stadion terminal stasiun bandara sendang
  punden kali sungai waduk embung bendungan telaga kebun perumahan perum komplek kompleks gunung bukit pantai goa gua
  museum monumen tugu patung sd sdn smp smpn sma sman smk smkn mi mts ma rs rsud rsu universitas gelanggang
`);
/** Words after which a form of address is a possessive phrase ("ibu saya, Sumiyati"). */
const POSSESSIVES = words('saya sy aku kami kita');
const BIN_WORDS = words('bin binti bt');

/**
 * Common Indonesian and Javanese words (function words, frequent verbs,
 * nouns and adjectives in complaints, agency and office words, days and
 * months). They never count as name words. The list is written by hand, and
 * the forms of address, titles and place words above are added to it below.
 */
const COMMON_WORDS = words(`
  yang dan di ke dari ini itu tidak tak gak ga nggak ngga enggak bukan mau untuk utk dengan dgn saya sy aku kami kita
  anda kamu dia mereka beliau sudah sdh udah udh belum blm telah juga jg tapi tp namun karena krn karna sebab jadi
  akan adalah sebagai selaku pada pd dalam dlm atas bawah oleh bagi sama sm atau serta hingga sampai sejak setelah
  sebelum saat ketika kalau kalo klo jika bila apabila agar supaya biar meski walau walaupun padahal bahwa yaitu
  yakni apa siapa kapan dimana mana kenapa mengapa bagaimana gimana gmn knp napa berapa tolong mohon minta harap
  harus perlu bisa dapat boleh ingin hendak pernah sering selalu masih lagi baru lama segera cepat lambat lambatnya
  sekali sangat banget bgt amat paling lebih kurang cukup terlalu hanya cuma saja aja pun lah kah dong donk sih deh
  kok kan nih tuh lho loh ya yah iya ok oke okay terima kasih terimakasih makasih trims thanks thx salam hormat
  selamat pagi siang sore malam assalamualaikum wassalamualaikum wassalam wr wb permisi maaf mohon maaf ttd tertanda
  ada tiada punya banyak sedikit semua seluruh setiap tiap beberapa para sang si orang warga masyarakat penduduk
  rakyat umum publik anak istri suami keluarga tetangga teman kawan ayah bunda nenek kakek cucu mertua paman bibi
  keponakan saudara kakak adik orangtua ortu bayi balita lansia pemuda remaja siswa murid mahasiswa pasien
  jalan jln rusak berlubang lubang banjir genangan air hujan sampah limbah bau asap debu macet lampu listrik mati
  padam rumah tanah sawah kebun sungai kali selokan got saluran drainase jembatan gorong pipa tiang kabel pohon
  tumbang roboh longsor retak jebol bocor kotor bersih aman rawan bahaya berbahaya parah berat ringan besar kecil
  tinggi rendah panjang pendek baik buruk jelek benar bener salah betul
  pelayanan layanan laporan lapor aduan pengaduan keluhan komplain kritik saran usul usulan informasi keterangan
  masalah kendala keluh tanggapan jawaban balasan respon respons tindak lanjut tindaklanjut penanganan perbaikan
  pembangunan proyek program bantuan bansos blt pkh bpnt sembako subsidi dana anggaran biaya pungli pungutan uang
  rupiah bayar membayar dibayar gratis mahal murah pajak retribusi tagihan iuran denda
  surat berkas dokumen syarat persyaratan formulir ktp kk akta sim stnk bpkb npwp nik paspor sertifikat izin ijin
  kartu nomor no alamat umur usia tanggal tgl bulan tahun hari minggu jam waktu kemarin besok lusa sekarang tadi
  nanti kini dulu senin selasa rabu kamis jumat jum'at sabtu ahad januari februari maret april mei juni juli
  agustus september oktober november desember pagi
  pemerintah pemkab pemda pemprov pemdes kabupaten kab kota provinsi kecamatan kec kelurahan kel desa ds dusun dsn
  dukuh rt rw wilayah daerah kantor balai dinas badan bagian bidang seksi unit upt uptd instansi lembaga kementerian
  dinsos dinkes disdik disdikbud dishub disnaker dukcapil disdukcapil dpmptsp bappeda bpbd bpkad bkd bpn bpjs pln
  pdam pupr dpu pu dlh pkk bpd lpmd lkmd karang taruna posyandu puskesmas pustu polindes rsud kua polsek polres
  koramil kodim satpol pp damkar samsat kejaksaan pengadilan dprd ormas lsm tim cs humas tu bumdes kopdes koperasi
  sekolah kelas guru kepala ketua anggota pengurus panitia petugas pegawai karyawan pekerja buruh kontraktor
  pihak oknum aparat pejabat pemilik pelaku korban saksi terlapor pelapor
  kota kawin hamil menyusui tangga rumah tangga mobil motor sepeda truk bus angkot ojek kendaraan parkir pasar toko
  warung kios pabrik gudang kandang ternak sapi kambing ayam anjing kucing tikus nyamuk ular
  buang membuang dibuang bakar membakar dibakar marah mabuk mabok suka tiba datang pergi pulang masuk keluar naik
  turun buka tutup bangun dibangun dibangunkan perbaiki diperbaiki memperbaiki tangani ditangani menangani urus
  diurus mengurus cek dicek periksa diperiksa tindak ditindak tindaklanjuti ditindaklanjuti proses diproses kirim
  dikirim terima diterima membantu bantu dibantu tanya bertanya jawab menjawab dijawab bilang kata katanya ucap
  bicara ngomong omong sampaikan disampaikan menyampaikan hubungi dihubungi menghubungi telepon telpon telp hp wa
  whatsapp sms email foto gambar video lokasi tempat titik sekitar dekat depan belakang samping sebelah utara
  selatan timur barat tengah pinggir ujung sini situ sana
  tinggal berada hilang rusak ditemukan menemukan lihat melihat dilihat tahu kenal ikut mengikuti lewat melewati
  pakai memakai dipakai ambil mengambil diambil beri memberi diberi kasih dikasih tunggu menunggu ditunggu daftar
  mendaftar didaftarkan ganti diganti mengganti hapus dihapus ubah diubah ganggu mengganggu terganggu
  sakit sehat meninggal wafat lahir nikah cerai pindah kerja bekerja sekolah belajar main jual beli jualan dagang
  mohon tolong segera secepatnya harap berharap semoga moga mudah mudahan amin aamiin sekian demikian
  membantu sangat puas kecewa senang sedih kesal takut ramah sopan kasar galak jutek cuek lambat lelet
  hebat mantap mantab keren baik jos top luar biasa
  sudah juga tetapi lalu kemudian terus trus trs lantas akhirnya ternyata memang emang mungkin barangkali sepertinya
  kayak kaya seperti seakan begitu begini gitu gini sendiri bersama bareng
  nama namanya nomor min mimin gan sob bro sis kakak yth kepada kpd hormat kos kost ojol driver ogah swastiastu
  pekerjaan lingkungan hidup kesehatan pendidikan sosial perhubungan kependudukan pencatatan sipil perumahan
  permukiman pertanian perikanan peternakan pariwisata kebudayaan olahraga perdagangan perindustrian tenaga
  ketenagakerjaan penanaman modal terpadu kominfo komunikasi informatika statistik pemberdayaan perempuan
  perlindungan pengendalian berencana kb ketahanan pangan kearsipan perpustakaan keuangan aset pendapatan
  kepegawaian inspektorat kesbangpol kebakaran penanggulangan bencana penataan ruang sumber daya bina marga cipta
  karya transmigrasi umum negara bangsa nasional umat ummat pengajian arisan jamaah jemaah nya bos boss juragan lur
  sedulur dulur suruh nyuruh nunggu ngomong nanggapi gelem ngerti saking kudu iso isa njaluk jaluk wong uwong tiyang
  rame sepi peteng padhang banter alon lunga teka mulih ndelok weruh krungu ngendika dhawuh cuman doang kek mah noh
  yg dg dgn tdk gk g dll dsb spt sbg jd jdi kl lg lgi sj bs bsa hrs msh skrg bln thn org orng rmh dpn blkg sblh dkt
  km kmi kt dah sdgkn pdhl mksh tlg mhn bgmn kakung kung uti
  niki niku nika menika punika kulo kula sampeyan panjenengan dalem njenengan nggih inggih enggih mboten boten ora
  ra wes uwis sampun dereng durung lan karo kaliyan neng nang teng wonten ono onten enten opo nopo napa piye pripun
  kepiye mergo merga amargi matur suwun nuwun sewu monggo mangga tulung nyuwun badhe arep ajeng sing ingkang iki
  kuwi iku kae dalan ratan dalane omah griya banyu toyo sawah deso rusak bosok bolong urip apik elek akeh kathah
  sithik sekedhik dhewe kabeh sedoyo sak wae mawon sanget tenan saestu lho to tho kok rak mbok yo ya gek gage
  cepet suwe sesuk wingi mau saiki mengko dino sasi taun tonggo tanggi bojo garwo anake lurahe
`);

/** Every word that never counts as a name word. */
const NON_NAME_WORDS = new Set([
  ...COMMON_WORDS, ...SPOKEN_FORMS, ...CAPITAL_FORMS, ...ABBREVIATED_FORMS, ...TITLES, ...PLACE_WORDS, ...BIN_WORDS,
]);

/** Suffixes stripped before the word list lookup ("rumahnya", "tolonglah"). */
const SUFFIXES = ['nya', 'lah', 'kah', 'pun', 'ku', 'mu', 'ne', 'e'];
/** Prefixes stripped before the word list lookup ("dibilang", "kepasar"), only where at least four letters remain. */
const PREFIXES = ['di', 'ke', 'se', 'ber', 'ter'];

/**
 * Words (letters, inner apostrophes and hyphens), numbers, and the
 * punctuation that the rules read. Other characters are skipped, but the
 * checks for spaces read the text between tokens, so a skipped character still
 * separates two tokens. A run of dots is one token ("..."), so a long run
 * costs one token.
 */
const TOKEN_RE = /(\p{L}[\p{L}\p{M}'’]*(?:-\p{L}[\p{L}\p{M}'’]*)*)|\p{N}+|\.+|[,:;/)]/gu;

/** A token; its text is sliced only when a rule reads it, because most tokens are never read. */
class Token {
  constructor(
    private readonly source: { text: string; lowerText: string },
    readonly start: number,
    readonly end: number,
    readonly isWord: boolean,
  ) {}

  get text(): string {
    return this.source.text.slice(this.start, this.end);
  }

  get lower(): string {
    return this.source.lowerText.slice(this.start, this.end);
  }
}

/** Options for reading name words from a token on. */
interface NameOptions {
  /** Whether the first name word may be lowercase. */
  lowercase: boolean;
  /** Whether the name must be followed by a comma, a full stop, a bracket, a line break or the end ("Pak Sekdes, Suwarno,"). */
  closed: boolean;
  /** Whether capitalised words that look like verbs are rejected too ("Saya Melaporkan …"). */
  strict?: boolean;
}

const MAX_NAME_WORDS = 4;
const MAX_WORDS_AFTER_BIN = 3;
/** Limits on forms of address and titles in a row, which keep each rule's work bounded ("Pak Bu Pak Bu …" reads 4 tokens, not all). */
const MAX_FORMS = 4;
const MAX_TITLES = 4;
const MAX_RT_NUMBERS = 3;

/** A text split into tokens, with the checks that the name rules share. */
class TokenScanner {
  readonly tokens: Token[] = [];

  readonly lowerText: string;

  constructor(readonly text: string) {
    // Lowercasing the whole text once is faster than per token. Where lowercasing changes lengths ("İ"),
    // only ASCII letters are lowercased, so token offsets stay valid.
    const lowerText = text.toLowerCase();
    this.lowerText = lowerText.length === text.length ? lowerText : text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    for (const match of text.matchAll(TOKEN_RE)) {
      this.tokens.push(new Token(this, match.index, match.index + match[0].length, match[1] !== undefined));
    }
  }

  /** Checks whether token `i` and the next one are separated by spaces or tabs only (no line break). */
  spaced(i: number): boolean {
    const next = this.tokens[i + 1];
    if (next === undefined || next.start === this.tokens[i].end) return false;
    for (let k = this.tokens[i].end; k < next.start; k++) {
      const code = this.text.charCodeAt(k);
      if (code !== 0x20 && code !== 0x09 && code !== 0xa0) return false;
    }
    return true;
  }

  /** Checks whether token `i` is directly followed by the next one. */
  attached(i: number): boolean {
    const next = this.tokens[i + 1];
    return next !== undefined && next.start === this.tokens[i].end;
  }

  is(i: number, text: string): boolean {
    return this.tokens[i]?.lower === text;
  }

  /** Checks whether the token at `i` is a one-letter initial with its dot ("S." in "Budi S. Santoso"). */
  isInitial(i: number): boolean {
    const token = this.tokens[i];
    return token.text.length === 1 && /\p{Lu}/u.test(token.text) && this.is(i + 1, '.') && this.attached(i);
  }
}

function isCapitalised(word: string): boolean {
  return /^\p{Lu}/u.test(word);
}

function isCommonWord(lower: string): boolean {
  if (NON_NAME_WORDS.has(lower)) return true;
  for (const suffix of SUFFIXES) {
    if (lower.length - suffix.length >= 3 && lower.endsWith(suffix) && NON_NAME_WORDS.has(lower.slice(0, -suffix.length))) return true;
  }
  for (const prefix of PREFIXES) {
    if (lower.length - prefix.length >= 4 && lower.startsWith(prefix) && NON_NAME_WORDS.has(lower.slice(prefix.length))) return true;
  }
  return false;
}

/** Indonesian verb forms ("melaporkan", "bertanya", "diperbaiki"), which are not names. */
const VERB_RE = /^(?:(?:mem|men|meng|meny|ber|ter)\p{L}{4,}|me[lrwy]\p{L}{3,}(?:kan|i)|di\p{L}{3,}(?:kan|i))$/u;

/**
 * Checks whether a word token may be part of a name: not a common word, not an
 * acronym, not a lowercase compound. Lowercase words, and capitalised words
 * when `strict` is set, are also rejected when they look like verbs.
 */
function isNameWord(token: Token, strict: boolean): boolean {
  const word = token.text;
  if (word.length < 2 || isCommonWord(token.lower)) return false;
  if ((strict || !isCapitalised(word)) && VERB_RE.test(token.lower)) return false;
  if (word.includes('-')) {
    const [first, second] = token.lower.split('-');
    // Reduplicated words ("tiba-tiba", "Ibu-ibu") and lowercase compounds are ordinary words.
    if (first === second || !isCapitalised(word) || isCommonWord(first)) return false;
  }
  // All-caps words of two letters or without a vowel are acronyms ("PU", "BPBD"), but "SRI" in an all-caps text is a name.
  if (word === word.toUpperCase() && (word.length <= 2 || !/[aeiou]/i.test(word))) return false;
  return true;
}

/**
 * Reads the name words from token `from` on and returns their span, or null
 * when there is none. After a capitalised first word only capitalised words
 * follow; "bin"/"binti" joins a father's name.
 */
function readName(scanner: TokenScanner, from: number, options: NameOptions): NameMatch | null {
  const { tokens } = scanner;
  let count = 0;
  let countAfterBin = -1;
  let firstCapitalised = false;
  let lastIndex = -1;
  let i = from;
  while (i < tokens.length && tokens[i].isWord) {
    const token = tokens[i];
    if (count > 0 && countAfterBin < 0 && BIN_WORDS.has(token.lower) && scanner.spaced(i) && isCapitalised(tokens[i + 1].text)) {
      countAfterBin = 0;
      i += 1;
      continue;
    }
    const initial = scanner.isInitial(i);
    if (!initial && !isNameWord(token, options.strict === true)) break;
    const capitalised = isCapitalised(token.text);
    if (count === 0) {
      if (!capitalised && !options.lowercase) break;
      firstCapitalised = capitalised;
    } else if (firstCapitalised && !capitalised) {
      break;
    }
    count += 1;
    if (countAfterBin >= 0) countAfterBin += 1;
    lastIndex = i;
    const end = initial ? i + 1 : i;
    if (countAfterBin >= MAX_WORDS_AFTER_BIN || (countAfterBin < 0 && count >= MAX_NAME_WORDS) || !scanner.spaced(end)) break;
    i = end + 1;
  }
  if (lastIndex < 0) return null;
  if (options.closed && !isClosed(scanner, scanner.isInitial(lastIndex) ? lastIndex + 1 : lastIndex)) return null;
  return { start: tokens[from].start, end: tokens[lastIndex].end };
}

/** Checks whether token `i` is the last of a phrase: followed by punctuation that closes it, a line break or the end. */
function isClosed(scanner: TokenScanner, i: number): boolean {
  const next = scanner.tokens[i + 1];
  if (next === undefined) return true;
  if (/^[,.;)]/.test(next.text)) return true;
  return scanner.text.slice(scanner.tokens[i].end, next.start).includes('\n');
}

/** Returns the index after a form of address at `i` (and its dot), or -1 when token `i` is not used as one. */
function afterAddressForm(scanner: TokenScanner, i: number): { next: number; lowercase: boolean } | -1 {
  const token = scanner.tokens[i];
  const lower = token.lower;
  if (ABBREVIATED_FORMS.has(lower)) {
    if (lower === 'h' && token.text !== 'H') return -1;
    const dotted = scanner.is(i + 1, '.') && scanner.attached(i);
    if (DOT_REQUIRED_FORMS.has(lower) && !dotted) return -1;
    const last = dotted ? i + 1 : i;
    // "Bp.Supriyadi": no space is needed after the dot.
    if (!scanner.spaced(last) && !(dotted && scanner.attached(last))) return -1;
    return { next: last + 1, lowercase: LOWERCASE_ABBREVIATED_FORMS.has(lower) };
  }
  const spoken = SPOKEN_FORMS.has(lower);
  if (!spoken && !CAPITAL_FORMS.has(lower)) return -1;
  if (lower === 'ning' && token.text !== 'Ning') return -1;
  // A full form followed by a dot ends a sentence ("Terima kasih Pak. Sangat membantu."), unless a letter follows at once ("Pak.Supriyadi").
  if (scanner.is(i + 1, '.') && scanner.attached(i)) {
    return scanner.attached(i + 1) && scanner.tokens[i + 2]?.isWord ? { next: i + 2, lowercase: false } : -1;
  }
  return scanner.spaced(i) ? { next: i + 1, lowercase: spoken } : -1;
}

/** Checks whether a form of address at `i` follows a place word ("Jl. Pak Ali", "Gang Pak Ali"). */
function followsPlaceWord(scanner: TokenScanner, i: number): boolean {
  let previous = i - 1;
  if (scanner.is(previous, '.') && scanner.attached(previous - 1)) previous -= 1;
  const token = scanner.tokens[previous];
  return token !== undefined && token.isWord && PLACE_WORDS.has(token.lower) && !scanner.text.slice(token.end, scanner.tokens[i].start).includes('\n');
}

/** Skips one title at `i` with its dot and an RT/RW number, and returns the index of its last token. */
function skipTitle(scanner: TokenScanner, i: number): number {
  const lower = scanner.tokens[i].lower;
  let last = i;
  if (ABBREVIATED_TITLES.has(lower) && scanner.is(i + 1, '.') && scanner.attached(i)) last = i + 1;
  if ((lower === 'rt' || lower === 'rw') && scanner.spaced(last) && /^\p{N}/u.test(scanner.tokens[last + 1]?.text ?? '')) {
    last += 1;
    // "RT 03/05"
    for (let n = 1; n < MAX_RT_NUMBERS && scanner.is(last + 1, '/') && /^\p{N}/u.test(scanner.tokens[last + 2]?.text ?? ''); n++) last += 2;
  }
  if (TITLE_HEADS.has(lower) && scanner.spaced(last) && TITLE_TAILS.has(scanner.tokens[last + 1]?.lower ?? '')) last += 1;
  return last;
}

/** Office words after which an agency name follows, not a person's ("Pak Kepala Dinas Pekerjaan Umum"). */
const AGENCY_TAILS = words('dinas badan bidang seksi bagian kantor unit');

function endsWithAgencyWord(scanner: TokenScanner, last: number): boolean {
  return scanner.tokens[last].isWord && AGENCY_TAILS.has(scanner.tokens[last].lower);
}

/** Finds a name after a form of address that starts at token `i`. */
function matchAfterAddress(scanner: TokenScanner, i: number): NameMatch | null {
  const { tokens } = scanner;
  let form = afterAddressForm(scanner, i);
  if (form === -1 || followsPlaceWord(scanner, i)) return null;

  // Further forms: "Bapak H. Ahmad", "Pak dhe Karto", "Bapak Ibu …".
  let j = form.next;
  for (let forms = 1; tokens[j]?.isWord; forms++) {
    if (forms > MAX_FORMS) return null;
    if ((tokens[j].lower === 'dhe' || tokens[j].lower === 'de') && (tokens[j - 1].lower === 'pak' || tokens[j - 1].lower === 'bu')) {
      if (!scanner.spaced(j)) return null;
      j += 1;
      continue;
    }
    const further = afterAddressForm(scanner, j);
    if (further === -1) break;
    // A repeated form is a plural ("ibu ibu pengajian", "Mas mas yang …").
    if (tokens[j].lower === tokens[j - 1].lower) return null;
    form = further;
    j = further.next;
  }

  // Titles stay visible: "Pak Lurah Budi", "Pak RT 03 Sukijan", "Bu Dr. Rina".
  // NOTE: a place after a regional title ("Pak Camat Jaten") is masked like a name, because nothing marks the difference.
  let afterTitle = false;
  for (let titles = 1; tokens[j]?.isWord && TITLES.has(tokens[j].lower); titles++) {
    if (titles > MAX_TITLES) return null;
    const last = skipTitle(scanner, j);
    if (endsWithAgencyWord(scanner, last)) return null;
    afterTitle = true;
    if (scanner.is(last + 1, ',') && scanner.spaced(last + 1)) return readName(scanner, last + 2, { lowercase: false, closed: true });
    if (!scanner.spaced(last) && !(last > j && scanner.attached(last))) return null;
    j = last + 1;
  }

  // Possessives: "ibu saya, Sumiyati," or "ibu saya Sumiyati".
  if (!afterTitle && tokens[j]?.isWord && POSSESSIVES.has(tokens[j].lower)) {
    if (scanner.is(j + 1, ',') && scanner.spaced(j + 1)) return readName(scanner, j + 2, { lowercase: false, closed: true });
    return scanner.spaced(j) ? readName(scanner, j + 1, { lowercase: false, closed: false }) : null;
  }

  if (j >= tokens.length) return null;
  return readName(scanner, j, { lowercase: form.lowercase, closed: false });
}

/** Position and form of the name after an introducer. */
interface Introducer {
  next: number;
  /** Whether the name may be lowercase. */
  lowercase: boolean;
  /** Whether the name must end the phrase (`NameOptions.closed`). */
  closed: boolean;
}

/** Sign-offs that put the writer's name after a comma, a colon or a line break ("Salam,\nBudi"). */
const SIGN_OFFS = words('salam wassalam wassalamualaikum ttd tertanda');

/** Checks whether token `i` starts its line. */
function startsLine(scanner: TokenScanner, i: number): boolean {
  const previous = scanner.tokens[i - 1];
  return previous === undefined || scanner.text.slice(previous.end, scanner.tokens[i].start).includes('\n');
}

/**
 * Returns the index of the first name token after the introducer that ends
 * at token `last`: after spaces, or after a comma, colon or dot and then
 * blank space that may hold a line break ("Hormat saya,\nBudi"). Without a
 * mark, a line break counts as a gap only where `lineBreakAllowed`. Returns
 * -1 when something else follows.
 */
function afterSignOff(scanner: TokenScanner, last: number, marks: string, lineBreakAllowed = false): number {
  const { tokens } = scanner;
  const mark = tokens[last + 1];
  if (mark !== undefined && !mark.isWord && marks.includes(mark.text)) {
    if (!/^[ \t]*$/.test(scanner.text.slice(tokens[last].end, mark.start))) return -1;
    const next = tokens[last + 2];
    return next !== undefined && /^\s+$/.test(scanner.text.slice(mark.end, next.start)) ? last + 2 : -1;
  }
  if (!lineBreakAllowed) return scanner.spaced(last) ? last + 1 : -1;
  const next = tokens[last + 1];
  return next !== undefined && next.start > tokens[last].end && /^\s+$/.test(scanner.text.slice(tokens[last].end, next.start)) ? last + 1 : -1;
}

/** Returns where the name after a phrase at `i` that introduces one starts, or -1. */
function afterIntroducer(scanner: TokenScanner, i: number): Introducer | -1 {
  const { tokens } = scanner;
  const lower = tokens[i].lower;
  const signedAs = (next: number, closed: boolean): Introducer | -1 => (next < 0 ? -1 : { next, lowercase: false, closed });
  // Sign-offs and report headers: "Hormat saya, Budi", "Pelapor: Budi", "Dilaporkan oleh Budi", "Salam,\nBudi", "ttd. Budi".
  if (lower === 'hormat' && scanner.spaced(i) && /^(saya|kami|sy)$/.test(tokens[i + 1]?.lower ?? '')) return signedAs(afterSignOff(scanner, i + 1, ',', true), false);
  // "Salam hormat,\nBudi" and "Terima kasih,\nBudi": a name on the line after the comma.
  const thanksOrRegards = (lower === 'hormat' && scanner.is(i - 1, 'salam')) || (lower === 'kasih' && scanner.is(i - 1, 'terima'));
  if (thanksOrRegards && scanner.is(i + 1, ',') && /\n/.test(scanner.text.slice(tokens[i + 1].end, tokens[i + 2]?.start ?? tokens[i + 1].end))) {
    return signedAs(i + 2, true);
  }
  if (/^(pelapor|pengadu|pemohon|pengirim)$/.test(lower) && scanner.is(i + 1, ':')) return signedAs(afterSignOff(scanner, i, ':'), false);
  if (lower === 'dilaporkan' && scanner.spaced(i) && scanner.is(i + 1, 'oleh')) return signedAs(afterSignOff(scanner, i + 1, ':'), false);
  // "Salam, Budi" and "ttd Budi" close the name, so that "Salam, Pagi ini …" keeps its words. A greeting
  // takes the name only after a comma or on the next line ("Salam Pancasila." is no signature).
  if (SIGN_OFFS.has(lower)) {
    if (lower === 'ttd' || lower === 'tertanda') return signedAs(afterSignOff(scanner, i, '.:,', true), true);
    if (scanner.is(i + 1, ',')) return signedAs(afterSignOff(scanner, i, ','), true);
    const lineAfter = tokens[i + 1];
    return lineAfter && /\n/.test(scanner.text.slice(tokens[i].end, lineAfter.start)) ? signedAs(i + 1, true) : -1;
  }
  // "Dari Budi Santoso, Baturan" at the start of a line; elsewhere "dari" names places ("warga dari Jaten").
  if (lower === 'dari' && startsLine(scanner, i) && scanner.spaced(i)) return { next: i + 1, lowercase: false, closed: true };
  // "Saya, Budi Santoso, mohon …"
  if (/^(saya|sy|aku)$/.test(lower) && scanner.is(i + 1, ',')) return signedAs(afterSignOff(scanner, i, ','), true);

  let last = -1;
  let lowercase = true;
  if (lower === 'namaku' || lower === 'namanya' || lower === 'bernama') last = i;
  else if (lower === 'nama' && scanner.spaced(i) && /^(saya|sy|aku|ku|lengkap|lengkapnya|pelapor|terlapor|pemohon)$/.test(tokens[i + 1]?.lower ?? '')) last = i + 1;
  else if (lower === 'nama' && scanner.is(i + 1, ':')) last = i;
  else if (lower === 'atas' && scanner.spaced(i) && scanner.is(i + 1, 'nama')) last = i + 1;
  else if (lower === 'a' && scanner.attached(i) && scanner.is(i + 1, '.') && scanner.is(i + 2, 'n') && scanner.is(i + 3, '.') && scanner.attached(i + 2)) last = i + 3;
  else if (lower === 'a' && scanner.attached(i) && scanner.is(i + 1, '/') && scanner.is(i + 2, 'n') && scanner.attached(i + 1)) last = i + 2;
  else if (/^(saya|sy|aku|kulo|kula)$/.test(lower)) {
    last = i;
    lowercase = false;
  }
  if (last < 0) return -1;
  // An optional colon: "Nama: Budi", "atas nama : Budi".
  const colon = tokens[last + 1]?.text === ':' ? last + 1 : -1;
  if (colon >= 0) {
    const gap = scanner.text.slice(tokens[last].end, tokens[colon].start);
    if (!/^[ \t]*$/.test(gap)) return -1;
    const afterColon = scanner.text.slice(tokens[colon].end, tokens[colon + 1]?.start ?? tokens[colon].end);
    return tokens[colon + 1] && /^[ \t]*$/.test(afterColon) ? { next: colon + 1, lowercase, closed: false } : -1;
  }
  return scanner.spaced(last) ? { next: last + 1, lowercase, closed: false } : -1;
}

/** Finds a name after "nama saya", "bernama", "atas nama", "a.n.", "Saya" or a sign-off at token `i`. */
function matchAfterIntroducer(scanner: TokenScanner, i: number): NameMatch | null {
  const introducer = afterIntroducer(scanner, i);
  if (introducer === -1) return null;
  // Where no lowercase name is taken, a capitalised verb is likely ("Saya Melaporkan").
  return readName(scanner, introducer.next, { lowercase: introducer.lowercase, closed: introducer.closed, strict: !introducer.lowercase });
}

/** Words that can start a rule. The scan skips all other tokens at the cost of one lookup. */
const RULE_STARTS = new Set([
  ...SPOKEN_FORMS, ...CAPITAL_FORMS, ...ABBREVIATED_FORMS,
  'namaku', 'namanya', 'bernama', 'nama', 'atas', 'a', 'saya', 'sy', 'aku', 'kulo', 'kula',
  'hormat', 'kasih', 'pelapor', 'pengadu', 'pemohon', 'pengirim', 'dilaporkan', 'dari', ...SIGN_OFFS,
]);
const LONGEST_RULE_START = Math.max(...[...RULE_STARTS].map((word) => word.length));

/**
 * Finds the spans of names in a text.
 *
 * @example findPersonNames('Rumah Pak Slamet Riyadi dekat balai desa') // [{ start: 10, end: 23 }]
 */
export function findPersonNames(text: string): NameMatch[] {
  const scanner = new TokenScanner(text);
  const spans: NameMatch[] = [];
  for (let i = 0; i < scanner.tokens.length; i++) {
    const token = scanner.tokens[i];
    if (!token.isWord || token.end - token.start > LONGEST_RULE_START || !RULE_STARTS.has(token.lower)) continue;
    const span = matchAfterAddress(scanner, i) ?? matchAfterIntroducer(scanner, i);
    if (span) spans.push(span);
  }
  return mergeSpans(spans);
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
 * the form of address and any title.
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
