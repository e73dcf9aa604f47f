/**
 * Calibration results of the gate, pure: trials (one gate each, A/A or A/A′ with a planted slowdown) →
 * false-alarm and detection rates with their run counts and 95 % intervals → the markdown section that
 * `npm run calibrate:gate` writes into docs/gate.md between two markers.
 */
import type { GateStatus } from './verdict.js';

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
  mode: 'interleaved' | 'baseline';
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
