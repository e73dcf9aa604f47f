/**
 * A recommendation rule: a small pure function from what the analysis saw to findings, each with the
 * evidence it rests on. The sentence exists in every report language; numbers stay numbers.
 */
import type { ComparisonRow } from '../analysis/compare.js';
import type { PhaseComparisonRow } from '../analysis/phases.js';
import type { Analysis } from '../analysis/types.js';
import type { Phase } from '../model/compile.js';

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];

export interface Evidence {
  /** The figures the finding rests on (ms, per second, ratios), by name. */
  numbers: Record<string, number>;
  /** Time range (unix ms) the finding concerns, when it concerns part of the run. */
  from?: number;
  to?: number;
  /** Id of the report chart that shows it (see src/report/charts.ts chartId). */
  chart: string;
}

export interface RuleContext {
  /** The phase under examination. */
  analysis: Analysis;
  /** Every phase of the iteration (the examined one included). */
  phases: Analysis[];
  phaseComparison: PhaseComparisonRow[];
  /** Same phase in the previous iteration, with the per-transaction comparison. */
  previous: { analysis: Analysis; comparison: ComparisonRow[] } | null;
}

export interface Finding {
  severity: Severity;
  transaction?: string;
  /** Values for the sentence (names, figures already rounded for reading). */
  params: Record<string, string | number>;
  evidence: Evidence;
}

/**
 * A threshold a rule fires on, declared beside the constant it documents (as ESLint rules declare their
 * `meta`): docs/recommendations.md is generated from these (`npm run docs:rules`), so the doc cannot drift
 * from the code.
 */
export interface RuleThreshold {
  /** The constant's name in the rule's file (or helpers.ts / the analysis module that owns it). */
  name: string;
  /** Its value, in `unit`. */
  value: number;
  /**
   * `share` (a fraction, written as a percentage), `%` (already a percentage), `point` (a fraction of
   * requests written as percentage points), `×`, `ms`, `s`, `bytes`, `cores`, or a count's noun
   * (`requests`, `windows`, `queries`, `names`, `points`).
   */
  unit: string;
  /** Why this value: the measurement or the reference behind it. */
  why: string;
}

/** What docs/recommendations.md says of a rule (one row of its table). `{NAME}` in the text stands for the threshold NAME's value. */
export interface RuleMeta {
  /** Severities it can give, and what decides between them. */
  severity: string;
  /** When it fires (the thresholds by `{NAME}`). */
  firesWhen: string;
  /** The evidence it attaches. */
  evidence: string;
  thresholds: RuleThreshold[];
}

export interface Rule {
  id: string;
  /** Thresholds and documentation: docs/recommendations.md's table is generated from it (src/rules/docs.ts). */
  meta: RuleMeta;
  /** What the rule looks for, one line (docs/recommendations.md). */
  title: Record<Lang, string>;
  sentence: Record<Lang, (p: Record<string, string | number>) => string>;
  /** Its findings question the phase's figures themselves rather than the system: the verdict shows them as caveats. */
  caveat?: boolean;
  /**
   * Its critical findings mean the measurement itself is invalid (an overloaded injector, a load model the
   * test could not apply): the phase's verdict is INCONCLUSIVE and its other findings are not judged.
   */
  invalidates?: boolean;
  evaluate: (ctx: RuleContext) => Finding[];
}

export interface Recommendation {
  ruleId: string;
  severity: Severity;
  phase: Phase;
  transaction?: string;
  text: Record<Lang, string>;
  evidence: Evidence;
}
