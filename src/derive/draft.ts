/**
 * Production figures → a load-model draft (pure): YAML text that `perfcell model check` accepts, with the
 * numbers' provenance in comments and suggested SLOs marked as suggestions; and a k6 scenario skeleton
 * for the transactions no existing scenario implements.
 */
import type { Figures, TransactionFigures } from './aggregate.js';
import { DEFAULT_HEADROOM } from '../store/run-schema.js';

/** Suggested latency SLOs: production's percentile plus 20 % (a test environment is rarely as warm). */
export const SLO_LATENCY_MARGIN = 1.2;
/** Suggested error budget: twice production's 5xx rate, … */
export const SLO_ERROR_MARGIN = 2;
/** … and never below 0.1 % (a handful of errors in a short test run must not break the threshold). */
export const SLO_ERROR_FLOOR = 0.001;
/** Headroom when no --growth is given: the load-model default (docs/load-model.md), one constant for all. */
export { DEFAULT_HEADROOM };

export interface DraftInput {
  figures: Figures;
  service: string;
  /** Expected growth (0.15 = 15 %): becomes the model's headroom. */
  growth?: number;
  /** Base URL of the `local` environment's target. */
  baseUrl: string;
  /** exported function name → project-relative scenario file, for existing scenario exports. */
  scenarioExports: Map<string, string>;
  /** Project-relative file holding placeholders for unmatched transactions. */
  skeletonFile: string;
  /** Sources, for the header comment. */
  sources: string[];
  /** Generation time (injected). */
  now: Date;
}

export interface DraftTransaction {
  figures: TransactionFigures;
  peakPerHour: number;
  exportName: string;
  scenarioFile: string;
  matched: boolean;
}

/** Round up to two significant digits: 43.2 → 44, 0.00123 → 0.0013. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 0;
  const p = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((Math.ceil(x / p - 1e-9) * p).toPrecision(2));
}

export function camel(name: string): string {
  const c = name.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return /^[A-Za-z_$]/.test(c) ? c : `t${c}`;
}

/** Which transactions go in the model, and which scenario export each points to. */
export function planTransactions(input: DraftInput): { included: DraftTransaction[]; dropped: TransactionFigures[] } {
  const included: DraftTransaction[] = [];
  const dropped: TransactionFigures[] = [];
  for (const t of input.figures.transactions) {
    const peak = Math.round(t.peakPerHour);
    if (peak < 1) {
      dropped.push(t);
      continue;
    }
    const exportName = camel(t.name);
    const existing = input.scenarioExports.get(exportName);
    included.push({ figures: t, peakPerHour: peak, exportName, scenarioFile: existing ?? input.skeletonFile, matched: existing !== undefined });
  }
  return { included, dropped };
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(2));

export function suggestedSlo(t: TransactionFigures): { p95Ms?: number; p99Ms?: number; maxErrorRate: number } {
  const slo: { p95Ms?: number; p99Ms?: number; maxErrorRate: number } = { maxErrorRate: Math.max(SLO_ERROR_FLOOR, niceCeil(t.errorRate * SLO_ERROR_MARGIN)) };
  if (t.latencyMs) {
    slo.p95Ms = Math.max(1, niceCeil(t.latencyMs.p95 * SLO_LATENCY_MARGIN));
    slo.p99Ms = Math.max(1, niceCeil(t.latencyMs.p99 * SLO_LATENCY_MARGIN));
  }
  return slo;
}

const yamlString = (s: string) => JSON.stringify(s);

/** The response time the compiler will expect of a drafted transaction: production's p95, else its default 500 ms. */
export function draftedExpectedMs(t: TransactionFigures): number {
  return t.latencyMs ? Math.max(1, Math.ceil(t.latencyMs.p95)) : 500;
}

/**
 * The closed-model (VU) profile sized from production's sessions, written as the draft's `closed-peak`
 * profile (src/model/closed.ts compiles it).
 */
export interface ClosedModelSuggestion {
  /** Session arrivals per hour at the peak: peak requests/hour ÷ mean requests per session. */
  sessionsPerHour: number;
  requestsPerSession: number;
  /** Mean time between two requests of a session (response time included): a user's cycle per request. */
  thinkTimeMs: number;
  /** Mean first-to-last-request span of a session. */
  sessionDurationMs: number;
  /** The mix's mean expected response time (ms), as the compiler will expect it (draftedExpectedMs). */
  expectedResponseMs: number;
  /** Users at the measured peak: Little's law over requests, peak requests/s × thinkTimeMs, whole. */
  vus: number;
  /** Their mean pause (ms): vus ÷ peak rate − expected response time (≈ thinkTimeMs − the response time). */
  pauseMs: number;
  /** The same at the `peak` profile's rate, peak × (1 + headroom): the `closed-peak` profile. */
  peakVus: number;
  peakPauseMs: number;
}

/**
 * Little's law over requests: a user who sends a request every T seconds (production's mean time between
 * two requests of a session) keeps X × T users busy at a rate of X requests/s. A closed run's VU loops
 * without the gaps between sessions, so the count is over requests, not sessions: sessions/s × session
 * duration (first to last request) would leave out every session's last request — a quarter of the rate with
 * the generator's sessions of 1 to 7 requests. The count is rounded up and the pause stretched to match, so
 * the compiled profile's expected rate is the peak's; at least one user per transaction (the compiler's
 * floor). Null when the log had no sessions with two requests or more (no time between requests).
 */
export function closedModelSuggestion(f: Figures, headroom: number): ClosedModelSuggestion | null {
  const s = f.sessions;
  const txs = f.transactions.filter((t) => Math.round(t.peakPerHour) >= 1);
  if (!s.requestsPerSession || !s.thinkTimeMs || !s.durationMs || !(s.requestsPerSession.mean > 0) || !(s.thinkTimeMs.mean > 0) || txs.length === 0) return null;
  const peakPerHour = txs.reduce((sum, t) => sum + Math.round(t.peakPerHour), 0);
  const expectedMs = txs.reduce((sum, t) => sum + Math.round(t.peakPerHour) * draftedExpectedMs(t), 0) / peakPerHour;
  const cycleMs = s.thinkTimeMs.mean;
  const users = (perSec: number) => Math.max(txs.length, Math.ceil((perSec * cycleMs) / 1000));
  const pause = (vus: number, perSec: number) => Math.max(0, Math.round((1000 * vus) / perSec - expectedMs));
  const perSec = peakPerHour / 3600;
  const vus = users(perSec);
  const peakVus = users(perSec * (1 + headroom));
  return {
    sessionsPerHour: peakPerHour / s.requestsPerSession.mean,
    requestsPerSession: s.requestsPerSession.mean,
    thinkTimeMs: cycleMs,
    sessionDurationMs: s.durationMs.mean,
    expectedResponseMs: expectedMs,
    vus,
    pauseMs: pause(vus, perSec),
    peakVus,
    peakPauseMs: pause(peakVus, perSec * (1 + headroom)),
  };
}

/** Where the closed profile's numbers come from, as YAML comments. */
function closedModelComment(c: ClosedModelSuggestion, headroom: number): string[] {
  return [
    `# Closed-model profile \`closed-peak\` (VUs, sized from the sessions): a user's requests are ${(c.thinkTimeMs / 1000).toFixed(1)} s apart (response time`,
    `#   included), so VUs = peak × ${(1 + headroom).toFixed(2)} requests/s × ${(c.thinkTimeMs / 1000).toFixed(1)} s = ${c.peakVus}, pausing ${c.peakPauseMs} ms on average after a response`,
    `#   (the mix's expected response time is ${Math.round(c.expectedResponseMs)} ms); ${c.vus} VUs pausing ${c.pauseMs} ms at the measured peak. Its rate is an outcome:`,
    `#   a slower target lowers it. Sessions: ${c.requestsPerSession.toFixed(1)} requests, ${(c.sessionDurationMs / 1000).toFixed(0)} s long, ${Math.round(c.sessionsPerHour)} an hour at the peak.`,
  ];
}

export function draftModelYaml(input: DraftInput): string {
  const f = input.figures;
  const { included, dropped } = planTransactions(input);
  const headroom = input.growth ?? DEFAULT_HEADROOM;
  const s = f.sessions;
  const L: string[] = [];
  L.push(`# DRAFT derived from production traffic by \`perfcell model derive\` on ${input.now.toISOString()}.`);
  L.push(`# Review every number before shooting: names, scenarios and SLOs are suggestions.`);
  L.push(`#`);
  L.push(`# Sources: ${input.sources.join(', ')}`);
  L.push(`# Period: ${f.from} → ${f.to}; peak (${f.peak.method}): ${f.peak.start} → ${f.peak.end}, ${Math.round(f.peak.totalPerHour)} requests/hour.`);
  L.push(`# Routing: ${f.routing === 'learned' ? 'templates learned from the URLs (ids collapsed to {id})' : f.routing === 'openapi' ? 'the OpenAPI document\'s paths' : 'the routes file'}.`);
  L.push(`# Coverage: ${f.requests.covered} of ${f.requests.counted} business requests (${pct(f.requests.counted ? f.requests.covered / f.requests.counted : 1)}) match a transaction.`);
  L.push(`# Excluded: ${f.excluded.healthChecks} health checks, ${f.excluded.staticAssets} static assets, ${f.excluded.bots} bots, ${f.excluded.notFound} 404s on no route, ${f.excluded.malformedRequests} malformed requests.`);
  if (s.requestsPerSession && s.thinkTimeMs) {
    L.push(`# Sessions (${s.key}, ${Math.round(s.gapMs / 60000)} min inactivity): ${s.count}; ${s.requestsPerSession.mean.toFixed(1)} requests per session (median ${s.requestsPerSession.p50.toFixed(0)}),`);
    L.push(`#   time between requests: median ${(s.thinkTimeMs.p50 / 1000).toFixed(1)} s, mean ${(s.thinkTimeMs.mean / 1000).toFixed(1)} s (response time included).`);
  }
  const closed = closedModelSuggestion(f, headroom);
  if (closed) L.push(...closedModelComment(closed, headroom));
  if (dropped.length) L.push(`# Seen in the period but not in the peak (left out): ${dropped.map((t) => `${t.name} (${t.total})`).join(', ')}.`);
  const unmatched = included.filter((t) => !t.matched);
  if (unmatched.length) L.push(`# ${unmatched.length} transaction(s) point to placeholders in ${input.skeletonFile}: write their scenarios.`);
  L.push(`service: ${input.service}`);
  L.push(`description: ${yamlString(`${input.service}, derived from production traffic (${f.from.slice(0, 10)} → ${f.to.slice(0, 10)})`)}`);
  L.push(`headroom: ${+headroom.toFixed(4)}${input.growth !== undefined ? `                      # --growth ${pct(headroom, 0)}` : `                      # default (no --growth given)`}`);
  L.push(`environments:`);
  L.push(`  local:`);
  L.push(`    loadTesting: allowed`);
  L.push(`    targets: { ${input.service}: ${yamlString(input.baseUrl)} }`);
  L.push(`transactions:`);
  for (const t of included) {
    const x = t.figures;
    const slo = suggestedSlo(x);
    L.push(`  - name: ${x.name}`);
    L.push(`    scenario: ${t.scenarioFile}#${t.exportName}${t.matched ? '' : '   # PLACEHOLDER: no existing scenario export matched this name'}`);
    L.push(`    peakPerHour: ${t.peakPerHour}          # ${x.method} ${x.template} · ${pct(x.peakShare)} of the peak · ${x.total} in the period`);
    const sloParts = [slo.p95Ms ? `p95Ms: ${slo.p95Ms}` : '', slo.p99Ms ? `p99Ms: ${slo.p99Ms}` : '', `maxErrorRate: ${slo.maxErrorRate}`].filter(Boolean);
    const seen = [x.latencyMs ? `p95 ${ms(x.latencyMs.p95)} ms, p99 ${ms(x.latencyMs.p99)} ms` : 'no latency in the log', `5xx ${pct(x.errorRate, 2)}`, `4xx ${pct(x.clientErrorRate, 2)}`].join(', ');
    if (x.responseBytes) L.push(`    # response body: p50 ${Math.round(x.responseBytes.p50)} B, p95 ${Math.round(x.responseBytes.p95)} B in production`);
    L.push(`    slo: { ${sloParts.join(', ')} }   # SUGGESTED from production (${seen})`);
    if (x.latencyMs) L.push(`    expectedResponseMs: ${draftedExpectedMs(x)}   # production p95: sizes VUs`);
    L.push(`    targets: [${input.service}]`);
  }
  L.push(`profiles:`);
  L.push(`  smoke:     { multiplier: 0.1, duration: 1m }`);
  L.push(`  nominal:   { multiplier: 1.0, duration: 10m, rampUp: 1m }   # the production peak as measured`);
  L.push(`  peak:      { duration: 15m, rampUp: 2m }                    # peak × (1 + headroom)`);
  L.push(`  stress:    { steps: [0.5, 1, 1.5, 2, 3], stepDuration: 2m }`);
  L.push(`  endurance: { multiplier: 1.0, duration: 2h }`);
  L.push(`  spike:     { base: 1.0, spike: 3.0, duration: 10m }`);
  if (closed) L.push(`  closed-peak: { vus: ${closed.peakVus}, thinkTimeMs: ${closed.peakPauseMs}, duration: 15m, rampUp: 2m }   # closed model (VUs) at peak × (1 + headroom), see above`);
  return L.join('\n') + '\n';
}

/** A k6 scenario file with one placeholder export per transaction no scenario implements. */
export function skeletonScenarios(service: string, transactions: DraftTransaction[], existing?: string): string {
  const missing = transactions.filter((t) => !t.matched && !(existing ?? '').includes(`export function ${t.exportName}(`));
  if (missing.length === 0) return existing ?? '';
  const L: string[] = [];
  if (!existing) {
    L.push(`// Placeholders written by \`perfcell model derive\` for transactions seen in production that no scenario`);
    L.push(`// implements yet. Replace the ids in the URLs with data (row('…')) and the checks with real ones.`);
    L.push(`import http from 'k6/http';`);
    L.push(`import { check } from 'k6';`);
    L.push(`import { named, target } from 'perfcell/k6';`);
  }
  for (const t of missing) {
    const x = t.figures;
    const url = x.template.replace(/\{[^}]*\}/g, '1');
    const body = ['POST', 'PUT', 'PATCH'].includes(x.method) ? `JSON.stringify({})` : 'null';
    const method = x.method === '*' ? 'GET' : x.method;
    L.push('');
    L.push(`/** ${x.method} ${x.template}: ${t.peakPerHour} per hour at the production peak. TODO: real ids and body. */`);
    L.push(`export function ${t.exportName}(): void {`);
    L.push(`  const res = http.request(${yamlString(method)}, \`\${target(${yamlString(service)})}${url.replace(/`/g, '\\`')}\`, ${body}, named(${yamlString(`${x.method} ${x.template}`)}, { headers: { 'content-type': 'application/json' } }));`);
    L.push(`  check(res, { 'status 2xx': (r) => r.status >= 200 && r.status < 300 });`);
    L.push(`}`);
  }
  return (existing ? existing.replace(/\n*$/, '\n') : '') + L.join('\n') + '\n';
}
