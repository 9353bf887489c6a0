/**
 * Finds or creates the reporter behind a set of contacts. Contacts are stored
 * normalised and unique, so a citizen who writes from the same number on two
 * channels is one reporter.
 */
import { sql, type RawBuilder } from 'kysely';
import type { ContactKind } from '../domain/types.ts';
import { normalizePhone } from '../domain/phone.ts';
import { cleanText, truncateText } from '../domain/text.ts';
import { invalid } from './errors.ts';
import { jsonParameter } from './json-parameter.ts';
import type { Tx } from './context.ts';

export interface ContactInput {
  kind: ContactKind;
  value: string;
}

/** Longest reporter name kept; longer input is cut, as names are only shown to staff. */
export const MAX_NAME_LENGTH = 200;

// A pragmatic check, not RFC 5322: one @, no spaces, a dot in the domain.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Normalises a contact value, or throws a field error naming what to fix. */
export function normalizeContact(contact: ContactInput): ContactInput {
  const raw = cleanText(contact.value).trim();
  // WhatsApp may withhold the number and send a business-scoped user id (`US.…`) instead.
  if (contact.kind === 'whatsapp' && /^US\.[A-Za-z0-9._-]{1,120}$/.test(raw)) return { kind: 'whatsapp', value: raw };
  if (contact.kind === 'phone' || contact.kind === 'whatsapp') {
    const phone = normalizePhone(raw);
    if (!phone) throw invalid('reporter.phone', 'phone number is not a valid Indonesian number', 'error.phone_invalid');
    return { kind: contact.kind, value: phone };
  }
  if (contact.kind === 'email') {
    const email = raw.toLowerCase();
    if (!EMAIL_RE.test(email) || email.length > 254) {
      throw invalid('reporter.email', 'e-mail address is not valid', 'error.email_invalid');
    }
    return { kind: 'email', value: email };
  }
  if (raw === '' || raw.length > 200) throw invalid('reporter.contact', 'contact id is empty or too long', 'error.contact_invalid');
  return { kind: contact.kind, value: raw };
}

/**
 * Returns the reporter id for these contacts, creating the reporter and any
 * new contacts. Returns null when there is neither a name nor a contact.
 *
 * With `verified: false` (contacts typed into a form by a citizen or an
 * officer) the contacts are claims that prove nothing, so a new reporter is
 * created every time: typing someone's number must not attach the report, a
 * name or another address to that person. With `verified: true` (a channel
 * proved the sender) the first contact on record identifies the reporter.
 */
export async function resolveReporter(
  trx: Tx,
  name: string | undefined,
  contacts: ContactInput[],
  options: { verified: boolean },
): Promise<number | null> {
  const normalized = contacts.map(normalizeContact);
  const trimmedName = name === undefined ? null : truncateText(cleanText(name).trim(), MAX_NAME_LENGTH) || null;
  if (normalized.length === 0 && !trimmedName) return null;

  if (!options.verified) {
    const [reporterId] = await insertReporters(trx, [{ name: trimmedName, contacts: normalized }]);
    return reporterId;
  }

  let reporterId: number | null = null;
  if (options.verified) {
    for (const contact of normalized) {
      const existing = await trx
        .selectFrom('contacts')
        .select('reporter_id')
        .where('kind', '=', contact.kind)
        .where('value', '=', contact.value)
        .where('verified', '=', true)
        .executeTakeFirst();
      if (existing) {
        reporterId = existing.reporter_id;
        break;
      }
    }
  }
  if (reporterId === null) {
    const row = await trx.insertInto('reporters').values({ name: trimmedName }).returning('id').executeTakeFirstOrThrow();
    reporterId = row.id;
  } else if (trimmedName) {
    await trx.updateTable('reporters').set({ name: sql`coalesce(name, ${trimmedName})` }).where('id', '=', reporterId).execute();
  }
  for (const contact of normalized) {
    const insert = trx
      .insertInto('contacts')
      .values({ reporter_id: reporterId, kind: contact.kind, value: contact.value, verified: options.verified });
    if (options.verified) {
      // The partial unique index covers verified contacts only; the predicate
      // must be literal SQL for PostgreSQL to infer that index.
      await insert.onConflict((oc) => oc.columns(['kind', 'value']).where(sql<boolean>`verified`).doNothing()).execute();
    } else {
      await insert.execute();
    }
  }
  return reporterId;
}

/** A new reporter with unverified contacts, already normalised. */
export interface NewReporter {
  name: string | null;
  contacts: readonly ContactInput[];
}

/**
 * Returns the CTEs that create one reporter per non-null entry of
 * `reporters`, each with its contacts stored unverified, for the WITH clause
 * of a larger statement. The CTE `new_reporter (ord, id)` gives the id of the
 * reporter created for entry `ord` (its index in `reporters`).
 *
 * The ids are drawn from the reporters' sequence in a materialised CTE, so
 * the contacts (and the caller's rows) can refer to them whatever order
 * PostgreSQL inserts the rows in. Foreign keys to `reporters` are checked at
 * the end of the statement, when every insert has run.
 */
export function newReportersCte(reporters: readonly (NewReporter | null)[]): RawBuilder<unknown> {
  const people = reporters.flatMap((reporter, ord) => (reporter ? [{ ord, name: reporter.name }] : []));
  const contacts = reporters.flatMap((reporter, ord) =>
    (reporter?.contacts ?? []).map((contact, position) => ({ ord, position, kind: contact.kind, value: contact.value })),
  );
  // `reporters_id_seq` is the sequence of the bigserial `reporters.id`.
  return sql`
    new_reporter AS MATERIALIZED (
      SELECT p.ord, p.name, nextval('reporters_id_seq') AS id
      FROM jsonb_to_recordset(${jsonParameter(people)}::jsonb) AS p(ord int, name text)
    ), new_reporter_rows AS (
      INSERT INTO reporters (id, name) SELECT id, name FROM new_reporter ORDER BY ord
    ), new_reporter_contacts AS (
      INSERT INTO contacts (reporter_id, kind, value, verified)
      SELECT new_reporter.id, c.kind, c.value, false
      FROM jsonb_to_recordset(${jsonParameter(contacts)}::jsonb) AS c(ord int, position int, kind text, value text)
      JOIN new_reporter USING (ord)
      ORDER BY c.ord, c.position
    )`;
}

/** Creates the reporters in one statement and returns their ids in the order of `reporters`. */
export async function insertReporters(trx: Tx, reporters: readonly NewReporter[]): Promise<number[]> {
  if (reporters.length === 0) return [];
  const result = await sql<{ ord: number; id: number }>`WITH ${newReportersCte(reporters)} SELECT ord, id FROM new_reporter`.execute(trx);
  const ids = new Array<number>(reporters.length);
  for (const row of result.rows) ids[row.ord] = Number(row.id);
  return ids;
}
