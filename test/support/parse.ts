/** What a channel parser reports about a malformed payload. */
import assert from 'node:assert/strict';
import { PayloadError, type ParseResult } from '../../src/domain/inbound.ts';

/**
 * Returns the problem a parser reports for a body: the PayloadError it
 * throws for a payload malformed as a whole, or the messages of the items it
 * rejected in a batch. Fails when the parser reports none.
 *
 * @example assert.match(payloadProblem(() => parseSmsGatewayWebhook(body)), /events\[0\]\.status must be/)
 */
export function payloadProblem(parse: () => ParseResult): string {
  let result: ParseResult;
  try {
    result = parse();
  } catch (error) {
    assert.ok(error instanceof PayloadError, `expected a PayloadError, got ${String(error)}`);
    return error.message;
  }
  assert.ok(result.rejected, 'expected the parser to report a malformed payload or item');
  assert.ok(result.rejected.length > 0, 'expected at least one rejected item');
  return result.rejected.join(' ');
}
