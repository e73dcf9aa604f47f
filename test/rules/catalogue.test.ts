/** The rule catalogue as a whole on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RULES, runRules } from '../../src/rules/catalogue.js';
import { firesWhen, formatThreshold, rulesSection, withRulesSection } from '../../src/rules/docs.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

test('catalogue: unique ids, a sentence in each language, every rule documented in docs/recommendations.md', () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  const doc = readFileSync('docs/recommendations.md', 'utf8');
  for (const r of RULES) {
    assert.ok(r.title.en && r.title.fr, r.id);
    assert.ok(doc.includes(`\`${r.id}\``), `docs/recommendations.md lists ${r.id}`);
  }
});

test('on the plain recorded run (5 s, 25 requests, 1 ms), only the "too short / too few" notes fire', async () => {
  const recs = runRules(ctxOf(await baseAnalysis()));
  assert.deepEqual(recs.map((r) => [r.ruleId, r.severity]), [['too-few-samples', 'warning'], ['too-few-samples', 'info']]);
  assert.match(recs[1]!.text.fr, /Le tir a duré 5 s/);
});

test('docs/recommendations.md\'s rule tables are the rules\' metadata (npm run docs:rules writes them)', () => {
  const doc = readFileSync('docs/recommendations.md', 'utf8');
  assert.equal(doc, withRulesSection(doc, RULES), 'docs/recommendations.md differs from the rules\' metadata: run npm run docs:rules');
  // The check fails on a drift: a threshold changed in the code changes the generated text.
  const moved = RULES.map((r) => (r.id === 'latency-drift' ? { ...r, meta: { ...r.meta, thresholds: r.meta.thresholds.map((t) => (t.name === 'RISE_RATIO' ? { ...t, value: 1.6 } : t)) } } : r));
  assert.notEqual(withRulesSection(doc, moved), doc);
  assert.match(rulesSection(moved), /median p50 ≥ 1\.6 × the first fifth's/);
});

test('each rule declares its thresholds with a unit and a why, and its sentence quotes every one by name', () => {
  for (const r of RULES) {
    const text = firesWhen(r);
    assert.doesNotMatch(text, /\{[A-Z_]+\}/, r.id);
    assert.ok(r.meta.severity && r.meta.evidence, r.id);
    for (const t of r.meta.thresholds) {
      assert.ok(Number.isFinite(t.value) && t.unit && t.why.length > 20, `${r.id}.${t.name}`);
      assert.ok(r.meta.firesWhen.includes(`{${t.name}}`), `${r.id}: meta.firesWhen quotes {${t.name}}`);
      assert.ok(text.includes(formatThreshold(t)), `${r.id}: ${t.name} as ${formatThreshold(t)}`);
    }
  }
  const unknown: Rule = { ...(RULES[0] as Rule), meta: { ...(RULES[0] as Rule).meta, firesWhen: 'above {NOT_DECLARED}' } };
  assert.throws(() => firesWhen(unknown), /NOT_DECLARED.*names no declared threshold/);
});

test('declared values are the constants the rules run on', async () => {
  const { RISE_RATIO, MIN_WINDOWS } = await import('../../src/rules/latency-drift.js');
  const { ACHIEVED_MIN } = await import('../../src/rules/helpers.js');
  const value = (id: string, name: string) => RULES.find((r) => r.id === id)?.meta.thresholds.find((t) => t.name === name)?.value;
  assert.equal(value('latency-drift', 'RISE_RATIO'), RISE_RATIO);
  assert.equal(value('latency-drift', 'MIN_WINDOWS'), MIN_WINDOWS);
  assert.equal(value('throughput-limit', 'ACHIEVED_MIN'), ACHIEVED_MIN);
  assert.equal(value('web-vitals', 'LCP_POOR'), 4000);
});

test('every rule file is in the catalogue and has its own test file; no rule imports another rule', () => {
  const files = readdirSync('src/rules').filter((f) => f.endsWith('.ts') && !['catalogue.ts', 'docs.ts', 'helpers.ts', 'types.ts'].includes(f));
  assert.deepEqual(files.map((f) => f.replace(/\.ts$/, '')).sort(), RULES.map((r) => r.id).sort());
  const tests = readdirSync('test/rules');
  for (const f of files) {
    assert.ok(tests.includes(f.replace(/\.ts$/, '.test.ts')), `test/rules/${f.replace(/\.ts$/, '.test.ts')}`);
    const local = [...readFileSync(`src/rules/${f}`, 'utf8').matchAll(/from '\.\/([^']+)\.js'/g)].map((m) => m[1]);
    assert.deepEqual(local.filter((m) => m !== 'helpers' && m !== 'types'), [], `src/rules/${f} imports only ./helpers.js and ./types.js among the rules`);
  }
});
