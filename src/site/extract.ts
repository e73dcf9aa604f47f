/**
 * Parsed files (unknown JSON) → the site's plain figures. Pure and defensive: every field is checked, a
 * file of another shape gives a reason string instead of an exception, so bad input never stops a build.
 */
import { REPORT_SCHEMA_VERSION } from '../report/report-data.js';
import { RUN_SCHEMA_VERSION } from '../store/folder.js';
import type { Lang, Severity } from '../rules/types.js';
import type { CapacityFigures, FindingInput, GateInput, PhaseFigures, RunTrace, SiteVerdict, TxFigures } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown, d = ''): string => (typeof x === 'string' ? x : d);
const strOrNull = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export type Extracted<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface AnalysisFigures {
  verdict: SiteVerdict;
  headline: Record<Lang, string> | null;
  phases: PhaseFigures[];
  findings: FindingInput[];
  /** The runs' traceability as analysis.json recorded it (RunRef). */
  runs: RunTrace[];
  generatedAt: string | null;
}

/** Verdict status of any analysis.json: the newer `status` field, else the older `go` boolean. */
export function verdictStatus(verdict: unknown): SiteVerdict | null {
  if (!isObj(verdict)) return null;
  const s = verdict.status;
  if (s === 'go' || s === 'no-go' || s === 'inconclusive') return s;
  if (typeof verdict.go === 'boolean') return verdict.go ? 'go' : 'no-go';
  return null;
}

function versionsOf(x: unknown): Record<string, string> {
  if (!isObj(x)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    else if (isObj(v) && (typeof v.version === 'string' || typeof v.version === 'number')) out[k] = String(v.version);
    else if (v !== null && v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

function targetsOf(x: unknown): Record<string, string> {
  if (!isObj(x)) return {};
  return Object.fromEntries(Object.entries(x).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function txOf(t: Obj, slo: unknown[]): TxFigures {
  const lat = isObj(t.latencyMs) ? t.latencyMs : {};
  const name = str(t.name);
  const s = slo.find((x) => isObj(x) && x.transaction === name && x.criterion === 'p95');
  return {
    name,
    requests: num(t.requests) ?? 0,
    p95: num(lat.p95),
    p99: num(lat.p99),
    errorRate: num(t.errorRate) ?? 0,
    sloP95: isObj(s) ? num(s.limit) : null,
    targetRate: num(t.targetRatePerSec),
  };
}

function capacityOf(c: Obj): CapacityFigures {
  return {
    transaction: str(c.transaction),
    headroom: num(c.headroom),
    requiredHeadroom: num(c.requiredHeadroom) ?? 0.3,
    maxSustainable: num(c.maxSustainablePerSec),
    modelPeak: num(c.modelPeakPerSec) ?? 0,
  };
}

/** A RunRef (analysis.json) or a RunMeta (run.json) → traceability. `relDir` maps an absolute dir to the reports folder. */
export function runTraceOf(r: Obj, relDir: (dir: string) => string, injector: string | null): RunTrace {
  const env = r.environment;
  const model = isObj(r.model) ? r.model : {};
  const k6 = isObj(r.k6) ? r.k6 : {};
  return {
    runId: str(r.runId, '?'),
    phase: str(r.phase, '?'),
    status: str(r.status, '?'),
    startedAt: strOrNull(r.startedAt),
    environment: typeof env === 'string' ? env : isObj(env) ? str(env.name, '?') : '?',
    targets: targetsOf(isObj(env) ? env.targets : r.targets),
    versions: versionsOf(r.targetsVersions),
    modelFile: str(r.modelFile, str(model.file)),
    modelHash: str(r.modelHash, str(model.hash)),
    scenariosCommit: strOrNull(r.scenariosCommit),
    scenariosDirty: r.scenariosDirty === true,
    k6Version: str(r.k6Version, str(k6.version)),
    injector: typeof r.injector === 'string' ? r.injector : injector,
    dir: relDir(str(r.dir)),
  };
}

/** analysis.json (a ReportData) → the site's figures, or why it cannot be read. */
export function analysisFigures(json: unknown, relDir: (dir: string) => string): Extracted<AnalysisFigures> {
  if (!isObj(json)) return { ok: false, reason: 'analysis.json is not a JSON object' };
  if (json.schemaVersion !== REPORT_SCHEMA_VERSION) {
    return { ok: false, reason: `analysis.json has schemaVersion ${String(json.schemaVersion)}; this perfcell reads ${REPORT_SCHEMA_VERSION} (run \`perfcell report\` on the folder again)` };
  }
  const verdict = verdictStatus(json.verdict);
  if (!verdict || !Array.isArray(json.phases)) return { ok: false, reason: 'analysis.json lacks its verdict or phases (written by another version, or damaged)' };
  const v = json.verdict as Obj;
  const headline = isObj(v.headline) && typeof v.headline.en === 'string' && typeof v.headline.fr === 'string' ? { en: v.headline.en, fr: v.headline.fr } : null;
  const phases: PhaseFigures[] = [];
  const runs: RunTrace[] = [];
  for (const p of json.phases) {
    if (!isObj(p)) continue;
    const slo = arr(p.slo);
    phases.push({
      phase: str(p.phase, '?'),
      incomplete: p.incomplete === true,
      transactions: arr(p.transactions).filter(isObj).map((t) => txOf(t, slo)),
      capacity: arr(p.capacity).filter(isObj).map(capacityOf),
    });
    const refs = arr(p.runs).filter(isObj);
    for (const r of refs) runs.push(runTraceOf(r, relDir, refs.length > 1 ? lastSegment(str(r.dir)) : null));
  }
  const findings: FindingInput[] = arr(json.recommendations)
    .filter(isObj)
    .map((r) => {
      const text = isObj(r.text) ? r.text : {};
      const severity = SEVERITIES.includes(r.severity as Severity) ? (r.severity as Severity) : 'info';
      return { ruleId: str(r.ruleId, '?'), severity, phase: str(r.phase, '?'), transaction: strOrNull(r.transaction), text: { en: str(text.en), fr: str(text.fr, str(text.en)) } };
    });
  return { ok: true, value: { verdict, headline, phases, findings, runs, generatedAt: strOrNull(json.generatedAt) } };
}

export function lastSegment(dir: string): string {
  const parts = dir.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? dir;
}

/** run.json → traceability, or why not (another schema, damaged). */
export function runMetaTrace(json: unknown, relDir: string, injector: string | null): Extracted<RunTrace> {
  if (!isObj(json)) return { ok: false, reason: 'run.json is not a JSON object' };
  // The trace reads only fields every run.json version has kept (id, phase, status, environment, model, k6):
  // any version up to the store's own is read as written, without its migration.
  const v = json.schemaVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > RUN_SCHEMA_VERSION) return { ok: false, reason: `run.json has schemaVersion ${String(v)}; this perfcell reads 1 to ${RUN_SCHEMA_VERSION}` };
  if (typeof json.runId !== 'string' || typeof json.phase !== 'string') return { ok: false, reason: 'run.json lacks runId or phase (damaged)' };
  return { ok: true, value: runTraceOf({ ...json, dir: relDir }, (d) => d, injector) };
}

/** gate.json → one gate of the history, or why not. */
export function gateOf(json: unknown, where: { id: string; dir: string; date: string | null }): Extracted<GateInput> {
  if (!isObj(json)) return { ok: false, reason: 'gate.json is not a JSON object' };
  const v = json.verdict;
  if (!isObj(v) || typeof v.status !== 'string' || typeof json.service !== 'string') return { ok: false, reason: 'gate.json lacks its service or verdict (damaged or another version)' };
  const transactions = arr(v.transactions)
    .filter(isObj)
    .map((t) => ({
      name: str(t.transaction, '?'),
      status: str(t.status, '?'),
      effect: isObj(t.p95) ? num(t.p95.effect) : null,
      errorEffect: isObj(t.errorRate) ? num(t.errorRate.effect) : null,
    }));
  return {
    ok: true,
    value: {
      service: json.service,
      branch: str(json.branch, str(json.candidateBranch, 'unknown')),
      id: where.id,
      dir: where.dir,
      date: strOrNull(json.date) ?? where.date,
      status: v.status,
      mode: str(v.mode, str(json.mode)),
      baselineLabel: str(json.baselineLabel),
      candidateLabel: str(json.candidateLabel),
      transactions,
      summary: null,
    },
  };
}

/** A gate folder's id is a run id (UTC stamp + suffix): its date. */
export function dateOfRunId(id: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}
