/** The report in real headless Chromium, network blocked: renders, charts present, no console error, names escaped. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
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
