/**
 * The one verdict perfcell gives, from the analysis of each phase and the rules' findings. Pure. `run`,
 * `analyze`, `report`, `campaign` and the gate all call this, so the same folder gets the same verdict.
 *
 * Three outcomes, as load-testing practice has them:
 * - GO: every SLO held, no blocking finding;
 * - NO-GO: a blocking finding (a broken SLO, the offered load not going through, …) on a measurement that
 *   is valid;
 * - INCONCLUSIVE: the measurement itself is invalid — an overloaded load generator, or a VU budget that
 *   could not apply the load model. Its latencies contain the injector's own queueing, so its SLO breaches
 *   are listed as "not judged": they say nothing about the target.
 * A phase with a real breach on a healthy injector makes the whole verdict NO-GO, whatever another phase's
 * measurement was.
 */
import type { Analysis } from '../analysis/types.js';
import type { Phase } from '../model/compile.js';
import { RULES } from '../rules/catalogue.js';
import type { Lang, Recommendation } from '../rules/types.js';

export type VerdictStatus = 'go' | 'no-go' | 'inconclusive';

type Text = Record<Lang, string>;

export interface PhaseVerdict {
  phase: Phase;
  status: VerdictStatus;
  /** Why the measurement of this phase is not valid (the findings that make it inconclusive). */
  invalidBecause: Text[];
}

/** Findings of one cause (one rule, or the run's own state), in a phase that is judged or not. */
export interface VerdictGroup {
  /** The rule id, or `run` for an incomplete or empty run. */
  cause: string;
  title: Text;
  /** False in an inconclusive phase: the findings are shown but do not count. */
  judged: boolean;
  /** The measurement of the phase is invalid because of these findings (they make it inconclusive). */
  invalidates: boolean;
  items: Text[];
}

export interface Verdict {
  status: VerdictStatus;
  /** status === 'go' (kept for readers of older analysis.json). */
  go: boolean;
  /** At most three sentences: what was decided, the cause, what to do. */
  headline: Text;
  phases: PhaseVerdict[];
  /** The findings behind the verdict, grouped by cause: invalid measurements first, then blocking ones. */
  groups: VerdictGroup[];
  /** Every blocking finding of a judged phase, one line each (summary.md, junit.xml, the terminal). */
  reasons: Text[];
  /** Findings of rules marked `caveat` (the figures themselves are suspect), with any verdict; anchor: where the report details them. */
  caveats: { text: Text; anchor: string }[];
}

/** As the report labels phases (src/report/i18n.ts). */
const PHASE_NAMES: Record<Phase, Text> = {
  stubbed: { en: 'stubbed', fr: 'bouchonné' },
  unstubbed: { en: 'unstubbed', fr: 'non bouchonné' },
  e2e: { en: 'end-to-end', fr: 'bout en bout' },
};
const phaseName = (p: Phase, lang: Lang) => PHASE_NAMES[p][lang];
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const list = (xs: string[], lang: Lang) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} ${lang === 'fr' ? 'et' : 'and'} ${xs[xs.length - 1]}`);

const RULE_BY_ID = new Map(RULES.map((r) => [r.id, r]));
const RUN_CAUSE: Text = { en: 'The run itself', fr: 'Le tir lui-même' };

/** A recommendation that makes its phase's measurement invalid: a critical finding of a rule marked `invalidates`. */
export function invalidatesMeasurement(r: Recommendation): boolean {
  return r.severity === 'critical' && RULE_BY_ID.get(r.ruleId)?.invalidates === true;
}

interface PhaseFindings {
  phase: Phase;
  invalid: Recommendation[];
  blocking: Recommendation[];
  runProblems: Text[];
}

function findingsOf(a: Analysis, recommendations: readonly Recommendation[]): PhaseFindings {
  const mine = recommendations.filter((r) => r.phase === a.phase && r.severity === 'critical');
  const runProblems: Text[] = [];
  if (a.incomplete) runProblems.push({ en: `the run is incomplete (${a.incompleteReasons.join('; ')})`, fr: `le tir est incomplet (${a.incompleteReasons.join(' ; ')})` });
  if (a.overall.requests === 0) runProblems.push({ en: 'no request was recorded', fr: 'aucune requête enregistrée' });
  return { phase: a.phase, invalid: mine.filter(invalidatesMeasurement), blocking: mine.filter((r) => !invalidatesMeasurement(r)), runProblems };
}

function statusOf(f: PhaseFindings): VerdictStatus {
  if (f.invalid.length > 0) return 'inconclusive';
  return f.blocking.length > 0 || f.runProblems.length > 0 ? 'no-go' : 'go';
}

function groupsOf(all: PhaseFindings[]): VerdictGroup[] {
  const groups = new Map<string, VerdictGroup>();
  const add = (key: string, g: Omit<VerdictGroup, 'items'>, item: Text) => {
    const e = groups.get(key) ?? { ...g, items: [] };
    groups.set(key, e);
    e.items.push(item);
  };
  const prefixed = (p: Phase, t: Text): Text => ({ en: `${phaseName(p, 'en')}: ${t.en}`, fr: `${phaseName(p, 'fr')} : ${t.fr}` });
  for (const f of all) {
    const judged = f.invalid.length === 0;
    for (const r of f.invalid) add(`invalid:${r.ruleId}`, { cause: r.ruleId, title: RULE_BY_ID.get(r.ruleId)?.title ?? { en: r.ruleId, fr: r.ruleId }, judged: true, invalidates: true }, prefixed(f.phase, r.text));
    for (const t of f.runProblems) add(`run:${judged}`, { cause: 'run', title: RUN_CAUSE, judged, invalidates: false }, prefixed(f.phase, t));
    for (const r of f.blocking) add(`${r.ruleId}:${judged}`, { cause: r.ruleId, title: RULE_BY_ID.get(r.ruleId)?.title ?? { en: r.ruleId, fr: r.ruleId }, judged, invalidates: false }, prefixed(f.phase, r.text));
  }
  // Invalid measurements first, then what counts, then what was not judged.
  const rank = (g: VerdictGroup) => (g.invalidates ? 0 : g.judged ? 1 : 2);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

/** The decision's name, as the terminal, the report and summary.md print it. */
export const DECISION: Record<VerdictStatus, Text> = {
  go: { en: 'GO', fr: 'GO' },
  'no-go': { en: 'NO-GO', fr: 'NO-GO' },
  inconclusive: { en: 'INCONCLUSIVE', fr: 'NON CONCLUANT' },
};

/** "the end-to-end phase" / "the stubbed and unstubbed phases" */
function phasesPhrase(ps: Phase[], lang: Lang): string {
  const names = list(ps.map((p) => phaseName(p, lang)), lang);
  if (lang === 'fr') return ps.length > 1 ? `les phases ${list(ps.map((p) => `« ${phaseName(p, lang)} »`), lang)}` : `la phase « ${names} »`;
  return ps.length > 1 ? `the ${names} phases` : `the ${names} phase`;
}

function headlineOf(status: VerdictStatus, all: PhaseFindings[], statuses: PhaseVerdict[], lang: Lang): string {
  const ofStatus = (s: VerdictStatus) => statuses.filter((p) => p.status === s).map((p) => p.phase);
  const passed = ofStatus('go');
  const passedSentence = passed.length === 0 || passed.length === statuses.length ? '' : lang === 'fr'
    ? ` ${capital(phasesPhrase(passed, lang))} ${passed.length > 1 ? 'ont' : 'a'} tenu chaque SLO.`
    : ` ${capital(phasesPhrase(passed, lang))} met every SLO.`;
  if (status === 'go') {
    return lang === 'fr'
      ? `GO : chaque SLO est tenu${statuses.length > 1 ? ` dans ${phasesPhrase(passed, lang)}` : ''}, aucun constat bloquant.`
      : `GO: every SLO held${statuses.length > 1 ? ` in ${phasesPhrase(passed, lang)}` : ''}, no blocking finding.`;
  }
  if (status === 'inconclusive') {
    const bad = all.filter((f) => f.invalid.length > 0);
    const first = bad[0]?.invalid[0];
    const what = lang === 'fr'
      ? `NON CONCLUANT : la mesure de ${phasesPhrase(bad.map((f) => f.phase), lang)} n'est pas valide, ses SLO ne sont pas jugés.`
      : `INCONCLUSIVE: the measurement of ${phasesPhrase(bad.map((f) => f.phase), lang)} is not valid, its SLOs are not judged.`;
    return `${what} ${first ? first.text[lang] : ''}${passedSentence}`.trim();
  }
  const bad = all.filter((f) => statusOf(f) === 'no-go');
  const first = bad[0]?.blocking[0]?.text[lang] ?? bad[0]?.runProblems[0]?.[lang];
  const count = bad.reduce((n, f) => n + f.blocking.length + f.runProblems.length, 0);
  const more = count > 1 ? (lang === 'fr' ? ` (${count - 1} autre(s) constat(s) bloquant(s) ci-dessous.)` : ` (${count - 1} more blocking finding(s) below.)`) : '';
  const what = lang === 'fr' ? `NO-GO dans ${phasesPhrase(bad.map((f) => f.phase), lang)} :` : `NO-GO in ${phasesPhrase(bad.map((f) => f.phase), lang)}:`;
  return `${what} ${first ?? ''}${more}${passedSentence}`.trim();
}

/** The status of a verdict, also from an analysis.json written before INCONCLUSIVE existed (only `go`). */
export function verdictStatus(v: Pick<Verdict, 'go'> & Partial<Pick<Verdict, 'status'>>): VerdictStatus {
  return v.status ?? (v.go ? 'go' : 'no-go');
}

const CAVEAT_RULES = new Set(RULES.filter((r) => r.caveat).map((r) => r.id));

export function verdictOf(phases: readonly Analysis[], recommendations: readonly Recommendation[]): Verdict {
  const all = phases.map((a) => findingsOf(a, recommendations));
  const statuses: PhaseVerdict[] = all.map((f) => ({ phase: f.phase, status: statusOf(f), invalidBecause: f.invalid.map((r) => r.text) }));
  const status: VerdictStatus = statuses.some((s) => s.status === 'no-go') ? 'no-go' : statuses.some((s) => s.status === 'inconclusive') ? 'inconclusive' : 'go';
  const groups = groupsOf(all);
  const reasons = groups.filter((g) => g.judged && !g.invalidates).flatMap((g) => g.items);
  const caveats = recommendations
    .filter((r) => CAVEAT_RULES.has(r.ruleId))
    .map((r) => ({ text: { en: `${phaseName(r.phase, 'en')}: ${r.text.en}`, fr: `${phaseName(r.phase, 'fr')} : ${r.text.fr}` }, anchor: r.evidence.chart }));
  const headline = { en: headlineOf(status, all, statuses, 'en'), fr: headlineOf(status, all, statuses, 'fr') };
  return { status, go: status === 'go', headline, phases: statuses, groups, reasons, caveats };
}

/** The verdict for a terminal: the headline, then the findings by cause. */
export function verdictLines(v: Verdict, lang: Lang = 'en'): string {
  const out = [`verdict: ${DECISION[verdictStatus(v)][lang]}`, `  ${v.headline[lang]}`];
  for (const g of v.groups) {
    const note = g.invalidates ? ' (the measurement is invalid)' : g.judged ? '' : ' (not judged: the measurement of this phase is invalid)';
    out.push(`  ${g.title[lang]}${note}:`, ...g.items.map((t) => `    - ${t[lang]}`));
  }
  return out.join('\n');
}
