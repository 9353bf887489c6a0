/** Value types shared by the domain, the schema and the API. Names follow GLOSSARY.md. */

export type ComplaintType = 'pengaduan' | 'aspirasi' | 'permintaan_informasi';
export const COMPLAINT_TYPES: readonly ComplaintType[] = ['pengaduan', 'aspirasi', 'permintaan_informasi'];

/**
 * `public`: listed publicly, and the reporter agreed that the handling agency
 * may see who they are. `anonymous` (the default): listed publicly, identity
 * seen only by the complaint officers. `confidential` (rahasia): never listed.
 * No public page ever shows identity, whatever the choice.
 */
export type Privacy = 'public' | 'anonymous' | 'confidential';
export const PRIVACY_LEVELS: readonly Privacy[] = ['public', 'anonymous', 'confidential'];

export type ComplaintStatus =
  | 'new' | 'verified' | 'dispatched' | 'in_progress' | 'on_hold'
  | 'resolved' | 'closed' | 'out_of_scope' | 'archived';

export type Channel =
  | 'web' | 'api' | 'walk_in' | 'phone' | 'whatsapp' | 'telegram' | 'facebook'
  | 'instagram' | 'x' | 'email' | 'sms' | 'lapor' | 'import';
export const CHANNELS: readonly Channel[] = [
  'web', 'api', 'walk_in', 'phone', 'whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email', 'sms', 'lapor', 'import',
];

export type Role = 'admin' | 'complaint_officer' | 'agency_officer' | 'leader';
export const ROLES: readonly Role[] = ['admin', 'complaint_officer', 'agency_officer', 'leader'];

export type Complexity = 'simple' | 'medium' | 'complex';
export type ClockName = 'verification' | 'first_follow_up' | 'resolution' | 'auto_close';
export type ClockStatus = 'not_started' | 'running' | 'paused' | 'met' | 'breached';
export type ContactKind = 'phone' | 'whatsapp' | 'telegram' | 'facebook' | 'instagram' | 'x' | 'email';

/** A signed-in member of staff, as commands and policies see them. */
export interface StaffUser {
  id: number;
  role: Role;
  agencyId: number | null;
  name: string;
}
