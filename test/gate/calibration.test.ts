/** Calibration summaries: rates with their run counts and intervals, the doc section replaced in place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CALIBRATION_BEGIN,
  CALIBRATION_END,
  renderCalibration,
  renderSensitivity,
  replaceCalibrationSection,
  summarizeTrials,
  wilson,
  type CalibrationTrial,
} from '../../src/gate/calibration.js';

const trial = (plantedPct: number, status: CalibrationTrial['status'], effect: number, wallMs = 120_000): CalibrationTrial => ({
  plantedPct, status, exitCode: status === 'regression' ? 1 : 0, effect, pValue: 0.01, wallMs,
});

test('Wilson interval: known values, and never outside [0, 1]', () => {
  const { low, high } = wilson(0, 20);
  assert.equal(low, 0);
  assert.ok(Math.abs(high - 0.1611) < 1e-3, `0/20 upper bound ${high}`);
  const mid = wilson(10, 20);
  assert.ok(Math.abs(mid.low - 0.2993) < 1e-3 && Math.abs(mid.high - 0.7007) < 1e-3, JSON.stringify(mid));
});

test('trials → one row per planted slowdown with counts, rate, median effect and wall time', () => {
  const rows = summarizeTrials([
    trial(0, 'pass', 0.01), trial(0, 'warn', 0.06), trial(0, 'regression', 0.12), trial(0, 'pass', -0.02),
    trial(25, 'regression', 0.24, 200_000), trial(25, 'regression', 0.26), { ...trial(25, 'could-not-measure', 0), effect: null },
  ]);
  assert.deepEqual(rows.map((r) => [r.plantedPct, r.runs, r.regressions, r.warns, r.passes, r.others]), [[0, 4, 1, 1, 2, 0], [25, 3, 2, 0, 0, 1]]);
  assert.equal(rows[0]?.rate, 0.25);
  assert.ok(Math.abs((rows[0]?.medianEffect ?? 0) - 0.035) < 1e-12);
  assert.equal(rows[1]?.medianEffect, 0.25);
  assert.equal(rows[1]?.maxWallS, 200);
  const md = renderCalibration(rows, { date: 'd', machine: 'm', target: 't', mode: 'interleaved', model: 'x.yaml', profile: 'gate', transaction: 'v', sampling: '8 pairs', command: 'c' });
  assert.match(md, /\| A \(A\/A: false alarms\) \| 4 \| 1 \| 25 % \|/);
  assert.match(md, /A\/A false alarms 25 % \(target ≤ 5 %\): NOT met; with 4 runs/);
  assert.match(md, /detection at \+25 % 67 % \(target ≥ 90 %\): NOT met/);
});

test('the doc section between the markers is replaced, the rest of the doc kept', () => {
  const doc = `# Gate\n\nintro\n\n${CALIBRATION_BEGIN}\nold figures\n${CALIBRATION_END}\n\n## After\n`;
  const next = replaceCalibrationSection(doc, 'new figures');
  assert.equal(next, `# Gate\n\nintro\n\n${CALIBRATION_BEGIN}\nnew figures\n${CALIBRATION_END}\n\n## After\n`);
  assert.match(replaceCalibrationSection('# Gate\n', 'x'), new RegExp(`# Gate\\n\\n${CALIBRATION_BEGIN.replace(/[()]/g, '\\$&')}\\nx\\n${CALIBRATION_END}\\n$`));
});

test('the sensitivity table lists each minimum effect against each planted slowdown, the default marked', () => {
  const md = renderSensitivity(
    [
      { minEffect: 0.1, minEffectMs: 0, regressions: { 0: { regressions: 1, runs: 4 }, 25: { regressions: 4, runs: 4 } } },
      { minEffect: 0.1, minEffectMs: 2, regressions: { 0: { regressions: 0, runs: 4 }, 25: { regressions: 4, runs: 4 } } },
      { minEffect: 0.2, minEffectMs: 0, regressions: { 0: { regressions: 0, runs: 4 }, 25: { regressions: 3, runs: 4 } } },
    ],
    { minEffect: 0.1, minEffectMs: 2 },
  );
  const rows = md.split('\n').filter((l) => l.startsWith('| +'));
  assert.deepEqual(rows, ['| +10 % | 1/4 (25 %) | 4/4 (100 %) |', '| +10 % and ≥ 2 ms (default) | 0/4 (0 %) | 4/4 (100 %) |', '| +20 % | 0/4 (0 %) | 3/4 (75 %) |']);
  assert.match(md, /\| minimum p95 effect \| A\/A false alarms \| \+25 % detected \|/);
});

test('gate summaries (docs/gate-calibration): pairs round-trip, noise as the SD of ln(B/A), judged again per mode, counted k/n', async () => {
  const { compactPairs, logRatioSd, rejudgeSummaries, renderModeTable, summaryInputs } = await import('../../src/gate/calibration.js');
  const { DEFAULT_THRESHOLDS } = await import('../../src/gate/verdict.js');
  type Summary = import('../../src/gate/calibration.js').GateSummary;
  const pair = (a: number, b: number) => ({ baseline: { p95Ms: a, requests: 100, errors: 0 }, candidate: { p95Ms: b, requests: 100, errors: 0 } });
  // Ratios B/A of +30 % ± a little in every window: a clear regression; A/A: ratios around 1.
  const slow = [1.28, 1.31, 1.3, 1.33, 1.27, 1.3, 1.32, 1.29].map((r) => pair(20, 20 * r));
  const same = [1.01, 0.99, 1.02, 0.98, 1, 1.01, 0.99, 1].map((r) => pair(20, 20 * r));
  const compact = compactPairs([{ mode: 'duet', transaction: 'hello', slo: {}, candidateTotal: null, pairs: slow }]);
  assert.deepEqual(compact.hello?.[0], [20, 100, 0, 25.6, 100, 0]);
  const summary = (mode: Summary['mode'], plantedPct: number, pairs: typeof slow, status: Summary['status']): Summary => ({
    schemaVersion: 1, batch: 'b1', mode, duetOrder: mode === 'duet' ? 'alternate' : undefined, plantedPct, planted: 'x', commit: 'c', date: 'd', target: 't', model: 'm', profile: 'p',
    transaction: 'hello', sampling: 's', exitCode: status === 'regression' ? 1 : 0, status, wallMs: 12_000, effect: plantedPct / 100, pValue: 0.01, baselineP95Ms: 20,
    pairs: compactPairs([{ mode: 'duet', transaction: 'hello', slo: {}, candidateTotal: null, pairs }]),
  });
  const back = summaryInputs(summary('duet', 30, slow, 'regression'))[0];
  assert.deepEqual(back && back.mode !== 'baseline' ? back.pairs : null, slow);
  const sd = logRatioSd(compact.hello ?? [], 20) ?? 0;
  assert.ok(sd > 0.01 && sd < 0.03, `sd ${sd}`);
  assert.equal(logRatioSd([[20, 5, 0, 25, 5, 0]], 20), null, 'no window with enough requests');
  const all = [summary('duet', 0, same, 'pass'), summary('duet', 30, slow, 'regression'), summary('interleaved', 0, same, 'pass')];
  const judged = rejudgeSummaries(all, DEFAULT_THRESHOLDS);
  assert.deepEqual(judged['t · duet (alternate)'], { 0: { regressions: 0, runs: 1 }, 30: { regressions: 1, runs: 1 } });
  assert.deepEqual(rejudgeSummaries(all, { ...DEFAULT_THRESHOLDS, p95FailIncrease: 0.5 })['t · duet (alternate)']?.[30], { regressions: 0, runs: 1 }, 'a +50 % minimum: +30 % no longer fails');
  const table = renderModeTable(all, 20);
  assert.match(table, /\| t · duet \(alternate\) \| \+30 % \| 1 \| 1\/1 \| 21 %–100 % \|/);
  assert.match(table, /\| t · interleaved \| A\/A \| 1 \| 0\/1 \| 0 %–79 % \|/);
});
