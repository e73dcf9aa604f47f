/**
 * Phase comparison per transaction: the latency the real dependencies add (unstubbed − stubbed) and what the
 * whole chain adds on top (e2e − unstubbed). Pure.
 */
import type { Phase } from '../model/compile.js';
import type { Analysis } from './types.js';

export interface PhaseFigures {
  p50: number;
  p95: number;
  errorRate: number;
  ratePerSec: number;
}

export interface PhaseComparisonRow {
  transaction: string;
  stubbed: PhaseFigures | null;
  unstubbed: PhaseFigures | null;
  e2e: PhaseFigures | null;
  /** unstubbed p50 − stubbed p50: the dependencies' share of the median, ms. */
  dependenciesMs: number | null;
  /** dependenciesMs / unstubbed p50. */
  dependenciesShare: number | null;
  /** e2e p50 − unstubbed p50, ms. */
  e2eAddedMs: number | null;
}

function figures(a: Analysis | undefined, name: string): PhaseFigures | null {
  const t = a?.transactions.find((x) => x.name === name);
  if (!t || !t.latencyMs) return null;
  return { p50: t.latencyMs.p50, p95: t.latencyMs.p95, errorRate: t.errorRate, ratePerSec: t.ratePerSec };
}

export function comparePhases(phases: Analysis[]): PhaseComparisonRow[] {
  const by = new Map<Phase, Analysis>(phases.map((a) => [a.phase, a]));
  const names = [...new Set(phases.flatMap((a) => a.transactions.map((t) => t.name)))];
  return names.map((transaction) => {
    const stubbed = figures(by.get('stubbed'), transaction);
    const unstubbed = figures(by.get('unstubbed'), transaction);
    const e2e = figures(by.get('e2e'), transaction);
    const dependenciesMs = stubbed && unstubbed ? unstubbed.p50 - stubbed.p50 : null;
    return {
      transaction,
      stubbed,
      unstubbed,
      e2e,
      dependenciesMs,
      dependenciesShare: dependenciesMs !== null && unstubbed && unstubbed.p50 > 0 ? dependenciesMs / unstubbed.p50 : null,
      e2eAddedMs: e2e && unstubbed ? e2e.p50 - unstubbed.p50 : null,
    };
  });
}
