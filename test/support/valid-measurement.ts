/**
 * Real-run tests assert a rule's finding only on a valid measurement: the same test the verdict applies
 * (src/verdict: an overloaded injector, a VU budget that did not apply the model). A machine slower than the
 * author's, or busy, makes an invalid measurement; the test then measures again rather than asserting on a
 * contaminated run.
 */
import type { Analysis } from '../../src/analysis/types.js';
import type { Recommendation } from '../../src/rules/types.js';
import { invalidatesMeasurement } from '../../src/verdict/verdict.js';

/** Why the measurement is not valid (empty when it is). */
export function invalidBecause(recs: readonly Recommendation[]): string[] {
  return recs.filter(invalidatesMeasurement).map((r) => `${r.ruleId}: ${r.text.en}`);
}

/** The injector host's mean CPU over the run (the figure the verdict reads), for the test's diagnostics. */
export function injectorCpuMean(a: Analysis): number | null {
  const s = a.monitor.find((m) => m.source === 'injector' && m.metric === 'injector_host_cpu_percent');
  return s && s.points.length ? s.points.reduce((x, p) => x + p.v, 0) / s.points.length : null;
}

/**
 * Runs `measure` until its measurement is valid, at most `attempts` times; `log` says why a run was thrown
 * away. Returns the last measurement and how many runs it took.
 */
export async function measureValid<T extends { recs: Recommendation[] }>(measure: (attempt: number) => Promise<T>, log: (line: string) => void, attempts = 3): Promise<T & { attempts: number }> {
  let last: T | undefined;
  for (let i = 1; i <= attempts; i++) {
    last = await measure(i);
    const why = invalidBecause(last.recs);
    if (why.length === 0) return { ...last, attempts: i };
    log(`measurement ${i} not valid, measuring again: ${why.join('; ')}`);
  }
  return { ...(last as T), attempts };
}
