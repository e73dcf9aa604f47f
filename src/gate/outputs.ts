/**
 * The gate's CI outputs, pure: summary.md (ready to post as a pull-request comment) and junit.xml (one
 * test case per transaction). src/report's writers render a run's report data, not a gate verdict; the
 * XML escaping is theirs.
 */
import { xmlEscape as xml } from '../report/junit.js';
import type { GateVerdict, MetricComparison, TransactionStatus, TransactionVerdict } from './verdict.js';

export interface GateContext {
  service: string;
  profile: string;
  mode: GateVerdict['mode'];
  /** "baseline main (run 2026…)" or "http://127.0.0.1:18081 (interleaved)". */
  baselineLabel: string;
  candidateLabel: string;
  /** Link to the HTML report / CI artifact, when the CI provides one. */
  reportUrl?: string;
  wallSeconds: number;
  /** "8 pairs of 10 s runs" or "windows of 5 s". */
  sampling: string;
  /** Whole-gate remarks (a baseline of another model version, …). */
  notes?: string[];
}

const STATUS_LABEL: Record<TransactionStatus, string> = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  regression: '❌ regression',
  'slo-broken': '❌ SLO broken',
  'not-compared': '➖ SLOs only',
  'no-data': '❓ could not measure',
};

const GATE_LABEL: Record<GateVerdict['status'], string> = {
  pass: '✅ **pass**',
  warn: '⚠️ **pass with warnings**',
  regression: '❌ **regression**',
  'slo-broken': '❌ **SLO broken**',
  'could-not-measure': '❓ **could not measure**',
};

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '–');
const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;
const points = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)} pt`;
const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

function p95Cell(c: MetricComparison | null): string {
  return c ? `${ms(c.baseline)} → ${ms(c.candidate)} (${pct(c.effect)}, p ${pValue(c.pValue)})` : '–';
}

function errorCell(c: MetricComparison | null): string {
  return c ? `${(c.baseline * 100).toFixed(2)} % → ${(c.candidate * 100).toFixed(2)} % (${points(c.effect)}, p ${pValue(c.pValue)})` : '–';
}

function sloCell(t: TransactionVerdict): string {
  if (t.slo.length === 0) return '–';
  return t.slo
    .map((c) => {
      const fmt = c.slo === 'maxErrorRate' ? (v: number) => `${(v * 100).toFixed(2)} %` : ms;
      return `${c.broken ? '❌' : '✅'} ${c.slo} ${fmt(c.observed)} / ${fmt(c.limit)}`;
    })
    .join('<br>');
}

function explain(t: TransactionVerdict, v: GateVerdict): string[] {
  const th = v.thresholds;
  const out: string[] = [];
  for (const c of [t.p95, t.errorRate]) {
    if (!c || c.status === 'pass') continue;
    const what = c.metric === 'p95' ? `p95 ${pct(c.effect)}` : `error rate ${points(c.effect)}`;
    const fail = c.metric === 'p95' ? pct(th.p95FailIncrease) : points(th.errorFailIncrease);
    const significant = c.pValue < th.alpha;
    out.push(
      c.status === 'regression'
        ? `${t.transaction}: ${what}, significant (p ${pValue(c.pValue)} < ${th.alpha}) and above the minimum effect ${fail}`
        : `${t.transaction}: ${what} — ${
            !significant
              ? `above ${fail} but not significant (p ${pValue(c.pValue)}): noise cannot be ruled out`
              : c.metric === 'p95' && c.effect >= th.p95FailIncrease
                ? `significant and above ${fail}, but only +${(c.effect * c.baseline).toFixed(1)} ms, under the ${th.p95FailMinMs} ms floor: within what two processes of one build differ by`
                : `significant but under the minimum effect ${fail}`
          }`,
    );
  }
  for (const c of t.slo) if (c.broken) out.push(`${t.transaction}: SLO ${c.slo} broken (${c.observed.toFixed(c.slo === 'maxErrorRate' ? 4 : 1)} against ${c.limit})`);
  for (const n of t.notes) out.push(`${t.transaction}: ${n}`);
  return out;
}

export function renderSummaryMarkdown(v: GateVerdict, ctx: GateContext): string {
  const th = v.thresholds;
  const lines = [
    `## Performance gate: ${GATE_LABEL[v.status]} (exit ${v.exitCode})`,
    '',
    `**${ctx.service}** · profile \`${ctx.profile}\` · ${{ interleaved: 'interleaved A/B', duet: 'duet A/B (both loaded at once)', baseline: 'against a stored baseline' }[ctx.mode]} · ${ctx.sampling} · ${Math.round(ctx.wallSeconds)} s`,
    '',
    `Baseline: ${ctx.baselineLabel}  `,
    `Candidate: ${ctx.candidateLabel}`,
    '',
    ...(ctx.notes ?? []).map((n) => `> ⚠️ ${n}\n`),
    '| transaction | verdict | p95 baseline → candidate | error rate | SLOs | samples |',
    '|---|---|---|---|---|---|',
    ...v.transactions.map(
      (t) => `| ${t.transaction} | ${STATUS_LABEL[t.status]} | ${p95Cell(t.p95)} | ${errorCell(t.errorRate)} | ${sloCell(t)} | ${t.samples.baseline} / ${t.samples.candidate} |`,
    ),
    '',
  ];
  const reasons = v.transactions.flatMap((t) => explain(t, v));
  const compared = v.transactions.filter((t) => t.p95 !== null).length;
  if (reasons.length) lines.push(...reasons.map((r) => `- ${r}`), '');
  lines.push(
    `<sub>Regression = one-sided ${v.mode === 'baseline' ? 'Mann–Whitney U on window p95s' : `Wilcoxon signed-rank on paired log p95 ratios${v.mode === 'duet' ? ' (A and B of the same window)' : ''}`} with p < ${th.alpha} **and** p95 ≥ ${pct(th.p95FailIncrease)} and ≥ +${th.p95FailMinMs} ms (or error rate ≥ ${points(th.errorFailIncrease)}); warn from ${pct(th.p95WarnIncrease)} / ${points(th.errorWarnIncrease)}. p-values are Holm-adjusted over the ${compared} compared transaction(s). Exit codes: 0 pass, 1 regression, 2 SLO broken, 3 could not measure.</sub>`,
  );
  if (ctx.reportUrl) lines.push('', `📊 [Full report and run folders](${ctx.reportUrl})`);
  return lines.join('\n') + '\n';
}

export function renderFailureMarkdown(message: string, ctx: Pick<GateContext, 'service' | 'profile' | 'reportUrl'>): string {
  return [
    `## Performance gate: ${GATE_LABEL['could-not-measure']} (exit 3)`,
    '',
    `**${ctx.service}** · profile \`${ctx.profile}\``,
    '',
    '```',
    message,
    '```',
    ...(ctx.reportUrl ? ['', `📊 [Job artifacts](${ctx.reportUrl})`] : []),
    '',
  ].join('\n');
}

export function renderJunitXml(v: GateVerdict, ctx: Pick<GateContext, 'service' | 'profile' | 'wallSeconds'>): string {
  const suite = `perfcell gate ${ctx.service} (${ctx.profile})`;
  const failures = v.transactions.filter((t) => t.status === 'regression' || t.status === 'slo-broken').length;
  const errors = v.transactions.filter((t) => t.status === 'no-data').length;
  const cases = v.transactions.map((t) => {
    const detail = xml(explain(t, v).join('\n') || `${t.transaction}: ${t.status}`);
    const head = `    <testcase classname="${xml(suite)}" name="${xml(t.transaction)}">`;
    if (t.status === 'regression' || t.status === 'slo-broken') return `${head}\n      <failure type="${t.status}" message="${xml(STATUS_LABEL[t.status])}">${detail}</failure>\n    </testcase>`;
    if (t.status === 'no-data') return `${head}\n      <error type="could-not-measure" message="could not measure">${detail}</error>\n    </testcase>`;
    if (t.status === 'warn') return `${head}\n      <system-out>${detail}</system-out>\n    </testcase>`;
    if (t.status === 'not-compared') return `${head}\n      <skipped message="not compared (SLOs only)">${detail}</skipped>\n    </testcase>`;
    return `${head}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="perfcell gate" tests="${v.transactions.length}" failures="${failures}" errors="${errors}" time="${ctx.wallSeconds.toFixed(1)}">`,
    `  <testsuite name="${xml(suite)}" tests="${v.transactions.length}" failures="${failures}" errors="${errors}" time="${ctx.wallSeconds.toFixed(1)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function renderFailureJunit(message: string, ctx: Pick<GateContext, 'service' | 'profile'>): string {
  const suite = xml(`perfcell gate ${ctx.service} (${ctx.profile})`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="perfcell gate" tests="1" failures="0" errors="1">`,
    `  <testsuite name="${suite}" tests="1" failures="0" errors="1">`,
    `    <testcase classname="${suite}" name="measurement"><error type="could-not-measure" message="could not measure">${xml(message)}</error></testcase>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
