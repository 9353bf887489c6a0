/**
 * Message catalogs of feature areas, kept in files of their own
 * (`src/web/i18n/<area>.ts`, each exporting `{ id, en }`) so that areas built
 * side by side do not edit one long file. Keys must not collide with id.ts.
 */
import { triageCatalog } from './triage.ts';
import { answersCatalog } from './answers.ts';
import { reportsCatalog } from './reports.ts';
import { channelsCatalog } from './channels.ts';

export interface FeatureCatalog {
  id: Record<string, string>;
  en: Record<string, string>;
}

export const FEATURE_CATALOGS: FeatureCatalog[] = [triageCatalog, answersCatalog, reportsCatalog, channelsCatalog];
