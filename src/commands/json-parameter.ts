/**
 * Serialises rows for `jsonb_to_recordset` parameters. JSON.stringify writes
 * a lone UTF-16 surrogate as a `\ud800`-style escape, which PostgreSQL's
 * jsonb rejects, while a plain text parameter would have stored U+FFFD for
 * it (node-postgres encodes strings as UTF-8). Replacing lone surrogates with
 * U+FFFD first keeps both paths storing the same text.
 */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function jsonParameter(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? item.replace(LONE_SURROGATE_RE, '\uFFFD') : item));
}
