/** The site's pure core and its loader on generated histories: verdicts old and new, findings tracked, bad input listed, incremental rebuilds, escaping. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSite } from '../../src/site/build.js';
import { analysisFigures, runMetaTrace, verdictStatus } from '../../src/site/extract.js';
import { RUN_SCHEMA_VERSION } from '../../src/store/folder.js';
import { findingChanges, servicePage, slug } from '../../src/site/model.js';
import type { FindingInput, IterationInput } from '../../src/site/types.js';
import { addIteration, EVIL_ENV, EVIL_SERVICE, EVIL_TX, EVIL_VERSION, generateHistory } from '../support/site-history.js';

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`', '&#x2F;': '/', '&amp;': '&' };
const decodeEntities = (html: string) => html.replace(/&(lt|gt|quot|amp|#x27|#x3D|#x60|#x2F);/g, (e) => ENTITIES[e] ?? e);

const finding = (ruleId: string, transaction: string | null, severity: FindingInput['severity'] = 'warning'): FindingInput => ({ ruleId, severity, phase: 'unstubbed', transaction, text: { en: ruleId, fr: ruleId } });
const iteration = (n: number, findings: FindingInput[], verdict: IterationInput['verdict'] = 'go'): IterationInput => ({
  n, dir: `s/iteration-${n}`, report: null, verdict, headline: null, date: null, campaignStatus: null, phases: [], findings, runs: [], problems: [],
});

test('verdict status: the newer `status` field wins, else the older `go` boolean; inconclusive is its own state', () => {
  assert.equal(verdictStatus({ go: false, status: 'inconclusive' }), 'inconclusive');
  assert.equal(verdictStatus({ go: true, status: 'no-go' }), 'no-go');
  assert.equal(verdictStatus({ go: true }), 'go');
  assert.equal(verdictStatus({ go: false }), 'no-go');
  assert.equal(verdictStatus({ status: 'maybe' }), null);
  assert.equal(verdictStatus('GO'), null);
});

test('findings are tracked by rule id + transaction between analysed iterations: appeared, persisted, fixed', () => {
  const changes = findingChanges([
    iteration(1, [finding('n-plus-one', 'read'), finding('error-burst', 'write')]),
    iteration(2, [], 'not-analysed'), // skipped: compared across it
    // The same rule on another transaction is another finding; one finding on two phases counts once, at its worst.
    iteration(3, [finding('n-plus-one', 'read', 'info'), finding('n-plus-one', 'read', 'critical'), finding('n-plus-one', 'write'), finding('latency-drift', null)]),
    iteration(4, [finding('latency-drift', null)]),
  ]);
  assert.equal(changes.length, 2);
  const [a, b] = changes as [(typeof changes)[0], (typeof changes)[0]];
  assert.deepEqual([a.previous, a.iteration], [1, 3]);
  assert.deepEqual(a.appeared.map((f) => `${f.ruleId}/${f.transaction}`).sort(), ['latency-drift/null', 'n-plus-one/write']);
  assert.deepEqual(a.persisted.map((f) => `${f.ruleId}/${f.transaction}/${f.severity}`), ['n-plus-one/read/critical']);
  assert.deepEqual(a.fixed.map((f) => `${f.ruleId}/${f.transaction}`), ['error-burst/write']);
  assert.deepEqual([b.appeared.length, b.persisted.length, b.fixed.length], [0, 1, 2]);
});

test('an analysis.json of another schema or shape gives a reason, not an exception', () => {
  const rel = (d: string) => d;
  const old = analysisFigures({ schemaVersion: 0, verdict: 'GO' }, rel);
  assert.equal(old.ok, false);
  assert.match(old.ok ? '' : old.reason, /schemaVersion 0; this perfcell reads 1/);
  const noVerdict = analysisFigures({ schemaVersion: 1, phases: [] }, rel);
  assert.match(noVerdict.ok ? '' : noVerdict.reason, /lacks its verdict/);
  assert.equal(analysisFigures([1, 2], rel).ok, false);
  const good = analysisFigures({ schemaVersion: 1, phases: [{ phase: 'stubbed', transactions: [{ name: 't', latencyMs: { p95: 12, p99: 20 }, requests: 5, errorRate: 0.01 }], slo: [{ transaction: 't', criterion: 'p95', limit: 50 }], runs: [] }], recommendations: [], verdict: { go: true } }, rel);
  assert.ok(good.ok);
  assert.deepEqual(good.ok && good.value.phases[0]?.transactions[0], { name: 't', requests: 5, p95: 12, p99: 20, errorRate: 0.01, sloP95: 50, targetRate: null });
});

test('file names from any service name are safe and distinct', () => {
  assert.equal(slug('grc-person'), 'grc-person');
  assert.match(slug(EVIL_SERVICE), /^img-src-x-onerror-alert-1-[0-9a-f]{8}$/);
  assert.notEqual(slug('A b'), slug('a-b'));
  assert.match(servicePage('../../etc/passwd'), /^service-etc-passwd-[0-9a-f]{8}\.html$/);
});

test('bad input never stops the build: each unreadable folder is listed with its reason on its service page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-site-'));
  try {
    const h = generateHistory({ dir, services: 3, iterations: 4, awkward: true, environments: 3 });
    const r = await buildSite({ reportsDir: h.reportsDir, outDir: join(dir, 'site'), store: h.store, configFile: h.configFile });
    assert.equal(r.services, 4);
    assert.equal(r.iterations, 3 * 4 + 2 + 3);
    assert.equal(r.problems, 6);
    const first = readFileSync(join(dir, 'site', servicePage(h.services[0] as string)), 'utf8');
    assert.match(first, /iteration-5<\/td><td>analysis\.json: not valid JSON, half-written or damaged/);
    assert.match(first, /iteration-6\/stubbed: the run never recorded its end/);
    assert.match(first, /iteration-6<\/td><td>no analysis\.json: the report was not written/);
    const second = readFileSync(join(dir, 'site', servicePage(h.services[1] as string)), 'utf8');
    assert.match(second, /analysis\.json has schemaVersion 0; this perfcell reads 1/);
    assert.match(second, /iteration-4\/e2e\/run\.json: not valid JSON/);
    assert.match(second, /gate\/20260101T000000Z-badbad\/gate\.json<\/td><td>not valid JSON/);
    // The home page flags them; the damaged iterations still count, as not analysed.
    const home = readFileSync(join(dir, 'site', 'index.html'), 'utf8');
    assert.match(home, /⚠ 3 unreadable/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('names from run folders are escaped on every page: no markup comes through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-site-'));
  try {
    const h = generateHistory({ dir, services: 2, iterations: 2, awkward: true, environments: 2 });
    await buildSite({ reportsDir: h.reportsDir, outDir: join(dir, 'site'), store: h.store, configFile: h.configFile });
    const pages = ['index.html', servicePage(EVIL_SERVICE), `gates-${slug(EVIL_SERVICE)}.html`, `trace-${slug(EVIL_SERVICE)}.html`, `env-${slug(EVIL_ENV)}.html`, 'environments.html'];
    for (const p of pages) {
      const html = readFileSync(join(dir, 'site', p), 'utf8');
      for (const bad of ['<img', '<svg onload', '<script>alert', '<b>1.0', 'onerror=alert(1)>']) assert.ok(!html.includes(bad), `${p} holds ${bad}`);
    }
    // Shown as text: present once the entities are decoded.
    const text = (p: string) => decodeEntities(readFileSync(join(dir, 'site', p), 'utf8'));
    assert.ok(text(servicePage(EVIL_SERVICE)).includes(`<h1>${EVIL_SERVICE}</h1>`));
    assert.ok(text(servicePage(EVIL_SERVICE)).includes(`<h4>${EVIL_TX}</h4>`));
    assert.ok(text(`trace-${slug(EVIL_SERVICE)}.html`).includes(`app ${EVIL_VERSION}`));
    assert.ok(text('environments.html').includes(`>${EVIL_ENV}</a>`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('incremental: a rebuild writes nothing; one new iteration rewrites only the pages it shows on; a removed service loses its pages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-site-'));
  try {
    const h = generateHistory({ dir, services: 5, iterations: 3, environments: 5 });
    const out = join(dir, 'site');
    const opts = { reportsDir: h.reportsDir, outDir: out, store: h.store, configFile: h.configFile };
    const full = await buildSite(opts);
    assert.equal(full.written, full.pages);
    assert.equal(full.pages, 1 + 5 * 3 + 5 + 1);
    const again = await buildSite(opts);
    assert.equal(again.written, 0);
    const svc = h.services[2] as string;
    addIteration(h.reportsDir, svc);
    const inc = await buildSite(opts);
    // The home (last verdict, sparkline), the service and its traceability, its environment's page and the environments' index.
    assert.deepEqual(inc.writtenPages.sort(), ['env-env-002.html', 'environments.html', 'index.html', servicePage(svc), `trace-${svc}.html`].sort());
    const page = readFileSync(join(out, servicePage(svc)), 'utf8');
    assert.match(page, /#3 → #4<\/th>\s*<td><div class="appeared"><span class="sev warning">▲ appeared · warning<\/span> <span class="mono">appeared-rule<\/span>/);
    // French: every page changes, and says so in French.
    const fr = await buildSite({ ...opts, lang: 'fr' });
    assert.equal(fr.written, fr.pages);
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /Portefeuille de performance/);
    rmSync(join(h.reportsDir, h.services[4] as string), { recursive: true });
    const removed = await buildSite({ ...opts, lang: 'fr' });
    assert.equal(removed.removed, 3);
    assert.equal(existsSync(join(out, servicePage(h.services[4] as string))), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('home: last verdict per service with inconclusive as its own state, filters without script, a CSP that forbids fetches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-site-'));
  try {
    // Iteration 18 of every service is inconclusive (the generator's n % 11 === 7), so stop there.
    const h = generateHistory({ dir, services: 4, iterations: 18, environments: 4 });
    await buildSite({ reportsDir: h.reportsDir, outDir: join(dir, 'site'), store: h.store, configFile: h.configFile });
    const home = readFileSync(join(dir, 'site', 'index.html'), 'utf8');
    assert.equal(home.match(/data-team="[^"]*" data-verdict="inconclusive"/g)?.length, 4);
    assert.equal(home.match(/<span class="badge inconclusive">\? INCONCLUSIVE<\/span>/g)?.length, 4);
    assert.match(home, /<option value="inconclusive">INCONCLUSIVE<\/option>/);
    assert.match(home, /body:has\(#f-verdict option\[value="inconclusive"\]:checked\) tr\[data-svc\]:not\(\[data-verdict="inconclusive"\]\)/);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(home)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'none'/);
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    const service = readFileSync(join(dir, 'site', servicePage(h.services[0] as string)), 'utf8');
    assert.match(/content="([^"]+)"/.exec(service.slice(service.indexOf('Content-Security-Policy')))?.[1] ?? '', /script-src 'none'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run.json of every version the store writes or migrates is traced; a newer one is refused, saying which it reads', () => {
  const run = (schemaVersion: unknown) => ({ schemaVersion, runId: 'r1', phase: 'unstubbed', status: 'passed', environment: { name: 'local', targets: {} }, model: { file: 'm.yaml', hash: 'h' }, k6: { version: 'v2.2.0' } });
  for (let v = 1; v <= RUN_SCHEMA_VERSION; v++) {
    const t = runMetaTrace(run(v), 'svc/iteration-1/unstubbed', null);
    assert.ok(t.ok, `version ${v}`);
    if (t.ok) assert.equal(t.value.runId, 'r1');
  }
  const newer = runMetaTrace(run(RUN_SCHEMA_VERSION + 1), 'd', null);
  assert.equal(newer.ok, false);
  if (!newer.ok) assert.match(newer.reason, new RegExp(`schemaVersion ${RUN_SCHEMA_VERSION + 1}; this perfcell reads 1 to ${RUN_SCHEMA_VERSION}`));
  assert.equal(runMetaTrace(run('2'), 'd', null).ok, false);
});
