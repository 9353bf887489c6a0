/**
 * The duty roster page (/staff/roster), for administrators and complaint
 * officers, and the take and hand-back buttons of the case page
 * (/staff/roster/complaints/{id}/take, …/hand-back), for every officer.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { addAbsence, addShift, handBackComplaint, removeAbsence, removeShift, saveAnswerSettings, takeComplaint } from '../../../commands/roster.ts';
import { loadCalendar } from '../../../commands/deadlines.ts';
import { getAnswerSettings, listAbsences, listRosterOfficers, listShifts, openCaseCounts } from '../../../queries/answers.ts';
import { mayManageRoster, nextShiftStart, officersOnDuty } from '../../../domain/roster.ts';
import { wibDate } from '../../../domain/time.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { ABSENCE_FIELDS, ROSTER_SETTINGS_FIELDS, RosterPage, SHIFT_FIELDS, type RosterFormState } from '../../views/staff/roster/roster.tsx';
import { attempt, formChecked, formText, parseId, readForm } from '../../views/form.tsx';
import { errorPageResponse } from '../public/errors.tsx';
import { forbiddenPage, staffUser } from './guard.tsx';
import { answersBanner, commandContext } from './templates.tsx';

const ROSTER_BANNERS = ['shift-added', 'shift-removed', 'absence-added', 'absence-removed', 'settings-saved'] as const;

async function rosterPage(c: Context<AppEnv>, state?: RosterFormState, status = 200) {
  const db = c.get('deps').db;
  const now = new Date();
  const today = wibDate(now);
  const [shifts, officers, absences, settings, calendar] = await Promise.all([
    listShifts(db), listRosterOfficers(db), listAbsences(db, today), getAnswerSettings(db), loadCalendar(db),
  ]);
  const activeShifts = shifts.filter((shift) => shift.userActive);
  const onDuty = new Set(officersOnDuty(activeShifts, calendar, now));
  const counts = await openCaseCounts(db, officers.map((officer) => officer.id));
  const absentToday = new Set(absences.filter((absence) => absence.startsOn <= today && absence.endsOn >= today).map((absence) => absence.userId));
  return renderPage(
    c,
    <RosterPage ctx={pageContext(c)} shifts={shifts} absences={absences} maxOpenCases={settings.maxOpenCases}
      nextShiftAt={onDuty.size > 0 ? null : nextShiftStart(activeShifts, calendar, now)}
      officers={officers.map((officer) => ({
        id: officer.id, name: officer.name, openCases: counts.get(officer.id) ?? 0, onDutyNow: onDuty.has(officer.id), absentToday: absentToday.has(officer.id),
      }))}
      state={state} banner={answersBanner(c, ROSTER_BANNERS)} />,
    status,
  );
}

function wholeNumber(value: string): number {
  return /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : Number.NaN;
}

export function registerRosterRoutes(app: Hono<AppEnv>): void {
  app.use('/staff/roster', async (c, next) => (mayManageRoster(staffUser(c)) ? next() : forbiddenPage(c)));
  for (const path of ['/staff/roster/shifts', '/staff/roster/shifts/*', '/staff/roster/absences', '/staff/roster/absences/*', '/staff/roster/settings']) {
    app.use(path, async (c, next) => (mayManageRoster(staffUser(c)) ? next() : forbiddenPage(c)));
  }

  app.get('/staff/roster', (c) => rosterPage(c));

  app.post('/staff/roster/shifts', async (c) => {
    const form = await readForm(c);
    const values = {
      userId: formText(form, 'userId'), weekday: formText(form, 'weekday'), start: formText(form, 'start'), end: formText(form, 'end'),
      channels: (form.channels ?? []).filter((value): value is string => typeof value === 'string'), onHolidays: formChecked(form, 'onHolidays') ? '1' : '',
    };
    const result = await attempt(c.get('t'), SHIFT_FIELDS, () => addShift(commandContext(c), {
      userId: parseId(values.userId) ?? -1,
      weekday: values.weekday === '' ? Number.NaN : wholeNumber(values.weekday),
      start: values.start,
      end: values.end,
      channels: values.channels,
      onHolidays: values.onHolidays === '1',
    }));
    if (!result.ok) return rosterPage(c, { form: 'shift', values, errors: result.errors }, result.error.httpStatus);
    return c.redirect('/staff/roster?done=shift-added', 303);
  });

  app.post('/staff/roster/shifts/:id/remove', async (c) => {
    const result = await attempt(c.get('t'), [], () => removeShift(commandContext(c), parseId(c.req.param('id')) ?? -1));
    if (!result.ok) return rosterPage(c, { form: 'shift', values: {}, errors: result.errors }, result.error.httpStatus);
    return c.redirect('/staff/roster?done=shift-removed', 303);
  });

  app.post('/staff/roster/absences', async (c) => {
    const form = await readForm(c);
    const values: Record<string, string> = {};
    for (const field of ABSENCE_FIELDS) values[field] = formText(form, field);
    const result = await attempt(c.get('t'), ABSENCE_FIELDS, () => addAbsence(commandContext(c), {
      userId: parseId(values.userId) ?? -1, startsOn: values.startsOn, endsOn: values.endsOn, note: values.note,
    }));
    if (!result.ok) return rosterPage(c, { form: 'absence', values, errors: result.errors }, result.error.httpStatus);
    return c.redirect('/staff/roster?done=absence-added', 303);
  });

  app.post('/staff/roster/absences/:id/remove', async (c) => {
    const result = await attempt(c.get('t'), [], () => removeAbsence(commandContext(c), parseId(c.req.param('id')) ?? -1));
    if (!result.ok) return rosterPage(c, { form: 'absence', values: {}, errors: result.errors }, result.error.httpStatus);
    return c.redirect('/staff/roster?done=absence-removed', 303);
  });

  app.post('/staff/roster/settings', async (c) => {
    const value = formText(await readForm(c), 'maxOpenCases');
    const result = await attempt(c.get('t'), ROSTER_SETTINGS_FIELDS, () => saveAnswerSettings(commandContext(c), { maxOpenCases: wholeNumber(value) }));
    if (!result.ok) return rosterPage(c, { form: 'settings', values: { maxOpenCases: value }, errors: result.errors }, result.error.httpStatus);
    return c.redirect('/staff/roster?done=settings-saved', 303);
  });

  // Taking and handing back a case: every officer, for cases they can see.
  app.post('/staff/roster/complaints/:id/take', async (c) => {
    const id = parseId(c.req.param('id'));
    const result = await attempt(c.get('t'), [], () => takeComplaint(commandContext(c), id ?? -1));
    if (!result.ok && result.error.code !== 'conflict') return errorPageResponse(c, result.error.httpStatus, c.get('t')(result.error.key, result.error.params));
    return c.redirect(`/staff/complaints/${id}`, 303);
  });

  app.post('/staff/roster/complaints/:id/hand-back', async (c) => {
    const id = parseId(c.req.param('id'));
    const reason = formText(await readForm(c), 'reason');
    const result = await attempt(c.get('t'), [], () => handBackComplaint(commandContext(c), id ?? -1, { reason }));
    if (!result.ok && result.error.code !== 'conflict') return errorPageResponse(c, result.error.httpStatus, c.get('t')(result.error.key, result.error.params));
    return c.redirect(`/staff/complaints/${id}`, 303);
  });
}
