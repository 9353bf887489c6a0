/**
 * Splits the plain text of an e-mail reply into what the citizen wrote,
 * the quoted history, and the signature.
 *
 * Quoted history is recognised by:
 * - a quote header ending in a "wrote" verb, over up to three lines:
 *   "On … wrote:", Indonesian "Pada … menulis:", "Am … schrieb …:",
 *   "Le … a écrit :", "Em … escreveu:", "El … escribió:", Russian "… написал:";
 * - separators "-----Original Message-----", "-----Pesan Asli-----" and the like;
 * - Outlook header blocks "From: … Sent: … To: … Subject: …" (also "Dari: … Dikirim: … Kepada: …");
 * - lines starting with ">".
 * A quote header followed by ">" lines removes only that block, so text
 * written below or between quotes (bottom posting, inline replies) is kept.
 * Any other quote start removes everything after it.
 */

/** Verbs that end a quote header, in the languages our citizens' mail clients use. */
const quoteVerbRe = /(?<!\p{L})(wrote|writes|menulis|schrieb|a écrit|escreveu|escribió|schreef|ha scritto|skrev|kirjoitti|napisał|написал|написала)(?!\p{L})/iu;
/** Start of a quote header line: a preposition before the date, or the date itself. */
const quoteHeaderStartRe = /^(?:-{1,5}\s*)?(?:On|Pada|Am|Le|Em|El|Op|Il|Den|W dniu|\d)/i;
const originalMessageRe =
  /^\s*-{2,}\s*(?:original message|pesan asli|pesan awal|mensaje original|message d'origine|ursprüngliche nachricht|oorspronkelijk bericht|messaggio originale)\s*-{2,}\s*$/i;
const forwardedMessageRe =
  /^\s*(?:-{2,}\s*(?:forwarded message|pesan terusan|pesan yang diteruskan|mensaje reenviado|message transféré|weitergeleitete nachricht|doorgestuurd bericht)\s*-{2,}|begin forwarded message:|awal pesan yang diteruskan:)\s*$/i;
const outlookFromRe = /^\s*\*?(?:From|Dari|De|Von|Van|Da)\s*:\*?\s*\S/i;
const outlookSentRe = /^\s*\*?(?:Sent|Date|Dikirim|Terkirim|Tanggal|Waktu|Envoyé|Gesendet|Enviado|Verzonden|Inviato)\s*:/i;
const outlookToRe = /^\s*\*?(?:To|Kepada|Ke|Subject|Subjek|Perihal|Cc|À|An|Para|Aan|A)\s*:/i;
/** A horizontal rule such as Outlook's "________________________________". */
const ruleLineRe = /^\s*[_=-]{8,}\s*$/;

/** Maximum length of a quote header joined from several lines, in characters. */
const MAX_QUOTE_HEADER_LENGTH = 400;

export interface QuoteSplit {
  /** The text written in this message. */
  body: string;
  /** The removed history, in original order; '' when nothing was removed. */
  quoted: string;
}

export interface QuoteOptions {
  /**
   * Keep text after a "Forwarded message" separator. On by default: a citizen
   * who forwards a mail means the forwarded content as the report.
   */
  keepForwarded?: boolean;
}

/**
 * Removes quoted history from a reply. Never returns an empty body for a
 * non-empty text: when everything looks quoted, the whole text is kept.
 *
 * @example
 *   removeQuotedHistory('Sudah diperbaiki, terima kasih.\n\nPada Sen, 2 Mar 2026 pukul 10.15, Admin <aduan@karanganyarkab.go.id> menulis:\n> Laporan Anda sedang diproses.')
 *   // { body: 'Sudah diperbaiki, terima kasih.', quoted: 'Pada Sen, 2 Mar 2026 …' }
 */
export function removeQuotedHistory(text: string, options: QuoteOptions = {}): QuoteSplit {
  const keepForwarded = options.keepForwarded ?? true;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  const quoted: string[] = [];

  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (keepForwarded && forwardedMessageRe.test(line)) {
      // Forwarded content is what the citizen wants us to read, headers included.
      kept.push(...lines.slice(index));
      break;
    }
    const isTerminal =
      originalMessageRe.test(line) ||
      forwardedMessageRe.test(line) ||
      isOutlookHeaderBlock(lines, index) ||
      (ruleLineRe.test(line) && isOutlookHeaderBlock(lines, index + 1));
    if (isTerminal) {
      moveTrailingRule(kept, quoted);
      quoted.push(...lines.slice(index));
      break;
    }

    const headerLength = quoteHeaderLength(lines, index);
    if (headerLength > 0) {
      let next = index + headerLength;
      while (next < lines.length && lines[next].trim() === '') next++;
      if (next < lines.length && isQuotedLine(lines[next])) {
        quoted.push(...lines.slice(index, next));
        index = next;
        continue;
      }
      // The history follows without ">" markers (Outlook mobile, many webmails): it runs to the end.
      quoted.push(...lines.slice(index));
      break;
    }

    if (isQuotedLine(line)) quoted.push(line);
    else kept.push(line);
    index++;
  }

  if (quoted.length === 0) return { body: trimBlankLines(lines.join('\n')), quoted: '' };
  // Removing quote blocks leaves the blank lines around them; keep one.
  const body = trimBlankLines(kept.join('\n').replace(/\n[ \t]*\n(?:[ \t]*\n)+/g, '\n\n'));
  if (body.trim() === '') return { body: trimBlankLines(lines.join('\n')), quoted: '' };
  return { body, quoted: trimBlankLines(quoted.join('\n')) };
}

export interface SignatureSplit {
  body: string;
  /** The signature block, '' when none was found. */
  signature: string;
}

/** RFC 3676 delimiter "-- " and the "--" or "__" people type instead. */
const signatureDelimiterRe = /^(?:-- ?|--|__+)\s*$/;
/** Lines mail apps append: "Sent from my iPhone", "Dikirim dari Yahoo Mail di Android". */
const mobileSignatureRe =
  /^\s*(?:sent from my|sent from|sent with|get outlook for|dikirim dari|terkirim dari|diketik dari|enviado desde|envoyé de|von meinem|gesendet von)\b/i;
/** A closing line on its own, optionally followed by name, title, phone. */
const valedictionRe =
  /^\s*(?:regards|best regards|kind regards|warm regards|best wishes|best|thanks|thank you|many thanks|cheers|sincerely|salam|salam hormat|hormat saya|hormat kami|terima ?kasih|trims|makasih|wassalam\S*|wassalamu'?alaikum.*)\s*[,.!]*\s*$/i;
/** "-Budi" style sign-off. */
const dashNameRe = /^-[\p{L}][\p{L} .'-]{0,40}$/u;

/** At most this many non-blank lines may follow a valediction or sign-off for it to start a signature. */
const MAX_SIGNATURE_LINES = 6;
/** Signature lines are short; a longer line means the closing word was part of the message. */
const MAX_SIGNATURE_LINE_LENGTH = 72;

/**
 * Splits a signature block off the end of a message body. The signature is
 * returned, not dropped, because it often contains a phone number or address.
 *
 * @example
 *   splitSignature('Lampu jalan mati sejak Senin.\n\nSalam,\nBudi\n0812 3456 7890')
 *   // { body: 'Lampu jalan mati sejak Senin.', signature: 'Salam,\nBudi\n0812 3456 7890' }
 */
export function splitSignature(body: string): SignatureSplit {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const start = findSignatureStart(lines);
  if (start === undefined) return { body, signature: '' };
  const before = trimBlankLines(lines.slice(0, start).join('\n'));
  if (before.trim() === '') return { body, signature: '' };
  return { body: before, signature: trimBlankLines(lines.slice(start).join('\n')) };
}

function findSignatureStart(lines: string[]): number | undefined {
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index];
    const after = lines.slice(index + 1).filter((rest) => rest.trim() !== '');
    if (signatureDelimiterRe.test(line)) return index;
    if (mobileSignatureRe.test(line) && after.length <= 2) return index;
    const isClosing = valedictionRe.test(line) || dashNameRe.test(line.trim());
    if (isClosing && after.length <= MAX_SIGNATURE_LINES && after.every((rest) => rest.trim().length <= MAX_SIGNATURE_LINE_LENGTH)) {
      return index;
    }
  }
  return undefined;
}

function isQuotedLine(line: string): boolean {
  return /^\s{0,3}>/.test(line);
}

/** Number of lines (1–3) that form a quote header starting at `index`, or 0. */
function quoteHeaderLength(lines: string[], index: number): number {
  if (!quoteHeaderStartRe.test(lines[index].trim())) return 0;
  for (let length = 1; length <= 3 && index + length <= lines.length; length++) {
    const last = lines[index + length - 1];
    if (length > 1 && last.trim() === '') return 0;
    const joined = lines
      .slice(index, index + length)
      .map((line) => line.trim())
      .join(' ');
    if (joined.length > MAX_QUOTE_HEADER_LENGTH) return 0;
    if (/:\s*$/.test(joined) && quoteVerbRe.test(joined) && /[\d@]/.test(joined)) return length;
  }
  return 0;
}

/** Returns true at an Outlook-style header block: From, then Sent or Date within 4 lines, and a To or Subject line. */
function isOutlookHeaderBlock(lines: string[], index: number): boolean {
  if (index >= lines.length || !outlookFromRe.test(lines[index])) return false;
  const window = lines.slice(index + 1, index + 7);
  const sentAt = window.slice(0, 4).findIndex((line) => outlookSentRe.test(line));
  if (sentAt < 0) return false;
  return window.slice(sentAt + 1).some((line) => outlookToRe.test(line)) || window.slice(0, sentAt).some((line) => outlookToRe.test(line));
}

/** Moves a trailing horizontal rule (and blank lines) from the kept text to the quote it introduces. */
function moveTrailingRule(kept: string[], quoted: string[]): void {
  let end = kept.length;
  while (end > 0 && kept[end - 1].trim() === '') end--;
  if (end > 0 && ruleLineRe.test(kept[end - 1])) {
    quoted.unshift(...kept.splice(end - 1));
  }
}

function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
}
