/**
 * WhatsApp Cloud API webhooks are Meta webhooks: the same
 * `X-Hub-Signature-256` HMAC keyed with the App Secret, and the same
 * `hub.challenge` handshake. See ../meta/verify.ts.
 */
export {
  META_SIGNATURE_HEADER as WHATSAPP_SIGNATURE_HEADER,
  verifyMetaSignature as verifyWhatsAppSignature,
  verifySubscription as verifyWhatsAppSubscription,
  type SubscriptionQuery,
  type SubscriptionResult,
} from '../meta/verify.ts';
