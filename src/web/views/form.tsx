/**
 * Form values as routes read them from a posted body, and command errors
 * turned into per-field messages for the components in components.tsx.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import type { Translate } from '../i18n/index.ts';
import { CommandError } from '../../commands/errors.ts';
import { FORM_ERROR, type FieldErrors } from './components.tsx';

/** A parsed form body: every field as a list, because a name may repeat (several files, several checkboxes). */
export type FormBody = Record<string, (string | File)[]>;

/**
 * Parses a urlencoded or multipart body once per request. Hono caches the
 * parsed body, so the CSRF check and the handler read the same object.
 */
export async function readForm(c: Context<AppEnv>): Promise<FormBody> {
  const parsed = await c.req.parseBody({ all: true });
  const body: FormBody = {};
  for (const [name, value] of Object.entries(parsed)) {
    body[name] = (Array.isArray(value) ? value : [value]) as (string | File)[];
  }
  return body;
}

/** Returns the first text value of a field as posted, untrimmed; '' when the field is absent. */
export function formText(body: FormBody, name: string): string {
  const value = body[name]?.find((entry): entry is string => typeof entry === 'string');
  return value ?? '';
}

/** Returns the uploaded files of a field, skipping the empty part a browser sends when no file was chosen. */
export function formFiles(body: FormBody, name: string): File[] {
  return (body[name] ?? []).filter((entry): entry is File => typeof entry !== 'string' && (entry.size > 0 || entry.name !== ''));
}

/** The largest id a `serial` column holds; a larger number in an address can name no row. */
const MAX_ID = 2_147_483_647;

/**
 * Reads a row id from an address or a form field: a positive whole number
 * that fits the database's 32-bit ids. Anything else is null, so a route
 * responds "not found" instead of passing PostgreSQL a number it rejects.
 */
export function parseId(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return id > 0 && id <= MAX_ID ? id : null;
}

/** Returns whether a checkbox with this name was ticked. */
export function formChecked(body: FormBody, name: string): boolean {
  return formText(body, name) !== '';
}

/**
 * Turns a CommandError into field messages. `aliases` maps the command's
 * field names to the form's, for example `reporter.phone` to `phone`. An
 * error without a known field goes to the top of the form.
 */
/** Translates an error message; a status code among its parameters reads as the status's label in the user's language. */
export function errorMessage(t: Translate, key: string, params: Record<string, string | number> = {}): string {
  return t(key, typeof params.status === 'string' ? { ...params, status: t(`status.${params.status}`) } : params);
}

export function commandErrors(t: Translate, error: CommandError, fields: readonly string[], aliases: Record<string, string> = {}): FieldErrors {
  const message = errorMessage(t, error.key, error.params);
  const field = error.field ? (aliases[error.field] ?? error.field) : undefined;
  if (field && fields.includes(field)) return { [field]: message };
  return { [FORM_ERROR]: message };
}

/** Runs a command and returns its result, or the field errors of the CommandError it threw; other errors propagate. */
export async function attempt<T>(
  t: Translate,
  fields: readonly string[],
  run: () => Promise<T>,
  aliases: Record<string, string> = {},
): Promise<{ ok: true; value: T } | { ok: false; errors: FieldErrors; error: CommandError }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof CommandError) return { ok: false, errors: commandErrors(t, error, fields, aliases), error };
    throw error;
  }
}
