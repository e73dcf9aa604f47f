/** The report in real headless Chromium, network blocked: renders, charts present, no console error, names escaped. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { capacityOf } from '../../src/analysis/capacity.js';
import { renderHtml } from '../../src/report/render.js';
import { assemble } from '../../src/report/report-data.js';
import { writeReport } from '../../src/report/write.js';
import { EVIL_CHECK, EVIL_SERVICE, EVIL_TX, EVIL_VERSION, evilRunCopy } from './evil-run.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];
let browser: Browser;

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => {
  await browser.close();
});

async function open(path: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith('file://') ? route.continue() : route.abort();
  });
  const t0 = performance.now();
  await page.goto(`file://${path}`, { waitUntil: 'load' });
  const loadMs = performance.now() - t0;
  return { page, problems, requests, loadMs };
}

test('iteration report: verdict first, SLO table, phases, recommendations, charts, comparison, traceability; nothing fetched', async () => {
  const { files } = await writeReport('test/fixtures/runs/basic-app/iteration-2', { out: `${evilRunCopy()}/../iter-report`, now: () => new Date('2026-11-25T12:00:00Z') });
  const { page, problems, requests, loadMs } = await open(files.html);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  const ids = await page.$$eval('section[id]', (s) => s.map((x) => x.id));
  assert.equal(ids[0], 'verdict');
  for (const id of ['slos', 'phases-compared', 'recommendations', 'phase-stubbed', 'phase-unstubbed', 'comparison', 'traceability']) assert.ok(ids.includes(id), id);
  assert.match(await page.textContent('#verdict') ?? '', /NO-GO/);
  const charts = await page.$$eval('figure svg.chart', (s) => s.map((x) => (x as SVGSVGElement).getBBox().width));
  assert.ok(charts.length >= 9, `${charts.length} charts`);
  assert.ok(charts.every((w) => w > 100), 'every chart has a drawn size');
  assert.ok((await page.$$('svg.chart path.line')).length >= 10);
  // Every recommendation's evidence link points at an element of the report.
  const targets = await page.$$eval('.rec a[href^="#"]', (as) => as.map((a) => a.getAttribute('href')!.slice(1)));
  assert.ok(targets.length > 0);
  for (const id of targets) assert.ok(await page.$(`[id="${id}"]`), `anchor #${id}`);
  assert.match(await page.textContent('#traceability') ?? '', /v2\.2\.0/);
  assert.ok(loadMs < 5000);
  await page.close();
});

test('strings from models and targets show as text, never as markup (en and fr)', async () => {
  const run = evilRunCopy();
  for (const lang of ['en', 'fr'] as const) {
    const { files } = await writeReport(run, { lang, out: `${run}/report-${lang}` });
    const { page, problems } = await open(files.html);
    assert.deepEqual(problems, [], lang);
    assert.equal(await page.$$eval('img, iframe, script', (x) => x.length), 0, 'no element injected');
    assert.equal(await page.$$eval('svg [onload]', (x) => x.length), 0);
    const text = (await page.textContent('body')) ?? '';
    for (const s of [EVIL_TX, EVIL_SERVICE, EVIL_CHECK]) assert.ok(text.includes(s), `${s} shown as text`);
    assert.ok(text.includes(EVIL_VERSION.slice(2)), 'target version shown as text');
    const resultRows = await page.$$eval('section.phase tbody tr', (rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
    assert.ok(resultRows.some((r) => r[0] === EVIL_TX && r[1] === '25'), 'the injected name carries its 25 requests');
    // The transaction's own chart exists (its id is a safe slug of the name) and its legend shows the name.
    assert.ok(await page.$$eval('figcaption', (f) => f.some((x) => x.textContent?.includes('<img src=x onerror=alert(1)>'))));
    assert.match((await page.textContent('#recommendations')) ?? '', lang === 'fr' ? /Préconisations/ : /Recommendations/);
    assert.ok(statSync(files.html).size < 1_500_000);
    await page.close();
  }
});

test('a phase with requests no stub matched: a caveat in the verdict, a block in the phase listing them, markup in URLs shown as text (en and fr)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'perfcell-unmatched-report-'));
  for (const lang of ['en', 'fr'] as const) {
    const { files } = await writeReport('test/fixtures/runs/unmatched-stubs/iteration-1', { lang, out: join(out, lang) });
    const { page, problems, requests } = await open(files.html);
    assert.deepEqual(problems, [], lang);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
    assert.equal(await page.$$eval('img, iframe, script', (x) => x.length), 0, 'no element injected');
    // The verdict area: the caveat and its link to the phase's block.
    const caveats = await page.$$eval('#verdict .caveats li', (li) => li.map((x) => ({ text: x.textContent ?? '', href: x.querySelector('a')?.getAttribute('href') })));
    assert.equal(caveats.length, 1);
    assert.match(caveats[0]!.text, lang === 'en' ? /^stubbed: 23 request\(s\) to the stubs matched no mapping/ : /^bouchonné : 23 requête\(s\) aux bouchons/);
    assert.equal(caveats[0]!.href, '#stubbed-unmatched-stubs');
    assert.ok(await page.$('section#phase-stubbed > #stubbed-unmatched-stubs.stubs-unmatched'), 'the block sits in the phase\'s results');
    assert.ok(await page.$('.rec a[href="#stubbed-unmatched-stubs"]'), 'the stubs-incomplete recommendation links to it');
    // One table per stub server: billing capped at 10 rows plus "and 2 more", crm's two calls with their markup as text.
    const tables = await page.$$eval('#stubbed-unmatched-stubs table.unmatched tbody', (bodies) => bodies.map((b) => Array.from((b as HTMLTableSectionElement).rows, (r) => Array.from(r.cells, (c) => c.textContent))));
    assert.equal(tables.length, 2);
    assert.equal(tables[0]!.length, 10);
    assert.deepEqual(tables[0]![0], ['GET', '/api/v1/invoices/42/lines', '× 7']);
    assert.deepEqual(tables[0]![2], ['GET', '/api/v1/accounts/1', '']);
    assert.deepEqual(tables[1], [['GET', '/x?<img src=x onerror=alert(1)>', '× 2'], ['DELETE', '/contacts/"><script>alert(5)</script>', '']]);
    const headings = await page.$$eval('#stubbed-unmatched-stubs h3', (h) => h.map((x) => x.textContent));
    assert.deepEqual(headings, lang === 'en'
      ? ['Stub server billing (http://127.0.0.1:18081): 20 of 140 request(s) matched no mapping', 'Stub server crm (http://127.0.0.1:18082): 3 of 30 request(s) matched no mapping']
      : ['Serveur de bouchons billing (http://127.0.0.1:18081) : 20 requête(s) sur 140 sans correspondance', 'Serveur de bouchons crm (http://127.0.0.1:18082) : 3 requête(s) sur 30 sans correspondance']);
    assert.deepEqual(await page.$$eval('#stubbed-unmatched-stubs p.more', (p) => p.map((x) => x.textContent)), [lang === 'en' ? 'and 2 more (2 request(s))' : 'et 2 autre(s) (2 requête(s))']);
    await page.close();
  }
});

test('capacity, Web Vitals and server-resource charts render when the run has them', async () => {
  const a = await analyzeRun('test/fixtures/runs/basic-smoke');
  const t0 = a.startMs;
  const step = (m: number, achieved: number, p95: number) => ({ multiplier: m, offeredPerSec: 10 * m, achievedPerSec: achieved, dropped: 0, p95Ms: p95, errorRate: 0, concurrency: (achieved * p95) / 1000, fromMs: 0, toMs: 60_000 });
  a.capacity = [capacityOf('hello', [step(0.5, 5, 10), step(1, 10, 12), step(2, 19, 30), step(4, 24, 400)], 10, 100, 0.3)];
  a.webVitals = [{ metric: 'lcp', count: 20, p75: 2100, p95: 2600, unit: 'ms' }, { metric: 'cls', count: 20, p75: 0.05, p95: 0.09, unit: '' }];
  const points = (f: (i: number) => number) => Array.from({ length: 5 }, (_, i) => ({ t: t0 + i * 1000, v: f(i) }));
  a.monitor = [
    { source: 'target:app', metric: 'process_cpu_seconds_total', labels: '', points: points((i) => 0.2 + i / 10) },
    { source: 'target:app', metric: 'process_resident_memory_bytes', labels: '', points: points((i) => (100 + i) * 1048576) },
    { source: 'target:app', metric: 'nodejs_eventloop_lag_p99_seconds', labels: '', points: points(() => 0.012) },
    { source: 'injector', metric: 'injector_cpu_percent', labels: 'process=k6', points: points(() => 35) },
  ];
  const data = assemble({ kind: 'run', dir: 'x', iteration: 1, phases: [a], previous: null, campaign: null, generatedAt: '2026-11-25T12:00:00Z' });
  const file = join(mkdtempSync(join(tmpdir(), 'perfcell-charts-')), 'report.html');
  writeFileSync(file, renderHtml(data, 'fr'));
  const { page, problems } = await open(file);
  assert.deepEqual(problems, []);
  assert.equal((await page.$$('#unstubbed-capacity-hello svg.chart path.line')).length, 2, 'offered and achieved');
  assert.equal((await page.$$('#unstubbed-vitals svg.chart rect')).length >= 4, true);
  assert.equal((await page.$$('#unstubbed-server svg.chart')).length, 3, 'CPU, memory, event-loop lag');
  assert.match((await page.textContent('#unstubbed-server')) ?? '', /k6/);
  assert.match((await page.textContent('#recommendations')) ?? '', /hello : tient 20\/s au plus/);
  await page.close();
});
