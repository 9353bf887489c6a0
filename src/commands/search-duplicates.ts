/**
 * Searches for duplicates of a report and stores the proposals, so that the
 * case page reads them (`readDuplicateProposals`) instead of searching on
 * every visit.
 *
 * The triage job searches every report that arrives, in id order, about a
 * minute after its intake committed. The case page searches a report that
 * has no stored search, or whose place or window changed since its search.
 * A search stores the report's own proposals and adds the report to each
 * candidate's list: a report that arrives later was not there when the
 * earlier report was searched.
 */
import { sql, type Kysely } from 'kysely';
import type { Complaint, DB } from '../db/schema.ts';
import { FINAL_STATUSES, isClosedOrMerged } from '../domain/lifecycle.ts';
import { similarityTo } from '../domain/triage/index.ts';
import { duplicatePlaceKey, readDuplicateProposals, readTriageSettings, searchDuplicates, type DuplicateCandidate } from '../queries/triage.ts';
import type { StaffUser } from '../domain/types.ts';
import { logger } from '../logger.ts';

/** Proposals stored per search; the case page shows the first five that still apply. */
export const DUPLICATE_STORE_LIMIT = 20;
/**
 * Candidates that get the searched report added to their lists: all the
 * search scores (it scores at most 60).
 * NOTE: a report at the new place of a moved report that ranks below these
 * gets the moved report only when its own list is searched again.
 */
const REVERSE_LIMIT = 60;
/** Reports the job searches per run; the next run, a minute later, takes the rest. */
const SEARCH_BATCH = 500;
/**
 * Ids below the job's progress mark that it looks at again for reports
 * without a search. A report can commit after one with a higher id (a long
 * import batch, two intakes at once), after the mark has passed it.
 */
const LOOK_BACK_IDS = 10_000;
/** Key of the advisory lock that writers of stored proposals take in turn. */
const PROPOSALS_WRITE_LOCK = 7_411_002;

/**
 * Searches for duplicates of `complaint` now and replaces its stored
 * proposals. Each candidate found also gets `complaint` in its own list,
 * scored against the candidate's text. Returns the number of proposals stored
 * for `complaint`.
 *
 * @example
 * await refreshDuplicateProposals(db, complaint, { windowDays: 30 });
 * // → 2
 */
export async function refreshDuplicateProposals(
  db: Kysely<DB>,
  complaint: Complaint,
  options: { windowDays: number; now?: Date },
): Promise<number> {
  const now = options.now ?? new Date();
  // Every candidate the search scored gets this report in its list, not only
  // the ones this report's list keeps: after a move, a report further down the
  // ranking is as much at the new place as the first twenty.
  const found = await searchDuplicates(db, complaint, { windowDays: options.windowDays, limit: REVERSE_LIMIT });
  const own = found.slice(0, DUPLICATE_STORE_LIMIT).map((candidate) => ({
    complaint_id: complaint.id,
    candidate_id: candidate.id,
    score: candidate.score,
    trigram_similarity: candidate.trigramSimilarity,
    matching_words: candidate.matchingWords,
    found_at: now,
  }));
  // The candidate's view of this report: scored against the candidate's
  // text, with the shared words in its order. pg_trgm's similarity() is
  // symmetric. The place and minimum score are checked when the list is read.
  const reverse = found.flatMap((candidate) => {
    const similarity = similarityTo(candidate.description)(complaint.description);
    if (similarity.matchingWords.length === 0) return [];
    return [{
      complaint_id: candidate.id,
      candidate_id: complaint.id,
      score: similarity.score,
      trigram_similarity: candidate.trigramSimilarity,
      matching_words: similarity.matchingWords,
      found_at: now,
    }];
  });

  await db.transaction().execute(async (trx) => {
    // Each search rewrites its own list and adds to other reports' lists, so
    // two searches at once can wait on each other's rows: ten case pages
    // opened at once deadlocked four times in ten. Writers take turns here,
    // after the search itself, the slow part, has run.
    await sql`select pg_advisory_xact_lock(${PROPOSALS_WRITE_LOCK})`.execute(trx);
    await trx.deleteFrom('triage_duplicate_candidates').where('complaint_id', '=', complaint.id).execute();
    const rows = [...own, ...reverse];
    if (rows.length > 0) {
      await trx.insertInto('triage_duplicate_candidates')
        .values(rows.map((row) => ({ ...row, matching_words: sql<string[]>`${row.matching_words}::text[]` })))
        .onConflict((conflict) => conflict.columns(['complaint_id', 'candidate_id']).doUpdateSet((eb) => ({
          score: eb.ref('excluded.score'),
          trigram_similarity: eb.ref('excluded.trigram_similarity'),
          matching_words: eb.ref('excluded.matching_words'),
          found_at: eb.ref('excluded.found_at'),
        })))
        .execute();
    }
    await trx.insertInto('triage_duplicate_searches')
      .values({ complaint_id: complaint.id, searched_at: now, window_days: options.windowDays, place: duplicatePlaceKey(complaint) })
      .onConflict((conflict) => conflict.column('complaint_id').doUpdateSet((eb) => ({
        searched_at: eb.ref('excluded.searched_at'),
        window_days: eb.ref('excluded.window_days'),
        place: eb.ref('excluded.place'),
      })))
      .execute();
  });
  return own.length;
}

/**
 * Returns the duplicate proposals of `complaint` for the case page: the
 * stored ones, searched first when none were stored for the report's current
 * place and window. Returns null when that search failed, which is logged,
 * so the page can show the failure instead of an empty list.
 */
export async function duplicateProposals(
  db: Kysely<DB>,
  user: StaffUser,
  complaint: Complaint,
  options: { windowDays: number; limit?: number },
): Promise<DuplicateCandidate[] | null> {
  const stored = await readDuplicateProposals(db, user, complaint, options);
  if (stored !== null) return stored;
  try {
    await refreshDuplicateProposals(db, complaint, options);
  } catch (error) {
    logger.warn({ err: error, complaintId: complaint.id }, 'duplicate search on the case page failed; the page shows the failure');
    return null;
  }
  return (await readDuplicateProposals(db, user, complaint, options)) ?? null;
}

/**
 * Searches a report again after its place changed, with the window in
 * force. A failure is logged and leaves the stale search, which the case
 * page replaces on its next visit because the place no longer matches.
 */
export async function refreshDuplicatesAfterMove(db: Kysely<DB>, complaint: Complaint): Promise<void> {
  if (isClosedOrMerged(complaint)) return;
  try {
    const { duplicate_window_days: windowDays } = await readTriageSettings(db);
    await refreshDuplicateProposals(db, complaint, { windowDays });
  } catch (error) {
    logger.warn({ err: error, complaintId: complaint.id }, 'duplicate search after a change of place failed; the case page searches again');
  }
}

export interface DuplicateSearchRun {
  searched: number;
  failed: number;
}

/**
 * Searches the reports that arrived since the last run, up to SEARCH_BATCH,
 * oldest first. The arrivals are claimed before they are searched, so two
 * servers never search the same ones. It also searches open reports without a
 * search among the LOOK_BACK_IDS ids below the mark: reports that committed
 * after the mark passed them, and reports whose search failed in an earlier
 * run. A report further back without a search is searched when its case
 * page is opened.
 *
 * @example
 * await runDuplicateSearches(db);
 * // → { searched: 12, failed: 0 }
 */
export async function runDuplicateSearches(db: Kysely<DB>, now = new Date()): Promise<DuplicateSearchRun> {
  const batch = await db.transaction().execute(async (trx) => {
    const progress = await trx.selectFrom('triage_duplicate_progress').select('last_complaint_id').forUpdate().executeTakeFirst();
    const after = progress?.last_complaint_id ?? 0;
    const arrived = await trx.selectFrom('complaints').selectAll()
      .where('id', '>', after).orderBy('id').limit(SEARCH_BATCH).execute();
    const missed = await trx.selectFrom('complaints as c').selectAll('c')
      .where('c.id', '>', Math.max(0, after - LOOK_BACK_IDS)).where('c.id', '<=', after)
      .where('c.merged_into_id', 'is', null).where('c.status', 'not in', FINAL_STATUSES)
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('triage_duplicate_searches as s').select('s.complaint_id').whereRef('s.complaint_id', '=', 'c.id'),
      )))
      .orderBy('c.id').limit(SEARCH_BATCH).execute();
    const complaints = [...missed, ...arrived];
    const last = arrived.at(-1);
    if (last) {
      await trx.insertInto('triage_duplicate_progress').values({ last_complaint_id: last.id })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ last_complaint_id: last.id }))
        .execute();
    }
    return complaints;
  });

  const run: DuplicateSearchRun = { searched: 0, failed: 0 };
  if (batch.length === 0) return run;
  const { duplicate_window_days: windowDays } = await readTriageSettings(db);
  for (const complaint of batch) {
    if (isClosedOrMerged(complaint)) continue;
    try {
      await refreshDuplicateProposals(db, complaint, { windowDays, now });
      run.searched += 1;
    } catch (error) {
      run.failed += 1;
      logger.error({ err: error, complaintId: complaint.id }, 'duplicate search of a complaint failed; its case page searches again');
    }
  }
  if (run.searched || run.failed) logger.info({ ...run }, 'duplicate search run');
  return run;
}
