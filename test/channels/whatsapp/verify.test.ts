import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyWhatsAppSignature, verifyWhatsAppSubscription, WHATSAPP_SIGNATURE_HEADER } from '../../../src/channels/whatsapp/verify.ts';

const vector = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/webhooks/signatures/meta_x_hub_signature_256_vector_pywa.json', import.meta.url)), 'utf8'),
) as { app_secret: string; raw_body: string; header_value: string; header_name: string };

describe('WhatsApp webhook verification', () => {
  it('names the Meta signature header', () => {
    assert.equal(WHATSAPP_SIGNATURE_HEADER, vector.header_name.toLowerCase());
  });

  it('checks the WhatsApp test vector', () => {
    assert.equal(verifyWhatsAppSignature(vector.raw_body, vector.header_value, vector.app_secret).ok, true);
    assert.equal(verifyWhatsAppSignature(vector.raw_body + ' ', vector.header_value, vector.app_secret).ok, false);
  });

  it('answers the hub.challenge handshake', () => {
    const url = new URL('https://aduan.example/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wa-token&hub.challenge=987654321');
    assert.deepEqual(verifyWhatsAppSubscription(url.searchParams, 'wa-token'), { ok: true, challenge: '987654321' });
    assert.equal(verifyWhatsAppSubscription(url.searchParams, 'other-token').ok, false);
  });
});
