/**
 * Triage pages and actions: the low-priority queue with its bulk sweep
 * (/staff/triage), the model page (/staff/triage/models), and merging or
 * dismissing a proposed duplicate. The case page calls `loadCaseTriage` for
 * its triage block and for filling the verify form from suggestions
 * (`?triage_type=…&triage_category=…&triage_agency=…`).
 *
 * Only complaint officers and administrators use triage; other users get
 * 403 here and only the personal data marker on the case page. Merging
 * happens only when an officer presses the merge button.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import type { Complaint } from '../../../db/schema.ts';
import type { CommandContext } from '../../../commands/context.ts';
import { CommandError } from '../../../commands/errors.ts';
import { mergeComplaints } from '../../../commands/merge-complaints.ts';
import { duplicateProposals } from '../../../commands/search-duplicates.ts';
import {
  dismissDuplicate, loadActiveModels, needsTriage, sweepLowPriority, SWEEP_ACTIONS, triageComplaint, type ActiveModels, type SweepAction,
} from '../../../commands/triage-complaint.ts';
import { activateTriageModel, requestRetrain, updateTriageSettings } from '../../../commands/retrain-triage.ts';
import {
  accuracyByVersion, canManageTriage, canUseTriage, CLASSIFICATION_KINDS, findRegionalAgency, getRelevanceState,
  getStoredSuggestions, listLowPriorityQueue, listModelVersions, readTriageSettings, REGIONAL_AGENCY_LABEL,
} from '../../../queries/triage.ts';
import { findPersonalData, type PersonalDataKind } from '../../../domain/triage/index.ts';
import { COMPLAINT_TYPES } from '../../../domain/types.ts';
import { STATUSES } from '../../../domain/lifecycle.ts';
import type { Translate } from '../../i18n/index.ts';
import { logger } from '../../../logger.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { attempt, formText, parseId, readForm } from '../../views/form.tsx';
import { errorPageResponse } from '../public/errors.tsx';
import type { ActionFormState, CaseAction } from '../../views/staff/case-actions.tsx';
import type { CaseTriagePanelData, SuggestionBlock, SuggestionOption } from '../../views/staff/triage/case-panel.tsx';
import { LowPriorityQueuePage, queueHref, type SweepBanner } from '../../views/staff/triage/queue.tsx';
import { MODEL_BANNERS, ModelsPage, SETTINGS_FIELDS, type ModelBanner } from '../../views/staff/triage/models.tsx';
import { forbiddenPage, staffUser } from './guard.tsx';

/** Query parameters that fill the verify form, and the form field each fills. */
const PREFILL_PARAMS = { type: 'triage_type', category: 'triage_category', agency: 'triage_agency' } as const;
const PREFILL_FIELDS = { type: 'type', category: 'categoryCode', agency: 'agencyCode' } as const;

type ClassificationKind = keyof typeof PREFILL_PARAMS;

/** Message keys a failed triage action may pass back to the case page. */
const ERROR_KEY_RE = /^error\.[a-z_.]+$/;

function statusName(t: Translate, status: string | undefined): string {
  return status && (STATUSES as readonly string[]).includes(status) ? t(`status.${status}`) : '–';
}

/** Reads a decimal typed with a comma or a point; NaN when empty or not a number. */
function parseDecimal(raw: string): number {
  const text = raw.trim().replace(',', '.');
  return text === '' ? Number.NaN : Number(text);
}

// The case page's triage block.

export interface CaseTriage {
  panel: CaseTriagePanelData;
  /** Verify form values taken from suggestions the officer accepted; undefined when none were. */
  prefill?: ActionFormState;
}

/** Kinds of personal data in a text, in order of first appearance. */
function personalDataKinds(text: string): PersonalDataKind[] {
  return [...new Set(findPersonalData(text).map((match) => match.kind))];
}

/**
 * Loads the case page's triage block. For a new report that the triage job
 * has not reached yet, scores it now, so the first officer to open it gets
 * suggestions. A failure there is logged and the page shows none.
 */
export async function loadCaseTriage(c: Context<AppEnv>, complaint: Complaint, allowed: readonly CaseAction[]): Promise<CaseTriage> {
  const user = staffUser(c);
  const db = c.get('deps').db;
  const t = c.get('t');
  const done = c.req.query('triage_done');
  const errorKey = c.req.query('triage_error');
  const panel: CaseTriagePanelData = {
    complaintId: complaint.id,
    personalData: personalDataKinds(complaint.description),
    officer: null,
    done: done === 'restored' || done === 'dismissed' ? done : undefined,
    error: errorKey && ERROR_KEY_RE.test(errorKey) ? t(errorKey, { status: statusName(t, c.req.query('triage_status')) }) : undefined,
  };
  if (!canUseTriage(user)) return { panel };

  let models: ActiveModels = {};
  try {
    models = await loadActiveModels(db);
    if (complaint.status === 'new' && (await needsTriage(db, complaint.id, models))) await triageComplaint(db, complaint.id, { models });
  } catch (error) {
    logger.warn({ err: error, complaintId: complaint.id }, 'triage on the case page failed; the page shows no new suggestions');
  }

  const [stored, relevance, settings] = await Promise.all([
    getStoredSuggestions(db, complaint.id),
    getRelevanceState(db, complaint.id),
    readTriageSettings(db),
  ]);
  const duplicates = await duplicateProposals(db, user, complaint, { windowDays: settings.duplicate_window_days });
  const canVerify = allowed.includes('verify');
  const names = await labelNames(c, complaint, stored);

  // Values already chosen through suggestion links; each link keeps the others.
  const chosen: Partial<Record<ClassificationKind, string>> = {};
  for (const kind of Object.keys(PREFILL_PARAMS) as ClassificationKind[]) {
    const value = c.req.query(PREFILL_PARAMS[kind]);
    if (value && names.isValid(kind, value)) chosen[kind] = value;
  }
  const hrefWith = (changes: Partial<Record<ClassificationKind, string>>) => {
    const params = new URLSearchParams();
    for (const kind of Object.keys(PREFILL_PARAMS) as ClassificationKind[]) {
      const value = changes[kind] ?? chosen[kind];
      if (value) params.set(PREFILL_PARAMS[kind], value);
    }
    return `/staff/complaints/${complaint.id}?${params.toString()}#action-verify`;
  };

  const suggestions: SuggestionBlock[] = [];
  const topValues: Partial<Record<ClassificationKind, string>> = {};
  for (const kind of CLASSIFICATION_KINDS as ClassificationKind[]) {
    const suggestion = stored[kind];
    if (!suggestion) continue;
    const options: SuggestionOption[] = suggestion.ranking.map((entry) => {
      const formValue = names.formValue(kind, entry.label);
      return {
        value: entry.label,
        label: names.label(kind, entry.label),
        score: entry.score,
        terms: entry.terms.map((term) => term.term),
        useHref: canVerify && formValue ? hrefWith({ [kind]: formValue }) : null,
      };
    });
    const topValue = suggestion.ranking[0] ? names.formValue(kind, suggestion.ranking[0].label) : null;
    if (topValue) topValues[kind] = topValue;
    suggestions.push({ kind, modelVersion: suggestion.modelVersion, createdAt: suggestion.createdAt, fromActiveModel: suggestion.fromActiveModel, options });
  }

  const prefilled = canVerify && Object.keys(chosen).length > 0;
  panel.officer = {
    relevance,
    suggestions,
    acceptAllHref: canVerify && Object.keys(topValues).length > 0 ? hrefWith(topValues) : null,
    prefilled,
    modelsMissing: Object.keys(models).length === 0,
    duplicates,
    windowDays: settings.duplicate_window_days,
    canRestore: complaint.status === 'new' && relevance?.queue === 'low_priority' && relevance.sweepOutcome === null,
  };
  if (!prefilled) return { panel };
  const values: Record<string, string> = {};
  for (const [kind, value] of Object.entries(chosen) as [ClassificationKind, string][]) values[PREFILL_FIELDS[kind]] = value;
  return { panel, prefill: { action: 'verify', values, errors: {} } };
}

/**
 * Display names of suggested labels and the verify-form value each stands
 * for. The regional agency group becomes the kecamatan or kelurahan agency of
 * the report's location, when the location is known.
 */
async function labelNames(c: Context<AppEnv>, complaint: Complaint, stored: Awaited<ReturnType<typeof getStoredSuggestions>>) {
  const db = c.get('deps').db;
  const t = c.get('t');
  const locale = c.get('locale');
  const [categories, agencies, regional] = await Promise.all([
    db.selectFrom('categories').select(['code', 'name', 'name_en']).where('active', '=', true).execute(),
    db.selectFrom('agencies').select(['code', 'name']).where('active', '=', true).execute(),
    stored.agency?.ranking.some((entry) => entry.label === REGIONAL_AGENCY_LABEL)
      ? findRegionalAgency(db, { districtCode: complaint.district_code, villageCode: complaint.village_code })
      : Promise.resolve(undefined),
  ]);
  const category = new Map(categories.map((row) => [row.code, row]));
  const agency = new Map(agencies.map((row) => [row.code, row]));
  return {
    label(kind: ClassificationKind, value: string): string {
      if (kind === 'type') return t(`type.${value}`);
      if (kind === 'category') {
        const row = category.get(value);
        if (!row) return value;
        return locale === 'en' && row.name_en ? row.name_en : row.name;
      }
      if (value === REGIONAL_AGENCY_LABEL) {
        return regional ? t('triage.regional_agency_named', { name: regional.name }) : t('triage.regional_agency');
      }
      return agency.get(value)?.name ?? value;
    },
    /** Returns the verify form's value for a suggested label, or null when it has none. */
    formValue(kind: ClassificationKind, value: string): string | null {
      if (kind === 'agency' && value === REGIONAL_AGENCY_LABEL) return regional?.code ?? null;
      return this.isValid(kind, value) ? value : null;
    },
    isValid(kind: ClassificationKind, value: string): boolean {
      if (kind === 'type') return (COMPLAINT_TYPES as readonly string[]).includes(value);
      if (kind === 'category') return category.has(value);
      return agency.has(value);
    },
  };
}

// Routes.

function requireTriageUser(c: Context<AppEnv>) {
  return canUseTriage(staffUser(c)) ? null : forbiddenPage(c);
}

async function renderQueue(c: Context<AppEnv>, options: { page: number; banner?: SweepBanner; errors?: Record<string, string>; selected?: number[] }, status = 200) {
  const db = c.get('deps').db;
  const [result, settings] = await Promise.all([listLowPriorityQueue(db, staffUser(c), options.page), readTriageSettings(db)]);
  return renderPage(
    c,
    <LowPriorityQueuePage ctx={pageContext(c)} result={result} threshold={settings.relevance_threshold} banner={options.banner}
      errors={options.errors} selected={options.selected} />,
    status,
  );
}

async function renderModels(c: Context<AppEnv>, options: { banner?: ModelBanner; errors?: Record<string, string>; values?: Record<string, string> } = {}, status = 200) {
  const db = c.get('deps').db;
  const [versions, accuracy, settings] = await Promise.all([listModelVersions(db), accuracyByVersion(db), readTriageSettings(db)]);
  return renderPage(
    c,
    <ModelsPage ctx={pageContext(c)} versions={versions} accuracy={accuracy} settings={settings} canManage={canManageTriage(staffUser(c))}
      banner={options.banner} errors={options.errors} values={options.values} />,
    status,
  );
}

function commandContext(c: Context<AppEnv>): CommandContext {
  return { db: c.get('deps').db, actor: { kind: 'staff', user: staffUser(c) } };
}

/**
 * Returns the case page URL that shows a failed triage action's error. Only
 * the message key and a status travel in the URL, never free text, so that a
 * crafted link cannot put words of its own on the page.
 */
function backToCase(caseId: number, error: CommandError, anchor: string): string {
  const params = new URLSearchParams({ triage_error: error.key });
  if (typeof error.params.status === 'string') params.set('triage_status', error.params.status);
  return `/staff/complaints/${caseId}?${params.toString()}#${anchor}`;
}

export function registerTriageRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/triage', async (c) => {
    const denied = requireTriageUser(c);
    if (denied) return denied;
    const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '', 10) || 1);
    const action = c.req.query('done');
    const banner = (SWEEP_ACTIONS as readonly string[]).includes(action ?? '')
      ? { action: action as SweepAction, done: Number(c.req.query('count')) || 0, skipped: Number(c.req.query('skipped')) || 0 }
      : undefined;
    return renderQueue(c, { page, banner });
  });

  app.post('/staff/triage/sweep', async (c) => {
    const denied = requireTriageUser(c);
    if (denied) return denied;
    const form = await readForm(c);
    const ids = (form.complaintId ?? []).filter((value): value is string => typeof value === 'string').map((value) => parseId(value) ?? -1);
    const action = formText(form, 'action');
    const returnTo = parseId(formText(form, 'returnTo'));
    const page = Math.max(1, Number.parseInt(formText(form, 'page'), 10) || 1);

    const result = await attempt(c.get('t'), ['complaintId', 'action'], () => sweepLowPriority(commandContext(c), { complaintIds: ids, action }));
    if (returnTo !== null) {
      if (!result.ok) return c.redirect(backToCase(returnTo, result.error, 'triage-suggestions'), 303);
      return c.redirect(`/staff/complaints/${returnTo}?triage_done=restored`, 303);
    }
    if (!result.ok) return renderQueue(c, { page, errors: result.errors, selected: ids.filter((id) => id > 0) }, result.error.httpStatus);
    const params = new URLSearchParams({ done: action, count: String(result.value.done.length), skipped: String(result.value.skipped.length) });
    return c.redirect(`${queueHref(page)}${page > 1 ? '&' : '?'}${params.toString()}`, 303);
  });

  app.get('/staff/triage/models', async (c) => {
    const denied = requireTriageUser(c);
    if (denied) return denied;
    const done = c.req.query('done');
    return renderModels(c, { banner: MODEL_BANNERS.includes(done as ModelBanner) ? (done as ModelBanner) : undefined });
  });

  app.post('/staff/triage/models/retrain', async (c) => {
    if (!canManageTriage(staffUser(c))) return forbiddenPage(c);
    await requestRetrain(c.get('deps').db, staffUser(c));
    return c.redirect('/staff/triage/models?done=retrain', 303);
  });

  app.post('/staff/triage/models/:id/activate', async (c) => {
    if (!canManageTriage(staffUser(c))) return forbiddenPage(c);
    const id = parseId(c.req.param('id'));
    const result = await attempt(c.get('t'), [], () => activateTriageModel(c.get('deps').db, staffUser(c), id ?? -1));
    if (!result.ok) return renderModels(c, { errors: result.errors }, result.error.httpStatus);
    return c.redirect('/staff/triage/models?done=activate', 303);
  });

  app.post('/staff/triage/settings', async (c) => {
    if (!canManageTriage(staffUser(c))) return forbiddenPage(c);
    const form = await readForm(c);
    const values: Record<string, string> = {};
    for (const field of SETTINGS_FIELDS) values[field] = formText(form, field);
    const result = await attempt(c.get('t'), SETTINGS_FIELDS, () =>
      updateTriageSettings(c.get('deps').db, staffUser(c), {
        relevanceThreshold: parseDecimal(values.relevanceThreshold),
        duplicateWindowDays: parseDecimal(values.duplicateWindowDays),
        minTrainingSize: parseDecimal(values.minTrainingSize),
      }),
    );
    if (!result.ok) return renderModels(c, { errors: result.errors, values }, result.error.httpStatus);
    return c.redirect('/staff/triage/models?done=settings', 303);
  });

  app.post('/staff/triage/merge', async (c) => {
    const denied = requireTriageUser(c);
    if (denied) return denied;
    const form = await readForm(c);
    const duplicateId = parseId(formText(form, 'duplicateId'));
    const intoId = parseId(formText(form, 'intoId'));
    const returnTo = parseId(formText(form, 'returnTo')) ?? duplicateId;
    if (duplicateId === null || intoId === null || returnTo === null) return errorPageResponse(c, 404, c.get('t')('error.not_found.complaint'));
    const result = await attempt(c.get('t'), [], () => mergeComplaints(commandContext(c), duplicateId, { intoId }));
    if (!result.ok) return c.redirect(backToCase(returnTo, result.error, 'triage-duplicates'), 303);
    return c.redirect(`/staff/complaints/${intoId}?done=merge`, 303);
  });

  app.post('/staff/triage/dismiss', async (c) => {
    const denied = requireTriageUser(c);
    if (denied) return denied;
    const form = await readForm(c);
    const complaintId = parseId(formText(form, 'complaintId'));
    const otherId = parseId(formText(form, 'otherId'));
    if (complaintId === null || otherId === null) return errorPageResponse(c, 404, c.get('t')('error.not_found.complaint'));
    const result = await attempt(c.get('t'), [], () => dismissDuplicate(commandContext(c), complaintId, otherId));
    if (!result.ok) return c.redirect(backToCase(complaintId, result.error, 'triage-duplicates'), 303);
    return c.redirect(`/staff/complaints/${complaintId}?triage_done=dismissed#triage-duplicates`, 303);
  });
}
