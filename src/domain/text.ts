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
