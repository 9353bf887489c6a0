/**
 * Words of the reports (monthly recap in HTML, PDF and XLSX; dashboards;
 * transparency page) in Indonesian and English, and the number and date
 * formats they use. Background jobs render reports without a web request,
 * so these labels live here. The web catalog (web/i18n/reports.ts) includes
 * them, so pages and files use the same words.
 */
import type { Channel, Role } from '../domain/types.ts';

export type ReportLocale = 'id' | 'en';

const CHANNEL_NAMES: Record<Channel, [string, string]> = {
  web: ['Situs web', 'Website'],
  api: ['API', 'API'],
  walk_in: ['Datang langsung', 'Walk-in'],
  phone: ['Telepon', 'Phone'],
  whatsapp: ['WhatsApp', 'WhatsApp'],
  telegram: ['Telegram', 'Telegram'],
  facebook: ['Facebook', 'Facebook'],
  instagram: ['Instagram', 'Instagram'],
  x: ['X', 'X'],
  email: ['E-mail', 'E-mail'],
  sms: ['SMS', 'SMS'],
  lapor: ['SP4N-LAPOR!', 'SP4N-LAPOR!'],
  import: ['Impor data', 'Imported'],
};

const ROLE_NAMES: Record<Role, [string, string]> = {
  admin: ['Administrator sistem', 'System administrator'],
  complaint_officer: ['Admin aduan (pengelola)', 'Complaint officer'],
  agency_officer: ['Admin OPD (semua OPD)', 'Agency officers (every agency)'],
  leader: ['Pimpinan', 'Leadership'],
};

/** Short names of the computed indicators; their definitions are in INDICATORS. */
const INDICATOR_NAMES: Record<string, [string, string]> = {
  received: ['Laporan diterima', 'Reports received'],
  resolved: ['Laporan selesai', 'Reports resolved'],
  resolved_share: ['Persentase penyelesaian', 'Share resolved'],
  resolved_within_sla_share: ['Selesai dalam tenggat', 'Resolved within deadline'],
  verified_on_time_share: ['Verifikasi tepat waktu', 'Verified on time'],
  first_followup_on_time_share: ['Tindak lanjut pertama tepat waktu', 'First follow-up on time'],
  answered_within_1_working_day_share: ['Ditanggapi ≤ 1 hari kerja', 'Answered within 1 working day'],
  median_response_days: ['Median waktu tanggapan (hari)', 'Median response time (days)'],
  p90_response_days: ['Persentil 90 waktu tanggapan (hari)', '90th percentile response time (days)'],
  median_response_working_hours: ['Median waktu tanggapan (jam kerja)', 'Median response time (working hours)'],
  p90_response_working_hours: ['Persentil 90 waktu tanggapan (jam kerja)', '90th percentile response time (working hours)'],
  median_resolution_days: ['Median waktu penyelesaian (hari)', 'Median resolution time (days)'],
  p90_resolution_days: ['Persentil 90 waktu penyelesaian (hari)', '90th percentile resolution time (days)'],
  median_resolution_working_hours: ['Median waktu penyelesaian (jam kerja)', 'Median resolution time (working hours)'],
  rating_average: ['Rata-rata kepuasan (1–5)', 'Average satisfaction (1–5)'],
  rating_satisfied_share: ['Warga puas (nilai 4–5)', 'Satisfied citizens (rating 4–5)'],
  reopen_rate: ['Dibuka kembali', 'Reopened'],
};

const PAIRS: Record<string, [string, string]> = {
  'recap.title': ['Rekap Bulanan Pengelolaan Pengaduan', 'Monthly Complaint Handling Recap'],
  'recap.scope_regency': ['Seluruh OPD (tingkat kabupaten)', 'All agencies (regency-wide)'],
  'recap.scope_agency': ['OPD: {agency}', 'Agency: {agency}'],
  'recap.period': ['Periode {from} s.d. {to}; semua waktu dalam WIB (Asia/Jakarta).', 'Period {from} to {to}; all times in WIB (Asia/Jakarta).'],
  'recap.generated': ['Dibuat {at}.', 'Generated {at}.'],
  'recap.counting_note': [
    'Laporan dihitung pada bulan tanggal diterimanya (WIB). Spam, bukan laporan, dan duplikat yang digabung tidak dihitung. Laporan bukan wewenang dihitung sebagai diterima tetapi tidak masuk persentase penyelesaian. Tanda “–” berarti belum ada data.',
    'A report counts in the month of its WIB receipt date. Spam, non-reports and merged duplicates are not counted. Reports outside the regency\'s authority count as received but not in the resolution shares. A dash means no data yet.',
  ],
  'recap.working_time_note': [
    'Hari kerja: hari diterimanya laporan tidak dihitung. Jam kerja: Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WIB, di luar hari libur dan cuti bersama.',
    'Working days: the day of receipt does not count. Working hours: Monday–Thursday 07:30–16:00, Friday 07:30–16:30 WIB, outside holidays and collective leave.',
  ],
  'recap.section.info': ['Keterangan', 'About this report'],
  'recap.section.summary': ['Ringkasan indikator', 'Indicator summary'],
  'recap.section.channels': ['Laporan per kanal', 'Reports by channel'],
  'recap.section.agencies': ['Kinerja per OPD', 'Performance by agency'],
  'recap.section.categories': ['Laporan per kategori', 'Reports by category'],
  'recap.section.districts': ['Laporan per kecamatan', 'Reports by kecamatan'],
  'recap.section.backlog': ['Laporan terbuka menurut umur, per {date}', 'Open reports by age, as of {date}'],
  'recap.section.plan': ['Rencana aksi {year}: capaian', 'Action plan {year}: progress'],
  'recap.section.plan_activities': ['Kegiatan terjadwal bulan ini', 'Activities scheduled this month'],
  'recap.col.indicator': ['Indikator', 'Indicator'],
  'recap.col.value': ['Nilai', 'Value'],
  'recap.col.unit': ['Satuan', 'Unit'],
  'recap.col.definition': ['Definisi', 'Definition'],
  'recap.col.code': ['Kode', 'Code'],
  'recap.col.channel': ['Kanal', 'Channel'],
  'recap.col.agency': ['OPD', 'Agency'],
  'recap.col.category': ['Kategori', 'Category'],
  'recap.col.district': ['Kecamatan', 'Kecamatan'],
  'recap.col.age': ['Umur laporan', 'Age of report'],
  'recap.col.count': ['Jumlah', 'Count'],
  'recap.col.overdue': ['Lewat tenggat (saat ini)', 'Overdue (now)'],
  'recap.col.rank': ['Peringkat', 'Rank'],
  'recap.col.objective': ['Sasaran', 'Objective'],
  'recap.col.target': ['Target', 'Target'],
  'recap.col.actual': ['Realisasi', 'Actual'],
  'recap.col.status': ['Status', 'Status'],
  'recap.col.period': ['Periode', 'Period'],
  'recap.col.owner': ['Penanggung jawab', 'Owner'],
  'recap.col.activity': ['Kegiatan', 'Activity'],
  'recap.col.month': ['Bulan', 'Month'],
  'recap.col.week': ['Pekan mulai (Senin)', 'Week starting (Monday)'],
  'recap.col.rating': ['Nilai kepuasan', 'Rating'],
  'recap.col.done_on': ['Tanggal selesai', 'Done on'],
  'recap.info.title': ['Judul', 'Title'],
  'recap.info.scope': ['Cakupan', 'Scope'],
  'recap.info.from': ['Periode mulai', 'Period start'],
  'recap.info.to': ['Periode akhir', 'Period end'],
  'recap.info.time_zone': ['Zona waktu', 'Time zone'],
  'recap.info.generated': ['Dibuat (WIB)', 'Generated (WIB)'],
  'recap.info.as_of': ['Angka per (WIB)', 'Figures as of (WIB)'],
  'recap.info.counting': ['Cara menghitung', 'How figures are counted'],
  'recap.sheet.info': ['Keterangan', 'About'],
  'recap.sheet.summary': ['Ringkasan', 'Summary'],
  'recap.sheet.channels': ['Per kanal', 'By channel'],
  'recap.sheet.agencies': ['Per OPD', 'By agency'],
  'recap.sheet.categories': ['Per kategori', 'By category'],
  'recap.sheet.districts': ['Per kecamatan', 'By kecamatan'],
  'recap.sheet.backlog': ['Tunggakan', 'Backlog'],
  'recap.sheet.plan': ['Rencana aksi', 'Action plan'],
  'recap.sheet.activities': ['Kegiatan', 'Activities'],
  'recap.unit.count': ['laporan', 'reports'],
  'recap.unit.share': ['%', '%'],
  'recap.unit.percent': ['%', '%'],
  'recap.unit.days': ['hari', 'days'],
  'recap.unit.working_hours': ['jam kerja', 'working hours'],
  'recap.unit.rating': ['skala 1–5', 'scale 1–5'],
  'recap.unit.day_of_month': ['tanggal', 'day of month'],
  'recap.unit.people': ['orang', 'people'],
  'recap.age.0-3': ['0–3 hari', '0–3 days'],
  'recap.age.4-7': ['4–7 hari', '4–7 days'],
  'recap.age.8-14': ['8–14 hari', '8–14 days'],
  'recap.age.15-30': ['15–30 hari', '15–30 days'],
  'recap.age.31+': ['lebih dari 30 hari', 'over 30 days'],
  'recap.status.on_track': ['Sesuai target', 'On track'],
  'recap.status.at_risk': ['Berisiko', 'At risk'],
  'recap.status.missed': ['Tidak tercapai', 'Missed'],
  'recap.status.no_data': ['Belum ada data', 'No data'],
  'recap.status.not_due': ['Belum berjalan', 'Not started'],
  'recap.status.provisional': ['sementara', 'provisional'],
  'recap.activity.not_planned': ['Tidak dijadwalkan', 'Not scheduled'],
  'recap.activity.planned': ['Dijadwalkan', 'Scheduled'],
  'recap.activity.due': ['Jatuh tempo bulan ini', 'Due this month'],
  'recap.activity.overdue': ['Terlambat', 'Overdue'],
  'recap.activity.done': ['Selesai', 'Done'],
  'recap.status_rule': [
    'Sesuai target: realisasi memenuhi target. Berisiko: realisasi meleset paling banyak 5 % dari nilai target (misalnya 90,25–94,99 % untuk target ≥ 95 %). Tidak tercapai: meleset lebih dari 5 % dari nilai target. Status periode yang masih berjalan bersifat sementara.',
    'On track: the actual value meets the target. At risk: it misses the target by at most 5 % of the target value (for example 90.25–94.99 % against a target of ≥ 95 %). Missed: it misses by more than 5 % of the target value. The status of a period still running is provisional.',
  ],
  'recap.period_type.monthly': ['bulanan', 'monthly'],
  'recap.period_type.quarterly': ['triwulanan', 'quarterly'],
  'recap.period_type.yearly': ['tahunan', 'yearly'],
  'recap.comparison.gte': ['≥', '≥'],
  'recap.comparison.lte': ['≤', '≤'],
  'recap.no_agency': ['Belum didisposisikan', 'Not yet dispatched'],
  'recap.none': ['Tidak ada data untuk periode ini.', 'No data for this period.'],
  'recap.no_plan': ['Belum ada rencana aksi untuk tahun ini.', 'There is no action plan for this year yet.'],
  'recap.chart.channels': ['Grafik batang: laporan diterima per kanal. Datanya ada pada tabel di bawah.', 'Bar chart: reports received by channel. Its data is in the table below.'],
  'recap.chart.agencies': ['Grafik batang: laporan diterima per OPD. Datanya ada pada tabel di bawah.', 'Bar chart: reports received by agency. Its data is in the table below.'],
  'recap.chart.categories': ['Grafik batang: laporan diterima per kategori. Datanya ada pada tabel di bawah.', 'Bar chart: reports received by category. Its data is in the table below.'],
  'recap.chart.districts': ['Peta: laporan diterima per kecamatan. Datanya ada pada tabel di bawah.', 'Map: reports received by kecamatan. Its data is in the table below.'],
  'recap.chart.backlog': ['Grafik batang: laporan terbuka menurut umur. Datanya ada pada tabel di bawah.', 'Bar chart: open reports by age. Its data is in the table below.'],
  'recap.quarter': ['Triwulan {quarter} {year}', 'Quarter {quarter} {year}'],
  'recap.year': ['Tahun {year}', 'Year {year}'],
};

function buildCatalog(index: 0 | 1): Record<string, string> {
  const catalog: Record<string, string> = {};
  for (const [key, pair] of Object.entries(PAIRS)) catalog[key] = pair[index];
  for (const [code, pair] of Object.entries(CHANNEL_NAMES)) catalog[`recap.channel.${code}`] = pair[index];
  for (const [code, pair] of Object.entries(ROLE_NAMES)) catalog[`recap.role.${code}`] = pair[index];
  for (const [code, pair] of Object.entries(INDICATOR_NAMES)) catalog[`recap.indicator.${code}`] = pair[index];
  return catalog;
}

/** Every report label by locale; keys start with `recap.`. */
export const REPORT_LABELS: Record<ReportLocale, Record<string, string>> = { id: buildCatalog(0), en: buildCatalog(1) };

export type ReportText = (key: string, params?: Record<string, string | number>) => string;

/**
 * Returns a translator for report labels; a missing key falls back to Indonesian, then to the key.
 *
 * @example reportText('id')('recap.period', { from: '1 Feb 2026', to: '28 Feb 2026' })
 */
export function reportText(locale: ReportLocale): ReportText {
  const catalog = REPORT_LABELS[locale];
  return (key, params = {}) => {
    const template = catalog[key] ?? REPORT_LABELS.id[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
  };
}

// ---------------------------------------------------------------------------
// Formats

const INTL_LOCALE: Record<ReportLocale, string> = { id: 'id-ID', en: 'en-GB' };

/** Unit of a figure: the indicator units plus the plan's units. */
export type FigureUnit = 'count' | 'share' | 'percent' | 'days' | 'working_hours' | 'rating' | 'day_of_month';

/**
 * Formats a figure for reading. Shares (fractions) become percentages with
 * one decimal, times get one decimal, ratings two, and counts none. No value
 * becomes a dash.
 *
 * @example formatFigure(0.9375, 'share', 'id') // '93,8 %'
 */
export function formatFigure(value: number | null | undefined, unit: FigureUnit, locale: ReportLocale): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const format = (digits: number, number: number) =>
    new Intl.NumberFormat(INTL_LOCALE[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(number);
  switch (unit) {
    case 'share':
      return `${format(1, value * 100)} %`;
    case 'percent':
      return `${format(1, value)} %`;
    case 'days':
    case 'working_hours':
      return format(1, value);
    case 'rating':
      return format(2, value);
    case 'count':
    case 'day_of_month':
      return format(0, value);
  }
}

/**
 * Formats a `YYYY-MM` month as its name and year.
 *
 * @example formatMonth('2026-02', 'id') // 'Februari 2026'
 */
export function formatMonth(month: string, locale: ReportLocale): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return month;
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** Short month name of a month number 1–12, for grid headers. */
export function shortMonthName(month: number, locale: ReportLocale): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, month - 1, 1)));
}

/**
 * Formats a WIB calendar date `YYYY-MM-DD` without weekday.
 *
 * @example formatDay('2026-02-28', 'id') // '28 Feb 2026'
 */
export function formatDay(date: string, locale: ReportLocale): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(parsed);
}

/**
 * Formats an instant as WIB date and time with the zone named.
 *
 * @example formatInstant(new Date('2026-03-01T01:00:00Z'), 'id') // '1 Mar 2026, 08.00 WIB'
 */
export function formatInstant(instant: Date, locale: ReportLocale): string {
  const text = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: 'Asia/Jakarta', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(instant);
  return `${text} WIB`;
}
