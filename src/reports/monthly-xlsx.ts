/**
 * The monthly recap as an XLSX workbook (exceljs): one sheet per table,
 * headers in the report's language (Indonesian by default), typed cells.
 * Counts are whole numbers, shares are fractions formatted as percentages,
 * times are decimal numbers, and dates are Excel dates. Excel has no time
 * zones, so every date and time is written as its WIB wall-clock value and
 * its header says WIB.
 */
import type ExcelJS from 'exceljs';
import type { IndicatorUnit } from '../db/schema.ts';
import { WIB_OFFSET_MS } from '../domain/time.ts';
import { INDICATORS, type IndicatorDefinition } from './indicators.ts';
import type { MonthlyReportData } from './monthly-report.ts';
import type { PlanOwner } from './action-plan.ts';
import { reportText, type ReportLocale, type ReportText } from './report-labels.ts';

const FORMATS = {
  count: '0',
  share: '0.0%',
  decimal: '0.00',
  rating: '0.00',
  date: 'dd/mm/yyyy',
  dateTime: 'dd/mm/yyyy hh:mm',
} as const;

/** Figures of the per-agency and per-channel sheets, in column order. */
const GROUP_COLUMNS = [
  'received', 'resolved', 'resolved_share', 'resolved_within_sla_share', 'verified_on_time_share',
  'answered_within_1_working_day_share', 'median_response_days', 'median_response_working_hours', 'rating_average',
] as const;

interface Column {
  header: string;
  key: string;
  width: number;
  format?: string;
}

function definitionOf(code: string): IndicatorDefinition | undefined {
  return INDICATORS.find((definition) => definition.code === code);
}

function formatOf(code: string): string {
  switch (definitionOf(code)?.unit) {
    case 'count':
      return FORMATS.count;
    case 'share':
      return FORMATS.share;
    case 'rating':
      return FORMATS.rating;
    default:
      return FORMATS.decimal;
  }
}

/** Converts a calendar date `YYYY-MM-DD` to an Excel date. */
function excelDate(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** Converts an instant to its WIB wall-clock time, which Excel then shows unchanged. */
function excelWibDateTime(instant: Date): Date {
  return new Date(instant.getTime() + WIB_OFFSET_MS);
}

function addSheet(workbook: ExcelJS.Workbook, name: string, columns: Column[], rows: Record<string, unknown>[]): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column) => ({ header: column.header, key: column.key, width: column.width, style: column.format ? { numFmt: column.format } : {} }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  return sheet;
}

/** Returns the cell format of a plan target or value: percentages as fractions, counts and days of month whole. */
function planFormat(unit: IndicatorUnit): string {
  if (unit === 'percent') return FORMATS.share;
  if (unit === 'count' || unit === 'day_of_month') return FORMATS.count;
  return FORMATS.decimal;
}

function ownerText(owner: PlanOwner, t: ReportText): string {
  return [owner.agencyName, owner.role ? t(`recap.role.${owner.role}`) : null].filter(Boolean).join(' · ');
}

function figureColumns(t: ReportText): Column[] {
  return GROUP_COLUMNS.map((code) => ({ header: t(`recap.indicator.${code}`), key: code, width: 18, format: formatOf(code) }));
}

/** Copies figures into a row, leaving a cell empty (not zero) when there is no value. */
function figureCells(figures: Record<string, number | null>): Record<string, number | null> {
  const cells: Record<string, number | null> = {};
  for (const code of GROUP_COLUMNS) cells[code] = figures[code] ?? (definitionOf(code)?.unit === 'count' ? 0 : null);
  return cells;
}

/**
 * Builds the workbook and returns its bytes.
 *
 * @example const bytes = await buildMonthlyXlsx(await collectMonthlyReport(db, { month: '2026-02' }), 'id');
 */
export async function buildMonthlyXlsx(data: MonthlyReportData, locale: ReportLocale = 'id'): Promise<Buffer> {
  const t = reportText(locale);
  // exceljs adds about 28 MiB to the process, so it is loaded when the first workbook is built.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  workbook.creator = 'Aduan';
  workbook.created = data.generatedAt;

  const info = addSheet(workbook, t('recap.sheet.info'), [
    { header: t('recap.section.info'), key: 'label', width: 28 },
    { header: t('recap.col.value'), key: 'value', width: 90 },
  ], [
    { label: t('recap.info.title'), value: t('recap.title') },
    { label: t('recap.info.scope'), value: data.agency ? t('recap.scope_agency', { agency: data.agency.name }) : t('recap.scope_regency') },
    { label: t('recap.info.from'), value: excelDate(data.from) },
    { label: t('recap.info.to'), value: excelDate(data.to) },
    { label: t('recap.info.time_zone'), value: 'WIB (Asia/Jakarta, UTC+7)' },
    { label: t('recap.info.generated'), value: excelWibDateTime(data.generatedAt) },
    { label: t('recap.info.as_of'), value: excelWibDateTime(data.asOf) },
    { label: t('recap.info.counting'), value: `${t('recap.counting_note')} ${t('recap.working_time_note')}` },
  ]);
  info.getCell('B4').numFmt = FORMATS.date;
  info.getCell('B5').numFmt = FORMATS.date;
  info.getCell('B7').numFmt = FORMATS.dateTime;
  info.getCell('B8').numFmt = FORMATS.dateTime;
  info.getColumn('value').alignment = { wrapText: true, vertical: 'top' };

  addSheet(workbook, t('recap.sheet.summary'), [
    { header: t('recap.col.code'), key: 'code', width: 36 },
    { header: t('recap.col.indicator'), key: 'name', width: 42 },
    { header: t('recap.col.value'), key: 'value', width: 14 },
    { header: t('recap.col.unit'), key: 'unit', width: 14 },
    { header: t('recap.col.definition'), key: 'definition', width: 90 },
  ], INDICATORS.map((definition) => ({
    code: definition.code,
    name: t(`recap.indicator.${definition.code}`),
    value: data.totals[definition.code] ?? (definition.unit === 'count' ? 0 : null),
    unit: t(`recap.unit.${definition.unit}`),
    definition: definition.definition[locale],
  }))).eachRow((row, number) => {
    if (number > 1) row.getCell('value').numFmt = formatOf(String(row.getCell('code').value));
  });

  addSheet(workbook, t('recap.sheet.channels'), [
    { header: t('recap.col.code'), key: 'code', width: 12 },
    { header: t('recap.col.channel'), key: 'name', width: 20 },
    ...figureColumns(t),
  ], data.byChannel.map((row) => ({ code: row.channel, name: t(`recap.channel.${row.channel}`), ...figureCells(row.figures) })));

  if (!data.agency) {
    addSheet(workbook, t('recap.sheet.agencies'), [
      { header: t('recap.col.rank'), key: 'rank', width: 10, format: FORMATS.count },
      { header: t('recap.col.code'), key: 'code', width: 16 },
      { header: t('recap.col.agency'), key: 'name', width: 48 },
      ...figureColumns(t),
      { header: t('recap.col.overdue'), key: 'overdue', width: 16, format: FORMATS.count },
    ], data.byAgency.map((row, index) => ({
      rank: index + 1, code: row.code ?? '', name: row.code ? row.name : t('recap.no_agency'), ...figureCells(row.figures), overdue: row.overdue,
    })));
  }

  addSheet(workbook, t('recap.sheet.categories'), [
    { header: t('recap.col.code'), key: 'code', width: 22 },
    { header: t('recap.col.category'), key: 'name', width: 40 },
    ...figureColumns(t),
  ], data.byCategory.map((row) => ({ code: row.code, name: locale === 'en' && row.nameEn ? row.nameEn : row.name, ...figureCells(row.figures) })));

  addSheet(workbook, t('recap.sheet.districts'), [
    { header: t('recap.col.code'), key: 'code', width: 12 },
    { header: t('recap.col.district'), key: 'name', width: 28 },
    { header: t('recap.indicator.received'), key: 'received', width: 16, format: FORMATS.count },
  ], data.byDistrict.map((row) => ({ code: row.code, name: row.name, received: row.received })));

  addSheet(workbook, t('recap.sheet.backlog'), [
    { header: t('recap.col.age'), key: 'age', width: 24 },
    { header: t('recap.col.count'), key: 'count', width: 12, format: FORMATS.count },
  ], data.backlog.map((row) => ({ age: t(`recap.age.${row.bucket}`), count: row.count })));

  if (data.plan) {
    addSheet(workbook, t('recap.sheet.plan'), [
      { header: t('recap.col.objective'), key: 'objective', width: 44 },
      { header: t('recap.col.indicator'), key: 'name', width: 52 },
      { header: t('recap.col.period'), key: 'period', width: 12 },
      { header: t('recap.col.target'), key: 'target', width: 12 },
      { header: t('recap.col.unit'), key: 'unit', width: 12 },
      { header: t('recap.col.actual'), key: 'actual', width: 12 },
      { header: t('recap.col.status'), key: 'status', width: 22 },
      { header: t('recap.col.owner'), key: 'owner', width: 40 },
    ], data.plan.indicators.map((line) => {
      // Percent targets and values become fractions, so Excel shows and computes them as percentages.
      const scale = line.unit === 'percent' ? 0.01 : 1;
      return {
        objective: line.objective,
        name: line.name,
        period: line.periodKey,
        target: line.targetValue * scale,
        unit: `${t(`recap.comparison.${line.comparison}`)} ${t(`recap.unit.${line.unit}`)}`,
        actual: line.actual === null ? null : line.actual * scale,
        status: `${t(`recap.status.${line.status}`)}${line.provisional ? ` (${t('recap.status.provisional')})` : ''}`,
        owner: ownerText(line.owner, t),
      };
    })).eachRow((row, number) => {
      if (number === 1) return;
      const line = data.plan!.indicators[number - 2];
      const format = planFormat(line.unit);
      row.getCell('target').numFmt = format;
      row.getCell('actual').numFmt = format;
    });

    addSheet(workbook, t('recap.sheet.activities'), [
      { header: t('recap.col.objective'), key: 'objective', width: 44 },
      { header: t('recap.col.activity'), key: 'name', width: 60 },
      { header: t('recap.col.status'), key: 'state', width: 22 },
      { header: `${t('recap.col.done_on')} (WIB)`, key: 'doneOn', width: 16, format: FORMATS.date },
      { header: t('recap.col.owner'), key: 'owner', width: 40 },
    ], data.plan.activities.map((line) => ({
      objective: line.objective,
      name: line.name,
      state: t(`recap.activity.${line.state}`),
      doneOn: line.doneOn ? excelDate(line.doneOn) : null,
      owner: ownerText(line.owner, t),
    })));
  }

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
