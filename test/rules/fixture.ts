/**
 * Rule fixtures: the analysis of a small recorded run (test/fixtures/runs), with one symptom planted at a
 * time. Each rule must stay silent on the plain run and name the planted symptom.
 */
import { analyzeRun } from '../../src/analysis/analyze.js';
import { comparePhases } from '../../src/analysis/phases.js';
import type { Analysis, MonitorSeries, WindowPoint } from '../../src/analysis/types.js';
import type { Phase } from '../../src/model/compile.js';
import type { RuleContext } from '../../src/rules/types.js';

let cached: Analysis | undefined;

export async function baseAnalysis(): Promise<Analysis> {
  cached ??= await analyzeRun('test/fixtures/runs/basic-smoke');
  return structuredClone(cached);
}

export function ctxOf(analysis: Analysis, extra: Partial<RuleContext> = {}): RuleContext {
  const phases = extra.phases ?? [analysis];
  return { analysis, phases, phaseComparison: comparePhases(phases), previous: null, ...extra };
}

export function withPhase(a: Analysis, phase: Phase): Analysis {
  return { ...structuredClone(a), phase };
}

/** A constant-load series of n one-second windows whose p50 follows f(i). */
export function series(n: number, t0: number, f: (i: number) => number, extra: (i: number) => Partial<WindowPoint> = () => ({})): WindowPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const v = f(i);
    return { t: t0 + i * 1000, count: 10, errors: 0, dropped: 0, p50: v, p90: v * 1.2, p95: v * 1.3, p99: v * 1.5, max: v * 2, ...extra(i) };
  });
}

export function monitor(source: string, metric: string, values: number[], labels = '', t0 = 1_700_000_000_000, stepMs = 5000): MonitorSeries {
  return { source, metric, labels, points: values.map((v, i) => ({ t: t0 + i * stepMs, v })) };
}
