/** Verifikasi: the complaint officer checks a new report and classifies it. */
import type { ComplaintType, Complexity, Privacy } from '../domain/types.ts';
import { COMPLAINT_TYPES } from '../domain/types.ts';
import { authorizeTransition, changeComplaint, type CommandContext, type Tx } from './context.ts';
import { CommandError, invalid } from './errors.ts';
import { tightenPrivacy } from '../domain/privacy.ts';
import { OVERSIGHT_AGENCY_CODE } from '../policies/complaints.ts';

export interface VerifyInput {
  type: ComplaintType;
  categoryCode: string;
  districtCode: string;
  villageCode?: string | null;
  /** Responsible agency; defaults to the category's agency. */
  agencyCode?: string;
  complexity?: Complexity;
  privacy?: Privacy;
  note?: string;
}

export async function verifyComplaint(ctx: CommandContext, complaintId: number, input: VerifyInput) {
  return changeComplaint(ctx, complaintId, async (complaint, trx) => {
    const status = authorizeTransition(ctx.actor, complaint, 'verify');
    if (!COMPLAINT_TYPES.includes(input.type)) {
      throw invalid('type', `type must be one of ${COMPLAINT_TYPES.join(', ')}`, 'error.type_invalid');
    }
    const category = await trx.selectFrom('categories').selectAll().where('code', '=', input.categoryCode ?? '').executeTakeFirst();
    if (!category || !category.active) {
      throw invalid('categoryCode', `category "${input.categoryCode}" does not exist`, 'error.category_unknown', { code: input.categoryCode ?? '' });
    }
    const location = await checkLocation(trx, input.districtCode, input.villageCode ?? null);
    const agency = input.agencyCode
      ? await findActiveAgency(trx, input.agencyCode)
      : category.agency_id !== null
        ? await trx.selectFrom('agencies').selectAll().where('id', '=', category.agency_id).executeTakeFirst()
        : undefined;
    if (!agency) {
      throw invalid('agencyCode', 'the category has no default agency: choose the responsible agency', 'error.agency_required');
    }
    if (!agency.active) {
      throw invalid('agencyCode', `the category's agency "${agency.code}" is inactive`, 'error.category_agency_inactive', { agency: agency.name });
    }
    const oversight = category.oversight || complaint.oversight;
    // Reports merged into this one as ordinary duplicates would follow a misconduct case to the Inspektorat.
    if (oversight && !complaint.oversight) {
      const ordinary = await trx.selectFrom('complaints').select('id').where('merged_into_id', '=', complaint.id).where('oversight', '=', false).executeTakeFirst();
      if (ordinary) throw invalid('categoryCode', 'ordinary reports are merged into this one', 'error.oversight_has_merged');
    }
    if (oversight && agency.code !== OVERSIGHT_AGENCY_CODE) {
      throw new CommandError('forbidden', 'oversight reports go only to the Inspektorat', 'error.oversight_only_inspektorat', {}, 'agencyCode');
    }
    const privacy = tightenPrivacy(complaint.privacy, oversight ? 'confidential' : (input.privacy ?? complaint.privacy));
    return {
      update: {
        status,
        type: input.type,
        category_id: category.id,
        district_code: location.districtCode,
        village_code: location.villageCode,
        agency_id: agency.id,
        complexity: input.complexity ?? category.complexity,
        oversight,
        privacy,
      },
      event: {
        type: 'verified',
        visibility: 'public',
        body: input.note?.trim() || null,
        data: { type: input.type, category: category.code, district: location.districtCode, village: location.villageCode, agency: agency.code },
      },
    };
  });
}

export async function findActiveAgency(trx: Tx, code: string) {
  const agency = await trx.selectFrom('agencies').selectAll().where('code', '=', code).executeTakeFirst();
  if (!agency) throw invalid('agencyCode', `agency "${code}" does not exist`, 'error.agency_unknown', { code });
  if (!agency.active) throw invalid('agencyCode', `agency "${code}" is inactive`, 'error.agency_inactive', { agency: agency.name });
  return agency;
}

async function checkLocation(trx: Tx, districtCode: string, villageCode: string | null) {
  if (!districtCode) throw invalid('districtCode', 'choose the kecamatan', 'error.district_required');
  const district = await trx.selectFrom('districts').select('code').where('code', '=', districtCode).executeTakeFirst();
  if (!district) throw invalid('districtCode', `district "${districtCode}" does not exist`, 'error.district_unknown', { code: districtCode });
  if (!villageCode) return { districtCode, villageCode: null };
  const village = await trx.selectFrom('villages').select(['code', 'district_code']).where('code', '=', villageCode).executeTakeFirst();
  if (!village) throw invalid('villageCode', `village "${villageCode}" does not exist`, 'error.village_unknown', { code: villageCode });
  if (village.district_code !== districtCode) {
    throw invalid('villageCode', `village "${villageCode}" is not in district "${districtCode}"`, 'error.village_not_in_district');
  }
  return { districtCode, villageCode };
}
