/**
 * SiteInput → one view model per page, as display strings and SVG. Pure: the same input gives the same
 * pages, byte for byte (no clock), which is what lets the build skip pages whose view did not change.
 * Strings are escaped by Handlebars at render time; SVG is built escaped by svg.ts.
 */
import { createHash } from 'node:crypto';
import { SEVERITY_ORDER, type Lang, type Severity } from '../rules/types.js';
import { SITE_LABELS, type SiteLabels } from './i18n.js';
import { sparkline, trendChart, type TrendSeries } from './svg.js';
import type { FindingInput, GateInput, IterationInput, RunTrace, ServiceInput, SiteInput, SiteVerdict } from './types.js';

/** Number formats are costly to build (tens of µs): one per language and precision, kept. */
const FORMATS = new Map<string, Intl.NumberFormat>();
function number(lang: Lang, x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const key = `${lang}${digits}`;
  let f = FORMATS.get(key);
  if (!f) FORMATS.set(key, (f = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 })));
  return f.format(x);
}
const percent = (lang: Lang, x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? '–' : `${number(lang, x * 100, digits)} %`);

export interface SiteContext {
  lang: Lang;
  /** A path relative to the reports folder → the href a page uses (relative to the site, or under --base-url). */
  reportHref: (rel: string) => string;
}

export type PageKind = 'home' | 'service' | 'gates' | 'trace' | 'env' | 'envs';

export interface Page {
  path: string;
  kind: PageKind;
  title: string;
  view: Record<string, unknown>;
}

/** Phases in the campaign's order: a service's trends are shown in this order. */
const PHASE_ORDER = ['stubbed', 'unstubbed', 'e2e'];
/** The phase a sparkline follows when a service has several: without stubs, what production sees first. */
const PREFERRED_PHASE = 'unstubbed';

/** A file name part from any name: readable when the name is already safe, else sanitised plus a hash. */
export function slug(name: string): string {
  if (/^[a-z0-9][a-z0-9-]{0,60}$/.test(name)) return name;
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${base || 'x'}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

export const servicePage = (name: string) => `service-${slug(name)}.html`;
export const gatesPage = (name: string) => `gates-${slug(name)}.html`;
export const tracePage = (name: string) => `trace-${slug(name)}.html`;
export const envPage = (name: string) => `env-${slug(name)}.html`;

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const VERDICT_ICON: Record<SiteVerdict, string> = { go: '✔', 'no-go': '✖', inconclusive: '?', 'not-analysed': '–' };
export function verdictLabel(L: SiteLabels, v: SiteVerdict): string {
  return v === 'go' ? L.go : v === 'no-go' ? L.noGo : v === 'inconclusive' ? L.inconclusive : L.notAnalysed;
}
const verdictView = (L: SiteLabels, v: SiteVerdict) => ({ verdict: v, verdictLabel: verdictLabel(L, v), verdictIcon: VERDICT_ICON[v] });

const analysed = (s: ServiceInput) => s.iterations.filter((i) => i.verdict !== 'not-analysed');

/** The phase a service's sparkline follows: the preferred one when it ran, else the most frequent. */
export function referencePhase(s: ServiceInput): string | null {
  const count = new Map<string, number>();
  for (const i of s.iterations) for (const p of i.phases) count.set(p.phase, (count.get(p.phase) ?? 0) + 1);
  if (count.has(PREFERRED_PHASE)) return PREFERRED_PHASE;
  return [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** The declared key transaction, else the one the load model plans most of (in the last analysed iteration). */
export function keyTransaction(s: ServiceInput): string | null {
  if (s.keyTransaction) return s.keyTransaction;
  const phase = referencePhase(s);
  const last = analysed(s).at(-1)?.phases.find((p) => p.phase === phase);
  const txs = [...(last?.transactions ?? [])].sort((a, b) => (b.targetRate ?? 0) - (a.targetRate ?? 0) || b.requests - a.requests);
  return txs[0]?.name ?? null;
}

/** Capacity of the latest iteration that measured one: the key transaction's, else the tightest. */
export function latestCapacity(s: ServiceInput, key: string | null): { headroom: number | null; required: number; iteration: number } | null {
  for (const it of [...s.iterations].reverse()) {
    const caps = it.phases.flatMap((p) => p.capacity);
    if (caps.length === 0) continue;
    const c = caps.find((x) => x.transaction === key) ?? [...caps].sort((a, b) => (a.headroom ?? -Infinity) - (b.headroom ?? -Infinity))[0];
    if (c) return { headroom: c.headroom, required: c.requiredHeadroom, iteration: it.n };
  }
  return null;
}

export const findingKey = (f: Pick<FindingInput, 'ruleId' | 'transaction'>) => `${f.ruleId}\u0000${f.transaction ?? ''}`;

export interface FindingChange {
  iteration: number;
  previous: number;
  appeared: FindingInput[];
  persisted: FindingInput[];
  fixed: FindingInput[];
}

/** One finding per rule and transaction (the most severe of its phases). */
function byKey(findings: readonly FindingInput[]): Map<string, FindingInput> {
  const m = new Map<string, FindingInput>();
  for (const f of findings) {
    const k = findingKey(f);
    const had = m.get(k);
    if (!had || SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[had.severity]) m.set(k, f);
  }
  return m;
}

/** Findings tracked by rule id + transaction between consecutive analysed iterations. */
export function findingChanges(iterations: readonly IterationInput[]): FindingChange[] {
  const done = iterations.filter((i) => i.verdict !== 'not-analysed');
  const out: FindingChange[] = [];
  for (let k = 1; k < done.length; k++) {
    const prev = done[k - 1] as IterationInput;
    const cur = done[k] as IterationInput;
    const a = byKey(prev.findings);
    const b = byKey(cur.findings);
    out.push({
      iteration: cur.n,
      previous: prev.n,
      appeared: [...b.entries()].filter(([key]) => !a.has(key)).map(([, f]) => f),
      persisted: [...b.entries()].filter(([key]) => a.has(key)).map(([, f]) => f),
      fixed: [...a.entries()].filter(([key]) => !b.has(key)).map(([, f]) => f),
    });
  }
  return out;
}

function severityCounts(findings: readonly FindingInput[]): Record<Severity, number> {
  const c: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of byKey(findings).values()) c[f.severity]++;
  return c;
}

function headroomText(lang: Lang, L: SiteLabels, c: { headroom: number | null; required: number } | null): { text: string; ok: boolean | null } {
  if (!c) return { text: L.none, ok: null };
  const h = c.headroom === null ? '≤ −100 %' : `${c.headroom >= 0 ? '+' : ''}${percent(lang, c.headroom, 0)}`;
  return { text: L.headroomOf.replace('{h}', h).replace('{r}', percent(lang, c.required, 0)), ok: c.headroom !== null && c.headroom >= c.required };
}

const environmentsOf = (s: ServiceInput) => [...new Set(s.iterations.flatMap((i) => i.runs.map((r) => r.environment)))].sort();

function homePage(input: SiteInput, ctx: SiteContext, L: SiteLabels): Page {
  const { lang } = ctx;
  const envNames = [...new Set([...input.environments.map((e) => e.name), ...input.services.flatMap(environmentsOf)])].sort();
  const teamNames = [...new Set(input.services.map((s) => s.team ?? '').filter(Boolean))].sort();
  const envId = (n: string) => `e${envNames.indexOf(n)}`;
  const teamId = (n: string | null) => (n ? `t${teamNames.indexOf(n)}` : 't-none');
  const rows = input.services.map((s) => {
    const last = s.iterations.at(-1);
    const lastAnalysed = analysed(s).at(-1);
    const key = keyTransaction(s);
    const phase = referencePhase(s);
    const p95s = s.iterations.map((i) => i.phases.find((p) => p.phase === phase)?.transactions.find((t) => t.name === key)?.p95 ?? null);
    const lastP95 = [...p95s].reverse().find((v) => v !== null) ?? null;
    const sparkText = lastP95 === null ? '–' : `${number(lang, lastP95)} ms`;
    const counts = severityCounts(lastAnalysed?.findings ?? []);
    const h = headroomText(lang, L, latestCapacity(s, key));
    const problems = s.problems.length + s.iterations.reduce((n, i) => n + i.problems.length, 0);
    const envs = environmentsOf(s);
    return {
      name: s.name,
      href: servicePage(s.name),
      team: s.team ?? '–',
      teamId: teamId(s.team),
      envIds: envs.map(envId).join(' '),
      envs: envs.join(', ') || '–',
      ...verdictView(L, last?.verdict ?? 'not-analysed'),
      iteration: last ? `#${last.n}` : '–',
      headroom: h.text,
      headroomClass: h.ok === null ? '' : h.ok ? 'ok' : 'ko',
      date: fmtDate(s.iterations.map((i) => i.date).filter((d): d is string => d !== null).sort().at(-1)),
      keyTx: key ?? '–',
      spark: sparkline(p95s, `${s.name} · ${key ?? ''} p95`, sparkText),
      sparkText,
      ...counts,
      problems,
      search: `${s.name} ${s.team ?? ''} ${key ?? ''}`.toLowerCase(),
    };
  });
  // Filters work without script: a rule per option hides the rows that do not match (CSS :has()).
  const css: string[] = [];
  envNames.forEach((_, i) => css.push(`body:has(#f-env option[value="e${i}"]:checked) tr[data-svc]:not([data-env~="e${i}"])`));
  teamNames.forEach((_, i) => css.push(`body:has(#f-team option[value="t${i}"]:checked) tr[data-svc]:not([data-team="t${i}"])`));
  for (const v of ['go', 'no-go', 'inconclusive', 'not-analysed']) css.push(`body:has(#f-verdict option[value="${v}"]:checked) tr[data-svc]:not([data-verdict="${v}"])`);
  const latest = input.services.flatMap((s) => s.iterations.map((i) => i.date)).filter((d): d is string => d !== null).sort().at(-1);
  return {
    path: 'index.html',
    kind: 'home',
    title: L.siteTitle,
    view: {
      rows,
      count: rows.length,
      envOptions: envNames.map((name, i) => ({ id: `e${i}`, name })),
      teamOptions: teamNames.map((name, i) => ({ id: `t${i}`, name })),
      verdictOptions: (['go', 'no-go', 'inconclusive', 'not-analysed'] as const).map((v) => ({ value: v, label: verdictLabel(L, v) })),
      filterCss: css.length ? `${css.join(',\n')} { display: none; }` : '',
      problems: input.problems,
      latest: fmtDate(latest),
    },
  };
}

function findingRow(lang: Lang, L: SiteLabels, f: FindingInput) {
  return { ruleId: f.ruleId, transaction: f.transaction ?? '–', severity: f.severity, severityLabel: L[f.severity], phase: f.phase, text: f.text[lang] || f.text.en };
}

function servicePageOf(s: ServiceInput, ctx: SiteContext, L: SiteLabels): Page {
  const { lang } = ctx;
  const iterations = [...s.iterations].reverse().map((i) => ({
    n: i.n,
    ...verdictView(L, i.verdict),
    headline: i.headline ? i.headline[lang] : '',
    date: fmtDate(i.date),
    campaignStatus: i.campaignStatus ?? '–',
    phases: i.phases.map((p) => p.phase + (p.incomplete ? ' (!)' : '')).join(', ') || '–',
    report: i.report ? ctx.reportHref(i.report) : null,
    findings: byKey(i.findings).size,
    problems: i.problems,
  }));
  const phases = [...new Set(s.iterations.flatMap((i) => i.phases.map((p) => p.phase)))].sort((a, b) => PHASE_ORDER.indexOf(a) - PHASE_ORDER.indexOf(b));
  const trends = phases.map((phase) => {
    const txNames = [...new Set(s.iterations.flatMap((i) => i.phases.find((p) => p.phase === phase)?.transactions.map((t) => t.name) ?? []))];
    const txs = txNames.map((tx) => {
      const figs = s.iterations.map((i) => ({ n: i.n, t: i.phases.find((p) => p.phase === phase)?.transactions.find((t) => t.name === tx) ?? null }));
      const slo = [...figs].reverse().find((f) => f.t?.sloP95 !== null && f.t?.sloP95 !== undefined)?.t?.sloP95 ?? null;
      const series: TrendSeries[] = [
        { name: 'p95', points: figs.map((f) => [f.n, f.t?.p95 ?? null]) },
        { name: 'p99', points: figs.map((f) => [f.n, f.t?.p99 ?? null]) },
      ];
      const present = figs.filter((f) => f.t !== null);
      return {
        name: tx,
        id: `t-${slug(phase)}-${slug(tx)}`,
        latency: trendChart({ title: `${tx} · ${phase} · p95/p99 (ms)`, unit: 'ms', series, reference: slo !== null ? { y: slo, label: `${L.slo} ${number(lang, slo)} ms` } : null, xLabel: L.iteration }),
        errors: trendChart({ title: `${tx} · ${phase} · ${L.errorRate} (%)`, unit: '%', series: [{ name: L.errorRate, points: figs.map((f) => [f.n, f.t ? f.t.errorRate * 100 : null]) }], xLabel: L.iteration, height: 120 }),
        table: present.map((f) => [`#${f.n}`, number(lang, f.t?.p95), number(lang, f.t?.p99), percent(lang, f.t?.errorRate), number(lang, f.t?.requests, 0)]),
      };
    });
    return { phase, txs };
  });
  const capTxs = [...new Set(s.iterations.flatMap((i) => i.phases.flatMap((p) => p.capacity.map((c) => c.transaction))))];
  const capacity = capTxs.length
    ? (() => {
        const series: TrendSeries[] = capTxs.slice(0, 4).map((tx) => ({
          name: tx,
          points: s.iterations.map((i) => {
            const c = i.phases.flatMap((p) => p.capacity).find((x) => x.transaction === tx);
            return [i.n, c && c.headroom !== null ? c.headroom * 100 : null];
          }).filter((p) => p[1] !== null) as [number, number | null][], // measured now and then: join the measurements
        }));
        const required = s.iterations.flatMap((i) => i.phases.flatMap((p) => p.capacity)).at(-1)?.requiredHeadroom ?? 0.3;
        const rows = s.iterations.flatMap((i) =>
          i.phases.flatMap((p) => p.capacity.map((c) => [`#${i.n}`, p.phase, c.transaction, number(lang, c.maxSustainable, 1), number(lang, c.modelPeak, 1), c.headroom === null ? '–' : percent(lang, c.headroom, 0)])),
        );
        return { svg: trendChart({ title: L.capacityTrend, unit: '%', series, reference: { y: required * 100, label: `${L.required} ${percent(lang, required, 0)}` }, xLabel: L.iteration }), rows };
      })()
    : null;
  const lastAnalysed = analysed(s).at(-1);
  const open = [...byKey(lastAnalysed?.findings ?? []).values()].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]).map((f) => findingRow(lang, L, f));
  const changes = findingChanges(s.iterations)
    .reverse()
    .map((c) => ({
      iteration: c.iteration,
      previous: c.previous,
      appeared: c.appeared.map((f) => findingRow(lang, L, f)),
      fixed: c.fixed.map((f) => findingRow(lang, L, f)),
      persisted: c.persisted.map((f) => `${f.ruleId}${f.transaction ? ` · ${f.transaction}` : ''}`).join(', '),
      persistedCount: c.persisted.length,
    }));
  const problems = [...s.problems, ...s.iterations.flatMap((i) => i.problems.map((reason) => ({ path: i.dir, reason })))];
  return {
    path: servicePage(s.name),
    kind: 'service',
    title: s.name,
    view: {
      name: s.name, team: s.team ?? '–', keyTx: keyTransaction(s) ?? '–', gatesHref: gatesPage(s.name), traceHref: tracePage(s.name),
      iterations, trends, capacity, open, lastAnalysed: lastAnalysed ? `#${lastAnalysed.n}` : '–', changes, problems,
    },
  };
}

function gatesPageOf(s: ServiceInput, gates: readonly GateInput[], input: SiteInput, ctx: SiteContext, L: SiteLabels): Page {
  const { lang } = ctx;
  const mine = gates.filter((g) => g.service === s.name).sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || b.id.localeCompare(a.id));
  const branches = [...new Set(mine.map((g) => g.branch))].sort();
  const signed = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${percent(lang, v, 1)}`);
  return {
    path: gatesPage(s.name),
    kind: 'gates',
    title: `${s.name} · ${L.gates}`,
    view: {
      name: s.name,
      serviceHref: servicePage(s.name),
      branches: branches.map((b) => ({
        branch: b,
        rows: mine
          .filter((g) => g.branch === b)
          .map((g) => ({
            date: fmtDate(g.date), id: g.id, status: g.status, statusClass: g.status.replace(/[^a-z-]/g, ''), mode: g.mode || '–', baseline: g.baselineLabel || '–',
            effects: g.transactions.map((t) => ({ name: t.name, status: t.status, effect: signed(t.effect) })),
            summary: g.summary ? ctx.reportHref(g.summary) : null,
          })),
      })),
      baselines: input.baselines.filter((b) => b.service === s.name).map((b) => ({ name: b.name, runId: b.runId, profile: b.profile, hash: b.modelHash.slice(0, 12) || '–', setAt: fmtDate(b.setAt) })),
    },
  };
}

function traceRow(r: RunTrace, L: SiteLabels) {
  return {
    runId: r.runId, phase: r.phase, status: r.status, started: fmtDate(r.startedAt), environment: r.environment, envHref: envPage(r.environment),
    versions: Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ') || '–',
    model: r.modelFile ? `${r.modelFile} · ${r.modelHash.slice(0, 12)}` : r.modelHash.slice(0, 12) || '–',
    commit: r.scenariosCommit ? `${r.scenariosCommit.slice(0, 12)}${r.scenariosDirty ? ` (${L.dirty})` : ''}` : '–',
    k6: r.k6Version || '–', injector: r.injector ?? '–',
  };
}

function tracePageOf(s: ServiceInput, ctx: SiteContext, L: SiteLabels): Page {
  return {
    path: tracePage(s.name),
    kind: 'trace',
    title: `${s.name} · ${L.traceability}`,
    view: {
      name: s.name,
      serviceHref: servicePage(s.name),
      iterations: [...s.iterations].reverse().map((i) => ({ n: i.n, report: i.report ? ctx.reportHref(i.report) : null, runs: i.runs.map((r) => traceRow(r, L)) })),
    },
  };
}

function environmentPages(input: SiteInput, L: SiteLabels): Page[] {
  type Ran = { service: string; serviceHref: string; iteration: number; phase: string; runId: string; date: string; iso: string; status: string; versions: string };
  const ran = new Map<string, Ran[]>();
  for (const s of input.services)
    for (const i of s.iterations)
      for (const r of i.runs) {
        const list = ran.get(r.environment) ?? [];
        ran.set(r.environment, list);
        list.push({ service: s.name, serviceHref: servicePage(s.name), iteration: i.n, phase: r.phase, runId: r.runId, date: fmtDate(r.startedAt), iso: r.startedAt ?? '', status: r.status, versions: Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ') || '–' });
      }
  const names = [...new Set([...input.environments.map((e) => e.name), ...ran.keys()])].sort();
  const pages: Page[] = names.map((name) => {
    const reg = input.environments.find((e) => e.name === name);
    const runs = (ran.get(name) ?? []).sort((a, b) => b.iso.localeCompare(a.iso));
    return {
      path: envPage(name),
      kind: 'env' as const,
      title: `${L.environment} ${name}`,
      view: { name, inRegistry: Boolean(reg), loadTesting: reg?.loadTesting ?? '–', targets: Object.entries(reg?.targets ?? {}).map(([k, v]) => ({ k, v })), runs },
    };
  });
  pages.push({
    path: 'environments.html',
    kind: 'envs',
    title: L.environments,
    view: {
      rows: names.map((name) => {
        const runs = ran.get(name) ?? [];
        return { name, href: envPage(name), runs: runs.length, services: new Set(runs.map((r) => r.service)).size, last: fmtDate(runs.map((r) => r.iso).sort().at(-1)), inRegistry: input.environments.some((e) => e.name === name) };
      }),
    },
  });
  return pages;
}

/** The site-wide pages: home, the environments' index and one page per environment. */
export function sharedPages(input: SiteInput, ctx: SiteContext): Page[] {
  const L = SITE_LABELS[ctx.lang];
  return [homePage(input, ctx, L), ...environmentPages(input, L)];
}

/** A service's own pages: its service page, its gate history and its traceability. */
export function servicePages(s: ServiceInput, input: SiteInput, ctx: SiteContext): Page[] {
  const L = SITE_LABELS[ctx.lang];
  return [servicePageOf(s, ctx, L), gatesPageOf(s, input.gates, input, ctx, L), tracePageOf(s, ctx, L)];
}

/** The paths servicePages() produces for a service (to reuse them unbuilt when its input did not change). */
export const servicePaths = (name: string): string[] => [servicePage(name), gatesPage(name), tracePage(name)];

/** Every page of the site. */
export function sitePages(input: SiteInput, ctx: SiteContext): Page[] {
  return [...sharedPages(input, ctx), ...input.services.flatMap((s) => servicePages(s, input, ctx))];
}
