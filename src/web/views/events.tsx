/** Titles of timeline events, shared by the public tracking page and the back office. */
import type { Translate } from '../i18n/index.ts';

export interface EventLabelParams {
  agency?: string;
  destination?: string;
  rating?: number;
  /** Tracking code of the case a duplicate was merged into. */
  code?: string;
}

/**
 * Returns the translated title of an event, filling in the agency,
 * destination, rating or merge target that the title names.
 *
 * @example eventTitle(t, 'dispatched', { agency: 'DPUPR' }) // 'Didisposisikan ke DPUPR'
 */
export function eventTitle(t: Translate, type: string, params: EventLabelParams = {}): string {
  const values: Record<string, string | number> = {
    agency: params.agency ?? t('ui.unknown_agency'),
    destination: params.destination ?? '–',
    rating: params.rating ?? '–',
    code: params.code ?? '–',
  };
  const key = `event.${type}`;
  const title = t(key, values);
  // An event type without a translation (added later by another module) shows its identifier, not the raw key.
  return title === key ? type : title;
}
