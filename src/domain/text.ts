/**
 * Cleans free text before it is stored: PostgreSQL text cannot hold the NUL
 * character, and other C0 control characters (except tab and line breaks)
 * only hide content, so both are removed.
 *
 * Example: cleanText('jalan\u0000 rusak') // → 'jalan rusak'
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function cleanText(value: string): string {
  return value.replace(CONTROL_CHARS_RE, '');
}

/** Characters a name may have: of an agency, a category or a user. */
export const MAX_NAME_CHARS = 200;

const SURROGATE_PAIR_RE = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/**
 * Length of a text in characters (Unicode code points), the unit of every
 * length limit shown to users. JavaScript's `length` counts UTF-16 units,
 * so an emoji would count twice and a message full of them would be
 * refused at half its limit.
 *
 * Example: textLength('jalan 🙏') // → 7
 */
export function textLength(value: string): number {
  const pairs = value.match(SURROGATE_PAIR_RE);
  return value.length - (pairs ? pairs.length : 0);
}

/**
 * Counts the characters of a text that a reader sees: without invisible
 * format characters (zero-width spaces, direction marks) and surrounding
 * white space. A minimum length is checked against this count.
 *
 * Example: visibleLength(' ok\u200B ') // → 2
 */
export function visibleLength(value: string): number {
  return textLength(value.replace(/\p{Cf}/gu, '').trim());
}

/** Cuts a text to at most `max` characters (code points), never inside a surrogate pair. */
export function truncateText(value: string, max: number): string {
  if (textLength(value) <= max) return value;
  let units = 0;
  let characters = 0;
  for (const char of value) {
    if (characters === max) break;
    units += char.length;
    characters += 1;
  }
  return value.slice(0, units);
}
