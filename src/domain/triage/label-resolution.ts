/**
 * Resolution of a group label to the unit named by a report's location.
 *
 * In Surabaya 11 % of reports are routed to one kelurahan or kecamatan, and
 * the routing follows the report's location, which the text rarely names.
 * The model therefore learns one label per kind of regional unit
 * ("Kelurahan (sesuai lokasi)"). A resolution rule then turns that label
 * into the unit of the report's own location ("Kelurahan Babatan"), so that
 * a suggestion can be scored against, or accepted as, the real agency.
 *
 * @example
 * const rule = parseLabelResolution('Kelurahan (sesuai lokasi)=>Kelurahan {kelurahan}');
 * resolveRanking(['Kelurahan (sesuai lokasi)', 'Dinas Sosial'], [rule], { kelurahan: 'Babatan' }, knownLabelIndex(['Kelurahan Babatan']))
 * // → ['Kelurahan Babatan', 'Dinas Sosial']
 */

/** A rule from `parseLabelResolution`. */
export interface LabelResolution {
  /** Predicted label that the rule replaces. */
  label: string;
  /** Templates with `{column}` placeholders, tried in order. */
  templates: string[];
}

const PLACEHOLDER_RE = /\{([^{}]+)\}/g;

/**
 * Parses `LABEL=>TEMPLATE` or `LABEL=>TEMPLATE|TEMPLATE…`, where a template
 * names row values as `{column}`. Throws on a rule without a label, without
 * a template, or with a template that names no column.
 */
export function parseLabelResolution(value: string): LabelResolution {
  const separator = value.indexOf('=>');
  if (separator <= 0 || separator + 2 >= value.length) {
    throw new Error(
      `A label resolution must look like 'LABEL=>TEMPLATE', for example 'Kelurahan (sesuai lokasi)=>Kelurahan {kelurahan}'; got '${value}'.`,
    );
  }
  const templates = value.slice(separator + 2).split('|').map((template) => template.trim());
  for (const template of templates) {
    if (templateColumns(template).length === 0) {
      throw new Error(`The template '${template}' in '${value}' names no column; write the column as {column}, for example {kecamatan}.`);
    }
  }
  return { label: value.slice(0, separator).trim(), templates };
}

/** Lists the columns that the templates of `rules` read. */
export function resolutionColumns(rules: ReadonlyArray<LabelResolution>): string[] {
  const columns = rules.flatMap((rule) => rule.templates.flatMap(templateColumns));
  return [...new Set(columns)];
}

function templateColumns(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_RE)].map((match) => match[1]);
}

/**
 * Reduces a label to lower-case letters and digits, so that "Kelurahan
 * Pacar Kembang" and "kelurahan pacarkembang" compare equal.
 */
export function labelKey(label: string): string {
  return label.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Maps `labelKey` of each known label to its spelling; build once per label set. */
export function knownLabelIndex(labels: Iterable<string>): Map<string, string> {
  const index = new Map<string, string>();
  for (const label of labels) if (!index.has(labelKey(label))) index.set(labelKey(label), label);
  return index;
}

/**
 * Replaces each label of `ranking` that a rule names by the rule's first
 * template whose filled-in text matches a known label (compared by
 * `labelKey`). When no template matches, the first template with at least
 * one non-empty value is used as it is. A rule whose values are all empty
 * keeps the group label. A label that appears twice after resolution keeps
 * its better rank only.
 */
export function resolveRanking(
  ranking: ReadonlyArray<string>,
  rules: ReadonlyArray<LabelResolution>,
  row: Readonly<Record<string, string | undefined>>,
  knownLabels: ReadonlyMap<string, string>,
): string[] {
  const resolved: string[] = [];
  for (const label of ranking) {
    const rule = rules.find((candidate) => candidate.label === label);
    const unit = rule === undefined ? label : resolveLabel(rule, row, knownLabels) ?? label;
    if (!resolved.includes(unit)) resolved.push(unit);
  }
  return resolved;
}

function resolveLabel(
  rule: LabelResolution,
  row: Readonly<Record<string, string | undefined>>,
  knownLabels: ReadonlyMap<string, string>,
): string | undefined {
  let fallback: string | undefined;
  for (const template of rule.templates) {
    const values = templateColumns(template).map((column) => (row[column] ?? '').trim());
    if (values.every((value) => value === '')) continue;
    const filled = template.replace(PLACEHOLDER_RE, (_, column: string) => (row[column] ?? '').trim()).replace(/\s+/g, ' ').trim();
    const known = knownLabels.get(labelKey(filled));
    if (known !== undefined) return known;
    fallback ??= filled;
  }
  return fallback;
}
