// Round trip: logs generated with a known peak, mix and sessions → derived figures and model draft.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { defaultSpec, generateLogs, type GeneratorTruth } from '../../src/derive/generate-logs.js';
import { deriveFigures, loadRoutes, type DerivedFigures } from '../../src/derive/derive.js';
import { parsePeak } from '../../src/derive/aggregate.js';
import { writeDraft } from '../../src/derive/write.js';
import { closedModelSuggestion } from '../../src/derive/draft.js';
import { rotationOrder } from '../../src/derive/read.js';
import { loadModel } from '../../src/model/load.js';
import { compile } from '../../src/model/compile.js';
import { selectEnvironment } from '../../src/model/environment.js';

const DAYS = ['16/Nov/2026', '17/Nov/2026', '18/Nov/2026'];
let dir: string;
let files: string[];
let truth: GeneratorTruth;
let figures: DerivedFigures;

/** One generated log split by day into a rotated set: day 1 gzip, day 2 plain `.1`, day 3 the live file. */
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfcell-derive-rt-'));
  const names = ['access.log.2.gz', 'access.log.1', 'access.log'];
  const sinks: (WriteStream | Gzip)[] = [];
  const done: Promise<void>[] = [];
  names.forEach((n) => {
    const out = createWriteStream(join(dir, n));
    done.push(new Promise((r) => out.on('finish', () => r())));
    if (n.endsWith('.gz')) {
      const gz = createGzip();
      gz.pipe(out);
      sinks.push(gz);
    } else sinks.push(out);
  });
  truth = await generateLogs(defaultSpec({ days: 3, perDay: 10_000, seed: 7 }), (chunk) => {
    // A chunk holds lines of one hour: its first date says which file it goes to. (Hour 00 local of day
    // n+1 begins at 23:00 UTC of day n: the local date in the line is the one that counts.)
    const date = chunk.slice(chunk.indexOf('[') + 1, chunk.indexOf('[') + 12);
    (sinks[DAYS.indexOf(date)] as WriteStream).write(chunk);
  });
  sinks.forEach((s) => s.end());
  await Promise.all(done);
  files = names.map((n) => join(dir, n)).reverse(); // given newest first: rotation order fixes it
  figures = await deriveFigures({ files, ...loadRoutes({ routes: 'test/fixtures/derive/grc.routes' }) });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('rotated sets read oldest first whatever order they are given in', () => {
  assert.deepEqual(rotationOrder(files).map((f) => f.slice(dir.length + 1)), ['access.log.2.gz', 'access.log.1', 'access.log']);
  assert.deepEqual(rotationOrder(['b/x.log', 'a/y.log.1', 'b/x.log.10.gz', 'b/x.log.9']).map(String), ['b/x.log.10.gz', 'b/x.log.9', 'b/x.log', 'a/y.log.1']);
});

test('the busiest hour and each transaction\'s volume in it are within ±1 % of the generated ones', () => {
  assert.equal(figures.peak.start, new Date(truth.peakHourStartMs).toISOString());
  assert.equal(figures.transactions.length, 6);
  for (const [name, want] of truth.peak) {
    const got = figures.transactions.find((t) => t.name === name);
    assert.ok(got, name);
    assert.ok(Math.abs(got.peakPerHour - want) <= 0.01 * want, `${name}: derived ${got.peakPerHour}, generated ${want}`);
    assert.equal(got.total, truth.totals.get(name), `${name} over the period`);
  }
  const peakTotal = [...truth.peak.values()].reduce((s, x) => s + x, 0);
  assert.equal(figures.peak.totalPerHour, peakTotal);
  // the mix: search-person is 1300 / 3850 of the weights
  const search = figures.transactions.find((t) => t.name === 'search-person');
  assert.ok(Math.abs((search?.peakShare ?? 0) - 1300 / 3850) < 0.005, String(search?.peakShare));
});

test('health checks, static assets, bots, scanner 404s, non-HTTP requests and torn lines are counted apart', () => {
  assert.equal(figures.excluded.healthChecks, truth.health);
  assert.equal(figures.excluded.staticAssets, truth.staticAssets);
  assert.equal(figures.excluded.bots, truth.bots);
  assert.equal(figures.excluded.notFound, truth.notFound);
  assert.equal(figures.excluded.malformedRequests, truth.malformed);
  assert.equal(figures.read.bad, truth.torn);
  assert.equal(figures.read.lines, truth.lines);
  assert.equal(figures.requests.covered, truth.businessRequests);
  assert.equal(figures.requests.uncovered, 0);
  assert.match(figures.read.badExamples[0] ?? '', /access\.log\.2\.gz:\d+: 10\.9\.9\.9 .* HTT$/);
  assert.deepEqual(figures.read.sources.map((s) => [s.gzip, s.format]), [[true, 'combined'], [false, 'combined'], [false, 'combined']]);
});

test('sessions (IP + user agent, 30 min gap): their number and requests per session match the generator', () => {
  assert.equal(figures.sessions.key, 'ip + user agent');
  assert.equal(figures.sessions.count, truth.sessions);
  const mean = truth.businessRequests / truth.sessions;
  assert.ok(Math.abs((figures.sessions.requestsPerSession?.mean ?? 0) - mean) < 1e-9, `${figures.sessions.requestsPerSession?.mean} vs ${mean}`);
  // think times are exponential with a 20 s mean, capped at 10 min, squeezed to fit the hour: ≈ 20 s
  const think = figures.sessions.thinkTimeMs?.mean ?? 0;
  assert.ok(think > 17_000 && think < 21_000, String(think));
});

test('the daily profile peaks at 9 h local time (UTC+1), the generated curve\'s peak', () => {
  const best = figures.dailyProfile.reduce((a, b) => (b.mean > a.mean ? b : a));
  assert.equal(best.hour, 9);
  assert.equal(figures.offsetMin, 60);
  assert.ok(Math.abs(figures.dailyProfile.reduce((s, d) => s + d.share, 0) - 1) < 1e-9);
  assert.equal(figures.hourly.length, 72);
});

test('latency percentiles come from $request_time; 5xx rates from statuses', () => {
  const t = figures.transactions.find((x) => x.name === 'read-person')!;
  // log-normal around a median of 8 ms
  assert.ok(t.latencyMs && t.latencyMs.p50 > 6.5 && t.latencyMs.p50 < 9.5, JSON.stringify(t.latencyMs));
  assert.ok(t.latencyMs.p99 > t.latencyMs.p95 && t.latencyMs.p95 > t.latencyMs.p50);
  const c = figures.transactions.find((x) => x.name === 'create-person')!;
  assert.ok(c.errorRate < 0.02);
  assert.ok(c.responseBytes && c.responseBytes.mean > 1000 && c.responseBytes.mean < 2400);
});

test('response sizes: p50 and p95 of the bytes field match the generator\'s uniform 200 … 3 199 B', () => {
  // The generator draws body sizes uniformly in [200, 3200): p50 = 1 700, p95 = 3 050. Tolerance: the
  // histogram's ±1 % plus 4 standard errors of a sample quantile, sqrt(q(1−q)/n) × the range width.
  const WIDTH = 3000;
  for (const t of figures.transactions) {
    assert.ok(t.responseBytes, t.name);
    for (const [q, want, got] of [[0.5, 1700, t.responseBytes.p50], [0.95, 3050, t.responseBytes.p95]] as const) {
      const tol = 0.01 * want + 4 * Math.sqrt((q * (1 - q)) / t.total) * WIDTH;
      assert.ok(Math.abs(got - want) <= tol, `${t.name} p${q * 100}: ${got} vs ${want} ± ${tol.toFixed(0)} (n = ${t.total})`);
    }
  }
});

test('closed-model profile: Little\'s law over requests at a session\'s pace; its compiled rate is the peak × (1 + headroom)', () => {
  const s = figures.sessions;
  const rps = s.requestsPerSession!.mean;
  // Sum of the gaps over sessions = (requests − sessions) gaps of the mean think time.
  assert.ok(Math.abs(s.durationMs!.mean - s.thinkTimeMs!.mean * (rps - 1)) < 1e-6 * s.durationMs!.mean, `${s.durationMs!.mean} vs ${s.thinkTimeMs!.mean} × ${rps - 1}`);
  const c = closedModelSuggestion(figures, 0.15)!;
  assert.ok(Math.abs(c.sessionsPerHour - figures.peak.totalPerHour / rps) < 1e-9);
  const perSec = figures.peak.totalPerHour / 3600;
  assert.equal(c.vus, Math.ceil((perSec * s.thinkTimeMs!.mean) / 1000));
  assert.equal(c.peakVus, Math.ceil((perSec * 1.15 * s.thinkTimeMs!.mean) / 1000));
  // The pause is the time between requests less the mix's expected response time, stretched by < one
  // user's share for the whole number of users.
  assert.ok(c.peakPauseMs >= s.thinkTimeMs!.mean - c.expectedResponseMs - 1, `${c.peakPauseMs} vs ${s.thinkTimeMs!.mean} − ${c.expectedResponseMs}`);
  assert.ok(c.peakPauseMs <= s.thinkTimeMs!.mean - c.expectedResponseMs + 1000 / (perSec * 1.15) + 1, String(c.peakPauseMs));
  // Sessions/s × session duration would be (rps − 1) / rps of it: each session's last request left out.
  const sessionLevel = (c.sessionsPerHour / 3600) * (c.sessionDurationMs / 1000);
  assert.ok(Math.abs(sessionLevel / ((perSec * s.thinkTimeMs!.mean) / 1000) - (rps - 1) / rps) < 1e-6);
  // No sessions with two requests: no think time, no closed profile.
  assert.equal(closedModelSuggestion({ ...figures, sessions: { ...s, thinkTimeMs: null, durationMs: null } }, 0.15), null);
});

test('learned templates (no routes) find the same volumes under generated names', async () => {
  const learned = await deriveFigures({ files });
  const byName = new Map(learned.transactions.map((t) => [t.name, t.peakPerHour]));
  assert.equal(byName.get('get-persons'), truth.peak.get('search-person'));
  assert.equal(byName.get('get-persons-id-360'), truth.peak.get('read-person-360'));
  assert.equal(byName.get('post-persons-id-calls'), truth.peak.get('log-call'));
  assert.equal(byName.get('patch-persons-id'), truth.peak.get('update-contact'));
  assert.equal(learned.transactions.length, 6);
  assert.equal(learned.excluded.notFound, truth.notFound);
});

test('minute peaks: the busiest minute ×60 is above the busiest hour, a p99 minute below the busiest minute', async () => {
  const bm = await deriveFigures({ files, peak: parsePeak('busiest-minute') });
  const p99 = await deriveFigures({ files, peak: parsePeak('p99-minute') });
  assert.ok(bm.peak.totalPerHour > figures.peak.totalPerHour, `${bm.peak.totalPerHour} vs ${figures.peak.totalPerHour}`);
  assert.ok(p99.peak.totalPerHour <= bm.peak.totalPerHour);
  assert.ok(p99.peak.totalPerHour > 0);
  assert.equal(bm.peak.totalPerHour % 60, 0);
  assert.equal(bm.peak.method, 'busiest-minute×60');
});

test('the draft passes `perfcell model check`, points to existing scenario exports and carries the growth', () => {
  const project = join(dir, 'project');
  mkdirSync(join(project, 'scenarios', 'grc'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}\n');
  cpSync('scenarios/grc/person.ts', join(project, 'scenarios', 'grc', 'person.ts'));
  // one transaction without a scenario: a placeholder is written for it
  const fig = { ...figures, transactions: [...figures.transactions, { ...figures.transactions[0]!, name: 'export-persons', template: '/persons/export' }] };
  const w = writeDraft(fig, { output: join(project, 'load-models', 'grc-person.derived.yaml'), service: 'grc-person', growth: 0.15, baseUrl: 'http://127.0.0.1:8080', sources: files, now: new Date('2026-12-02T00:00:00Z') });
  const yaml = readFileSync(w.model, 'utf8');
  assert.match(yaml, /headroom: 0\.15 /);
  assert.match(yaml, /scenario: scenarios\/grc\/person\.ts#readPerson360\n/);
  assert.match(yaml, /scenario: scenarios\/grc-person\/derived\.ts#exportPersons {3}# PLACEHOLDER/);
  assert.match(yaml, /peakPerHour: \d+ .*# GET \/persons\/\{id\}\/360/);
  assert.match(yaml, /slo: \{ p95Ms: \d+, p99Ms: \d+, maxErrorRate: [\d.]+ \} {3}# SUGGESTED from production/);
  assert.match(readFileSync(w.skeleton!, 'utf8'), /export function exportPersons\(\): void \{/);
  const r = spawnSync(process.execPath, ['bin/perfcell.js', 'model', 'check', w.model], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ok \(7 transactions, profiles: smoke, nominal, peak, stress, endurance, spike, closed-peak\)/);
  const json = JSON.parse(readFileSync(w.figures, 'utf8')) as DerivedFigures;
  assert.equal(json.peak.start, figures.peak.start);
  const html = readFileSync(w.html, 'utf8');
  assert.match(html, /<svg class="chart"/);
  assert.equal((html.match(/fill="#d1242f"/g) ?? []).length, 2, 'the peak hour marked on both charts');
  assert.doesNotMatch(html, /<script|<link|<img|src=|url\(|@import/i, 'offline: nothing to fetch');
  assert.match(html, /suggestions/);
  assert.match(html, /Closed-model profile <code>closed-peak<\/code> \(a <strong>suggestion<\/strong>.*<strong>\d+ VUs<\/strong>/);
  assert.match(html, /<th>response bytes p50 \/ p95<\/th>/);
  assert.match(yaml, /# Closed-model profile `closed-peak` \(VUs, sized from the sessions\)/);
  assert.match(yaml, /VUs = peak × 1\.15 requests\/s × \d+\.\d s = \d+, pausing \d+ ms/);
  assert.match(yaml, /\n {2}closed-peak: \{ vus: \d+, thinkTimeMs: \d+, duration: 15m, rampUp: 2m \}/);
  assert.match(yaml, /# response body: p50 \d+ B, p95 \d+ B in production/);
  const closed = (json as unknown as { closedModelSuggestion: { vus: number; peakVus: number } }).closedModelSuggestion;
  assert.equal(closed.vus, closedModelSuggestion(fig, 0.15)!.vus);
  // What the compiler makes of the derived closed profile: the peak × (1 + headroom) the figures promise.
  const loaded = loadModel(w.model);
  const compiled = compile({ model: loaded.model, file: loaded.file, profile: 'closed-peak', environment: selectEnvironment(loaded.model, loaded.file), phase: 'unstubbed', runId: 'r', iteration: 1 });
  const want = (loaded.model.transactions.reduce((s, t) => s + t.peakPerHour, 0) * 1.15) / 3600;
  const got = compiled.transactions.reduce((s, t) => s + t.peakRatePerSec, 0);
  assert.ok(Math.abs(got - want) / want < 0.001, `compiled closed-peak: ${got}/s expected, derived peak × 1.15 = ${want}/s`);
  assert.equal(compiled.closedModel?.vus, closed.peakVus);
  assert.equal(compiled.options.scenarios['search-person']?.executor, 'ramping-vus');
});
