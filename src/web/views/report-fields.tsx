/**
 * The fields of a new report, shared by the citizen's form (/lapor) and the
 * officer's walk-in and phone entry (/staff/new). Without JavaScript the desa
 * select lists every desa grouped by kecamatan; app.js narrows it to the
 * chosen kecamatan.
 */
import type { Locale, Translate } from '../i18n/index.ts';
import { COMPLAINT_TYPES, PRIVACY_LEVELS, type Privacy } from '../../domain/types.ts';
import { MAX_ATTACHMENTS } from '../../domain/images.ts';
import { DESCRIPTION_MAX } from '../../commands/receive-complaint.ts';
import { FileField, Radios, SelectField, TextArea, TextField, type FieldErrors, type SelectGroup, type SelectOption } from './components.tsx';

/** Accepted upload types, for the file picker; the server checks the bytes anyway. */
export const ATTACHMENT_ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf';

export interface ReportFormValues {
  type: string;
  description: string;
  name: string;
  phone: string;
  email: string;
  privacy: string;
  districtCode: string;
  villageCode: string;
  categoryCode: string;
}

export const EMPTY_REPORT: ReportFormValues = {
  type: '', description: '', name: '', phone: '', email: '', privacy: 'anonymous', districtCode: '', villageCode: '', categoryCode: '',
};

export interface ReferenceRows {
  districts: { code: string; name: string }[];
  villages: { code: string; name: string; district_code: string; kind: string }[];
  categories: { code: string; name: string; name_en: string | null; active: boolean }[];
  agencies: { id: number; code: string; name: string; kind: string; active: boolean }[];
}

export function districtOptions(reference: Pick<ReferenceRows, 'districts'>): SelectOption[] {
  return reference.districts.map((district) => ({ value: district.code, label: district.name }));
}

/** Returns every desa and kelurahan grouped by kecamatan, with the kecamatan code as each group's key. */
export function villageGroups(t: Translate, reference: Pick<ReferenceRows, 'districts' | 'villages'>): SelectGroup[] {
  return reference.districts.map((district) => ({
    label: t('report.village_group', { district: district.name }),
    key: district.code,
    options: reference.villages
      .filter((village) => village.district_code === district.code)
      .map((village) => ({ value: village.code, label: village.kind === 'kelurahan' ? `${village.name} (${t('report.kelurahan')})` : village.name })),
  }));
}

export function categoryName(category: { name: string; name_en: string | null }, locale: Locale): string {
  return locale === 'en' && category.name_en ? category.name_en : category.name;
}

export function categoryOptions(reference: Pick<ReferenceRows, 'categories'>, locale: Locale, current?: string): SelectOption[] {
  return reference.categories
    .filter((category) => category.active || category.code === current)
    .map((category) => ({ value: category.code, label: categoryName(category, locale) }))
    .sort((a, b) => a.label.localeCompare(b.label, locale));
}

export function agencyOptions(reference: Pick<ReferenceRows, 'agencies'>, current?: string): SelectOption[] {
  return reference.agencies
    .filter((agency) => agency.active || agency.code === current)
    .map((agency) => ({ value: agency.code, label: agency.name }));
}

export function privacyOptions(t: Translate, allowed: readonly Privacy[] = PRIVACY_LEVELS): { value: string; label: string; hint: string }[] {
  // Anonim first: it is the default and the choice most citizens want.
  const order: Privacy[] = ['anonymous', 'confidential', 'public'];
  return order.filter((privacy) => allowed.includes(privacy)).map((privacy) => ({
    value: privacy,
    label: t(`privacy.${privacy}`),
    hint: t(`report.privacy_hint.${privacy}`),
  }));
}

/** Renders the report fields; `audience` switches the intro texts from the citizen's voice to the officer's. */
export function ReportFields(props: {
  t: Translate;
  locale: Locale;
  values: ReportFormValues;
  errors: FieldErrors;
  reference: ReferenceRows;
  audience: 'citizen' | 'staff';
  /** Files were chosen in the rejected submission; browsers cannot keep them, so ask again. */
  filesDropped?: boolean;
}) {
  const { t, locale, values, errors, reference, audience } = props;
  return (
    <>
      <Radios t={t} name="type" label={t('report.type')} value={values.type} error={errors.type}
        options={COMPLAINT_TYPES.map((type) => ({ value: type, label: t(`type.${type}`), hint: t(`report.type_hint.${type}`) }))} />

      <TextArea t={t} name="description" label={t('report.description')} value={values.description} error={errors.description}
        rows={8} maxlength={DESCRIPTION_MAX} hint={t(`report.description_hint.${audience}`)} />

      <div class="form-section">
        <h2 class="heading-m">{t('report.location')}</h2>
        <SelectField t={t} name="districtCode" label={t('report.district')} value={values.districtCode} error={errors.districtCode}
          emptyLabel={t('report.choose_district')} options={districtOptions(reference)} optional
          data={{ 'district-select': '' }} />
        <SelectField t={t} name="villageCode" label={t('report.village')} value={values.villageCode} error={errors.villageCode}
          emptyLabel={t('report.choose_village')} groups={villageGroups(t, reference)} optional
          hint={t('report.village_hint')} data={{ 'village-select': 'districtCode' }} />
      </div>

      <SelectField t={t} name="categoryCode" label={t('report.category')} value={values.categoryCode} error={errors.categoryCode}
        emptyLabel={t('report.category_unknown')} options={categoryOptions(reference, locale)} optional
        hint={t('report.category_hint')} />

      <FileField t={t} name="attachments" label={t('report.attachments')} error={errors.attachments} accept={ATTACHMENT_ACCEPT} multiple optional
        hint={
          <>
            {t('report.attachments_hint', { max: MAX_ATTACHMENTS })}
            {props.filesDropped ? <strong class="hint__warning"> {t('report.attachments_again')}</strong> : null}
          </>
        } />

      <div class="form-section">
        <h2 class="heading-m">{t(`report.identity.${audience}`)}</h2>
        <p class="body">{t(`report.identity_intro.${audience}`)}</p>
        <TextField t={t} name="name" label={t('report.name')} value={values.name} error={errors.name} autocomplete="name" optional width="medium" />
        <TextField t={t} name="phone" label={t('report.phone')} value={values.phone} error={errors.phone} type="tel" autocomplete="tel"
          inputmode="tel" optional width="medium" hint={t('report.phone_hint')} />
        <TextField t={t} name="email" label={t('report.email')} value={values.email} error={errors.email} type="email" autocomplete="email"
          optional width="medium" spellcheck={false} />
      </div>

      <Radios t={t} name="privacy" label={t('report.privacy')} value={values.privacy || 'anonymous'} error={errors.privacy}
        hint={t('report.privacy_intro')} options={privacyOptions(t)} />
    </>
  );
}
