/**
 * A generated portfolio history for the site's tests and bench (never committed): N services × M
 * iterations × 3 phases in the real folder layout (run.json, analysis.json, campaign.json, report.html),
 * gate folders on several branches, a baseline store and an environment registry. Seeded: the same options
 * give the same files. Options add the awkward cases: names carrying HTML/JS, a corrupt analysis.json, an
 * older-format one, a half-written iteration, a damaged run.json, the newer verdict `status` field.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../lib/random.js';

export const EVIL_SERVICE = '<img src=x onerror=alert(1)>';
export const EVIL_TX = '<script>alert("tx")</script>';
export const EVIL_ENV = '"><svg onload=alert(2)>';
export const EVIL_VERSION = '<b>1.0</b><script>alert(3)</script>';

export interface HistoryOptions {
  dir: string;
  services?: number;
  iterations?: number;
  /** Windows per transaction series in analysis.json (real files carry them; they weigh on parsing). */
  seriesWindows?: number;
  environments?: number;
  gatesPerService?: number;
  seed?: number;
  /** Add the evil-named service and the damaged folders. */
  awkward?: boolean;
}

export interface History {
  reportsDir: string;
  store: string;
  configFile: string;
  services: string[];
  environments: string[];
}

const PHASES = ['stubbed', 'unstubbed', 'e2e'] as const;
const TEAMS = ['crm', 'billing', 'claims', 'portal', 'data'];
const RULES = ['latency-drift', 'error-burst', 'n-plus-one', 'slow-own-time', 'dependency-dominates', 'server-saturation'];
const SEVERITIES = ['critical', 'warning', 'info'] as const;
const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2026, 0, 5, 9, 0, 0);

const json = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value) + '\n');

function runId(ms: number, rnd: () => number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.floor(rnd() * 0xffffff).toString(16).padStart(6, '0')}`;
}

export function generateHistory(o: HistoryOptions): History {
  const rnd = seededRandom(o.seed ?? 19);
  const nServices = o.services ?? 60;
  const nIterations = o.iterations ?? 20;
  const windows = o.seriesWindows ?? 12;
  const nEnvs = o.environments ?? 24;
  const reportsDir = join(o.dir, 'reports');
  const store = join(o.dir, 'baselines');
  const configFile = join(o.dir, 'perfcell.config.yaml');
  const environments = Array.from({ length: nEnvs }, (_, i) => (i === 0 ? 'local' : `env-${String(i).padStart(3, '0')}`));
  const services = Array.from({ length: nServices }, (_, i) => `svc-${String(i).padStart(2, '0')}-${TEAMS[i % TEAMS.length]}`);
  if (o.awkward) services.push(EVIL_SERVICE);
  mkdirSync(reportsDir, { recursive: true });
  writeFileSync(
    configFile,
    ['environments:', ...environments.flatMap((e, i) => [`  ${e}:`, `    loadTesting: ${i % 7 === 6 ? 'forbidden' : 'allowed'}`, `    targets: { app: "http://127.0.0.1:${8000 + i}" }`])].join('\n') + '\n',
  );

  services.forEach((svc, si) => {
    const evil = svc === EVIL_SERVICE;
    const svcDir = join(reportsDir, svc);
    mkdirSync(svcDir, { recursive: true });
    const team = TEAMS[si % TEAMS.length] as string;
    const txs = Array.from({ length: 3 + (si % 4) }, (_, k) => (evil && k === 0 ? EVIL_TX : `tx-${k}`));
    json(join(svcDir, 'service.json'), { team: evil ? `<i>team</i>` : team, ...(si % 3 === 0 ? { keyTransaction: txs[1] } : {}) });
    const env = evil ? EVIL_ENV : (environments[si % nEnvs] as string);
    const base = txs.map(() => 20 + rnd() * 200);
    const slo = base.map((b) => Math.round(b * 1.8));
    let open = new Set<string>();
    const iterations = evil ? 3 : nIterations;
    for (let n = 1; n <= iterations; n++) {
      const itMs = START_MS + (n - 1) * 7 * DAY_MS + si * 3_600_000;
      const itDir = join(svcDir, `iteration-${n}`);
      mkdirSync(itDir, { recursive: true });
      // Findings drift: some fixed, some appear, most persist.
      const next = new Set<string>();
      for (const f of open) if (rnd() > 0.3) next.add(f);
      if (rnd() < 0.5) next.add(`${RULES[Math.floor(rnd() * RULES.length)]}|${txs[Math.floor(rnd() * txs.length)]}`);
      open = next;
      const drift = 1 + 0.02 * n + (rnd() - 0.5) * 0.1;
      const phases = PHASES.map((phase, pi) => {
        const started = itMs + pi * 1_200_000;
        const id = runId(started, rnd);
        const injectors = si % 10 === 9 && phase === 'unstubbed' ? ['inj-1', 'inj-2'] : [null];
        const runs = injectors.map((inj) => {
          const dir = inj ? join(itDir, phase, inj) : join(itDir, phase);
          mkdirSync(dir, { recursive: true });
          const meta = {
            schemaVersion: 1, runId: inj ? `${id}${inj.slice(-1)}` : id, perfcellVersion: '0.1.0', service: svc, profile: 'peak', phase, iteration: n,
            model: { file: `load-models/${svc}.yaml`, hash: (si * 1000 + Math.floor(n / 5)).toString(16).padStart(64, 'a') },
            scenariosCommit: (n * 7919 + si).toString(16).padStart(40, '0'), scenariosDirty: n % 9 === 0,
            environment: { name: env, targets: { app: `http://127.0.0.1:${8000 + (si % nEnvs)}` } },
            targetsVersions: { app: evil ? { version: EVIL_VERSION } : { version: `1.${Math.floor(n / 3)}.${n % 3}` }, db: `pg-16.${n % 4}` },
            k6: { path: '.tools/bin/k6', version: 'v1.4.0', args: [] }, timeline: [], plannedDurationMs: 600_000, transactions: [],
            startedAt: new Date(started).toISOString(), endedAt: new Date(started + 600_000).toISOString(), k6ExitCode: 0, exitCode: 0, interrupted: false,
            status: 'passed', flags: [], ...(inj ? { injector: inj } : {}),
          };
          json(join(dir, 'run.json'), meta);
          return { runId: meta.runId, dir, service: svc, profile: 'peak', phase, iteration: n, status: 'passed', flags: [], startedAt: meta.startedAt, endedAt: meta.endedAt, k6Version: 'v1.4.0', modelFile: meta.model.file, modelHash: meta.model.hash, environment: env, targets: meta.environment.targets, targetsVersions: meta.targetsVersions, scenariosCommit: meta.scenariosCommit };
        });
        const factor = phase === 'stubbed' ? 0.6 : phase === 'unstubbed' ? 1 : 1.4;
        const transactions = txs.map((name, k) => {
          const p95 = (base[k] as number) * factor * drift;
          const series = Array.from({ length: windows }, (_, w) => ({ t: started + w * 5000, count: 100, errors: 0, dropped: 0, p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.4, max: p95 * 2 }));
          return {
            name, targets: ['app'], requests: 10_000 + k * 1000, iterations: 10_000, dropped: 0, ratePerSec: 16 + k, targetRatePerSec: 16 + (txs.length - k) * 3,
            errors: 0, errorRate: Math.max(0, (rnd() - 0.8) * 0.02), errorsByKind: {}, statusCounts: { '200': 10_000 },
            latencyMs: { count: 10_000, min: 1, mean: p95 / 2, p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.4, p999: p95 * 2, max: p95 * 3 },
            checks: { passes: 0, fails: 0 }, distinctNames: 1, series,
          };
        });
        const capacity = phase === 'unstubbed' && n % 4 === 0
          ? [{ transaction: txs[1], steps: [], kneeStep: 3, kneeReason: 'rate-not-achieved', maxSustainablePerSec: 40 / drift, modelPeakPerSec: 30, headroom: 40 / drift / 30 - 1, requiredHeadroom: 0.3, usl: null }]
          : [];
        return {
          schemaVersion: 1, runs, service: svc, phase, profile: 'peak', iteration: n, incomplete: false, incompleteReasons: [], startMs: started, endMs: started + 600_000,
          durationSec: 600, plannedDurationSec: 600, windowMs: 5000, overall: transactions[0], transactions, checks: [], vus: { max: 10, maxAllowed: 50, series: [] }, webVitals: [],
          slo: txs.map((t, k) => ({ transaction: t, criterion: 'p95', op: '<', limit: slo[k], actual: (transactions[k] as { latencyMs: { p95: number } }).latencyMs.p95, pass: (transactions[k] as { latencyMs: { p95: number } }).latencyMs.p95 < (slo[k] as number) })),
          capacity, monitor: [], requiredHeadroom: 0.3, read: { samples: 1, badLines: 0, truncated: false },
        };
      });
      const recommendations = [...open].map((f, k) => {
        const [ruleId, transaction] = f.split('|') as [string, string];
        const severity = SEVERITIES[(ruleId.length + k) % 3] as string;
        return { ruleId, severity, phase: 'unstubbed', transaction, text: { en: `${ruleId} on ${transaction}`, fr: `${ruleId} sur ${transaction}` }, evidence: { numbers: {}, chart: 'x' } };
      });
      const critical = recommendations.some((r) => r.severity === 'critical');
      // The newer verdict (status + headline) from iteration 10 on; a few inconclusive ones.
      const status = n % 11 === 7 ? 'inconclusive' : critical ? 'no-go' : 'go';
      const verdict = n >= 10 ? { go: status === 'go', status, headline: { en: `${status} headline`, fr: `titre ${status}` }, reasons: [], caveats: [] } : { go: !critical, reasons: [], caveats: [] };
      json(join(itDir, 'campaign.json'), { schemaVersion: 1, campaignId: `c-${si}-${n}`, service: svc, iteration: n, startedAt: new Date(itMs).toISOString(), endedAt: new Date(itMs + 3_600_000).toISOString(), status: 'passed', phases: [] });
      json(join(itDir, 'analysis.json'), {
        schemaVersion: 1, kind: 'iteration', service: svc, iteration: n, dir: itDir, generatedAt: new Date(itMs + 3_600_000).toISOString(), campaign: null,
        phases, phaseComparison: [], previous: null, recommendations, unmatchedStubs: [], verdict,
      });
      writeFileSync(join(itDir, 'report.html'), `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>report</title></head><body><h1>report ${n}</h1></body></html>\n`);
    }
    // Gates: on main and two branches; baseline mode on main, interleaved on branches.
    const nGates = evil ? 2 : (o.gatesPerService ?? 6);
    for (let g = 0; g < nGates; g++) {
      const ms = START_MS + g * 2 * DAY_MS + si * 60_000;
      const id = runId(ms, rnd);
      const gDir = join(svcDir, 'gate', id);
      mkdirSync(gDir, { recursive: true });
      const branch = evil ? EVIL_TX : g % 3 === 0 ? 'main' : `feature/${team}-${g}`;
      const effect = (rnd() - 0.3) * 0.2;
      const status = effect > 0.1 ? 'regression' : effect > 0.05 ? 'warn' : 'pass';
      json(join(gDir, 'gate.json'), {
        schemaVersion: 1, service: svc, profile: 'gate', mode: g % 3 === 0 ? 'baseline' : 'interleaved', branch,
        baselineLabel: g % 3 === 0 ? 'baseline `main`, run 20260101T000000Z-abcdef' : 'environment local (build A)', candidateLabel: 'build B', wallSeconds: 160, sampling: '12 pairs',
        verdict: { mode: 'interleaved', status, exitCode: status === 'regression' ? 1 : 0, thresholds: {}, transactions: txs.map((t) => ({ transaction: t, status, p95: { effect }, errorRate: { effect: 0 }, slo: [], samples: { baseline: 12, candidate: 12 }, notes: [] })) },
      });
      writeFileSync(join(gDir, 'summary.md'), `## gate ${status}\n`);
    }
    mkdirSync(join(store, svc, 'main'), { recursive: true });
    json(join(store, svc, 'main', 'baseline.json'), { schemaVersion: 1, name: 'main', service: svc, profile: 'gate', runId: runId(START_MS, rnd), modelHash: 'f'.repeat(64), source: '/x', setAt: new Date(START_MS).toISOString() });
  });

  if (o.awkward) {
    const svc = join(reportsDir, services[0] as string);
    // Half-written analysis.json (cut mid-file).
    mkdirSync(join(svc, `iteration-${nIterations + 1}`, 'unstubbed'), { recursive: true });
    writeFileSync(join(svc, `iteration-${nIterations + 1}`, 'analysis.json'), '{"schemaVersion":1,"kind":"iteration","phases":[{"ser');
    // A run that never ended and has no report yet.
    mkdirSync(join(svc, `iteration-${nIterations + 2}`, 'stubbed'), { recursive: true });
    json(join(svc, `iteration-${nIterations + 2}`, 'stubbed', 'run.json'), { schemaVersion: 1, runId: 'r-running', phase: 'stubbed', status: 'running', startedAt: new Date(START_MS + 400 * DAY_MS).toISOString(), environment: { name: 'local', targets: {} }, targetsVersions: {} });
    const other = join(reportsDir, services[1] as string);
    // An older analysis.json format.
    mkdirSync(join(other, 'iteration-3', 'e2e'), { recursive: true });
    json(join(other, 'iteration-3', 'analysis.json'), { schemaVersion: 0, verdict: 'GO' });
    // A damaged run.json and an unreadable gate.json.
    mkdirSync(join(other, 'iteration-4', 'e2e'), { recursive: true });
    writeFileSync(join(other, 'iteration-4', 'e2e', 'run.json'), 'not json at all');
    const badGate = join(other, 'gate', '20260101T000000Z-badbad');
    mkdirSync(badGate, { recursive: true });
    writeFileSync(join(badGate, 'gate.json'), '{"verdict":');
  }
  return { reportsDir, store, configFile, services, environments };
}

/**
 * One more iteration of a service, as a campaign would add it: a copy of its last one, 7 days later, with
 * every p95 10 % higher and one new finding (`appeared-rule` on the first transaction). Returns its number.
 */
export function addIteration(reportsDir: string, service: string): number {
  const svcDir = join(reportsDir, service);
  const last = Math.max(...readdirSync(svcDir).map((d) => /^iteration-(\d+)$/.exec(d)?.[1]).filter((x): x is string => x !== undefined).map(Number));
  const n = last + 1;
  const from = join(svcDir, `iteration-${last}`);
  const to = join(svcDir, `iteration-${n}`);
  cpSync(from, to, { recursive: true });
  const a = JSON.parse(readFileSync(join(to, 'analysis.json'), 'utf8')) as {
    iteration: number;
    generatedAt: string;
    phases: { transactions: { name: string; latencyMs: { p95: number; p99: number } }[] }[];
    recommendations: unknown[];
  };
  a.iteration = n;
  a.generatedAt = new Date(Date.parse(a.generatedAt) + 7 * DAY_MS).toISOString();
  for (const p of a.phases) for (const t of p.transactions) {
    t.latencyMs.p95 *= 1.1;
    t.latencyMs.p99 *= 1.1;
  }
  const tx = a.phases[0]?.transactions[0]?.name ?? 'tx-0';
  a.recommendations.push({ ruleId: 'appeared-rule', severity: 'warning', phase: 'unstubbed', transaction: tx, text: { en: 'new', fr: 'nouveau' }, evidence: { numbers: {}, chart: 'x' } });
  json(join(to, 'analysis.json'), a);
  const c = JSON.parse(readFileSync(join(to, 'campaign.json'), 'utf8')) as { iteration: number; startedAt: string };
  c.iteration = n;
  c.startedAt = new Date(Date.parse(c.startedAt) + 7 * DAY_MS).toISOString();
  json(join(to, 'campaign.json'), c);
  return n;
}
