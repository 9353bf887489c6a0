/** Kysely table types, kept by hand in step with migrations/. */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type {
  Channel, ClockName, ClockStatus, ComplaintStatus, ComplaintType, Complexity, ContactKind, Privacy, Role,
} from '../domain/types.ts';

export type { Channel, ClockName, ClockStatus, ComplaintStatus, ComplaintType, Complexity, ContactKind, Privacy, Role };

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateOnly = ColumnType<string, string, string>;

export interface DistrictTable { code: string; name: string }
export interface VillageTable { code: string; district_code: string; name: string; kind: 'desa' | 'kelurahan' }
export interface HolidayTable {
  date: DateOnly;
  kind: 'national' | 'collective_leave';
  name: string;
  basis: string | null;
  note: string | null;
}
export interface CalendarYearTable { year: number }

export interface AgencyTable {
  id: Generated<number>;
  code: string;
  name: string;
  kind: Generated<string>;
  active: Generated<boolean>;
  created_at: GeneratedTimestamp;
}

export interface CategoryTable {
  id: Generated<number>;
  code: string;
  name: string;
  name_en: string | null;
  agency_id: number | null;
  oversight: Generated<boolean>;
  complexity: Generated<Complexity>;
  verify_days: Generated<number>;
  first_follow_up_days: Generated<number>;
  resolution_days_simple: Generated<number>;
  resolution_days_medium: Generated<number>;
  resolution_days_complex: Generated<number>;
  auto_close_days: Generated<number>;
  active: Generated<boolean>;
  created_at: GeneratedTimestamp;
}

export interface UserTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: Role;
  agency_id: number | null;
  password_hash: string | null;
  active: Generated<boolean>;
  locale: Generated<string>;
  created_at: GeneratedTimestamp;
}

export interface SessionTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  label: string;
  token_hash: string;
  created_at: GeneratedTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ReporterTable {
  id: Generated<number>;
  name: string | null;
  created_at: GeneratedTimestamp;
}

export interface ContactTable {
  id: Generated<number>;
  reporter_id: number;
  kind: ContactKind;
  value: string;
  /** True when a channel proved the contact; only verified contacts identify a reporter. */
  verified: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: GeneratedTimestamp;
}

export interface ComplaintTable {
  id: Generated<number>;
  tracking_code: string;
  type: ComplaintType | null;
  category_id: number | null;
  description: string;
  channel: Channel;
  received_at: Timestamp;
  reporter_id: number | null;
  privacy: Privacy;
  oversight: Generated<boolean>;
  district_code: string | null;
  village_code: string | null;
  latitude: number | null;
  longitude: number | null;
  agency_id: number | null;
  complexity: Complexity | null;
  status: Generated<ComplaintStatus>;
  status_before_hold: ComplaintStatus | null;
  external_source: string | null;
  external_id: string | null;
  merged_into_id: number | null;
  forwarded_to: string | null;
  first_response_at: Timestamp | null;
  resolved_at: Timestamp | null;
  first_response_working_hours: number | null;
  first_response_working_days: number | null;
  resolution_working_hours: number | null;
  resolution_working_days: number | null;
  /** Earliest due instant of the clocks that run or breached without stopping (migrations/0011). */
  next_due_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  rating: number | null;
  created_by_user_id: number | null;
  /** Officer who holds the case (migrations/0006_answers_roster.sql). */
  assigned_user_id: number | null;
  updated_at: GeneratedTimestamp;
  search: ColumnType<string, never, never>;
}

export type ActorKind = 'citizen' | 'staff' | 'system';

export interface ComplaintEventTable {
  id: Generated<number>;
  complaint_id: number;
  type: string;
  at: Timestamp;
  actor_kind: ActorKind;
  actor_user_id: number | null;
  agency_id: number | null;
  visibility: 'public' | 'internal';
  body: string | null;
  data: ColumnType<Record<string, unknown>, string | Record<string, unknown>, never>;
  recorded_at: GeneratedTimestamp;
}

export interface ComplaintDeadlineTable {
  complaint_id: number;
  clock: ClockName;
  started_at: Timestamp | null;
  due_date: DateOnly | null;
  due_at: Timestamp | null;
  stopped_at: Timestamp | null;
  status: ClockStatus;
  calendar_missing: boolean;
  breach_recorded: Generated<boolean>;
  reminder_sent: Generated<boolean>;
}

export interface AttachmentTable {
  id: Generated<number>;
  complaint_id: number;
  event_id: number | null;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  public_approved: Generated<boolean>;
  created_at: GeneratedTimestamp;
  /** Metadata removal the content went through; below METADATA_PASS the job runs it again (migrations/0019). */
  metadata_pass: Generated<number>;
}

export interface IdentityViewTable {
  id: Generated<number>;
  user_id: number;
  complaint_id: number;
  at: GeneratedTimestamp;
}

export interface DB {
  districts: DistrictTable;
  villages: VillageTable;
  holidays: HolidayTable;
  calendar_years: CalendarYearTable;
  agencies: AgencyTable;
  categories: CategoryTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  reporters: ReporterTable;
  contacts: ContactTable;
  complaints: ComplaintTable;
  complaint_events: ComplaintEventTable;
  complaint_deadlines: ComplaintDeadlineTable;
  attachments: AttachmentTable;
  identity_views: IdentityViewTable;
  channel_envelopes: ChannelEnvelopeTable;
  inbound_messages: InboundMessageTable;
  outbound_messages: OutboundMessageTable;
  action_plans: ActionPlanTable;
  action_plan_objectives: ActionPlanObjectiveTable;
  action_plan_indicators: ActionPlanIndicatorTable;
  action_plan_files: ActionPlanFileTable;
  action_plan_actuals: ActionPlanActualTable;
  action_plan_activities: ActionPlanActivityTable;
  action_plan_activity_completions: ActionPlanActivityCompletionTable;
  action_plan_changes: ActionPlanChangeTable;
  monthly_reports: MonthlyReportTable;
  answer_settings: AnswerSettingsTable;
  answer_templates: AnswerTemplateTable;
  faq_articles: FaqArticleTable;
  faq_self_service_answers: FaqSelfServiceAnswerTable;
  duty_shifts: DutyShiftTable;
  duty_absences: DutyAbsenceTable;
  duty_rotation: DutyRotationTable;
  notification_preferences: NotificationPreferenceTable;
  officer_notifications: OfficerNotificationTable;
  notification_scanned_events: NotificationScannedEventTable;
  triage_models: TriageModelTable;
  triage_suggestions: TriageSuggestionTable;
  complaint_triage: ComplaintTriageTable;
  triage_duplicate_dismissals: TriageDuplicateDismissalTable;
  triage_settings: TriageSettingsTable;
  triage_duplicate_searches: TriageDuplicateSearchTable;
  triage_duplicate_candidates: TriageDuplicateCandidateTable;
  triage_duplicate_progress: TriageDuplicateProgressTable;
  sign_in_failures: SignInFailureTable;
}

export type Complaint = Selectable<ComplaintTable>;
export type ComplaintEvent = Selectable<ComplaintEventTable>;
export type Category = Selectable<CategoryTable>;
export type Agency = Selectable<AgencyTable>;
export type User = Selectable<UserTable>;

// Channel pipeline (migrations/0003_channels.sql).

/** JSON column written as a JSON string and read back parsed. */
type Json<T> = ColumnType<T, string | undefined, string>;

export type EnvelopeSource = 'whatsapp' | 'telegram' | 'meta' | 'x' | 'sms' | 'email';
export type EnvelopeStatus = 'pending' | 'processed' | 'dead' | 'ignored';
export type MessagingChannel = 'whatsapp' | 'telegram' | 'facebook' | 'instagram' | 'x' | 'email' | 'sms';
export type InboundOutcome = 'created' | 'replied' | 'event' | 'ignored';
export type OutboundStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ChannelEnvelopeTable {
  id: Generated<number>;
  source: EnvelopeSource;
  raw_body: Buffer;
  headers: Json<Record<string, string>>;
  body_sha256: string;
  received_at: Timestamp;
  status: Generated<EnvelopeStatus>;
  error: string | null;
  attempts: Generated<number>;
  claimed_until: Timestamp | null;
  processed_at: Timestamp | null;
  retried_at: Timestamp | null;
  retried_by_user_id: number | null;
}

export interface InboundMessageTable {
  id: Generated<number>;
  channel: MessagingChannel;
  provider_message_id: string;
  envelope_id: number | null;
  conversation_kind: 'direct' | 'comment';
  sender_kind: string;
  sender_value: string;
  account: string | null;
  reporter_id: number | null;
  complaint_id: number | null;
  event_id: number | null;
  outcome: InboundOutcome;
  reason: string | null;
  post_id: string | null;
  comment_id: string | null;
  original_provider_message_id: string | null;
  email_message_id: string | null;
  email_subject: string | null;
  attachment_errors: Json<Array<{ kind: string; reason: string }>>;
  sent_at: Timestamp;
  received_at: Timestamp;
}

export interface OutboundMessageTable {
  id: Generated<number>;
  idempotency_key: string;
  complaint_id: number;
  event_id: number;
  event_type: string;
  channel: MessagingChannel;
  conversation_kind: 'direct' | 'comment';
  recipient_kind: string;
  recipient_value: string;
  account: string | null;
  reply_to_provider_message_id: string | null;
  email_subject: string | null;
  email_references: Json<string[]>;
  body: string | null;
  status: Generated<OutboundStatus>;
  send_mode: string | null;
  template_name: string | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  claimed_until: Timestamp | null;
  provider_message_id: string | null;
  last_error_code: string | null;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  delivered_at: Timestamp | null;
  read_at: Timestamp | null;
  failed_at: Timestamp | null;
  updated_at: Timestamp;
}

export type ChannelEnvelope = Selectable<ChannelEnvelopeTable>;
export type InboundMessageRow = Selectable<InboundMessageTable>;
export type OutboundMessage = Selectable<OutboundMessageTable>;

// Fast answers: templates, FAQ, duty roster, officer notifications (migrations/0006_answers_roster.sql).

export interface AnswerSettingsTable {
  id: Generated<boolean>;
  max_open_cases: Generated<number>;
  template_stale_days: Generated<number>;
  updated_at: GeneratedTimestamp;
  updated_by_user_id: number | null;
}

export interface AnswerTemplateTable {
  id: Generated<number>;
  title: string;
  body_id: string;
  body_en: string | null;
  category_id: number | null;
  agency_id: number | null;
  owner_user_id: number;
  last_reviewed_on: DateOnly;
  active: Generated<boolean>;
  created_by_user_id: number | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  search: ColumnType<string, never, never>;
}

export type FaqStatus = 'draft' | 'published' | 'archived';

export interface FaqArticleTable {
  id: Generated<number>;
  question: string;
  question_en: string | null;
  answer: string;
  answer_en: string | null;
  category_id: number | null;
  agency_id: number | null;
  status: Generated<FaqStatus>;
  source_complaint_id: number | null;
  created_by_user_id: number | null;
  updated_by_user_id: number | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  published_at: Timestamp | null;
  search: ColumnType<string, never, never>;
}

export interface FaqSelfServiceAnswerTable {
  id: Generated<number>;
  faq_id: number;
  answered_at: GeneratedTimestamp;
}

export interface DutyShiftTable {
  id: Generated<number>;
  user_id: number;
  weekday: number;
  start_minute: number;
  end_minute: number;
  channels: ColumnType<string[], string[] | undefined, string[]>;
  on_holidays: Generated<boolean>;
  created_at: GeneratedTimestamp;
}

export interface DutyAbsenceTable {
  id: Generated<number>;
  user_id: number;
  starts_on: DateOnly;
  ends_on: DateOnly;
  note: string | null;
  created_at: GeneratedTimestamp;
}

export interface DutyRotationTable {
  user_id: number;
  last_assigned_at: Timestamp;
}

export interface NotificationPreferenceTable {
  user_id: number;
  email_enabled: Generated<boolean>;
  telegram_chat_id: string | null;
  telegram_enabled: Generated<boolean>;
  whatsapp_number: string | null;
  whatsapp_enabled: Generated<boolean>;
  daily_digest: Generated<boolean>;
  updated_at: GeneratedTimestamp;
}

export type NotificationChannel = 'email' | 'telegram' | 'whatsapp';
export type NotificationKind = 'dispatched' | 'citizen_replied' | 'deadline_reminder' | 'deadline_breached';

export interface OfficerNotificationTable {
  id: Generated<number>;
  event_id: number;
  complaint_id: number;
  user_id: number;
  channel: NotificationChannel;
  kind: NotificationKind;
  delivery: 'single' | 'digest';
  subject: string;
  body: string;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  claimed_until: Timestamp | null;
  provider_message_id: string | null;
  last_error_code: string | null;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface NotificationScannedEventTable {
  event_id: number;
  scanned_at: Timestamp;
}

export type AnswerTemplate = Selectable<AnswerTemplateTable>;
export type FaqArticle = Selectable<FaqArticleTable>;
export type DutyShift = Selectable<DutyShiftTable>;
export type OfficerNotification = Selectable<OfficerNotificationTable>;

// Text triage (migrations/0005_triage.sql).

export type TriageKind = 'relevance' | 'type' | 'category' | 'agency';
export type TriageModelSource = 'seed' | 'verified';
export type TriageQueue = 'normal' | 'low_priority';

/** One ranked label of a stored suggestion, with the words that raised its score. */
export interface StoredRankedLabel {
  label: string;
  score: number;
  terms: { term: string; weight: number }[];
}

/** Held-out metrics of a model version, as stored. */
export interface StoredTriageMetrics {
  top1Accuracy: number;
  top3Accuracy: number;
  macroF1: number;
  perLabel: { label: string; precision: number; recall: number; f1: number; support: number }[];
}

export interface TriageModelTable {
  id: Generated<number>;
  kind: TriageKind;
  version: string;
  source: TriageModelSource;
  trained_at: Timestamp;
  training_size: number;
  test_size: number;
  label_counts: Json<Record<string, number>>;
  metrics: ColumnType<StoredTriageMetrics | null, string | null, string | null>;
  model: string;
  active: Generated<boolean>;
  activated_at: Timestamp | null;
  activated_by_user_id: number | null;
}

export interface TriageSuggestionTable {
  id: Generated<number>;
  complaint_id: number;
  kind: TriageKind;
  model_version: string;
  top_label: string;
  top_score: number;
  ranking: Json<StoredRankedLabel[]>;
  created_at: Timestamp;
}

export interface ComplaintTriageTable {
  complaint_id: number;
  relevance_score: number | null;
  threshold: number;
  model_version: string | null;
  queue: Generated<TriageQueue>;
  scored_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
  swept_at: Timestamp | null;
  swept_by_user_id: number | null;
  sweep_outcome: 'archived' | 'restored' | null;
}

export interface TriageDuplicateDismissalTable {
  first_id: number;
  second_id: number;
  user_id: number | null;
  at: Timestamp;
}

// Failed sign-ins by address (migrations/0016_sign_in_failures.sql, 0018_sign_in_attempts.sql).

export interface SignInFailureTable {
  email_hash: string;
  failed: number;
  locked_until: Timestamp | null;
  last_failed_at: Timestamp;
}

// Stored duplicate proposals (migrations/0015_duplicate_proposals.sql).

export interface TriageDuplicateSearchTable {
  complaint_id: number;
  searched_at: Timestamp;
  window_days: number;
  place: string;
}

export interface TriageDuplicateCandidateTable {
  complaint_id: number;
  candidate_id: number;
  score: number;
  trigram_similarity: number;
  matching_words: string[];
  found_at: Timestamp;
}

export interface TriageDuplicateProgressTable {
  id: Generated<boolean>;
  last_complaint_id: number;
}

export interface TriageSettingsTable {
  id: Generated<boolean>;
  relevance_threshold: Generated<number>;
  duplicate_window_days: Generated<number>;
  min_training_size: Generated<number>;
  retrain_requested_at: Timestamp | null;
  updated_at: GeneratedTimestamp;
  updated_by_user_id: number | null;
}

export type TriageModelRow = Selectable<TriageModelTable>;
export type TriageSettings = Selectable<TriageSettingsTable>;

// Action plan and monthly reports (migrations/0004_action_plan.sql).

export type IndicatorUnit = 'percent' | 'days' | 'working_hours' | 'rating' | 'count' | 'day_of_month';
export type IndicatorComparison = 'gte' | 'lte';
export type IndicatorPeriod = 'monthly' | 'quarterly' | 'yearly';
export type IndicatorSource = 'formula' | 'manual';
export type ManualAggregate = 'sum' | 'mean' | 'last';
/** Part of the complaint data a formula indicator is computed on; every key is optional. */
export interface IndicatorSlice { agency?: string; category?: string; channel?: Channel; district?: string; type?: ComplaintType }

export interface ActionPlanTable {
  id: Generated<number>;
  year: number;
  title: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ActionPlanObjectiveTable {
  id: Generated<number>;
  plan_id: number;
  position: Generated<number>;
  title: string;
}

export interface ActionPlanIndicatorTable {
  id: Generated<number>;
  objective_id: number;
  position: Generated<number>;
  name: string;
  target_value: number;
  unit: IndicatorUnit;
  comparison: IndicatorComparison;
  period: IndicatorPeriod;
  source: IndicatorSource;
  formula_code: string | null;
  slice: Json<IndicatorSlice>;
  manual_aggregate: Generated<ManualAggregate>;
  owner_agency_id: number | null;
  owner_role: Role | null;
}

export interface ActionPlanFileTable {
  id: Generated<number>;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  uploaded_by_user_id: number | null;
  created_at: GeneratedTimestamp;
}

export interface ActionPlanActualTable {
  indicator_id: number;
  month: number;
  value: number;
  evidence_url: string | null;
  evidence_file_id: number | null;
  note: string | null;
  recorded_by_user_id: number | null;
  recorded_at: GeneratedTimestamp;
}

export interface ActionPlanActivityTable {
  id: Generated<number>;
  objective_id: number;
  position: Generated<number>;
  name: string;
  planned_months: number[];
  owner_agency_id: number | null;
  owner_role: Role | null;
}

export interface ActionPlanActivityCompletionTable {
  activity_id: number;
  month: number;
  done_on: DateOnly;
  evidence_url: string | null;
  evidence_file_id: number | null;
  note: string | null;
  recorded_by_user_id: number | null;
  recorded_at: GeneratedTimestamp;
}

export interface ActionPlanChangeTable {
  id: Generated<number>;
  plan_id: number;
  at: GeneratedTimestamp;
  actor_user_id: number | null;
  action: string;
  data: Json<Record<string, unknown>>;
}

export type MonthlyReportFormat = 'xlsx' | 'pdf';
export type MonthlyReportStatus = 'pending' | 'ready' | 'failed';

export interface MonthlyReportTable {
  id: Generated<number>;
  month: string;
  agency_id: number | null;
  format: MonthlyReportFormat;
  status: Generated<MonthlyReportStatus>;
  file_name: string | null;
  content: Buffer | null;
  size_bytes: number | null;
  error: string | null;
  requested_by_user_id: number | null;
  scheduled: Generated<boolean>;
  claimed_until: Timestamp | null;
  attempts: Generated<number>;
  created_at: GeneratedTimestamp;
  generated_at: Timestamp | null;
}

export type ActionPlanIndicatorRow = Selectable<ActionPlanIndicatorTable>;
export type ActionPlanActivityRow = Selectable<ActionPlanActivityTable>;
export type MonthlyReportRow = Selectable<MonthlyReportTable>;
