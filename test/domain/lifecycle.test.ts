import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canApply, nextStatus, TransitionError, type Action } from '../../src/domain/lifecycle.ts';
import type { ComplaintStatus } from '../../src/domain/types.ts';

const allowed: [ComplaintStatus, Action, ComplaintStatus][] = [
  ['new', 'verify', 'verified'],
  ['verified', 'dispatch', 'dispatched'],
  ['dispatched', 'dispatch', 'dispatched'],
  ['in_progress', 'dispatch', 'dispatched'],
  ['dispatched', 'follow_up', 'in_progress'],
  ['in_progress', 'follow_up', 'in_progress'],
  ['dispatched', 'return', 'verified'],
  ['in_progress', 'resolve', 'resolved'],
  ['new', 'answer', 'resolved'],
  ['verified', 'answer', 'resolved'],
  ['in_progress', 'hold', 'on_hold'],
  ['new', 'forward', 'out_of_scope'],
  ['new', 'archive', 'archived'],
  ['dispatched', 'merge', 'archived'],
  ['resolved', 'close', 'closed'],
  ['resolved', 'rate', 'resolved'],
  ['closed', 'rate', 'closed'],
  ['archived', 'note', 'archived'],
];

for (const [from, action, to] of allowed) {
  test(`${from} --${action}--> ${to}`, () => {
    assert.equal(nextStatus(from, action), to);
    assert.equal(canApply(from, action), true);
  });
}

const rejected: [ComplaintStatus, Action][] = [
  ['new', 'resolve'],
  ['new', 'follow_up'],
  ['resolved', 'dispatch'],
  ['closed', 'reopen'],
  ['closed', 'citizen_reply'],
  ['archived', 'verify'],
  ['out_of_scope', 'dispatch'],
  ['on_hold', 'resolve'],
  ['dispatched', 'forward'],
  ['verified', 'close'],
  ['new', 'rate'],
];

for (const [from, action] of rejected) {
  test(`${from} rejects ${action}`, () => {
    assert.equal(canApply(from, action), false);
    assert.throws(() => nextStatus(from, action), (error: unknown) => {
      assert.ok(error instanceof TransitionError);
      assert.match(error.message, new RegExp(`"${action}".*"${from}"`));
      return true;
    });
  });
}

test('resume returns to the status before hold', () => {
  assert.equal(nextStatus('on_hold', 'resume', { statusBeforeHold: 'in_progress' }), 'in_progress');
  assert.equal(nextStatus('on_hold', 'resume', { statusBeforeHold: 'new' }), 'new');
});

test('resume without a known earlier status goes to verified', () => {
  assert.equal(nextStatus('on_hold', 'resume', { statusBeforeHold: null }), 'verified');
});

test('reopen goes back to the agency when one holds the report', () => {
  assert.equal(nextStatus('resolved', 'reopen', { hasAgency: true }), 'in_progress');
  assert.equal(nextStatus('resolved', 'reopen', { hasAgency: false }), 'verified');
});
