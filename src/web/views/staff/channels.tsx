/**
 * The channel health page: one row per messaging channel (settings, last
 * traffic, problems in the health window) and the dead-letter list with a
 * retry button per row. Nothing from a stored provider body is rendered: a
 * dead letter shows its source, times, attempts and a reason reduced by
 * `summarizeDeadLetterReason`.
 */
import type { ChannelHealthReport, DeadLetter } from '../../../queries/channels.ts';
import { Layout, type PageContext } from '../layout.tsx';
import { CsrfField, NotificationBanner } from '../components.tsx';
import { formatDateTime } from '../format.tsx';

/** Maximum length of the reason detail shown, in characters. Stored reasons can be up to 2,000 characters long. */
const MAX_REASON_DETAIL_CHARS = 160;

/** Reason written for a malformed provider body: `Invalid <channel> payload: <JSON path> <problem>.` */
const PAYLOAD_REASON_RE = /^Invalid [a-z]+ payload: /;
/** Reason written when a parsed message cannot become a report. The command error after the prefix is dropped. */
const THREAD_REASON_RE = /^Message \d+ of \d+ \([a-z]+\) could not be threaded/;
/** Reason written when a parser throws something other than a payload error. Only the error's class name is kept. */
const PARSER_REASON_RE = /^The ([a-z]+) parser failed: ([A-Za-z]+)/;
/** Reason written after processing failed, e.g. on a database error. Only the error's class name and attempt count are kept. */
const PROCESSING_REASON_RE = /^Processing failed: ([A-Za-z]+)(?:.*\(after (\d+) attempts\))?/s;
/** Quoted text, which in an error message is usually a value taken from the input. */
const QUOTED_RE = /"([^"]*)"|'([^']*)'|“([^”]*)”/g;
/** A quoted field name such as `"from_user_id"`, which parsers write themselves and is kept. */
const FIELD_NAME_RE = /^[a-z_][a-z0-9_.]{0,39}$/;

function maskQuoted(quoted: string, ...groups: unknown[]): string {
  const inner = groups.slice(0, 3).find((group): group is string => typeof group === 'string') ?? '';
  return FIELD_NAME_RE.test(inner) ? quoted : '"…"';
}
/** Runs of five or more digits: phone numbers, account and message ids. */
const LONG_NUMBER_RE = /\d{5,}/g;
/** E-mail addresses and URLs. */
const ADDRESS_RE = /\S+@\S+|https?:\/\/\S+/gi;

export type DeadLetterReasonKind = 'payload' | 'thread' | 'parser' | 'processing' | 'other' | 'none';

export interface DeadLetterReason {
  kind: DeadLetterReasonKind;
  /** Short English detail safe to show, or an empty string. */
  detail: string;
}

/**
 * Reduces a stored dead-letter reason to a kind and a short English detail
 * that carries no message text or sender. Only payload reasons keep their
 * wording (JSON path and problem, written by the parsers), with quoted text
 * other than field names, long numbers and addresses masked. The other kinds
 * keep a fixed prefix and the error's class name, because their free text may
 * quote input values.
 *
 * @example
 *   summarizeDeadLetterReason('Invalid whatsapp payload: entry[0].changes[0].value.messages[0].id is missing.')
 *   // { kind: 'payload', detail: 'Invalid whatsapp payload: entry[0].changes[0].value.messages[0].id is missing.' }
 *   summarizeDeadLetterReason('Processing failed: error: invalid input syntax for type integer: "abc"')
 *   // { kind: 'processing', detail: 'Processing failed (error)' }
 */
export function summarizeDeadLetterReason(error: string | null): DeadLetterReason {
  if (error === null || error.trim() === '') return { kind: 'none', detail: '' };

  if (PAYLOAD_REASON_RE.test(error)) {
    const masked = error.replace(QUOTED_RE, maskQuoted).replace(ADDRESS_RE, '…').replace(LONG_NUMBER_RE, '…');
    const detail = masked.length > MAX_REASON_DETAIL_CHARS ? `${masked.slice(0, MAX_REASON_DETAIL_CHARS - 1)}…` : masked;
    return { kind: 'payload', detail };
  }

  const thread = THREAD_REASON_RE.exec(error);
  if (thread) return { kind: 'thread', detail: `${thread[0]}.` };

  const parser = PARSER_REASON_RE.exec(error);
  if (parser) return { kind: 'parser', detail: `The ${parser[1]} parser failed (${parser[2]})` };

  const processing = PROCESSING_REASON_RE.exec(error);
  if (processing) {
    const after = processing[2] ? ` after ${processing[2]} attempts` : '';
    return { kind: 'processing', detail: `Processing failed (${processing[1]})${after}` };
  }
  return { kind: 'other', detail: '' };
}

/** Outcome of a retry, shown in the banner after the redirect. */
export interface RetryBanner {
  /** Envelope status after the retry, or `not_found`. */
  outcome: 'processed' | 'ignored' | 'dead' | 'pending' | 'not_found';
  id: number;
}

const BANNER_KINDS: Record<RetryBanner['outcome'], 'success' | 'info' | 'warning'> = {
  processed: 'success',
  ignored: 'info',
  pending: 'info',
  dead: 'warning',
  not_found: 'warning',
};

function Time(props: { at: Date | null; ctx: PageContext }) {
  if (!props.at) return <span class="secondary-text">{props.ctx.t('channels.never')}</span>;
  return <time datetime={props.at.toISOString()}>{formatDateTime(props.at, props.ctx.locale)}</time>;
}

function ChannelTable(props: { ctx: PageContext; report: ChannelHealthReport }) {
  const { ctx, report } = props;
  const { t } = ctx;
  const hours = report.windowHours;
  const label = {
    channel: t('channels.col.channel'),
    settings: t('channels.col.settings'),
    lastInbound: t('channels.col.last_inbound'),
    lastOutbound: t('channels.col.last_outbound'),
    webhookErrors: t('channels.col.webhook_errors', { hours }),
    deadLetters: t('channels.col.dead_letters', { hours }),
    sendFailures: t('channels.col.send_failures', { hours }),
    pending: t('channels.col.pending_outbound'),
  };
  return (
    <table class="table table--responsive" id="channel-health">
      <caption class="visually-hidden">{t('channels.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{label.channel}</th>
          <th scope="col">{label.settings}</th>
          <th scope="col">{label.lastInbound}</th>
          <th scope="col">{label.lastOutbound}</th>
          <th scope="col">{label.webhookErrors}</th>
          <th scope="col">{label.deadLetters}</th>
          <th scope="col">{label.sendFailures}</th>
          <th scope="col">{label.pending}</th>
        </tr>
      </thead>
      <tbody>
        {report.channels.map((channel) => {
          const source = report.sources.find((row) => row.source === channel.source);
          const configured = channel.problems.length === 0;
          return (
            <tr data-channel={channel.channel}>
              <th scope="row">{t(`channel.${channel.channel}`)}</th>
              <td data-label={label.settings}>
                <strong class={`tag tag--small ${configured ? 'tag--green' : 'tag--orange'}`}>
                  {configured ? t('channels.configured') : t('channels.not_configured')}
                </strong>
                {configured ? null : (
                  <p class="hint" data-missing={channel.problems.join(' ')}>
                    {t('channels.missing', { variables: channel.problems.join(', ') })}
                  </p>
                )}
              </td>
              <td data-label={label.lastInbound}><Time at={channel.lastInboundAt} ctx={ctx} /></td>
              <td data-label={label.lastOutbound}><Time at={channel.lastOutboundAt} ctx={ctx} /></td>
              <td data-label={label.webhookErrors} data-count="webhook-errors">{source?.errors24h ?? 0}</td>
              <td data-label={label.deadLetters} data-count="dead-letters">{channel.deadLetters24h}</td>
              <td data-label={label.sendFailures} data-count="send-failures">{channel.errors24h}</td>
              <td data-label={label.pending} data-count="pending-outbound">{channel.pendingOutbound}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function DeadLetterTable(props: { ctx: PageContext; deadLetters: DeadLetter[] }) {
  const { ctx } = props;
  const { t } = ctx;
  const label = {
    id: t('channels.dead.col.id'),
    source: t('channels.dead.col.source'),
    received: t('channels.dead.col.received'),
    reason: t('channels.dead.col.reason'),
    attempts: t('channels.dead.col.attempts'),
    retried: t('channels.dead.col.retried'),
  };
  return (
    <table class="table table--responsive">
      <caption class="visually-hidden">{t('channels.dead.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{label.id}</th>
          <th scope="col">{label.source}</th>
          <th scope="col">{label.received}</th>
          <th scope="col">{label.reason}</th>
          <th scope="col">{label.attempts}</th>
          <th scope="col">{label.retried}</th>
          <th scope="col"><span class="visually-hidden">{t('channels.dead.retry')}</span></th>
        </tr>
      </thead>
      <tbody>
        {props.deadLetters.map((letter) => {
          const reason = summarizeDeadLetterReason(letter.error);
          return (
            <tr data-dead-letter={letter.id}>
              <th scope="row">{letter.id}</th>
              <td data-label={label.source}>{t(`channels.source.${letter.source}`)}</td>
              <td data-label={label.received}><Time at={letter.receivedAt} ctx={ctx} /></td>
              <td data-label={label.reason} data-reason-kind={reason.kind}>
                {t(`channels.reason.${reason.kind}`)}
                {reason.detail ? <span class="secondary-text" lang="en"><br />{reason.detail}</span> : null}
              </td>
              <td data-label={label.attempts} data-attempts={letter.attempts}>{letter.attempts}</td>
              <td data-label={label.retried}><Time at={letter.retriedAt} ctx={ctx} /></td>
              <td class="nowrap">
                <form method="post" action={`/staff/channels/dead-letters/${letter.id}/retry`} class="inline-form">
                  <CsrfField token={ctx.csrfToken} />
                  <button type="submit" class="button button--secondary" aria-label={t('channels.dead.retry_label', { id: letter.id })}>
                    {t('channels.dead.retry')}
                  </button>
                </form>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function ChannelsPage(props: {
  ctx: PageContext;
  report: ChannelHealthReport;
  /** Newest dead letters first, at most `pageSize`. */
  deadLetters: DeadLetter[];
  /** Size of the dead-letter page. A full page means older ones may exist. */
  pageSize: number;
  banner?: RetryBanner;
}) {
  const { ctx, report } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('channels.title')} area="staff" wide>
      {props.banner ? (
        <NotificationBanner kind={BANNER_KINDS[props.banner.outcome]} title={t(`channels.banner.${props.banner.outcome}`, { id: props.banner.id })} />
      ) : null}
      <h1 class="heading-l">{t('channels.title')}</h1>
      <p class="body">{t('channels.intro', { hours: report.windowHours })}</p>
      <p class="secondary-text">{t('channels.generated', { at: formatDateTime(report.generatedAt, ctx.locale) })}</p>
      <ChannelTable ctx={ctx} report={report} />
      <p class="hint">{t('channels.shared_webhook')}</p>

      <section class="form-section" id="dead-letters">
        <h2 class="heading-m">{t('channels.dead.title')}</h2>
        <p class="body">{t('channels.dead.intro')}</p>
        {props.deadLetters.length === 0 ? (
          <p class="body">{t('channels.dead.none')}</p>
        ) : (
          <DeadLetterTable ctx={ctx} deadLetters={props.deadLetters} />
        )}
        {props.deadLetters.length >= props.pageSize ? <p class="hint">{t('channels.dead.more', { n: props.pageSize })}</p> : null}
      </section>
    </Layout>
  );
}
