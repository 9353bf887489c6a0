/**
 * Administration of categories (routing and SLA clocks) and of the holiday
 * calendar. Both change deadlines: the commands recompute the open
 * complaints' clocks and the banner shows how many were recomputed, or that
 * a large recompute goes on in the background, with its progress below.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import {
  addHoliday, removeHoliday, requireCode, requireDays, saveCategory, setCalendarYearCovered, type CategoryInput,
} from '../../../commands/manage-reference-data.ts';
import { requireName } from '../../../commands/users.ts';
import { CommandError } from '../../../commands/errors.ts';
import { recentRecomputeRuns, runPendingRecomputesInProcess, type RecomputeReason, type RecomputeRun } from '../../../commands/recompute-deadlines.ts';
import { listReferenceData } from '../../../queries/complaints.ts';
import type { HolidayKind } from '../../../domain/calendar.ts';
import type { Complexity } from '../../../domain/types.ts';
import { wibDate } from '../../../domain/time.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import {
  AdminCategoriesPage, AdminCategoryFormPage, CATEGORY_FIELDS, NEW_CATEGORY_VALUES, categoryFormValues, type CategoryRow,
} from '../../views/staff/admin-categories.tsx';
import { AdminHolidaysPage, HOLIDAY_FIELDS } from '../../views/staff/admin-holidays.tsx';
import type { FieldErrors } from '../../views/components.tsx';
import { attempt, errorMessage, formChecked, formText, parseId, readForm, type FormBody } from '../../views/form.tsx';
import { adminBanner, adminContext } from './admin.tsx';
import { notFoundPage } from './guard.tsx';

const CATEGORY_BANNERS = ['category-added', 'category-saved', 'category-queued'] as const;
const HOLIDAY_BANNERS = ['holiday-added', 'holiday-removed', 'year-covered', 'year-uncovered', 'calendar-queued'] as const;
const YEAR_RE = /^\d{4}$/;
/** Runs the holiday page lists: those of calendar changes. */
const CALENDAR_REASONS: RecomputeReason[] = ['holiday_added', 'holiday_removed', 'calendar_year'];

/** Reads a whole number of days; anything else becomes NaN, which the command rejects with a message on that field. */
function days(value: string): number {
  return /^\s*\d{1,4}\s*$/.test(value) ? Number(value) : Number.NaN;
}

function categoryValues(form: FormBody): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of CATEGORY_FIELDS) values[field] = formText(form, field);
  values.oversight = formChecked(form, 'oversight') ? '1' : '';
  values.active = formChecked(form, 'active') ? '1' : '';
  return values;
}

function categoryInput(values: Record<string, string>): CategoryInput {
  return {
    code: values.code,
    name: values.name,
    nameEn: values.nameEn,
    agencyCode: values.agencyCode,
    oversight: values.oversight === '1',
    complexity: values.complexity as Complexity,
    verifyDays: days(values.verifyDays),
    firstFollowUpDays: days(values.firstFollowUpDays),
    resolutionDaysSimple: days(values.resolutionDaysSimple),
    resolutionDaysMedium: days(values.resolutionDaysMedium),
    resolutionDaysComplex: days(values.resolutionDaysComplex),
    autoCloseDays: days(values.autoCloseDays),
    active: values.active === '1',
  };
}

const DAY_FIELDS = ['verifyDays', 'firstFollowUpDays', 'resolutionDaysSimple', 'resolutionDaysMedium', 'resolutionDaysComplex', 'autoCloseDays'] as const;

/**
 * Checks every field that needs no database with the command's own checks,
 * so one round trip marks every bad number, the name and the code. The
 * command checks the rest when the category is saved.
 */
function categoryFormErrors(c: Context<AppEnv>, values: Record<string, string>, isNew: boolean): FieldErrors {
  const errors: FieldErrors = {};
  const t = c.get('t');
  const check = (field: string, run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      errors[field] = errorMessage(t, error.key, error.params);
    }
  };
  if (isNew) check('code', () => requireCode(values.code));
  check('name', () => requireName(values.name ?? ''));
  for (const field of DAY_FIELDS) check(field, () => requireDays(days(values[field] ?? ''), field));
  return errors;
}

async function categoryForm(c: Context<AppEnv>, categoryId: number | undefined, values: Record<string, string>, errors: FieldErrors = {}, status = 200) {
  const reference = await listReferenceData(c.get('deps').db);
  return renderPage(c, <AdminCategoryFormPage ctx={pageContext(c)} categoryId={categoryId} values={values} errors={errors} reference={reference} />, status);
}

async function holidaysPage(c: Context<AppEnv>, year: number, options: { values?: Record<string, string>; errors?: FieldErrors; status?: number } = {}) {
  const db = c.get('deps').db;
  // NOTE: read models for this page only; they belong in queries/ once another page needs them.
  const [holidays, coveredYears, holidayYears, recomputes] = await Promise.all([
    db.selectFrom('holidays').select(['date', 'kind', 'name', 'basis'])
      .where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`).orderBy('date').execute(),
    db.selectFrom('calendar_years').select('year').execute(),
    db.selectFrom('holidays').select((eb) => eb.fn<number>('date_part', [eb.val('year'), 'date']).as('year')).distinct().execute(),
    recentRecomputeRuns(db, 5, CALENDAR_REASONS),
  ]);
  resumeUnfinished(c, recomputes);
  const currentYear = Number(wibDate(new Date()).slice(0, 4));
  const years = new Set<number>([currentYear, currentYear + 1, year, ...coveredYears.map((row) => row.year), ...holidayYears.map((row) => Number(row.year))]);
  return renderPage(
    c,
    <AdminHolidaysPage ctx={pageContext(c)} year={year} years={[...years].sort((a, b) => a - b)}
      covered={coveredYears.some((row) => row.year === year)} holidays={holidays} values={options.values ?? {}} errors={options.errors ?? {}}
      banner={adminBanner(c, HOLIDAY_BANNERS)} recomputes={recomputes} />,
    options.status ?? 200,
  );
}

/**
 * Redirects to `page` after a change that requested `run`: with the `done`
 * banner when the recompute finished inside the request (or none was
 * needed), otherwise with the `queued` "in the background" banner. Without
 * background jobs (JOBS=off) this process runs the pending recompute
 * itself, outside the request.
 */
function afterRecomputeChange(c: Context<AppEnv>, page: string, banners: { done: string; queued: string }, run: RecomputeRun | null) {
  const separator = page.includes('?') ? '&' : '?';
  if (run === null) return c.redirect(`${page}${separator}done=${banners.done}&n=0`, 303);
  if (run.status === 'done') return c.redirect(`${page}${separator}done=${banners.done}&n=${run.processed}`, 303);
  if (!c.get('deps').config.jobsEnabled) runPendingRecomputesInProcess(c.get('deps').db);
  return c.redirect(`${page}${separator}done=${banners.queued}&n=${run.total}#recompute-progress`, 303);
}

const afterCalendarChange = (c: Context<AppEnv>, year: number, done: string, run: RecomputeRun) =>
  afterRecomputeChange(c, `/staff/admin/holidays?year=${year}`, { done, queued: 'calendar-queued' }, run);

const afterCategoryChange = (c: Context<AppEnv>, done: string, run: RecomputeRun | null) =>
  afterRecomputeChange(c, '/staff/admin/categories', { done, queued: 'category-queued' }, run);

/** Without background jobs, this process finishes the runs among `runs` that a restart left unfinished. */
function resumeUnfinished(c: Context<AppEnv>, runs: RecomputeRun[]): void {
  if (!c.get('deps').config.jobsEnabled && runs.some((run) => run.status !== 'done')) runPendingRecomputesInProcess(c.get('deps').db);
}

function categoryNotFound(c: Context<AppEnv>) {
  return notFoundPage(c, 'error.not_found.category', { href: '/staff/admin/categories', labelKey: 'admin.categories.title' });
}

export function registerAdminCalendarRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/admin/categories', async (c) => {
    const db = c.get('deps').db;
    const [reference, recomputes] = await Promise.all([listReferenceData(db), recentRecomputeRuns(db, 5, ['category_changed'])]);
    resumeUnfinished(c, recomputes);
    return renderPage(c, <AdminCategoriesPage ctx={pageContext(c)} categories={reference.categories as CategoryRow[]} reference={reference}
      banner={adminBanner(c, CATEGORY_BANNERS)} recomputes={recomputes} />);
  });

  app.get('/staff/admin/categories/new', (c) => categoryForm(c, undefined, { ...NEW_CATEGORY_VALUES }));

  app.post('/staff/admin/categories/new', async (c) => {
    const values = categoryValues(await readForm(c));
    const invalidFields = categoryFormErrors(c, values, true);
    if (Object.keys(invalidFields).length > 0) return categoryForm(c, undefined, values, invalidFields, 400);
    const result = await attempt(c.get('t'), CATEGORY_FIELDS, () => saveCategory(adminContext(c), categoryInput(values)));
    if (!result.ok) return categoryForm(c, undefined, values, result.errors, result.error.httpStatus);
    return afterCategoryChange(c, 'category-added', result.value.run);
  });

  app.get('/staff/admin/categories/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const reference = await listReferenceData(c.get('deps').db);
    const row = reference.categories.find((category) => category.id === id) as CategoryRow | undefined;
    if (!row) return categoryNotFound(c);
    return categoryForm(c, row.id, categoryFormValues(row));
  });

  app.post('/staff/admin/categories/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === null) return categoryNotFound(c);
    const values = categoryValues(await readForm(c));
    const invalidFields = categoryFormErrors(c, values, false);
    if (Object.keys(invalidFields).length > 0) return categoryForm(c, id, values, invalidFields, 400);
    const result = await attempt(c.get('t'), CATEGORY_FIELDS, () => saveCategory(adminContext(c), categoryInput(values), id));
    if (!result.ok) return categoryForm(c, id, values, result.errors, result.error.httpStatus);
    return afterCategoryChange(c, 'category-saved', result.value.run);
  });

  app.get('/staff/admin/holidays', (c) => {
    const raw = c.req.query('year') ?? '';
    const year = YEAR_RE.test(raw) ? Number(raw) : Number(wibDate(new Date()).slice(0, 4));
    return holidaysPage(c, year);
  });

  app.post('/staff/admin/holidays', async (c) => {
    const form = await readForm(c);
    const values: Record<string, string> = {};
    for (const field of HOLIDAY_FIELDS) values[field] = formText(form, field);
    const year = YEAR_RE.test(values.date.slice(0, 4)) ? Number(values.date.slice(0, 4)) : Number(wibDate(new Date()).slice(0, 4));
    const result = await attempt(c.get('t'), HOLIDAY_FIELDS, () =>
      addHoliday(adminContext(c), { date: values.date, kind: values.kind as HolidayKind, name: values.name, basis: values.basis }));
    if (!result.ok) return holidaysPage(c, year, { values, errors: result.errors, status: result.error.httpStatus });
    return afterCalendarChange(c, year, 'holiday-added', result.value.run);
  });

  app.post('/staff/admin/holidays/:date/remove', async (c) => {
    const date = c.req.param('date');
    const year = YEAR_RE.test(date.slice(0, 4)) ? Number(date.slice(0, 4)) : Number(wibDate(new Date()).slice(0, 4));
    const result = await attempt(c.get('t'), [], () => removeHoliday(adminContext(c), date));
    if (!result.ok) return holidaysPage(c, year, { errors: result.errors, status: result.error.httpStatus });
    return afterCalendarChange(c, year, 'holiday-removed', result.value.run);
  });

  app.post('/staff/admin/holidays/years/:year', async (c) => {
    const raw = c.req.param('year');
    const year = YEAR_RE.test(raw) ? Number(raw) : Number.NaN;
    const covered = formText(await readForm(c), 'covered') === '1';
    const fallbackYear = Number(wibDate(new Date()).slice(0, 4));
    const result = await attempt(c.get('t'), [], () => setCalendarYearCovered(adminContext(c), year, covered));
    if (!result.ok) return holidaysPage(c, Number.isNaN(year) ? fallbackYear : year, { errors: result.errors, status: result.error.httpStatus });
    return afterCalendarChange(c, year, covered ? 'year-covered' : 'year-uncovered', result.value.run);
  });
}

