/** Rule `stubs-incomplete` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES, runRules } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, withPhase } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('stubs-incomplete: silent without unmatched requests; a caveat with the count the campaign recorded in run.json', async () => {
  const a = await baseAnalysis();
  const rule = byId('stubs-incomplete');
  assert.equal(rule.caveat, true, 'the verdict shows it as a caveat');
  assert.equal(rule.evaluate(ctxOf(a)).length, 0);
  a.runs[0]!.unmatchedStubRequests = 17;
  const stubbed = withPhase(a, 'stubbed');
  const [f, more] = rule.evaluate(ctxOf(stubbed));
  assert.equal(more, undefined, 'one finding per phase');
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.evidence.numbers.unmatchedRequests, 17);
  assert.equal(f!.evidence.chart, 'stubbed-unmatched-stubs');
  const [rec] = runRules(ctxOf(stubbed), [rule]);
  assert.match(rec!.text.en, /^17 request\(s\) to the stubs matched no mapping: .*suspect/);
  assert.match(rec!.text.fr, /^17 requête\(s\) aux bouchons sans correspondance : .*douteux/);
  // Two injectors' run folders of one phase: their counts add up.
  stubbed.runs = [stubbed.runs[0]!, { ...stubbed.runs[0]!, unmatchedStubRequests: 3 }];
  assert.equal(rule.evaluate(ctxOf(stubbed))[0]!.evidence.numbers.unmatchedRequests, 20);
});
