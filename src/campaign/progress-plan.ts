/**
 * A campaign's phases as a progress plan (lib/progress.ts): each phase's profile duration plus the phase's
 * own work around k6. Pure.
 */
import type { Phase } from '../model/compile.js';
import { profileTimeline } from '../model/compile.js';
import type { LoadModel } from '../model/schema.js';
import type { ProgressPlan } from '../../lib/progress.js';
import type { PhasePlan } from './definition.js';

/**
 * Per phase, what it does besides k6's run — target (re)start, stubs checked and warmed, bundle, k6 start and
 * stop, stub verification — as `npm run bench -- campaign` measured it on the reference target (wall − load,
 * smoke, median: stubbed 5.0 s, unstubbed 2.5 s, e2e 2.2 s; docs/benchmarks.md).
 */
export const PHASE_OVERHEAD_MS: Record<Phase, number> = { stubbed: 5_000, unstubbed: 2_500, e2e: 2_200 };

export function campaignProgressPlan(model: LoadModel, file: string, phases: readonly PhasePlan[]): ProgressPlan {
  return {
    title: 'campaign',
    steps: phases.map((p) => {
      const profile = model.profiles[p.profile];
      const runMs = profile ? profileTimeline(model, file, p.profile, profile).reduce((s, x) => s + x.durationMs, 0) : 0;
      return { label: `phase ${p.phase} (profile ${p.profile})`, plannedMs: runMs + PHASE_OVERHEAD_MS[p.phase] };
    }),
  };
}
