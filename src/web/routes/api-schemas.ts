/** Enum values shared by the API's schemas, as mutable tuples that zod's enum accepts. */
export const COMPLAINT_TYPES = ['pengaduan', 'aspirasi', 'permintaan_informasi'] as const;
export const PRIVACY_LEVELS = ['public', 'anonymous', 'confidential'] as const;
export const CHANNELS = ['web', 'api', 'walk_in', 'phone', 'whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email', 'sms', 'lapor', 'import'] as const;
export const STATUS_LIST: readonly string[] = ['new', 'verified', 'dispatched', 'in_progress', 'on_hold', 'resolved', 'closed', 'out_of_scope', 'archived'];
