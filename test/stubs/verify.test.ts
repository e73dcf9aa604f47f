import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTally, formatVerification, tallyServeEvents, verification, type ServeEvent } from '../../src/stubs/verify.js';

const ev = (id: string, url: string, at: number, mapping?: string): ServeEvent => ({
  id,
  request: { url, method: 'GET', loggedDate: at },
  wasMatched: mapping !== undefined,
  ...(mapping ? { stubMapping: { id: mapping } } : { stubMapping: { id: 'fallback-404' } }),
});

test('overlapping journal pages are counted once; unmatched requests are grouped by method and URL', () => {
  const t = emptyTally();
  tallyServeEvents(t, [ev('3', '/persons/2', 30, 'm1'), ev('2', '/nope', 20), ev('1', '/persons/1', 10, 'm1')], 100);
  tallyServeEvents(t, [ev('5', '/nope', 50), ev('4', '/contracts', 40, 'm2'), ev('3', '/persons/2', 30, 'm1')], 100);
  const v = verification('legal', 'http://127.0.0.1:1', new Map([['m1', 'get person'], ['m2', 'contracts'], ['m3', 'invoices']]), t);
  assert.equal(v.requests, 5);
  assert.deepEqual(v.mappings.map((m) => [m.label, m.hits]), [['get person', 2], ['contracts', 1], ['invoices', 0]]);
  assert.deepEqual(v.unused.map((m) => m.label), ['invoices']);
  assert.deepEqual(v.unmatched, [{ method: 'GET', url: '/nope', count: 2, firstAtMs: 20 }]);
  assert.equal(v.ok, false, 'an unmatched request is a test defect');
  assert.equal(t.lastLoggedMs, 50);
  assert.equal(v.journalOverflowed, false);
  assert.match(formatVerification(v), /UNMATCHED 2× GET \/nope/);
  assert.match(formatVerification(v), /0 {2}invoices {3}← no traffic/);
});

test('a full page with nothing already seen flags that the journal may have dropped events', () => {
  const t = emptyTally();
  tallyServeEvents(t, [ev('1', '/a', 1, 'm')], 2);
  tallyServeEvents(t, [ev('3', '/a', 3, 'm'), ev('2', '/a', 2, 'm')], 2);
  assert.equal(t.overflowed, true);
  const fine = emptyTally();
  tallyServeEvents(fine, [ev('2', '/a', 2, 'm'), ev('1', '/a', 1, 'm')], 2);
  assert.equal(fine.overflowed, false, 'the first page cannot have lost anything the journal still had');
});

test('no traffic at all: every mapping unused, verification ok', () => {
  const v = verification('s', 'u', new Map([['a', 'A']]), emptyTally());
  assert.equal(v.ok, true);
  assert.equal(v.unused.length, 1);
});
