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
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
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
  rating: number | null;
  created_by_user_id: number | null;
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
}

export type Complaint = Selectable<ComplaintTable>;
export type ComplaintEvent = Selectable<ComplaintEventTable>;
export type Category = Selectable<CategoryTable>;
export type Agency = Selectable<AgencyTable>;
export type User = Selectable<UserTable>;
