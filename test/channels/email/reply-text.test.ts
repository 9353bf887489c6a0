import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { removeQuotedHistory, splitSignature } from '../../../src/channels/email/reply-text.ts';

const emailDir = fileURLToPath(new URL('../../fixtures/email/', import.meta.url));
const bodiesDir = emailDir + 'reply_bodies/';
const lorem = readFileSync(bodiesDir + 'crisp__email_german.txt', 'utf8').split('\n\n')[0];

/** What the citizen wrote in each crisp body, checked by hand, and the signature split off it. */
const expectedBodies: Record<string, { body: string; signature: string }> = {
  'crisp__email_1.txt': {
    body: 'Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\nrunning a test?\nI am currently using the Java HTTP API.',
    signature: '-Abhishek Kona\n\n\n__\nriak-users mailing list\nriak-users@lists.basho.com\nhttp://lists.basho.com/mailman/listinfo/riak-users_lists.basho.com',
  },
  'crisp__email_blackberry.txt': { body: 'Here is another email', signature: 'Sent from my BlackBerry' },
  'crisp__email_french_2.txt': { body: lorem, signature: '' },
  'crisp__email_german.txt': { body: lorem, signature: '' },
  'crisp__email_gmail_split_line_from.txt': { body: lorem, signature: '' },
  'crisp__email_ios_outlook.txt': { body: lorem, signature: 'Get Outlook for iOS<https://aka.ms/o0ukef>' },
  'crisp__email_iphone.txt': { body: 'Here is another email', signature: 'Sent from my iPhone' },
  'crisp__email_original_message.txt': { body: lorem, signature: '' },
  'crisp__email_outlook_split_line_from.txt': { body: lorem, signature: '' },
  'crisp__email_portuguese.txt': { body: lorem, signature: '' },
  'crisp__email_sent_from.txt': {
    body: 'Hi it can happen to any texts you type, as long as you type in between words or paragraphs.',
    signature: 'Sent from TypeApp<http://www.typeapp.com/r?b=2621>',
  },
  'crisp__email_thread.txt': { body: 'This is new email reply in thread from bellow.', signature: '' },
  // Forwarded content is kept by default: a forwarded mail is what the citizen reports.
  'crisp__email_tricky_17_forward_header.txt': {
    body: readFileSync(bodiesDir + 'crisp__email_tricky_17_forward_header.txt', 'utf8').trim(),
    signature: '',
  },
  'crisp__email_tricky_18_inline_reply.txt': {
    body: 'I think option A is great.\n\nOption B has some drawbacks.\n\nOption C is not suitable for our use case.',
    signature: '',
  },
  'crisp__email_tricky_1_on_false_positive.txt': {
    body: readFileSync(bodiesDir + 'crisp__email_tricky_1_on_false_positive.txt', 'utf8').trim(),
    signature: '',
  },
  'crisp__email_tricky_5_mixed_languages.txt': { body: lorem, signature: '' },
  'crisp__email_tricky_9_nested_quotes.txt': { body: 'I agree with the points below.', signature: '' },
  'crisp__email_with_regards.txt': { body: 'Hi, \n\nI still have the same problem....\n\nCan you help?', signature: 'Regards,\n\nJohn Doe\nCEO @ Acme !' },
};

function split(text: string): { body: string; signature: string } {
  return splitSignature(removeQuotedHistory(text).body);
}

describe('removeQuotedHistory and splitSignature', () => {
  it('split every crisp reply body as checked by hand', () => {
    const files = readdirSync(bodiesDir).sort();
    const withExpectation = [...Object.keys(expectedBodies), 'crisp__email_2.txt'].sort();
    assert.deepEqual(files, withExpectation, 'every reply body has an expectation');
    for (const [file, want] of Object.entries(expectedBodies)) {
      assert.deepEqual(split(readFileSync(bodiesDir + file, 'utf8')), want, file);
    }
  });

  it('keeps text written below a quote', () => {
    const { body, signature } = split(readFileSync(bodiesDir + 'crisp__email_2.txt', 'utf8'));
    assert.ok(body.startsWith('Hi,\n\nYou can list the keys for the bucket'));
    assert.ok(body.endsWith('you’ll need to delete them all individually."'));
    assert.doesNotMatch(body, /^>/m);
    assert.doesNotMatch(body, /Abhishek Kona wrote/);
    assert.ok(signature.startsWith('__\nriak-users mailing list'));
  });

  it('drops forwarded content on request', () => {
    const text = readFileSync(bodiesDir + 'crisp__email_tricky_17_forward_header.txt', 'utf8');
    assert.equal(removeQuotedHistory(text, { keepForwarded: false }).body, 'See the forwarded message below.');
  });

  it('matches the talon expectations', async () => {
    for (const client of ['iphone', 'sparrow']) {
      const parsed = await simpleParser(readFileSync(`${emailDir}talon__tests_fixtures_standard_replies_${client}.eml`));
      const expected = readFileSync(`${emailDir}talon__tests_fixtures_standard_replies_${client}_reply_text.txt`, 'utf8');
      assert.equal(removeQuotedHistory(parsed.text ?? '').body.trimEnd(), expected.trimEnd(), client);
    }
  });

  it('strips the Indonesian Gmail quote header', () => {
    const text = [
      'Selamat siang, lampunya masih mati sampai sekarang.',
      '',
      'Pada Sen, 2 Mar 2026 pukul 10.15, Aduan Karanganyar <aduan@karanganyarkab.go.id>',
      'menulis:',
      '',
      '> Yth. Bapak/Ibu, laporan Anda sedang ditindaklanjuti oleh DPUPR.',
      '>',
      '> Salam,',
      '> Admin Aduan',
    ].join('\n');
    const result = removeQuotedHistory(text);
    assert.equal(result.body, 'Selamat siang, lampunya masih mati sampai sekarang.');
    assert.match(result.quoted, /^Pada Sen, 2 Mar 2026/);
  });

  it('strips Indonesian Yahoo and Outlook history', () => {
    const yahoo = 'Sudah diperbaiki, terima kasih.\n\nPada Senin, 2 Maret 2026 10.15.22 WIB, Admin Aduan <aduan@karanganyarkab.go.id> menulis:\n\n\nLaporan Anda sudah diteruskan.';
    assert.equal(removeQuotedHistory(yahoo).body, 'Sudah diperbaiki, terima kasih.');
    const outlook = [
      'Mohon dicek kembali.',
      '',
      '________________________________',
      'Dari: Aduan Karanganyar <aduan@karanganyarkab.go.id>',
      'Dikirim: Senin, 02 Maret 2026 10:15',
      'Kepada: warga@contoh.id',
      'Subjek: Tanggapan aduan ADU-2026-0001',
      '',
      'Laporan Anda sudah selesai.',
    ].join('\n');
    const result = removeQuotedHistory(outlook);
    assert.equal(result.body, 'Mohon dicek kembali.');
    assert.match(result.quoted, /^_{32}\nDari:/);
  });

  it('strips the Pesan Asli separator', () => {
    const text = 'Terima kasih atas tanggapannya.\n\n-----Pesan Asli-----\nDari: aduan@karanganyarkab.go.id\nLaporan sudah kami terima.';
    assert.equal(removeQuotedHistory(text).body, 'Terima kasih atas tanggapannya.');
  });

  it('keeps a text that is all quote', () => {
    const text = '> hanya kutipan\n> tanpa balasan';
    assert.deepEqual(removeQuotedHistory(text), { body: text, quoted: '' });
  });

  it('splits an Indonesian signature with a phone', () => {
    const result = splitSignature('Lampu jalan di depan SD mati sejak Senin.\n\nTerima kasih,\nBudi\nHP 0812 3456 7890');
    assert.equal(result.body, 'Lampu jalan di depan SD mati sejak Senin.');
    assert.equal(result.signature, 'Terima kasih,\nBudi\nHP 0812 3456 7890');
    const mobile = splitSignature('Jalan rusak.\n\nDikirim dari Yahoo Mail di Android');
    assert.equal(mobile.signature, 'Dikirim dari Yahoo Mail di Android');
  });

  it('keeps a closing word inside the message', () => {
    const text = 'Terima kasih\natas perhatiannya, tetapi jalan di depan pasar masih berlubang dan sangat membahayakan pengendara motor setiap malam.';
    assert.deepEqual(splitSignature(text), { body: text, signature: '' });
  });
});
