/**
 * The site's thin loader: reports folder (+ baseline store, + environment registry) → SiteInput. Nothing
 * here throws on bad input: an unreadable file becomes a problem listed on its service page.
 *
 * Layout read (docs/site.md): reports/<service>/iteration-<N>/ (campaign.json, analysis.json, report.html,
 * run folders up to two levels down), reports/<service>/gate/<id>/gate.json, any reports/<x>/gate.json
 * (the CI template's `-o reports/gate`), reports/<service>/service.json (optional: team, keyTransaction).
 *
 * A cache (per iteration and gate folder: the sizes and times of the files read → what was extracted)
 * lets a rebuild re-read only folders that changed.
 */
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseConfig } from '../environments/registry.js';
import { analysisFigures, dateOfRunId, gateOf, lastSegment, runMetaTrace } from './extract.js';
import type { BaselineInput, EnvironmentInput, GateInput, IterationInput, RunTrace, ServiceInput, SiteInput } from './types.js';

export const LOADER_CACHE_VERSION = 1;

export interface LoaderCache {
  version: number;
  entries: Record<string, { fingerprint: string; iteration?: IterationInput; gate?: GateInput | { problem: string } }>;
}

export const emptyCache = (): LoaderCache => ({ version: LOADER_CACHE_VERSION, entries: {} });

export interface LoadOptions {
  reportsDir: string;
  /** The baseline store (default none). */
  store?: string | null;
  /** The environment registry file (perfcell.config.yaml); null: none. */
  configFile?: string | null;
  cache?: LoaderCache;
}

const ITERATION_RE = /^iteration-(\d+)$/;

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

function dirs(p: string): string[] {
  try {
    return readdirSync(p, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function readJson(path: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, reason: `not valid JSON, half-written or damaged (${(e as Error).message})` };
  }
}

const fp = (st: Stats | null) => (st ? `${st.size}:${Math.round(st.mtimeMs)}` : '-');

/** Run folders of an iteration: <phase>/ holds run.json, or one folder per injector that does. */
function runFolders(iterationDir: string): { dir: string; injector: string | null }[] {
  const out: { dir: string; injector: string | null }[] = [];
  for (const a of dirs(iterationDir)) {
    const p = join(iterationDir, a);
    if (existsSync(join(p, 'run.json'))) {
      out.push({ dir: p, injector: null });
      continue;
    }
    for (const b of dirs(p)) if (existsSync(join(p, b, 'run.json'))) out.push({ dir: join(p, b), injector: b });
  }
  return out;
}

const posix = (p: string) => p.split(sep).join('/');

function loadIteration(reportsDir: string, dir: string, n: number, cache: LoaderCache): IterationInput {
  const rel = posix(relative(reportsDir, dir));
  const runs = runFolders(dir);
  const files = ['analysis.json', 'campaign.json', 'report.html'].map((f) => join(dir, f));
  const fingerprint = [...files, ...runs.map((r) => join(r.dir, 'run.json'))].map((p) => `${posix(relative(dir, p))}=${fp(statOrNull(p))}`).join('|');
  const hit = cache.entries[rel];
  if (hit && hit.fingerprint === fingerprint && hit.iteration) return hit.iteration;

  const toRel = (d: string) => (d ? posix(relative(reportsDir, resolve(dir, d))) : rel);
  const problems: string[] = [];
  const traces: RunTrace[] = [];
  for (const r of runs) {
    const j = readJson(join(r.dir, 'run.json'));
    const relRun = posix(relative(reportsDir, r.dir));
    if (!j.ok) {
      problems.push(`${relRun}/run.json: ${j.reason}`);
      continue;
    }
    const t = runMetaTrace(j.value, relRun, r.injector);
    if (!t.ok) problems.push(`${relRun}/run.json: ${t.reason}`);
    else {
      if (t.value.status === 'running') problems.push(`${relRun}: the run never recorded its end (status "running": stopped or still going)`);
      traces.push(t.value);
    }
  }
  const it: IterationInput = {
    n, dir: rel, report: null, verdict: 'not-analysed', headline: null, date: null, campaignStatus: null, phases: [], findings: [], runs: traces, problems,
  };
  const [analysisPath, campaignPath, reportPath] = files as [string, string, string];
  if (existsSync(reportPath)) it.report = `${rel}/report.html`;
  if (existsSync(campaignPath)) {
    const c = readJson(campaignPath);
    if (!c.ok) problems.push(`campaign.json: ${c.reason}`);
    else if (typeof c.value === 'object' && c.value !== null) {
      const v = c.value as Record<string, unknown>;
      if (typeof v.startedAt === 'string') it.date = v.startedAt;
      if (typeof v.status === 'string') it.campaignStatus = v.status;
    }
  }
  if (existsSync(analysisPath)) {
    const a = readJson(analysisPath);
    if (!a.ok) problems.push(`analysis.json: ${a.reason}`);
    else {
      const f = analysisFigures(a.value, toRel);
      if (!f.ok) problems.push(f.reason);
      else {
        it.verdict = f.value.verdict;
        it.headline = f.value.headline;
        it.phases = f.value.phases;
        it.findings = f.value.findings;
        // run.json is the truth; analysis.json's record fills in runs whose folder is gone.
        for (const r of f.value.runs) if (!traces.some((t) => t.runId === r.runId && t.dir === r.dir)) traces.push(r);
        it.date ??= f.value.generatedAt;
      }
    }
  } else if (runs.length > 0) problems.push('no analysis.json: the report was not written (run `perfcell report` on the folder)');
  if (runs.length === 0 && !existsSync(analysisPath)) problems.push('no run folder and no analysis.json: an empty or unfinished iteration');
  it.date ??= traces.map((t) => t.startedAt).filter((d): d is string => d !== null).sort()[0] ?? null;
  cache.entries[rel] = { fingerprint, iteration: it };
  return it;
}

function loadGate(reportsDir: string, dir: string, cache: LoaderCache): GateInput | { problem: string } {
  const rel = posix(relative(reportsDir, dir));
  const path = join(dir, 'gate.json');
  const summaryPath = join(dir, 'summary.md');
  const fingerprint = `${fp(statOrNull(path))}|${fp(statOrNull(summaryPath))}`;
  const key = `gate:${rel}`;
  const hit = cache.entries[key];
  if (hit && hit.fingerprint === fingerprint && hit.gate) return hit.gate;
  const id = lastSegment(rel);
  let result: GateInput | { problem: string };
  const j = readJson(path);
  if (!j.ok) result = { problem: j.reason };
  else {
    const g = gateOf(j.value, { id, dir: rel, date: dateOfRunId(id) ?? statOrNull(path)?.mtime.toISOString() ?? null });
    result = g.ok ? { ...g.value, summary: existsSync(summaryPath) ? `${rel}/summary.md` : null } : { problem: g.reason };
  }
  cache.entries[key] = { fingerprint, gate: result };
  return result;
}

function loadBaselines(store: string, problems: SiteInput['problems']): BaselineInput[] {
  const out: BaselineInput[] = [];
  for (const svc of dirs(store)) {
    for (const name of dirs(join(store, svc))) {
      if (name.endsWith('.incoming')) continue;
      const path = join(store, svc, name, 'baseline.json');
      if (!existsSync(path)) continue;
      const j = readJson(path);
      const r = j.ok && typeof j.value === 'object' && j.value !== null ? (j.value as Record<string, unknown>) : null;
      if (!r || typeof r.runId !== 'string') {
        problems.push({ path, reason: j.ok ? 'not a baseline record (no runId)' : j.reason });
        continue;
      }
      const s = (x: unknown) => (typeof x === 'string' ? x : '');
      out.push({ service: s(r.service) || svc, name: s(r.name) || name, runId: r.runId, profile: s(r.profile), modelHash: s(r.modelHash), setAt: s(r.setAt) });
    }
  }
  return out;
}

function loadEnvironments(file: string, problems: SiteInput['problems']): EnvironmentInput[] {
  try {
    const config = parseConfig(readFileSync(file, 'utf8'), file);
    return Object.entries(config.environments).map(([name, e]) => ({
      name,
      loadTesting: typeof e.loadTesting === 'string' ? e.loadTesting : null,
      targets: Object.fromEntries(Object.entries(e.targets ?? {}).map(([k, v]) => [k, String(v)])),
    }));
  } catch (e) {
    problems.push({ path: file, reason: (e as Error).message });
    return [];
  }
}

export function loadSite(options: LoadOptions): { input: SiteInput; cache: LoaderCache } {
  const reportsDir = resolve(options.reportsDir);
  const old = options.cache?.version === LOADER_CACHE_VERSION ? options.cache : emptyCache();
  // Entries not visited this time are dropped: the cache follows the folder.
  const cache: LoaderCache = { version: LOADER_CACHE_VERSION, entries: {} };
  const lookup: LoaderCache = { version: LOADER_CACHE_VERSION, entries: old.entries };
  const problems: SiteInput['problems'] = [];
  const services = new Map<string, ServiceInput>();
  const gates: GateInput[] = [];
  const serviceOf = (name: string): ServiceInput => {
    let s = services.get(name);
    if (!s) services.set(name, (s = { name, team: null, keyTransaction: null, iterations: [], problems: [] }));
    return s;
  };
  const gate = (dir: string, fallbackService: string | null) => {
    const g = loadGate(reportsDir, dir, lookup);
    const rel = posix(relative(reportsDir, dir));
    const key = `gate:${rel}`;
    if (lookup.entries[key]) cache.entries[key] = lookup.entries[key];
    if ('problem' in g) {
      if (fallbackService) serviceOf(fallbackService).problems.push({ path: `${rel}/gate.json`, reason: g.problem });
      else problems.push({ path: `${rel}/gate.json`, reason: g.problem });
    } else gates.push(g);
  };

  for (const top of dirs(reportsDir)) {
    const topDir = join(reportsDir, top);
    if (existsSync(join(topDir, 'gate.json'))) {
      gate(topDir, null);
      continue;
    }
    const children = dirs(topDir);
    const iterations = children.filter((c) => ITERATION_RE.test(c));
    const hasGates = children.includes('gate');
    if (iterations.length === 0 && !hasGates) continue; // not a service folder (bench results, …)
    const svc = serviceOf(top);
    const meta = join(topDir, 'service.json');
    if (existsSync(meta)) {
      const j = readJson(meta);
      const v = j.ok && typeof j.value === 'object' && j.value !== null ? (j.value as Record<string, unknown>) : null;
      if (!v) svc.problems.push({ path: `${top}/service.json`, reason: j.ok ? 'not a JSON object' : j.reason });
      else {
        if (typeof v.team === 'string') svc.team = v.team;
        if (typeof v.keyTransaction === 'string') svc.keyTransaction = v.keyTransaction;
      }
    }
    for (const name of iterations) {
      const n = Number(ITERATION_RE.exec(name)?.[1]);
      const it = loadIteration(reportsDir, join(topDir, name), n, lookup);
      const rel = it.dir;
      if (lookup.entries[rel]) cache.entries[rel] = lookup.entries[rel];
      svc.iterations.push(it);
    }
    svc.iterations.sort((a, b) => a.n - b.n);
    if (hasGates) {
      for (const id of dirs(join(topDir, 'gate'))) {
        const d = join(topDir, 'gate', id);
        if (existsSync(join(d, 'gate.json'))) gate(d, top);
        else if (existsSync(join(d, 'summary.md'))) svc.problems.push({ path: posix(relative(reportsDir, d)), reason: 'gate folder without gate.json: the gate could not measure or was stopped (see its summary.md)' });
      }
    }
  }
  // A gate written outside its service's folder (CI: reports/gate) still belongs to its service.
  for (const g of gates) serviceOf(g.service);
  const baselines = options.store && existsSync(options.store) ? loadBaselines(resolve(options.store), problems) : [];
  const environments = options.configFile && existsSync(options.configFile) ? loadEnvironments(resolve(options.configFile), problems) : [];
  const input: SiteInput = { services: [...services.values()].sort((a, b) => a.name.localeCompare(b.name)), gates, baselines, environments, problems };
  return { input, cache };
}
