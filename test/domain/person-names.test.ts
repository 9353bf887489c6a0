/** Names of people in free text, masked on public pages; the examples are made up. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findPersonNames, maskPersonNames, NAME_MASK } from '../../src/domain/person-names.ts';

const MASK = NAME_MASK;

describe('person names', () => {
  const masked: [string, string][] = [
    ['Rumah Pak Slamet Riyadi dekat balai desa rusak', `Rumah Pak ${MASK} dekat balai desa rusak`],
    ['Nama saya Sri Wahyuni warga RT 03', `Nama saya ${MASK} warga RT 03`],
    ['nama saya budi santoso dari desa Jaten', `nama saya ${MASK} dari desa Jaten`],
    ['atas nama: Joko Susilo, alamat Jl. Lawu', `atas nama: ${MASK}, alamat Jl. Lawu`],
    ['a.n. Siti Aminah belum terima bantuan', `a.n. ${MASK} belum terima bantuan`],
    ['Sdr. Bambang dan Mbak Rina sudah dihubungi', `Sdr. ${MASK} dan Mbak ${MASK} sudah dihubungi`],
    ['Alm. Suparman meninggal, KK belum diubah', `Alm. ${MASK} meninggal, KK belum diubah`],
    ['matur suwun Mas Ahmad', `matur suwun Mas ${MASK}`],
    // Lowercase names after a spoken form of address.
    ['tolong pak slamet jalan rusak', `tolong pak ${MASK} jalan rusak`],
    ['sudah bilang ke mas joko tapi diam', `sudah bilang ke mas ${MASK} tapi diam`],
    ['bpk darmo tidak mau pindah', `bpk ${MASK} tidak mau pindah`],
    ['bu sumarni yg jualan', `bu ${MASK} yg jualan`],
    ['pak kades sugeng ora gelem nanggapi', `pak kades ${MASK} ora gelem nanggapi`],
    // Titles stay, the name after them is masked.
    ['Pak Lurah Budi Santoso tidak datang', `Pak Lurah ${MASK} tidak datang`],
    ['Bu Camat Sri Wahyuni sudah tahu', `Bu Camat ${MASK} sudah tahu`],
    ['lapor ke Pak RT Sukijan', `lapor ke Pak RT ${MASK}`],
    ['lapor ke Pak RT 03 Sukijan', `lapor ke Pak RT 03 ${MASK}`],
    ['Pak Guru Yanto sering absen', `Pak Guru ${MASK} sering absen`],
    ['Pak Polisi Bambang minta uang', `Pak Polisi ${MASK} minta uang`],
    ['Pak Kyai Abdullah sudah dihubungi', `Pak Kyai ${MASK} sudah dihubungi`],
    ['diperiksa Bu Dr. Rina kemarin', `diperiksa Bu Dr. ${MASK} kemarin`],
    ['Pak Kades Suparno belum jawab', `Pak Kades ${MASK} belum jawab`],
    ['Bu Bidan Sumarni ramah sekali', `Bu Bidan ${MASK} ramah sekali`],
    ['Pak Kepala Desa Budi tidak ada', `Pak Kepala Desa ${MASK} tidak ada`],
    ['pak rt 05 rw 02 joko marah', `pak rt 05 rw 02 ${MASK} marah`],
    ['Pak Prof. Dr. Ir. Harjono', `Pak Prof. Dr. Ir. ${MASK}`],
    ['Bu Hj. Siti Aminah', `Bu Hj. ${MASK}`],
    // Other forms of address.
    ['Ny. Sumarni belum dapat BLT', `Ny. ${MASK} belum dapat BLT`],
    ['Tn. Hartono pindah', `Tn. ${MASK} pindah`],
    ['H. Ahmad Dahlan punya tanah itu', `H. ${MASK} punya tanah itu`],
    ['periksa ke dr. Rina', `periksa ke dr. ${MASK}`],
    ['Mbok Sarmi jualan di situ', `Mbok ${MASK} jualan di situ`],
    ['Kang Darmo dan Den Bagus', `Kang ${MASK} dan Den ${MASK}`],
    ['rumah Pakdhe Karto bocor', `rumah Pakdhe ${MASK} bocor`],
    ['Bude Tini dan Bulik Sri', `Bude ${MASK} dan Bulik ${MASK}`],
    ['Paklik Harjo sakit', `Paklik ${MASK} sakit`],
    ['Pak dhe Karto sakit', `Pak dhe ${MASK} sakit`],
    // No space after an abbreviation.
    ['Bp.Supriyadi belum bayar', `Bp.${MASK} belum bayar`],
    ['Pak.Supriyadi belum bayar', `Pak.${MASK} belum bayar`],
    // Names set off by commas.
    ['Pak Sekdes, Suwarno, tidak ramah', `Pak Sekdes, ${MASK}, tidak ramah`],
    ['ibu saya, Sumiyati, belum dapat', `ibu saya, ${MASK}, belum dapat`],
    // Long names and bin/binti.
    ['Bapak Slamet Riyadi Hadi Kusumo warga RT 02', `Bapak ${MASK} warga RT 02`],
    ['Mbak Nur Aini binti Ahmad belum dapat', `Mbak ${MASK} belum dapat`],
    ['Pak Ahmad bin Abdullah meninggal', `Pak ${MASK} meninggal`],
    // Self-introductions.
    ['Nama: Budi Santoso', `Nama: ${MASK}`],
    ['nama sy eko prasetyo warga desa', `nama sy ${MASK} warga desa`],
    ['kulo Sutarno saking dusun Krajan', `kulo ${MASK} saking dusun Krajan`],
    ['Saya Budi Santoso warga Jaten', `Saya ${MASK} warga Jaten`],
    ['Nama Pelapor : Sri Lestari', `Nama Pelapor : ${MASK}`],
    // Introducers take only name words.
    ['Oknum bernama Agus tiba-tiba marah', `Oknum bernama ${MASK} tiba-tiba marah`],
    ['namanya Joko suka mabuk', `namanya ${MASK} suka mabuk`],
    // All-caps text.
    ['PAK BAMBANG DAN BU SRI BUANG SAMPAH KE SUNGAI', `PAK ${MASK} DAN BU ${MASK} BUANG SAMPAH KE SUNGAI`],
    // Sign-offs and report headers.
    ['Mohon segera diperbaiki. Hormat saya, Slamet Riyadi', `Mohon segera diperbaiki. Hormat saya, ${MASK}`],
    ['Mohon segera diperbaiki.\nHormat saya,\nSlamet Riyadi', `Mohon segera diperbaiki.\nHormat saya,\n${MASK}`],
    ['Pelapor: Slamet Riyadi\nLokasi: Jaten', `Pelapor: ${MASK}\nLokasi: Jaten`],
    ['Dilaporkan oleh: Slamet Riyadi', `Dilaporkan oleh: ${MASK}`],
    ['Dilaporkan oleh Slamet Riyadi, warga Baturan', `Dilaporkan oleh ${MASK}, warga Baturan`],
    ['Terima kasih.\nSalam, Slamet Riyadi', `Terima kasih.\nSalam, ${MASK}`],
    ['Wassalam,\nSlamet Riyadi', `Wassalam,\n${MASK}`],
    ['ttd Slamet Riyadi', `ttd ${MASK}`],
    ['ttd. Slamet Riyadi', `ttd. ${MASK}`],
    ['Dari Slamet Riyadi, Baturan', `Dari ${MASK}, Baturan`],
    ['Saya, Slamet Riyadi, mohon jalan diperbaiki', `Saya, ${MASK}, mohon jalan diperbaiki`],
    ['Mohon dibantu.\nSalam hormat,\nDarmanto Wiyono', `Mohon dibantu.\nSalam hormat,\n${MASK}`],
    ['Mohon dibantu.\nTerima kasih,\nDarmanto Wiyono', `Mohon dibantu.\nTerima kasih,\n${MASK}`],
    ['Tertanda,\nDarmanto Wiyono', `Tertanda,\n${MASK}`],
    ['Hormat saya\nDarmanto Wiyono', `Hormat saya\n${MASK}`],
    ['Salam\nDarmanto Wiyono', `Salam\n${MASK}`],
    ['Pengirim: Darmanto Wiyono', `Pengirim: ${MASK}`],
  ];
  for (const [text, expected] of masked) {
    test(`masks: ${text}`, () => {
      assert.equal(maskPersonNames(text), expected);
    });
  }

  const kept = [
    'Mohon Pak Lurah segera menindaklanjuti',
    'sudah lapor ke Bu Camat tapi belum ada jawaban',
    'pak min tolong jalan rusak parah',
    'Terima kasih Pak, sudah diperbaiki',
    'Mas Admin, lampu PJU mati',
    'nama saya tidak mau disebut',
    'jln rusak parah min, tolong dong',
    // Sentence ends.
    'Terimakasih Pak. Sangat Membantu.',
    'Sudah lapor ke Bu. Belum ada jawaban.',
    // Capitalised ordinary words.
    'Laporan Ibu Sudah Kami Terima',
    'Terima Kasih Pak Camat Atas Bantuannya',
    'SAYA SANGAT KECEWA DENGAN PELAYANAN',
    'Saya Melaporkan Jalan Rusak',
    'pak menanyakan kapan diperbaiki',
    'Kepada Yth. Bapak Wali Kota',
    // Introducers followed by ordinary words.
    'atas nama pemerintah desa kami minta maaf',
    'KTP a.n. istri saya hilang',
    'atas nama warga RT 05',
    // Place names.
    'Jl. Pak Ali rusak',
    'Gang Pak Ali banjir',
    'Jalan Mas Said berlubang',
    'Jl. Haji Agus Salim macet',
    'Jembatan Mbah Suro retak',
    'Makam Mbah Mangun kotor',
    'Dusun Mbah Rejo gelap',
    'Pasar Bu Sri becek',
    'Taman Bu Kasur kotor',
    // Javanese "ning" means "in" or "at".
    'dalan ning Ngargoyoso rusak',
    // Agencies and groups.
    'Terima kasih Bapak Ibu Dinas Kesehatan',
    'Pak Dinas PU tolong ditangani',
    'Bapak Sekretaris Daerah',
    'Kepada Bapak Kepala Dinas Pekerjaan Umum',
    'Ibu-ibu PKK Desa Jaten',
    'Mbak-mbak CS kurang ramah',
    'Yth. Bapak/Ibu. Tim Dinas Lingkungan Hidup',
    // Ordinary compounds.
    'Ibu Kota pindah',
    'Mas Kawin dibayar',
    'ibu hamil belum dapat vitamin',
    'ibu ibu pengajian protes',
    'sama pak dukuh dibilang suruh nunggu',
    'dilayani mbak nya ramah',
    'Ibu Negara datang',
    // Sign-off words followed by ordinary words or places.
    'Salam, Pagi ini jalan banjir lagi',
    'Hormat saya kepada petugas',
    'warga dari Jaten, mohon dibantu',
    'Dari Jalan Lawu sampai pasar gelap',
    'Saya, sebagai warga, kecewa',
    'Salam sehat untuk semua petugas',
    'pelapor tidak mau disebut',
    'Salam Pancasila.',
    'Salam Sejahtera!',
    'Terima kasih, Semoga cepat ditangani',
    'Terima kasih,\nSemoga cepat ditangani',
  ];
  for (const text of kept) {
    test(`keeps: ${text}`, () => {
      assert.deepEqual(findPersonNames(text), []);
      assert.equal(maskPersonNames(text), text);
    });
  }

  test('spans point at the name only', () => {
    const text = 'Rumah Bu Endang Lestari';
    const [span] = findPersonNames(text);
    assert.equal(text.slice(span.start, span.end), 'Endang Lestari');
  });

  test('masks 1 MB of text', () => {
    // Not timed, because timings vary between machines. The input repeats masked and kept phrases and a 2,000-letter word.
    const chunk = 'Pak Lurah Budi Santoso, nama saya sri dan a.n. Joko. Jl. Pak Ali rusak '.repeat(50) + 'x'.repeat(2000) + ' ';
    const text = chunk.repeat(Math.ceil(1_000_000 / chunk.length));
    const output = maskPersonNames(text);
    assert.ok(text.length >= 1_000_000);
    assert.equal(output.split(MASK).length - 1, 3 * 50 * Math.ceil(1_000_000 / chunk.length));
  });

  test('masks 1 MB of forms', () => {
    // Every word starts a rule, so a rule that read on to the end of the text would take hours here.
    const text = 'Pak Bu '.repeat(150_000);
    assert.equal(maskPersonNames(text), text);
  });
});
