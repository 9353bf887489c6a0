/**
 * Privacy rules: how a reporter's choice may change. An officer may tighten a
 * report's privacy but never loosen it without the citizen's consent.
 *
 * Example: tightenPrivacy('anonymous', 'public') // → 'anonymous'
 */
import type { Privacy } from './types.ts';

const STRICTNESS: Record<Privacy, number> = { public: 0, anonymous: 1, confidential: 2 };

/** Returns the stricter of the current and the requested privacy. */
export function tightenPrivacy(current: Privacy, requested: Privacy): Privacy {
  return STRICTNESS[requested] > STRICTNESS[current] ? requested : current;
}

export function isListedPublicly(privacy: Privacy): boolean {
  return privacy !== 'confidential';
}
