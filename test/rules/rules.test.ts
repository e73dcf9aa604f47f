import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compareAnalyses } from '../../src/analysis/compare.js';
import { capacityOf } from '../../src/analysis/capacity.js';
import { RULES, runRules } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, monitor, series, withPhase } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('catalogue: unique ids, a sentence in each language, every rule documented in docs/recommendations.md', () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  const doc = readFileSync('docs/recommendations.md', 'utf8');
  for (const r of RULES) {
    assert.ok(r.title.en && r.title.fr, r.id);
    assert.ok(doc.includes(`\`${r.id}\``), `docs/recommendations.md lists ${r.id}`);
  }
});

test('on the plain recorded run (5 s, 25 requests, 1 ms), only the "too short / too few" notes fire', async () => {
  const recs = runRules(ctxOf(await baseAnalysis()));
  assert.deepEqual(recs.map((r) => [r.ruleId, r.severity]), [['too-few-samples', 'warning'], ['too-few-samples', 'info']]);
  assert.match(recs[1]!.text.fr, /Le tir a duré 5 s/);
});

test('slo-broken names the transaction, the criterion and both figures', async () => {
  const a = await baseAnalysis();
  const p95 = a.slo.find((s) => s.criterion === 'p95')!;
  p95.limit = 10;
  p95.pass = false;
  const [f] = byId('slo-broken').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.transaction, 'hello');
  assert.equal(f!.evidence.numbers.limit, 10);
  assert.equal(f!.evidence.numbers.actual, p95.actual);
  assert.equal(f!.evidence.chart, 'unstubbed-latency-hello');
});

test('throughput-limit: dropped iterations and a rate below the offered one', async () => {
  const a = await baseAnalysis();
  assert.equal(byId('throughput-limit').evaluate(ctxOf(a)).length, 0);
  const t = a.transactions[0]!;
  t.series = t.series.map((p) => ({ ...p, count: Math.floor(p.count / 2) }));
  t.dropped = 12;
  const [f] = byId('throughput-limit').evaluate(ctxOf(a));
  assert.equal(f!.evidence.numbers.dropped, 12);
  assert.ok(f!.evidence.numbers.achievedPerSec! < 0.9 * t.targetRatePerSec!);
});

test('latency-drift: a median that climbs under constant load, not a flat one', async () => {
  const a = await baseAnalysis();
  const t = a.transactions[0]!;
  t.series = series(60, a.startMs, () => 20);
  assert.equal(byId('latency-drift').evaluate(ctxOf(a)).length, 0);
  t.series = series(60, a.startMs, (i) => 20 + i);
  const [f] = byId('latency-drift').evaluate(ctxOf(a));
  assert.ok(f!.evidence.numbers.lastP50Ms! > 60 && f!.evidence.numbers.firstP50Ms! < 40);
  assert.ok(Math.abs(f!.evidence.numbers.slopeMsPerMin! - 60) < 1);
  assert.equal(f!.evidence.from, a.startMs);
});

test('error-burst: counts by kind and the time range of the burst', async () => {
  const a = await baseAnalysis();
  const t = a.transactions[0]!;
  t.series = series(30, a.startMs, () => 5, (i) => (i >= 10 && i < 15 ? { errors: 8 } : {}));
  t.errors = 40;
  t.requests = 300;
  t.errorRate = 40 / 300;
  t.errorsByKind = { 'connection-refused': 30, '5xx': 10 };
  const [f] = byId('error-burst').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.evidence.from, a.startMs + 10_000);
  assert.equal(f!.evidence.to, a.startMs + 15_000);
  assert.match(f!.evidence.chart, /errors/);
  const text = runRules(ctxOf(a)).find((r) => r.ruleId === 'error-burst')!.text.en;
  assert.ok(text.includes('5xx × 10') && text.includes('connection-refused × 30') && text.includes('5 s'), text);
});

test('dependency-dominates: from the phase comparison, only when the real dependencies make most of the median', async () => {
  const unstubbed = await baseAnalysis();
  unstubbed.transactions[0]!.latencyMs!.p50 = 40;
  const stubbed = withPhase(unstubbed, 'stubbed');
  stubbed.transactions[0]!.latencyMs!.p50 = 32;
  assert.equal(byId('dependency-dominates').evaluate(ctxOf(unstubbed, { phases: [stubbed, unstubbed] })).length, 0);
  stubbed.transactions[0]!.latencyMs!.p50 = 2;
  const [f] = byId('dependency-dominates').evaluate(ctxOf(unstubbed, { phases: [stubbed, unstubbed] }));
  assert.ok(f!.evidence.numbers.share! > 0.9);
  assert.equal(f!.evidence.numbers.stubbedP50Ms, 2);
});

test('recorded phases: the unstubbed run (30 ms target) is dominated by its dependencies versus the stubbed one (3 ms)', async () => {
  const { analyzeRun } = await import('../../src/analysis/analyze.js');
  const stubbed = await analyzeRun('test/fixtures/runs/basic-app/iteration-1/stubbed');
  const unstubbed = await analyzeRun('test/fixtures/runs/basic-app/iteration-1/unstubbed');
  const recs = runRules(ctxOf(unstubbed, { phases: [stubbed, unstubbed] }));
  assert.ok(recs.some((r) => r.ruleId === 'dependency-dominates'));
  assert.ok(recs.some((r) => r.ruleId === 'latency-floor'), 'the 30 ms fixed delay of the target is a latency floor');
});

test('server-saturation: CPU, event-loop lag and DB pool waits from the monitor', async () => {
  const a = await baseAnalysis();
  a.monitor = [
    monitor('target:grc', 'process_cpu_seconds_total', [0.95, 0.97, 0.99]),
    monitor('target:grc', 'nodejs_eventloop_lag_p99_seconds', [0.01, 0.25, 0.02]),
    monitor('target:grc', 'nodejs_eventloop_lag_seconds', [0.01, 0.2, 0.02]),
    monitor('target:billing', 'db_pool_connections', [0, 3, 1], 'service=billing,state=waiting'),
  ];
  // The reference target exports db_pool_connections{state}: only the "waiting" state is a wait.
  const found = byId('server-saturation').evaluate(ctxOf(a));
  assert.equal(found.length, 3);
  assert.ok(found.some((f) => f.evidence.numbers.poolWaitingMax === 3));
  a.monitor = [monitor('target:grc', 'process_cpu_seconds_total', [0.2, 0.3]), monitor('target:billing', 'db_pool_connections', [5, 5], 'state=idle')];
  assert.equal(byId('server-saturation').evaluate(ctxOf(a)).length, 0);
});

test('client-server-gap: client mean of the transactions entering through a target far above its server mean (probes left out)', async () => {
  const a = await baseAnalysis();
  assert.deepEqual(a.transactions[0]!.targets, ['app'], 'a single-target environment: every transaction calls it');
  a.transactions[0]!.latencyMs!.mean = 80;
  a.monitor = [
    monitor('target:app', 'http_request_duration_seconds_sum', [0.2, 0.2], 'method=GET,route=/hello,status_code=200'),
    monitor('target:app', 'http_request_duration_seconds_count', [20, 20], 'method=GET,route=/hello,status_code=200'),
    monitor('target:app', 'http_request_duration_seconds_sum', [0.001, 0.001], 'method=GET,route=/metrics,status_code=200'),
    monitor('target:app', 'http_request_duration_seconds_count', [1, 1], 'method=GET,route=/metrics,status_code=200'),
  ];
  const [f] = byId('client-server-gap').evaluate(ctxOf(a));
  assert.equal(f!.evidence.numbers.serverMeanMs, 10);
  assert.equal(f!.evidence.numbers.clientMeanMs, 80);
  a.transactions[0]!.latencyMs!.mean = 12;
  assert.equal(byId('client-server-gap').evaluate(ctxOf(a)).length, 0);
  // A target no transaction enters through is not compared.
  a.transactions[0]!.latencyMs!.mean = 80;
  a.transactions[0]!.targets = ['other'];
  assert.equal(byId('client-server-gap').evaluate(ctxOf(a)).length, 0);
});

test('load-generator-overloaded: injector CPU, and VUs exhausted with iterations dropped', async () => {
  const a = await baseAnalysis();
  assert.equal(byId('load-generator-overloaded').evaluate(ctxOf(a)).length, 0);
  a.monitor = [monitor('injector', 'injector_host_cpu_percent', [90, 95, 99]), monitor('injector', 'injector_cpu_percent', [150, 150], 'process=k6')];
  a.vus.max = a.vus.maxAllowed;
  a.overall.dropped = 7;
  const found = byId('load-generator-overloaded').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => f.severity), ['critical', 'warning']);
});

test('too-few-samples: a p95 SLO on fewer than 200 requests', async () => {
  const a = await baseAnalysis();
  a.durationSec = 600;
  const [f] = byId('too-few-samples').evaluate(ctxOf(a));
  assert.equal(f!.transaction, 'hello');
  assert.equal(f!.evidence.numbers.needed, 200);
  a.transactions[0]!.requests = 500;
  assert.equal(byId('too-few-samples').evaluate(ctxOf(a)).length, 0);
});

test('too-many-urls: more than 20 distinct request names', async () => {
  const a = await baseAnalysis();
  assert.equal(byId('too-many-urls').evaluate(ctxOf(a)).length, 0);
  a.transactions[0]!.distinctNames = 250;
  assert.equal(byId('too-many-urls').evaluate(ctxOf(a))[0]!.evidence.numbers.distinctNames, 250);
});

test('web-vitals: LCP p75 "poor" is critical, CLS "needs improvement" a warning, good ones silent', async () => {
  const a = await baseAnalysis();
  a.webVitals = [
    { metric: 'lcp', count: 50, p75: 4200, p95: 5000, unit: 'ms' },
    { metric: 'cls', count: 50, p75: 0.15, p95: 0.3, unit: '' },
    { metric: 'fcp', count: 50, p75: 900, p95: 1200, unit: 'ms' },
  ];
  const found = byId('web-vitals').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => [f.params.vital, f.severity]), [['LCP', 'critical'], ['CLS', 'warning']]);
});

test('regression: on the recorded iterations 1 → 2 (target 30 ms → 60 ms), p95 regression is named', async () => {
  const { analyzeRun } = await import('../../src/analysis/analyze.js');
  const before = await analyzeRun('test/fixtures/runs/basic-app/iteration-1/unstubbed');
  const after = await analyzeRun('test/fixtures/runs/basic-app/iteration-2/unstubbed');
  const [f] = byId('regression').evaluate(ctxOf(after, { previous: { analysis: before, comparison: compareAnalyses(before, after) } }));
  assert.equal(f!.transaction, 'hello');
  assert.ok(f!.evidence.numbers.p95AfterMs! > 55 && f!.evidence.numbers.p95BeforeMs! < 40);
  assert.equal(byId('regression').evaluate(ctxOf(before, { previous: { analysis: after, comparison: compareAnalyses(after, before) } })).length, 0);
});

test('capacity-headroom: knee under the model\'s 30 % margin asks to scale', async () => {
  const a = await baseAnalysis();
  const step = (m: number, achieved: number, p95: number) => ({ multiplier: m, offeredPerSec: 10 * m, achievedPerSec: achieved, dropped: 0, p95Ms: p95, errorRate: 0, concurrency: achieved * p95 / 1000, fromMs: 0, toMs: 60_000 });
  a.capacity = [capacityOf('hello', [step(0.5, 5, 20), step(1, 10, 30), step(1.2, 12, 40), step(1.5, 11, 400)], 10, 100, 0.3)];
  const [f] = byId('capacity-headroom').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.ok(Math.abs(f!.evidence.numbers.headroom! - 0.2) < 1e-9);
  a.capacity = [capacityOf('hello', [step(0.5, 5, 20), step(1, 10, 30), step(1.5, 15, 40), step(2, 17, 400)], 10, 100, 0.3)];
  assert.equal(byId('capacity-headroom').evaluate(ctxOf(a))[0]!.severity, 'info');
});

test('memory-growth: a heap whose GC floor rises (leak), not a flat sawtooth', async () => {
  const a = await baseAnalysis();
  const mb = 1024 * 1024;
  // GC sawtooth: 30 → 50 MB every 10 scrapes.
  const saw = (i: number) => (30 + 2 * (i % 10)) * mb;
  a.monitor = [monitor('target:grc', 'nodejs_heap_size_used_bytes', Array.from({ length: 60 }, (_, i) => saw(i)))];
  assert.equal(byId('memory-growth').evaluate(ctxOf(a)).length, 0);
  a.monitor = [monitor('target:grc', 'nodejs_heap_size_used_bytes', Array.from({ length: 60 }, (_, i) => saw(i) + 0.5 * i * mb))];
  const [f] = byId('memory-growth').evaluate(ctxOf(a));
  assert.equal(f!.params.source, 'target:grc');
  // 0.5 MB per 5-second scrape = 6 MB per minute.
  assert.ok(Math.abs(Number(f!.params.slope) - 6) < 0.5, `slope ${f!.params.slope}`);
  // Warm-up (a 5-minute run): the floor rises for the first third, then levels off.
  a.monitor = [monitor('target:grc', 'nodejs_heap_size_used_bytes', Array.from({ length: 60 }, (_, i) => saw(i) + Math.min(i, 20) * mb))];
  assert.equal(byId('memory-growth').evaluate(ctxOf(a)).length, 0);
});

test('n-plus-one: DB queries per request, per route', async () => {
  const a = await baseAnalysis();
  a.monitor = [
    monitor('target:billing', 'db_queries_total', [250, 250], 'route=/persons/:id/invoices'),
    monitor('target:billing', 'http_request_duration_seconds_count', [10, 10], 'method=GET,route=/persons/:id/invoices,status_code=200'),
    monitor('target:billing', 'db_queries_total', [20, 20], 'route=/persons/:id/iban'),
    monitor('target:billing', 'http_request_duration_seconds_count', [10, 10], 'method=GET,route=/persons/:id/iban,status_code=200'),
  ];
  const found = byId('n-plus-one').evaluate(ctxOf(a));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.params.route, '/persons/:id/invoices');
  assert.equal(found[0]!.evidence.numbers.queriesPerRequest, 25);
});

test('n-plus-one: per route, the classic 5 queries a request; consumers\' queries (no requests) are not charged to a route', async () => {
  const a = await baseAnalysis();
  const route = (r: string, queries: number, requests: number) => [
    monitor('target:billing', 'db_queries_total', [queries], `route=${r},service=billing`),
    monitor('target:billing', 'http_request_duration_seconds_count', [requests], `method=GET,route=${r},service=billing,status_code=200`),
  ];
  // Measured without the trap: history 4 queries a request, the summary 3; consumers run queries without requests.
  a.monitor = [...route('/persons/:id/invoices', 40, 10), ...route('/persons/:id/summary', 30, 10), monitor('target:billing', 'db_queries_total', [500], 'route=event:invoice.requested,service=billing')];
  assert.deepEqual(byId('n-plus-one').evaluate(ctxOf(a)), []);
  // The trap's summary: 5 queries a request (the first 3 invoices' lines one by one).
  a.monitor = [...route('/persons/:id/invoices', 40, 10), ...route('/persons/:id/summary', 50, 10)];
  const found = byId('n-plus-one').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => [f.params.route, f.evidence.numbers.queriesPerRequest, f.evidence.numbers.limit]), [['/persons/:id/summary', 5, 5]]);
});

test('n-plus-one: without a route label, the whole target against the looser per-target limit', async () => {
  const a = await baseAnalysis();
  const target = (queries: number) => [
    monitor('target:billing', 'db_queries_total', [queries], 'service=billing'),
    monitor('target:billing', 'http_request_duration_seconds_count', [10], 'method=GET,route=/persons/:id/invoices,service=billing,status_code=200'),
    // Probes are not requests of the service.
    monitor('target:billing', 'http_request_duration_seconds_count', [1000], 'method=GET,route=/metrics,service=billing,status_code=200'),
  ];
  a.monitor = target(62);
  assert.deepEqual(byId('n-plus-one').evaluate(ctxOf(a)), []);
  a.monitor = target(130);
  const [f] = byId('n-plus-one').evaluate(ctxOf(a));
  assert.equal(f!.params.route, '');
  assert.equal(f!.evidence.numbers.queriesPerRequest, 13);
  assert.equal(f!.evidence.numbers.limit, 8);
});

test('slow-own-time: slow with dependencies stubbed, only in the stubbed phase', async () => {
  const a = withPhase(await baseAnalysis(), 'stubbed');
  assert.equal(byId('slow-own-time').evaluate(ctxOf(a)).length, 0);
  a.transactions[0]!.latencyMs!.p50 = 180;
  const [f] = byId('slow-own-time').evaluate(ctxOf(a));
  assert.equal(f!.evidence.numbers.sloP95Ms, 100);
  assert.equal(byId('slow-own-time').evaluate(ctxOf(withPhase(a, 'unstubbed'))).length, 0);
});

test('slow-own-time: a search four times slower than the service\'s reads by key, below any absolute limit', async () => {
  const a = withPhase(await baseAnalysis(), 'stubbed');
  const search = a.transactions[0]!;
  search.latencyMs!.p50 = 18;
  const read = structuredClone(search);
  read.name = 'read-person';
  read.latencyMs!.p50 = 3;
  a.transactions.push(read, { ...structuredClone(read), name: 'read-contract' });
  const found = byId('slow-own-time').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => f.transaction), ['hello']);
  assert.equal(found[0]!.evidence.numbers.othersP50Ms, 3);
  search.latencyMs!.p50 = 9;
  assert.equal(byId('slow-own-time').evaluate(ctxOf(a)).length, 0);
});

test('sequential-dependencies: the request takes the sum of its calls, not the longest', async () => {
  const a = await baseAnalysis();
  const calls = (server: number) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [server * 10]),
    monitor('target:grc', 'http_request_duration_seconds_count', [10]),
    ...['legal', 'sales', 'billing', 'customer-service'].flatMap((d) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [0.02 * 10], `dependency=${d}`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=${d}`),
    ]),
  ];
  a.monitor = calls(0.085);
  const [f] = byId('sequential-dependencies').evaluate(ctxOf(a));
  assert.ok(Math.abs(f!.evidence.numbers.callsSumMs! - 80) < 1e-6);
  a.monitor = calls(0.025);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
});

test('sequential-dependencies: per route served, the route\'s requests against its own calls', async () => {
  const a = await baseAnalysis();
  const request = (route: string, ms: number, n: number) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [(ms / 1000) * n], `method=GET,route=${route},status_code=200`),
    monitor('target:grc', 'http_request_duration_seconds_count', [n], `method=GET,route=${route},status_code=200`),
  ];
  const calls = (ms: number) =>
    ['legal', 'sales', 'billing', 'customer-service'].flatMap((d) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [(ms / 1000) * 10], `dependency=${d},method=GET,route=/persons/:id/360,status_code=200`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=${d},method=GET,route=/persons/:id/360,status_code=200`),
    ]);
  // Sequential 360° views (14 ms, four calls of 3 ms) among many fast searches (1 ms) that call nothing:
  // the whole target's mean (≈ 1.6 ms) would hide them.
  a.monitor = [...request('/persons/:id/360', 14, 10), ...request('/persons', 1, 200), ...calls(3)];
  const [f] = byId('sequential-dependencies').evaluate(ctxOf(a));
  assert.equal(f!.params.route, '/persons/:id/360');
  assert.ok(Math.abs(f!.evidence.numbers.serverMeanMs! - 14) < 1e-6);
  assert.match(byId('sequential-dependencies').sentence.en(f!.params), /^target:grc \/persons\/:id\/360: a request takes 14 ms/);
  // The same calls in parallel (the view takes the longest call plus its own time).
  a.monitor = [...request('/persons/:id/360', 5, 10), ...request('/persons', 1, 200), ...calls(3)];
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
});

test('sequential-dependencies: a slow handler whose calls run in parallel saves too little by concurrency to be named', async () => {
  const a = await baseAnalysis();
  const view = (serverMs: number, callMs: number) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [(serverMs / 1000) * 10], 'method=GET,route=/persons/:id/360,status_code=200'),
    monitor('target:grc', 'http_request_duration_seconds_count', [10], 'method=GET,route=/persons/:id/360,status_code=200'),
    ...['legal', 'sales', 'billing', 'customer-service'].flatMap((d) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [(callMs / 1000) * 10], `dependency=${d},route=/persons/:id/360`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=${d},route=/persons/:id/360`),
    ]),
  ];
  // Measured: 150 ms added to the view, four parallel calls of ≈ 19 ms: concurrency would save 57 of 175 ms.
  a.monitor = view(175, 19);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
  // Four sequential 19 ms calls and the same own time: 3 × 19 of 96 ms.
  a.monitor = view(96, 19);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 1);
});

test('sequential-dependencies: calls of about 2 ms each count as much as longer ones; negligible calls and savings do not', async () => {
  const a = await baseAnalysis();
  const view = (serverMs: number, callsMs: number[]) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [(serverMs / 1000) * 10], 'method=GET,route=/persons/:id/360,status_code=200'),
    monitor('target:grc', 'http_request_duration_seconds_count', [10], 'method=GET,route=/persons/:id/360,status_code=200'),
    ...callsMs.flatMap((ms, i) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [(ms / 1000) * 10], `dependency=d${i},route=/persons/:id/360`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=d${i},route=/persons/:id/360`),
    ]),
  ];
  // Measured on the reference target's sequential view: 11 ms, calls of 2.6, 2.1, 1.9 and 2.5 ms.
  a.monitor = view(11, [2.6, 2.1, 1.9, 2.5]);
  const [f] = byId('sequential-dependencies').evaluate(ctxOf(a));
  assert.ok(f, 'named');
  assert.ok(Math.abs(f.evidence.numbers.callsSumMs! - 9.1) < 1e-6, 'all four calls counted');
  // A 0.3 ms lookup beside them (under 5 % of the request) is left out of the sum.
  a.monitor = view(11, [2.6, 2.1, 1.9, 2.5, 0.3]);
  assert.ok(Math.abs(byId('sequential-dependencies').evaluate(ctxOf(a))[0]!.evidence.numbers.callsSumMs! - 9.1) < 1e-6);
  // The same shape ten times faster: concurrency would save 0.65 ms a request, not worth naming.
  a.monitor = view(1.1, [0.26, 0.21, 0.19, 0.25]);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
});

test('latency-floor: every request takes at least a fixed time', async () => {
  const a = await baseAnalysis();
  const l = a.transactions[0]!.latencyMs!;
  Object.assign(l, { min: 1, p50: 30 });
  assert.equal(byId('latency-floor').evaluate(ctxOf(a)).length, 0);
  Object.assign(l, { min: 200, p50: 204 });
  const [f] = byId('latency-floor').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.evidence.numbers.minMs, 200);
});

test('stubs-incomplete: silent without the flag; a caveat with the unmatched count when the campaign flagged the run', async () => {
  const a = await baseAnalysis();
  const rule = byId('stubs-incomplete');
  assert.equal(rule.caveat, true, 'the verdict shows it as a caveat');
  assert.equal(rule.evaluate(ctxOf(a)).length, 0);
  a.runs[0]!.flags = ['influx-backfilled', 'unmatched-stub-requests:17'];
  const stubbed = withPhase(a, 'stubbed');
  const [f, more] = rule.evaluate(ctxOf(stubbed));
  assert.equal(more, undefined, 'one finding per phase');
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.evidence.numbers.unmatchedRequests, 17);
  assert.equal(f!.evidence.chart, 'stubbed-unmatched-stubs');
  const [rec] = runRules(ctxOf(stubbed), [rule]);
  assert.match(rec!.text.en, /^17 request\(s\) to the stubs matched no mapping: .*suspect/);
  assert.match(rec!.text.fr, /^17 requête\(s\) aux bouchons sans correspondance : .*douteux/);
  // Two injectors' run folders of one phase: their counts add up; a malformed flag counts nothing.
  stubbed.runs = [stubbed.runs[0]!, { ...stubbed.runs[0]!, flags: ['unmatched-stub-requests:3', 'unmatched-stub-requests:x'] }];
  assert.equal(rule.evaluate(ctxOf(stubbed))[0]!.evidence.numbers.unmatchedRequests, 20);
});
