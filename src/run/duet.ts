/**
 * A duet run (the gate's `--duet`): one k6 run loads build A and build B at the same time, each iteration
 * routed to one side (src/scenario/duet-side.ts), so that both see the same machine at the same instant.
 * Pure: a compiled run in, the duet's compiled run out.
 */
import { inputError } from '../errors.js';
import type { CompiledRun, K6Scenario } from '../model/compile.js';
import { formatDuration } from '../model/duration.js';
import { targetEnvName } from '../model/environment.js';
import { DUET_ENV, type DuetOrder, type DuetRouting } from '../scenario/duet-side.js';

export interface DuetRequest {
  order: DuetOrder;
  seed: number;
  /** Build A's URL per target name; targets not named here are shared by both sides. */
  baselineTargets: Record<string, string>;
  /** Length of the duet's load (warm-up + windows): it replaces the profile's own duration. */
  durationMs: number;
}

/** Each side gets the profile's rate: the scenario runs at twice the rate, with twice the VUs, and routes half to each. */
const SIDES = 2;

/** Build A's full target map: the run's own targets (build B) with A's URLs where they differ. */
export function baselineTargetsOf(targets: Record<string, string>, baselineTargets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(targets).map(([name, url]) => [name, baselineTargets[name] ?? url]));
}

/**
 * The duet's compiled run. Only constant profiles (a duet compares windows of one steady load), and the
 * profile's duration is replaced by the duet's. The k6 variables TARGET_<NAME> keep build B's URLs; the
 * routing (both sides' URLs, order, seed) travels in PERFCELL_DUET.
 */
/** A duet compares windows of one steady load: a profile with steps, a spike or a ramp-up is refused. */
export function checkDuetProfile(compiled: CompiledRun, where: { file: string; profile: string }): void {
  if (Object.values(compiled.options.scenarios).some((s) => s.executor !== 'constant-arrival-rate' || s.rate === undefined)) {
    throw inputError(where.file, `profiles.${where.profile}`, 'a constant profile (multiplier and duration, no steps, spike or ramp-up) for a duet gate');
  }
}

export function duetCompiled(compiled: CompiledRun, duet: DuetRequest, where: { file: string; profile: string }, targets: Record<string, string>): CompiledRun {
  checkDuetProfile(compiled, where);
  const scenarios: Record<string, K6Scenario> = {};
  for (const [name, s] of Object.entries(compiled.options.scenarios)) {
    if (s.executor !== 'constant-arrival-rate') continue; // refused above: narrows the type
    scenarios[name] = { ...s, rate: (s.rate as number) * SIDES, preAllocatedVUs: s.preAllocatedVUs * SIDES, maxVUs: s.maxVUs * SIDES, duration: formatDuration(duet.durationMs) };
  }
  const envOf = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).map(([n, u]) => [targetEnvName(n), u.replace(/\/$/, '')]));
  const routing: DuetRouting = { order: duet.order, seed: duet.seed, a: envOf(baselineTargetsOf(targets, duet.baselineTargets)), b: envOf(targets) };
  const multiplier = compiled.timeline[0]?.fromMultiplier ?? 1;
  return {
    ...compiled,
    options: { ...compiled.options, scenarios },
    transactions: compiled.transactions.map((t) => ({
      ...t,
      peakRatePerSec: t.peakRatePerSec * SIDES,
      stepRatesPerSec: t.stepRatesPerSec.map((r) => r * SIDES),
      preAllocatedVUs: t.preAllocatedVUs * SIDES,
      maxVUs: t.maxVUs * SIDES,
    })),
    durationMs: duet.durationMs,
    timeline: [{ fromMultiplier: multiplier * SIDES, toMultiplier: multiplier * SIDES, durationMs: duet.durationMs }],
    env: { ...compiled.env, [DUET_ENV]: JSON.stringify(routing) },
  };
}
