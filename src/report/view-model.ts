/**
 * ReportData + language → everything the template shows, as display strings and SVG. Pure. The template
 * only lays it out; strings are escaped by Handlebars, SVG is built escaped by charts.ts.
 */
import { seriesOf } from '../analysis/monitor.js';
import type { Analysis, TransactionAnalysis } from '../analysis/types.js';
import type { Phase } from '../model/compile.js';
import { PHASES_CHART, chartId } from '../rules/helpers.js';
import { unmatchedStubsAnchor } from '../rules/stubs-incomplete.js';
import type { Lang, Recommendation } from '../rules/types.js';
import { unmatchedCount, unmatchedOfRuns } from '../stubs/verify.js';
import { barChart, elapsed, lineChart, type LineSeries } from './charts.js';
import { LABELS, fill, number, percent, type Labels } from './i18n.js';
import type { ReportData, UnmatchedStubs } from './report-data.js';
import { DECISION, verdictStatus } from '../verdict/verdict.js';

/** Unmatched calls listed per stub server; the rest is summed in one "and N more" line. */
export const UNMATCHED_ROWS = 10;

/** A phase's requests no stub matched, ready to show: one block per stub server. */
export interface UnmatchedStubsView {
  id: string;
  servers: { title: string; overflow: string; rows: string[][]; more: string }[];
  /** Set when the run's run.json declares unmatched requests its folder cannot list (no stubs.json). */
  missing: string;
}

export interface ChartView {
  id: string;
  title: string;
  svg: string;
}

export interface PhaseView {
  phase: Phase;
  anchor: string;
  label: string;
  incomplete: boolean;
  reasons: string[];
  facts: string;
  rows: string[][];
  errorKinds: string[][];
  checks: string[][];
  capacity: { transaction: string; summary: string[][]; steps: string[][] }[];
  unmatchedStubs: UnmatchedStubsView | null;
  /** A distributed run's injectors: header and one row each (empty for one k6). */
  injectors: { header: string[]; rows: string[][] };
  charts: ChartView[];
}

export interface ViewModel {
  lang: Lang;
  L: Labels;
  title: string;
  subtitle: string;
  verdict: {
    go: boolean;
    /** go | no-go | inconclusive: the block's class. */
    status: string;
    label: string;
    /** At most three sentences: the decision, its cause, what to do. */
    headline: string;
    /** The findings below the headline, grouped by cause. */
    groups: { title: string; note: string; items: string[] }[];
    caveats: { text: string; anchor: string }[];
  };
  slos: { phase: string; transaction: string; criterion: string; objective: string; measured: string; pass: boolean; result: string }[];
  phasesChart: string | null;
  phasesChartId: string;
  phasesRows: string[][];
  recommendations: { severity: string; severityLabel: string; phase: string; text: string; evidence: string; chart: string }[];
  phases: PhaseView[];
  comparison: { phase: string; anchor: string; rows: string[][] }[] | null;
  previousIteration: string;
  trace: string[][];
  traceHeader: string[];
  campaign: string[][];
}

const phaseLabel = (L: Labels, p: Phase) => (p === 'stubbed' ? L.stubbed : p === 'unstubbed' ? L.unstubbed : L.e2e);

function criterionText(lang: Lang, c: string, op: string, limit: number, actual: number | null): { objective: string; measured: string } {
  if (c === 'errorRate') return { objective: `${op} ${percent(lang, limit)}`, measured: percent(lang, actual) };
  return { objective: `${op} ${number(lang, limit)} ms`, measured: actual === null ? '–' : `${number(lang, actual)} ms` };
}

function txRow(lang: Lang, t: TransactionAnalysis): string[] {
  const l = t.latencyMs;
  return [
    t.name, number(lang, t.requests, 0), number(lang, t.ratePerSec, 2), number(lang, t.targetRatePerSec, 2),
    number(lang, l?.p50), number(lang, l?.p90), number(lang, l?.p95), number(lang, l?.p99), number(lang, l?.p999), number(lang, l?.max),
    percent(lang, t.errorRate), number(lang, t.dropped, 0),
  ];
}

function perSecond(a: Analysis, points: { t: number; v: number }[]): [number, number | null][] {
  return points.map((p) => [p.t, (p.v * 1000) / a.windowMs]);
}

function phaseCharts(a: Analysis, L: Labels): ChartView[] {
  const charts: ChartView[] = [];
  const base = { xKind: 'time' as const, xOrigin: a.startMs };
  const throughput: LineSeries[] = a.transactions.map((t) => ({ name: t.name, points: perSecond(a, t.series.map((p) => ({ t: p.t, v: p.count }))) }));
  for (const t of a.transactions) if (t.dropped > 0) throughput.push({ name: `${t.name} (${L.dropped})`, dashed: true, points: perSecond(a, t.series.map((p) => ({ t: p.t, v: p.dropped }))) });
  charts.push({ id: chartId(a.phase, 'throughput'), title: L.throughput, svg: lineChart({ ...base, title: L.throughput, yUnit: '/s', series: throughput, reduce: 'mean' }) });
  for (const t of a.transactions) {
    const slo = a.slo.find((s) => s.transaction === t.name && s.criterion === 'p95');
    charts.push({
      id: chartId(a.phase, 'latency', t.name),
      title: `${L.latency} — ${t.name}`,
      svg: lineChart({
        ...base,
        title: `${L.latency} — ${t.name}`,
        yUnit: 'ms',
        series: (['p50', 'p95', 'p99'] as const).map((k) => ({ name: k, points: t.series.map((p) => [p.t, p[k]] as [number, number | null]) })),
        ...(slo ? { reference: { y: slo.limit, label: `SLO p95 ${slo.limit} ms` } } : {}),
      }),
    });
  }
  charts.push({ id: chartId(a.phase, 'errors'), title: L.errorsChart, svg: lineChart({ ...base, title: L.errorsChart, yUnit: '/s', series: a.transactions.map((t) => ({ name: t.name, points: perSecond(a, t.series.map((p) => ({ t: p.t, v: p.errors }))) })), reduce: 'mean' }) });
  charts.push({ id: chartId(a.phase, 'vus'), title: L.vus, svg: lineChart({ ...base, title: L.vus, yUnit: 'VU', series: [{ name: 'VUs', points: a.vus.series.map((p) => [p.t, p.v]) }] }) });
  charts.push({ id: chartId(a.phase, 'server'), title: L.server, svg: serverSvg(a, L) });
  if (a.webVitals.length > 0) {
    charts.push({
      id: chartId(a.phase, 'vitals'),
      title: L.vitals,
      svg: barChart({ title: L.vitals, unit: '', groups: a.webVitals.map((v) => ({ label: `${v.metric.toUpperCase()}${v.unit ? ` (${v.unit})` : ''}`, bars: [{ name: 'p75', value: v.p75 }, { name: 'p95', value: v.p95 }] })) }),
    });
  }
  for (const c of a.capacity) {
    charts.push({
      id: chartId(a.phase, 'capacity', c.transaction),
      title: `${L.capacity} — ${c.transaction}`,
      svg: lineChart({
        title: `${L.capacity} — ${c.transaction}`,
        xKind: 'value',
        xUnit: '/s',
        yUnit: '/s',
        series: [
          { name: L.offered, dashed: true, points: c.steps.map((s) => [s.offeredPerSec, s.offeredPerSec]) },
          { name: L.achieved, points: c.steps.map((s) => [s.offeredPerSec, s.achievedPerSec]) },
        ],
      }),
    });
  }
  return charts;
}

function serverSvg(a: Analysis, L: Labels): string {
  if (a.monitor.length === 0) return `<p class="muted">${L.noMonitor}</p>`;
  const origin = { xKind: 'time' as const, xOrigin: a.startMs, width: 720, height: 160 };
  const pts = (s: { points: { t: number; v: number }[] }, f: (v: number) => number) => s.points.map((p) => [p.t, f(p.v)] as [number, number | null]);
  const cpu = [
    ...seriesOf(a.monitor, 'process_cpu_seconds_total', 'target:').map((s) => ({ name: `${s.source.slice(7)}`, points: pts(s, (v) => v * 100) })),
    ...seriesOf(a.monitor, 'injector_cpu_percent', 'injector').filter((s) => s.labels.includes('process=k6')).map((s) => ({ name: 'k6', points: pts(s, (v) => v), dashed: true })),
  ];
  const mem = [
    ...seriesOf(a.monitor, 'process_resident_memory_bytes', 'target:').map((s) => ({ name: s.source.slice(7), points: pts(s, (v) => v / 1048576) })),
    ...seriesOf(a.monitor, 'injector_rss_bytes', 'injector').filter((s) => s.labels.includes('process=k6')).map((s) => ({ name: 'k6', points: pts(s, (v) => v / 1048576), dashed: true })),
  ];
  const lag = seriesOf(a.monitor, 'nodejs_eventloop_lag_p99_seconds', 'target:').map((s) => ({ name: s.source.slice(7), points: pts(s, (v) => v * 1000) }));
  const out: string[] = [];
  if (cpu.length) out.push(lineChart({ ...origin, title: L.cpu, yUnit: '% core', series: cpu, reduce: 'mean' }));
  if (mem.length) out.push(lineChart({ ...origin, title: L.memory, yUnit: 'MB', series: mem, reduce: 'mean' }));
  if (lag.length) out.push(lineChart({ ...origin, title: L.eventLoop, yUnit: 'ms', series: lag }));
  return out.length ? out.join('') : `<p class="muted">${L.noMonitor}</p>`;
}

function evidenceText(lang: Lang, r: Recommendation, phases: Analysis[], L: Labels): string {
  const nums = Object.entries(r.evidence.numbers).map(([k, v]) => `${k} ${number(lang, v, Math.abs(v) < 1 ? 3 : 1)}`);
  const start = phases.find((p) => p.phase === r.phase)?.startMs;
  if (r.evidence.from !== undefined && r.evidence.to !== undefined && start !== undefined) nums.push(`${L.from} ${elapsed(r.evidence.from - start)} ${L.to} ${elapsed(r.evidence.to - start)}`);
  return nums.join(' · ');
}

/** Pure: a phase's unmatched stub requests → its report block (null when there are none). Names and URLs stay raw: the template escapes them. */
export function unmatchedStubsView(a: Analysis, servers: readonly UnmatchedStubs[], lang: Lang, L: Labels): UnmatchedStubsView | null {
  const flagged = unmatchedOfRuns(a.runs);
  if (servers.length === 0 && flagged === 0) return null;
  const n = (x: number) => number(lang, x, 0);
  return {
    id: unmatchedStubsAnchor(a.phase),
    servers: servers.map((s) => {
      const shown = s.unmatched.slice(0, UNMATCHED_ROWS);
      const rest = s.unmatched.slice(UNMATCHED_ROWS);
      return {
        title: fill(L.unmatchedServer, { name: s.stubSet, url: s.url, n: n(unmatchedCount([s])), r: n(s.requests) }),
        overflow: s.journalOverflowed ? L.unmatchedOverflow : '',
        // The count only where a call came more than once.
        rows: shown.map((u) => [u.method, u.url, u.count > 1 ? `× ${n(u.count)}` : '']),
        more: rest.length ? fill(L.unmatchedMore, { n: n(rest.length), r: n(rest.reduce((sum, u) => sum + u.count, 0)) }) : '',
      };
    }),
    missing: servers.length === 0 ? fill(L.unmatchedMissing, { n: n(flagged) }) : '',
  };
}

/** Pure: each injector's share of the load and health (src/analysis/injectors.ts); '–' where not measured. */
export function injectorsView(a: Analysis, lang: Lang, L: Labels): PhaseView['injectors'] {
  const list = a.injectors ?? [];
  return {
    header: list.length > 0 ? L.injectorsHeader.split('|') : [],
    rows: list.map((i) => [
      i.name, i.host, i.segment, number(lang, i.requests, 0), number(lang, i.ratePerSec, 1),
      number(lang, i.hostCpuMeanPercent, 0), number(lang, i.hostCpuPeakPercent, 0), number(lang, i.k6CpuMeanPercent, 0),
      i.k6RssPeakBytes === null ? '–' : number(lang, i.k6RssPeakBytes / 1048576, 0), i.lost ? L.injectorLost : '',
    ]),
  };
}

function phaseView(a: Analysis, lang: Lang, L: Labels, unmatched: readonly UnmatchedStubs[]): PhaseView {
  const kinds = a.transactions.flatMap((t) => Object.entries(t.errorsByKind).map(([k, n]) => [t.name, k, number(lang, n, 0)]));
  return {
    phase: a.phase,
    anchor: `phase-${a.phase}`,
    label: phaseLabel(L, a.phase),
    incomplete: a.incomplete,
    reasons: a.incompleteReasons,
    facts: `${L.profile} ${a.profile} · ${L.duration} ${elapsed(a.durationSec * 1000)} · ${L.window} ${number(lang, a.windowMs / 1000)} s · ${a.runs.length} ${L.run.toLowerCase()}(s)`,
    rows: a.transactions.map((t) => txRow(lang, t)),
    errorKinds: kinds,
    checks: a.checks.map((c) => [c.name, number(lang, c.passes, 0), number(lang, c.fails, 0)]),
    capacity: a.capacity.map((c) => ({
      transaction: c.transaction,
      summary: [
        [L.knee, c.kneeStep === null ? L.none : `${L.step} ${c.kneeStep + 1} (${c.kneeReason ?? ''})`],
        [L.maxSustainable, number(lang, c.maxSustainablePerSec, 2)],
        [L.headroom, `${percent(lang, c.headroom, 0)} (≥ ${percent(lang, c.requiredHeadroom, 0)})`],
        [L.uslPeak, c.usl && c.usl.peakConcurrency !== null ? number(lang, c.usl.peakThroughputPerSec, 1) : '–'],
      ],
      steps: c.steps.map((s, i) => [String(i + 1), number(lang, s.offeredPerSec, 2), number(lang, s.achievedPerSec, 2), number(lang, s.p95Ms), percent(lang, s.errorRate), number(lang, s.dropped, 0)]),
    })),
    unmatchedStubs: unmatchedStubsView(a, unmatched.filter((u) => u.phase === a.phase), lang, L),
    injectors: injectorsView(a, lang, L),
    charts: phaseCharts(a, L),
  };
}

function verdictView(data: ReportData, lang: Lang, L: Labels): ViewModel['verdict'] {
  const v = data.verdict;
  const status = verdictStatus(v);
  // analysis.json written before the headline existed: its reasons stand in for the groups.
  const groups = v.groups ?? (v.go ? [] : [{ cause: '', title: { en: '', fr: '' }, judged: true, invalidates: false, items: v.reasons }]);
  return {
    go: status === 'go',
    status,
    label: DECISION[status][lang],
    headline: v.headline?.[lang] ?? (v.go ? L.goWhy : ''),
    groups: groups.map((g) => ({ title: g.title[lang], note: g.invalidates ? L.invalidMeasurement : g.judged ? '' : L.notJudged, items: g.items.map((t) => t[lang]) })),
    caveats: v.caveats.map((c) => ({ text: c.text[lang], anchor: c.anchor })),
  };
}

export function viewModel(data: ReportData, lang: Lang): ViewModel {
  const L = LABELS[lang];
  const first = data.phases[0];
  const showChange = (x: number | null) => (x === null ? '–' : `${x > 0 ? '+' : ''}${percent(lang, x, 1)}`);
  return {
    lang,
    L,
    title: `${L.title} — ${data.service}`,
    subtitle: `${data.kind === 'iteration' ? `${L.iteration} ${data.iteration ?? '?'}` : `${L.run} ${first?.runs[0]?.runId ?? ''}`} · ${L.generated} ${data.generatedAt}`,
    verdict: verdictView(data, lang, L),
    slos: data.phases.flatMap((a) =>
      a.slo.map((s) => ({ phase: phaseLabel(L, a.phase), transaction: s.transaction, criterion: s.criterion, ...criterionText(lang, s.criterion, s.op, s.limit, s.actual), pass: s.pass, result: s.pass ? L.pass : L.fail })),
    ),
    phasesChart:
      data.phases.length > 1
        ? barChart({
            title: L.phases,
            unit: 'ms',
            groups: data.phaseComparison.map((r) => ({ label: r.transaction, bars: [{ name: L.stubbed, value: r.stubbed?.p50 ?? null }, { name: L.unstubbed, value: r.unstubbed?.p50 ?? null }, { name: L.e2e, value: r.e2e?.p50 ?? null }] })),
          })
        : null,
    phasesChartId: PHASES_CHART,
    phasesRows: data.phaseComparison.map((r) => [
      r.transaction, number(lang, r.stubbed?.p50), number(lang, r.unstubbed?.p50), number(lang, r.e2e?.p50),
      r.dependenciesMs === null ? '–' : `${number(lang, r.dependenciesMs)} ms (${percent(lang, r.dependenciesShare, 0)})`,
      r.e2eAddedMs === null ? '–' : `${number(lang, r.e2eAddedMs)} ms`,
    ]),
    recommendations: data.recommendations.map((r) => ({
      severity: r.severity,
      severityLabel: L[r.severity],
      phase: phaseLabel(L, r.phase),
      text: r.text[lang],
      evidence: evidenceText(lang, r, data.phases, L),
      chart: r.evidence.chart,
    })),
    phases: data.phases.map((a) => phaseView(a, lang, L, data.unmatchedStubs)),
    comparison: data.previous
      ? data.previous.comparisons.map((c) => ({
          phase: phaseLabel(L, c.phase),
          anchor: chartId(c.phase, 'comparison'),
          rows: c.rows.map((r) => [r.transaction, number(lang, r.before?.p95), number(lang, r.after?.p95), showChange(r.p95Change), number(lang, r.before?.ratePerSec, 2), number(lang, r.after?.ratePerSec, 2), percent(lang, r.before?.errorRate), percent(lang, r.after?.errorRate)]),
        }))
      : null,
    previousIteration: data.previous ? `${L.iteration} ${data.previous.iteration}` : '',
    traceHeader: [L.runId, L.phase, L.profile, L.status, L.flags, L.model, L.environment, L.targets, L.versions, L.k6, L.scenarios, L.started, L.ended],
    trace: data.phases.flatMap((a) =>
      a.runs.map((r) => [
        r.runId, phaseLabel(L, r.phase), r.profile, r.status, r.flags.join(', ') || L.none, `${r.modelFile} (${L.hash} ${r.modelHash.slice(0, 12)})`, r.environment,
        Object.entries(r.targets).map(([k, v]) => `${k}=${v}`).join(', '),
        Object.entries(r.targetsVersions).map(([k, v]) => `${k}: ${v === null || v === undefined ? L.unknown : JSON.stringify(v)}`).join('; '),
        r.k6Version, r.scenariosCommit ?? L.unknown, r.startedAt, r.endedAt ?? '–',
      ]),
    ),
    campaign: data.campaign ? Object.entries(data.campaign).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]) => [k, String(v)]) : [],
  };
}
