/** The duty roster page: who is on duty now, the weekly shifts, days off, open cases per officer and the open-case limit. */
import type { PageContext } from '../../layout.tsx';
import { Button, Checkbox, CsrfField, SelectField, TextField, type FieldErrors } from '../../components.tsx';
import { formatDate, formatDateTime } from '../../format.tsx';
import type { AbsenceRow, RosterShiftRow } from '../../../../queries/answers.ts';
import { formatClockTime } from '../../../../domain/roster.ts';
import { CHANNELS } from '../../../../domain/types.ts';
import { AnswersLayout } from '../templates/layout.tsx';

export const SHIFT_FIELDS = ['userId', 'weekday', 'start', 'end', 'channels', 'onHolidays'] as const;
export const ABSENCE_FIELDS = ['userId', 'startsOn', 'endsOn', 'note'] as const;
export const ROSTER_SETTINGS_FIELDS = ['maxOpenCases'] as const;

/** Days in the order an Indonesian office week is read: Monday first. */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];

export interface RosterOfficerRow {
  id: number;
  name: string;
  openCases: number;
  onDutyNow: boolean;
  absentToday: boolean;
}

export interface RosterFormState {
  /** Which form failed: its values and errors go back into it. */
  form: 'shift' | 'absence' | 'settings';
  values: Record<string, string | string[]>;
  errors: FieldErrors;
}

export function RosterPage(props: {
  ctx: PageContext;
  shifts: RosterShiftRow[];
  officers: RosterOfficerRow[];
  absences: AbsenceRow[];
  maxOpenCases: number;
  /** When the next shift starts, when nobody is on duty now. */
  nextShiftAt: Date | null;
  state?: RosterFormState;
  banner?: string;
}) {
  const { ctx, state } = props;
  const { t, locale } = ctx;
  const errorsFor = (form: RosterFormState['form']) => (state?.form === form ? state.errors : {});
  const valuesFor = (form: RosterFormState['form']) => (state?.form === form ? state.values : {});
  const text = (values: Record<string, string | string[]>, name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : '';
  };
  const shiftValues = valuesFor('shift');
  const chosenChannels = Array.isArray(shiftValues.channels) ? shiftValues.channels : [];
  const absenceValues = valuesFor('absence');
  const onDuty = props.officers.filter((officer) => officer.onDutyNow);
  const officerOptions = props.officers.map((officer) => ({ value: String(officer.id), label: officer.name }));
  const order = state?.form === 'shift' ? SHIFT_FIELDS : state?.form === 'absence' ? ABSENCE_FIELDS : ROSTER_SETTINGS_FIELDS;

  return (
    <AnswersLayout ctx={ctx} section="roster" title={t('roster.title')} banner={props.banner} errors={state?.errors ?? {}} order={order}
      prefix={state?.form}>
      <p class="body">{t('roster.intro')}</p>

      <h2 class="heading-m">{t('roster.now')}</h2>
      {onDuty.length > 0 ? (
        <p class="body" data-on-duty>{onDuty.map((officer) => officer.name).join(', ')}</p>
      ) : (
        <p class="body" data-on-duty>
          {props.nextShiftAt ? t('roster.nobody_until', { when: formatDateTime(props.nextShiftAt, locale) }) : t('roster.nobody')}
        </p>
      )}

      <h2 class="heading-m">{t('roster.officers')}</h2>
      <table class="table table--responsive">
        <caption class="visually-hidden">{t('roster.officers')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('roster.field.officer')}</th>
            <th scope="col">{t('roster.open_cases')}</th>
            <th scope="col">{t('roster.state')}</th>
          </tr>
        </thead>
        <tbody>
          {props.officers.map((officer) => (
            <tr>
              <th scope="row" data-label={t('roster.field.officer')}>{officer.name}</th>
              <td data-label={t('roster.open_cases')}>
                {t('roster.open_of_limit', { n: officer.openCases, max: props.maxOpenCases })}
                {officer.openCases >= props.maxOpenCases ? <strong class="tag tag--orange tag--small">{t('roster.at_limit')}</strong> : null}
              </td>
              <td data-label={t('roster.state')}>
                {officer.absentToday ? t('roster.absent_today') : officer.onDutyNow ? t('roster.on_duty') : t('roster.off_duty')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 class="heading-m">{t('roster.shifts')}</h2>
      {props.shifts.length === 0 ? (
        <p class="body">{t('roster.no_shifts')}</p>
      ) : (
        <table class="table table--responsive">
          <caption class="visually-hidden">{t('roster.shifts')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('roster.field.weekday')}</th>
              <th scope="col">{t('roster.field.hours')}</th>
              <th scope="col">{t('roster.field.officer')}</th>
              <th scope="col">{t('roster.field.channels')}</th>
              <th scope="col">{t('roster.field.on_holidays')}</th>
              <th scope="col"><span class="visually-hidden">{t('answers.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {WEEK_ORDER.flatMap((weekday) => props.shifts.filter((shift) => shift.weekday === weekday)).map((shift) => (
              <tr class={shift.userActive ? undefined : 'table__row--inactive'}>
                <th scope="row" data-label={t('roster.field.weekday')}>{t(`roster.weekday.${shift.weekday}`)}</th>
                <td data-label={t('roster.field.hours')}>{formatClockTime(shift.startMinute)}–{formatClockTime(shift.endMinute)} WIB</td>
                <td data-label={t('roster.field.officer')}>{shift.userName}</td>
                <td data-label={t('roster.field.channels')}>
                  {shift.channels.length === 0 ? t('roster.all_channels') : shift.channels.map((channel) => t(`channel.${channel}`)).join(', ')}
                </td>
                <td data-label={t('roster.field.on_holidays')}>{shift.onHolidays ? t('roster.yes') : t('roster.no')}</td>
                <td>
                  <form method="post" action={`/staff/roster/shifts/${shift.id}/remove`} class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <Button kind="secondary">{t('roster.remove')}<span class="visually-hidden"> {shift.userName}</span></Button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <section class="form-section">
        <h2 class="heading-m">{t('roster.add_shift')}</h2>
        <form method="post" action="/staff/roster/shifts" novalidate class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <SelectField t={t} prefix="shift" name="userId" label={t('roster.field.officer')} value={text(shiftValues, 'userId')} error={errorsFor('shift').userId}
            emptyLabel={t('case.choose')} options={officerOptions} />
          <SelectField t={t} prefix="shift" name="weekday" label={t('roster.field.weekday')} value={text(shiftValues, 'weekday')} error={errorsFor('shift').weekday}
            emptyLabel={t('case.choose')} options={WEEK_ORDER.map((day) => ({ value: String(day), label: t(`roster.weekday.${day}`) }))} />
          <TextField t={t} prefix="shift" name="start" label={t('roster.field.start')} value={text(shiftValues, 'start')} error={errorsFor('shift').start}
            width="short" hint={t('roster.time_hint')} />
          <TextField t={t} prefix="shift" name="end" label={t('roster.field.end')} value={text(shiftValues, 'end')} error={errorsFor('shift').end}
            width="short" hint={t('roster.time_hint')} />
          <fieldset class="fieldset form-group" id="shift-channels">
            <legend class="fieldset__legend">{t('roster.field.channels')}</legend>
            <p class="hint">{t('roster.channels_hint')}</p>
            {CHANNELS.filter((channel) => channel !== 'import').map((channel) => (
              <Checkbox prefix={`shift-channel-${channel}`} name="channels" value={channel} label={t(`channel.${channel}`)} checked={chosenChannels.includes(channel)} />
            ))}
          </fieldset>
          <Checkbox prefix="shift" name="onHolidays" label={t('roster.field.on_holidays_label')} checked={text(shiftValues, 'onHolidays') === '1'}
            hint={t('roster.on_holidays_hint')} />
          <Button>{t('roster.add_shift_submit')}</Button>
        </form>
      </section>

      <section class="form-section">
        <h2 class="heading-m">{t('roster.absences')}</h2>
        {props.absences.length === 0 ? (
          <p class="body">{t('roster.no_absences')}</p>
        ) : (
          <table class="table table--responsive">
            <caption class="visually-hidden">{t('roster.absences')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('roster.field.officer')}</th>
                <th scope="col">{t('roster.field.starts_on')}</th>
                <th scope="col">{t('roster.field.ends_on')}</th>
                <th scope="col">{t('roster.field.note')}</th>
                <th scope="col"><span class="visually-hidden">{t('answers.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {props.absences.map((absence) => (
                <tr>
                  <th scope="row" data-label={t('roster.field.officer')}>{absence.userName}</th>
                  <td data-label={t('roster.field.starts_on')}>{formatDate(absence.startsOn, locale)}</td>
                  <td data-label={t('roster.field.ends_on')}>{formatDate(absence.endsOn, locale)}</td>
                  <td data-label={t('roster.field.note')}>{absence.note ?? '–'}</td>
                  <td>
                    <form method="post" action={`/staff/roster/absences/${absence.id}/remove`} class="inline-form">
                      <CsrfField token={ctx.csrfToken} />
                      <Button kind="secondary">{t('roster.remove')}<span class="visually-hidden"> {absence.userName}</span></Button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h3 class="heading-s">{t('roster.add_absence')}</h3>
        <form method="post" action="/staff/roster/absences" novalidate class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <SelectField t={t} prefix="absence" name="userId" label={t('roster.field.officer')} value={text(absenceValues, 'userId')}
            error={errorsFor('absence').userId} emptyLabel={t('case.choose')} options={officerOptions} />
          <TextField t={t} prefix="absence" name="startsOn" type="date" label={t('roster.field.starts_on')} value={text(absenceValues, 'startsOn')}
            error={errorsFor('absence').startsOn} width="medium" />
          <TextField t={t} prefix="absence" name="endsOn" type="date" label={t('roster.field.ends_on')} value={text(absenceValues, 'endsOn')}
            error={errorsFor('absence').endsOn} width="medium" />
          <TextField t={t} prefix="absence" name="note" label={t('roster.field.note')} value={text(absenceValues, 'note')} error={errorsFor('absence').note}
            optional />
          <Button>{t('roster.add_absence_submit')}</Button>
        </form>
      </section>

      <section class="form-section">
        <h2 class="heading-m">{t('roster.settings')}</h2>
        <form method="post" action="/staff/roster/settings" novalidate class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <TextField t={t} prefix="settings" name="maxOpenCases" label={t('roster.field.max_open_cases')} inputmode="numeric" width="short"
            value={text(valuesFor('settings'), 'maxOpenCases') || String(props.maxOpenCases)} error={errorsFor('settings').maxOpenCases}
            hint={t('roster.max_open_cases_hint')} />
          <Button>{t('answers.save_settings')}</Button>
        </form>
      </section>
    </AnswersLayout>
  );
}
