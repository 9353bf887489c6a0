/**
 * What one complaint row costs PostgreSQL, index by index, and what the GIN
 * pending-list flushes do to the slowest inserts. Runs on its own, in a
 * throwaway database that it creates and drops:
 *
 *   node --import tsx bench/intake-indexes.ts --database-url postgres://postgres@127.0.0.1:5432/postgres
 *
 * Prints the time per row of INSERTs of 500 real complaint texts with the
 * migrated indexes, then with the trigram index on `description` that
 * migration 0012 dropped, then without that and without the `search`
 * column and its index. Then prints the p50, p99 and max of 300 INSERTs of
 * 32 rows with the GIN index's `fastupdate` on (the default) and then off.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { prepareDatabase } from '../src/bootstrap.ts';
import { benchDatabaseName, createDatabase, dropDatabase } from './lib/databases.ts';
import { percentile } from './lib/stats.ts';
import { loadComplaintTexts } from './texts.ts';

const INSERT = `
  INSERT INTO complaints (tracking_code, description, channel, received_at)
  SELECT 'BENCH-' || $2::text || '-' || n, text, 'api', now()
  FROM unnest($1::text[]) WITH ORDINALITY AS u(text, n)`;

async function timePerRow(client: pg.Client, texts: string[], label: string): Promise<void> {
  const batches = 4;
  const size = 500;
  const started = performance.now();
  for (let i = 0; i < batches; i++) {
    await client.query(INSERT, [texts.slice(i * size, (i + 1) * size), `${label}-${i}`]);
  }
  console.log(`intake.indexes.${label}.per_row - - ${((performance.now() - started) / (batches * size)).toFixed(3)} ms`);
}

async function timeStatements(client: pg.Client, texts: string[], label: string): Promise<void> {
  const durations: number[] = [];
  for (let i = 0; i < 300; i++) {
    const batch = Array.from({ length: 32 }, (_, k) => texts[(i * 32 + k) % texts.length]);
    const started = performance.now();
    await client.query(INSERT, [batch, `${label}-${i}`]);
    durations.push(performance.now() - started);
  }
  for (const [name, value] of [['p50', percentile(durations, 50)], ['p99', percentile(durations, 99)], ['max', Math.max(...durations)]] as const) {
    console.log(`intake.indexes.${label}.insert32.${name} - - ${value.toFixed(1)} ms`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' } } });
  const serverUrl = values['database-url'] ?? process.env.BENCH_DATABASE_URL;
  if (!serverUrl) throw new Error('missing --database-url (or BENCH_DATABASE_URL): a PostgreSQL server on this machine');
  const host = new URL(serverUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`${host} is not this machine; use 127.0.0.1, localhost or ::1`);

  const texts = loadComplaintTexts();
  for (const [name, run] of [['rows', runRowCosts], ['flushes', runFlushes]] as const) {
    const database = benchDatabaseName(`indexes_${name}`);
    const url = await createDatabase(serverUrl, database);
    try {
      const prepared = await prepareDatabase({ databaseUrl: url, dataDir: 'memory://' });
      await prepared.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await run(client, texts);
      } finally {
        await client.end();
      }
    } finally {
      await dropDatabase(serverUrl, database);
    }
  }
}

async function runRowCosts(client: pg.Client, texts: string[]): Promise<void> {
  await timePerRow(client, texts, 'migrated');
  await client.query('CREATE INDEX complaints_description_trgm_idx ON complaints USING gin (description gin_trgm_ops)');
  await timePerRow(client, texts, 'with_trgm');
  await client.query('DROP INDEX complaints_description_trgm_idx');
  await client.query('DROP INDEX complaints_search_idx');
  await client.query('ALTER TABLE complaints DROP COLUMN search');
  await timePerRow(client, texts, 'without_search');
}

async function runFlushes(client: pg.Client, texts: string[]): Promise<void> {
  await timeStatements(client, texts, 'fastupdate_on');
  await client.query('ALTER INDEX complaints_search_idx SET (fastupdate = off)');
  await timeStatements(client, texts, 'fastupdate_off');
}

await main();
