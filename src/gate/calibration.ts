/**
 * Calibration results of the gate, pure: trials (one gate each, A/A or A/A′ with a planted slowdown) →
 * false-alarm and detection rates with their run counts and 95 % intervals → the markdown section that
 * `npm run calibrate:gate` writes into docs/gate.md between two markers.
 */
import { gateVerdict, judgeTransactions, type GateStatus, type GateThresholds, type TransactionInput } from './verdict.js';

export interface CalibrationTrial {
  /** Planted slowdown of the candidate build, percent (0 = A/A). */
  plantedPct: number;
  exitCode: number;
  status: GateStatus;
  /** Estimated p95 change of the watched transaction (0.1 = +10 %), when measured. */
  effect: number | null;
  pValue: number | null;
  wallMs: number;
  /** Median of build A's window p95s of the watched transaction in this gate, ms (sizes a planted latency). */
  baselineP95Ms?: number | null;
}

export interface CalibrationRow {
  plantedPct: number;
  runs: number;
  regressions: number;
  warns: number;
  passes: number;
  /** SLO broken or could not measure: neither an alarm nor a pass, listed apart. */
  others: number;
  /** regressions / runs: the false-alarm rate for A/A, the detection rate otherwise. */
  rate: number;
  /** Wilson 95 % interval of the rate. */
  low: number;
  high: number;
  medianEffect: number | null;
  medianWallS: number;
  maxWallS: number;
}

export interface CalibrationSetup {
  date: string;
  machine: string;
  target: string;
  mode: 'interleaved' | 'baseline' | 'duet';
  model: string;
  profile: string;
  transaction: string;
  sampling: string;
  command: string;
}

/** Wilson score interval at 95 %: honest for small run counts and for rates near 0 or 1. */
export function wilson(successes: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function mid(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function summarizeTrials(trials: readonly CalibrationTrial[]): CalibrationRow[] {
  const planted = [...new Set(trials.map((t) => t.plantedPct))].sort((a, b) => a - b);
  return planted.map((pct) => {
    const mine = trials.filter((t) => t.plantedPct === pct);
    const regressions = mine.filter((t) => t.status === 'regression').length;
    const warns = mine.filter((t) => t.status === 'warn').length;
    const passes = mine.filter((t) => t.status === 'pass').length;
    const { low, high } = wilson(regressions, mine.length);
    const walls = mine.map((t) => t.wallMs / 1000);
    return {
      plantedPct: pct,
      runs: mine.length,
      regressions,
      warns,
      passes,
      others: mine.length - regressions - warns - passes,
      rate: mine.length ? regressions / mine.length : 0,
      low,
      high,
      medianEffect: mid(mine.flatMap((t) => (t.effect === null ? [] : [t.effect]))),
      medianWallS: mid(walls) ?? 0,
      maxWallS: Math.max(0, ...walls),
    };
  });
}

const pct = (v: number) => `${(v * 100).toFixed(0)} %`;

/** Targets of the issue: false alarms ≤ 5 % on A/A, detection ≥ 90 % at +25 %, wall time ≤ 5 min. */
export function targetVerdicts(rows: readonly CalibrationRow[]): string[] {
  const out: string[] = [];
  const aa = rows.find((r) => r.plantedPct === 0);
  const big = rows.find((r) => r.plantedPct === 25);
  if (aa) out.push(`A/A false alarms ${pct(aa.rate)} (target ≤ 5 %): ${aa.rate <= 0.05 ? 'met' : 'NOT met'}${aa.runs < 60 ? `; with ${aa.runs} runs the 95 % interval reaches ${pct(aa.high)}` : ''}`);
  if (big) out.push(`detection at +25 % ${pct(big.rate)} (target ≥ 90 %): ${big.rate >= 0.9 ? 'met' : 'NOT met'}`);
  const worst = Math.max(0, ...rows.map((r) => r.maxWallS));
  out.push(`longest gate ${Math.round(worst)} s (target ≤ 300 s): ${worst <= 300 ? 'met' : 'NOT met'}`);
  return out;
}

export function renderCalibration(rows: readonly CalibrationRow[], setup: CalibrationSetup): string {
  const lines = [
    `Measured ${setup.date} on ${setup.machine}; target: ${setup.target}; ${setup.mode} mode, model \`${setup.model}\`, profile \`${setup.profile}\`, watched transaction \`${setup.transaction}\`, ${setup.sampling}.`,
    `Command: \`${setup.command}\``,
    '',
    '| build B | runs | regression (exit 1) | rate | 95 % interval | warn | pass | other | median p95 effect | median / max wall time |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.plantedPct === 0 ? 'A (A/A: false alarms)' : `A′ +${r.plantedPct} % (detection)`} | ${r.runs} | ${r.regressions} | ${pct(r.rate)} | ${pct(r.low)}–${pct(r.high)} | ${r.warns} | ${r.passes} | ${r.others} | ${r.medianEffect === null ? '–' : `${r.medianEffect >= 0 ? '+' : ''}${(r.medianEffect * 100).toFixed(1)} %`} | ${Math.round(r.medianWallS)} s / ${Math.round(r.maxWallS)} s |`,
    ),
    '',
    ...targetVerdicts(rows).map((v) => `- ${v}`),
  ];
  return lines.join('\n');
}

export const CALIBRATION_BEGIN = '<!-- calibration:begin (written by npm run calibrate:gate) -->';
export const CALIBRATION_END = '<!-- calibration:end -->';

/** The document with the text between the markers replaced (markers appended when missing). */
export function replaceCalibrationSection(doc: string, section: string): string {
  const block = `${CALIBRATION_BEGIN}\n${section}\n${CALIBRATION_END}`;
  const begin = doc.indexOf(CALIBRATION_BEGIN);
  const end = doc.indexOf(CALIBRATION_END);
  if (begin === -1 || end === -1 || end < begin) return `${doc.replace(/\n*$/, '\n\n')}${block}\n`;
  return doc.slice(0, begin) + block + doc.slice(end + CALIBRATION_END.length);
}

/** The same trials judged again with another minimum effect: regressions per planted slowdown. */
export interface SensitivityRow {
  /** p95 minimum effect of the re-judging (0.15 = +15 %). */
  minEffect: number;
  /** Its absolute floor, ms. */
  minEffectMs: number;
  /** Planted slowdown → regressions / runs judged. */
  regressions: Record<number, { regressions: number; runs: number }>;
}

/** A markdown table: one line per minimum effect, one column per planted slowdown (0 = false alarms). */
export function renderSensitivity(rows: readonly SensitivityRow[], defaults: { minEffect: number; minEffectMs: number }): string {
  const planted = [...new Set(rows.flatMap((r) => Object.keys(r.regressions).map(Number)))].sort((a, b) => a - b);
  const head = planted.map((p) => (p === 0 ? 'A/A false alarms' : `+${p} % detected`));
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  return [
    'The same trials judged again offline with other minimum effects (the measurements are stored; only the',
    'threshold changes; warn band at half the minimum):',
    '',
    `| minimum p95 effect | ${head.join(' | ')} |`,
    `|---|${planted.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| +${Math.round(r.minEffect * 100)} %${r.minEffectMs > 0 ? ` and ≥ ${r.minEffectMs} ms` : ''}${r.minEffect === defaults.minEffect && r.minEffectMs === defaults.minEffectMs ? ' (default)' : ''} | ${planted.map((p) => {
      const c = r.regressions[p];
      return c ? `${c.regressions}/${c.runs} (${pct(c.runs ? c.regressions / c.runs : 0)})` : '–';
    }).join(' | ')} |`),
  ].join('\n');
}

/**
 * One gate of a calibration batch, as committed under docs/gate-calibration/ (small JSON): enough to count it
 * again and to judge it again with other thresholds (`--rejudge`), without its run folders.
 */
export interface GateSummary {
  schemaVersion: 1;
  batch: string;
  mode: 'interleaved' | 'duet' | 'baseline';
  /** Duet mode: how iterations went to A or B, and the seed of the draw. */
  duetOrder?: string;
  seed?: number;
  plantedPct: number;
  /** What was planted on B: a latency on the watched route (ms), or a tiny target's slower answers. */
  planted: string;
  commit: string | null;
  date: string;
  target: string;
  model: string;
  profile: string;
  transaction: string;
  /** "12 pairs of 10 s runs" or "12 windows of 5 s". */
  sampling: string;
  exitCode: number;
  status: GateStatus;
  wallMs: number;
  /** The watched transaction's p95 effect and Holm-adjusted p-value. */
  effect: number | null;
  pValue: number | null;
  baselineP95Ms: number | null;
  /** Per compared transaction: its window pairs [A p95 ms, A requests, A errors, B p95 ms, B requests, B errors]. */
  pairs: Record<string, [number, number, number, number, number, number][]>;
}

/** A summary's pairs back into the verdict's inputs (SLOs left out: re-judging is about the comparison). */
export function summaryInputs(s: GateSummary): TransactionInput[] {
  return Object.entries(s.pairs).map(([transaction, rows]) => ({
    mode: s.mode === 'duet' ? 'duet' : 'interleaved',
    transaction,
    slo: {},
    candidateTotal: { p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, errorRate: 0 },
    pairs: rows.map(([ap, ar, ae, bp, br, be]) => ({ baseline: { p95Ms: ap, requests: ar, errors: ae }, candidate: { p95Ms: bp, requests: br, errors: be } })),
  }));
}

/** The compact pairs of a gate's paired inputs (for its summary). */
export function compactPairs(inputs: readonly TransactionInput[]): GateSummary['pairs'] {
  const out: GateSummary['pairs'] = {};
  for (const i of inputs) {
    if (i.mode === 'baseline') continue;
    out[i.transaction] = i.pairs.map((p) => [p.baseline.p95Ms, p.baseline.requests, p.baseline.errors, p.candidate.p95Ms, p.candidate.requests, p.candidate.errors]);
  }
  return out;
}

/**
 * The noise of one gate on one transaction: the standard deviation of its per-window (or per-pair) log-ratios
 * ln(B/A) over the pairs with enough requests on both sides. On A/A it is what hides a small slowdown; the
 * mode with the smaller one detects smaller regressions with the same number of windows.
 */
export function logRatioSd(rows: readonly [number, number, number, number, number, number][], minRequests: number): number | null {
  const d = rows.filter((r) => r[1] >= minRequests && r[4] >= minRequests && r[0] > 0 && r[3] > 0).map((r) => Math.log(r[3] / r[0]));
  if (d.length < 2) return null;
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  return Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
}

/** Summaries judged again with given thresholds: regressions / gates per mode and planted slowdown. */
export function rejudgeSummaries(summaries: readonly GateSummary[], thresholds: GateThresholds): Record<string, Record<number, { regressions: number; runs: number }>> {
  const out: Record<string, Record<number, { regressions: number; runs: number }>> = {};
  for (const s of summaries) {
    const v = gateVerdict(s.mode, judgeTransactions(summaryInputs(s), thresholds), thresholds);
    const c = ((out[groupLabel(s)] ??= {})[s.plantedPct] ??= { regressions: 0, runs: 0 });
    c.runs++;
    if (v.status === 'regression') c.regressions++;
  }
  return out;
}

/** Gates are counted per target and mode: "tiny (20 ms) · duet (alternate)". */
export function groupLabel(s: Pick<GateSummary, 'mode' | 'duetOrder' | 'target'>): string {
  return `${s.target} · ${modeLabel(s)}`;
}

/** "duet (alternate)", "interleaved". */
export function modeLabel(s: Pick<GateSummary, 'mode' | 'duetOrder'>): string {
  return s.mode === 'duet' ? `duet (${s.duetOrder ?? '?'})` : s.mode;
}

/**
 * The batches' table: per mode and planted slowdown, gates, regressions k/n with the 95 % interval, and on the
 * watched transaction the median effect, the median per-window log-ratio SD (the noise) and the wall time.
 */
export function renderModeTable(summaries: readonly GateSummary[], minRequests: number): string {
  const groups = new Map<string, GateSummary[]>();
  for (const s of summaries) {
    const key = `${groupLabel(s)}\u0000${s.plantedPct}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([key, mine]) => {
    const [mode, planted] = key.split('\u0000') as [string, string];
    const k = mine.filter((s) => s.status === 'regression').length;
    const { low, high } = wilson(k, mine.length);
    const effects = mine.flatMap((s) => (s.effect === null ? [] : [s.effect]));
    const sds = mine.flatMap((s) => {
      const sd = logRatioSd(s.pairs[s.transaction] ?? [], minRequests);
      return sd === null ? [] : [sd];
    });
    const effect = mid(effects);
    const sd = mid(sds);
    const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
    return `| ${mode} | ${planted === '0' ? 'A/A' : `+${planted} %`} | ${mine.length} | ${k}/${mine.length} | ${pct(low)}–${pct(high)} | ${mine.filter((s) => s.status === 'warn').length} | ${effect === null ? '–' : signed(effect)} | ${sd === null ? '–' : `${(sd * 100).toFixed(1)} %`} | ${Math.round(mid(mine.map((s) => s.wallMs / 1000)) ?? 0)} s |`;
  });
  return [
    '| target · mode | build B | gates | regression (exit 1) | 95 % interval | warn | median p95 effect | median SD of per-window ln(B/A) | median wall time |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
