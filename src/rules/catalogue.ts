/** Every recommendation rule, in the order the report lists equal-severity findings. */
import type { Phase } from '../model/compile.js';
import { capacityHeadroom } from './capacity-headroom.js';
import { clientServerGap } from './client-server-gap.js';
import { dependencyDominates } from './dependency-dominates.js';
import { errorBurst } from './error-burst.js';
import { latencyDrift } from './latency-drift.js';
import { latencyFloor } from './latency-floor.js';
import { loadGeneratorOverloaded } from './load-generator-overloaded.js';
import { memoryGrowth } from './memory-growth.js';
import { nPlusOne } from './n-plus-one.js';
import { regression } from './regression.js';
import { sequentialDependencies } from './sequential-dependencies.js';
import { serverSaturation } from './server-saturation.js';
import { sloBroken } from './slo-broken.js';
import { slowOwnTime } from './slow-own-time.js';
import { stubsIncomplete } from './stubs-incomplete.js';
import { throughputLimit } from './throughput-limit.js';
import { tooFewSamples } from './too-few-samples.js';
import { tooManyUrls } from './too-many-urls.js';
import { webVitals } from './web-vitals.js';
import { LANGS, SEVERITY_ORDER, type Lang, type Recommendation, type Rule, type RuleContext } from './types.js';

export const RULES: readonly Rule[] = [
  sloBroken, loadGeneratorOverloaded, throughputLimit, capacityHeadroom, errorBurst, latencyDrift, memoryGrowth,
  serverSaturation, nPlusOne, slowOwnTime, sequentialDependencies, dependencyDominates, clientServerGap, latencyFloor,
  regression, webVitals, tooFewSamples, tooManyUrls, stubsIncomplete,
];

/** Decimal numbers written the language's way (33,8 in French); integers stay numbers (flags such as 0/1 keep their truth). */
function localParams(params: Record<string, string | number>, lang: Lang): Record<string, string | number> {
  if (lang === 'en') return params;
  const fmt = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 3 });
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? fmt.format(v) : v]));
}

export function runRules(ctx: RuleContext, rules: readonly Rule[] = RULES): Recommendation[] {
  const phase: Phase = ctx.analysis.phase;
  const out: Recommendation[] = [];
  for (const rule of rules) {
    for (const f of rule.evaluate(ctx)) {
      const text = Object.fromEntries(LANGS.map((l) => [l, rule.sentence[l](localParams(f.params, l))])) as Record<Lang, string>;
      out.push({ ruleId: rule.id, severity: f.severity, phase, ...(f.transaction !== undefined ? { transaction: f.transaction } : {}), text, evidence: f.evidence });
    }
  }
  // Stable sort: severity first, catalogue order within a severity.
  return out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
