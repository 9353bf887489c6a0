/**
 * EXPLAIN (ANALYZE, BUFFERS) of the exact SQL that a product function sends:
 * the function runs once on a Kysely instance that records its queries, and
 * each recorded query is explained with its parameters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../src/db/schema.ts';

export async function explainCalls(pool: pg.Pool, call: (db: Kysely<DB>) => Promise<unknown>): Promise<string> {
  const queries: CompiledQuery[] = [];
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') queries.push(event.query);
    },
  });
  // NOTE: db.destroy() would end the shared pool, so this instance is left to the garbage collector.
  await call(db);
  const sections: string[] = [];
  for (const query of queries) {
    const plan = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.parameters as unknown[]);
    sections.push(`-- ${query.sql}\n-- parameters: ${JSON.stringify(query.parameters, redact)}\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
  }
  return sections.join('\n\n');
}

/** Writes one explain text to `dir/name.txt` and returns the path; does nothing without a folder. */
export function writeExplain(dir: string | undefined, name: string, text: string): string | undefined {
  if (!dir) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.txt`);
  fs.writeFileSync(file, `${text}\n`);
  return file;
}

/**
 * Replaces complaint text in a printed parameter list by its size. The texts
 * come from the shared complaint files, which must not be copied into the
 * repository, and so must the words taken from them.
 */
function redact(key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_PRINTED_PARAMETER_CHARS) return `<text of ${value.length} characters>`;
  const words = key !== '' && Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (words && value.join(' ').length > MAX_PRINTED_PARAMETER_CHARS) return `<${value.length} words>`;
  return value;
}

/** Maximum length of a parameter printed as it is; search terms, codes and dates fit. */
const MAX_PRINTED_PARAMETER_CHARS = 40;
