// `perfcell scenario import --har`: a session recorded from the reference front with Playwright and Debian's
// Chromium becomes a scenario that passes type-check and lint and replays with k6 against the reference
// target with 0 errors; a hand-written HAR of a target perfcell never saw (shop.har: Firefox, two pages)
// gets its token, CSRF header, order id and amount correlated; malformed HARs give one clear line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startSut, type RunningSut } from '../../sut/start.js';
import { seedSut } from '../../sut/seed.js';
import { personAt } from '../../sut/lib/french-data.js';
import { NO_TRAPS } from '../../sut/lib/traps.js';
import { ANY_PORTS } from '../../sut/test/support.js';
import { harFromJson, readHar } from '../../src/api-contract/har.js';
import { planImport, looksDynamic } from '../../src/api-contract/har-plan.js';
import { importScenario } from '../../src/api-contract/import-scenario.js';
import { loadModel } from '../../src/model/load.js';
import { PerfcellError } from '../../src/errors.js';
import { REPO, runCli } from '../support/cli.js';

// Inside the repository, so that eslint's flat config and tsc's type roots apply as to scenarios/.
const dir = join(REPO, `har-test-${process.pid}`);
const SHOP = 'test/fixtures/api-contract/shop.har';
/** The recording's user pauses: above THINK_TIME_MIN_MS, so each becomes a sleep of about this. */
const PAUSE_MS = 600;
let sut: RunningSut;
let recorded: string;

before(async () => {
  mkdirSync(join(dir, 'load-models'), { recursive: true });
  mkdirSync(join(dir, 'scenarios', 'grc'), { recursive: true });
  mkdirSync(join(dir, 'scenarios', 'shop'), { recursive: true });
  copyFileSync(join(REPO, 'scenarios/grc/person.ts'), join(dir, 'scenarios/grc/person.ts'));
  sut = await startSut({ ports: ANY_PORTS, traps: NO_TRAPS });
  await seedSut(sut.urls, { persons: 60, seed: 'har', dataDir: join(dir, 'data') });
  // The operator's visit, recorded as a user of perfcell would: Playwright's recordHar on the context.
  recorded = join(dir, 'operator-visit.har');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'] });
  try {
    const context = await browser.newContext({ recordHar: { path: recorded } });
    const page = await context.newPage();
    const p = personAt('har', 3);
    await page.goto(sut.urls.front as string);
    await page.getByTestId('search-input').fill(`${p.lastName} ${p.firstName}`);
    await page.waitForTimeout(PAUSE_MS);
    await page.getByTestId('search-submit').click();
    await page.locator('[data-testid="search-status"][data-state="ready"]').waitFor();
    await page.waitForTimeout(PAUSE_MS);
    await page.locator(`[data-testid="open-360"][data-person-id="${p.id}"]`).click();
    await page.locator('[data-testid="person-360"][data-state="ready"]').waitFor();
    await page.getByTestId('call-actions').fill('Renseignement donné sur les garanties.');
    await page.waitForTimeout(PAUSE_MS);
    await page.getByTestId('call-submit').click();
    await page.locator('[data-testid="call-result"][data-state="saved"]').waitFor();
    await context.close(); // writes the HAR
  } finally {
    await browser.close();
  }
});
after(async () => {
  await sut?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('an unseen target (shop.har): token, CSRF header, order id and amount correlated; assets, third parties and preflight dropped', () => {
  const plan = planImport(readHar(SHOP), { knownTargets: [] });
  assert.deepEqual([...plan.targets], [['shop', 'https://www.shop.example'], ['api', 'https://api.shop.example']]);
  assert.deepEqual(plan.newTargets, ['shop', 'api']);
  assert.deepEqual(plan.pages.map((p) => [p.title, p.requests.map((r) => `${r.thinkBefore ? `sleep ${r.thinkBefore} · ` : ''}${r.name} ${r.status}`)]), [
    ['Shop — home', ['GET / 200', 'sleep 1.7 · POST /v1/login 200', 'sleep 1.6 · POST /v1/orders 201']],
    ['Shop — your order', ['sleep 2.1 · GET /orders/{orderId} 200', 'GET /v1/orders/{orderId} 200', 'sleep 1.4 · POST /v1/orders/{orderId}/payment 202']],
  ]);
  assert.deepEqual(plan.correlations.map((c) => `${c.variable} ← ${c.source} ${c.selector} ×${c.uses}`), [
    'accessToken ← POST /v1/login accessToken ×3',
    'xCsrfToken ← POST /v1/login header X-Csrf-Token ×2',
    'orderId ← POST /v1/orders orderId ×4',
    'total ← GET /v1/orders/{orderId} total ×1',
  ]);
  assert.deepEqual(plan.dropped.map((d) => `${d.reason} ${d.method} ${d.url}`), [
    'static asset GET https://www.shop.example/static/app.3f2a.js',
    'static asset GET https://www.shop.example/static/site.css',
    'third-party host GET https://fonts.gstatic.example/s/inter.woff2',
    'third-party host POST https://analytics.tracker.example/collect?v=2&tid=G-1',
    'CORS preflight OPTIONS https://api.shop.example/v1/login',
    'static asset GET https://www.shop.example/static/app.3f2a.js',
  ]);
  // What is typed or constant is not correlated: counts, dates, words; what a server generates is.
  assert.deepEqual(['20', 'pending', '2026-11-20', 'BK-1942', 20, 'ord_8f3a2c91', 5400, '0b7e4b1e-5c1a-4b8e-9a56-0d7d2b4c1a2f'].map((v) => looksDynamic(v)), [false, false, false, true, false, true, true, true]);
});

test('imported into a model: its targets name the hosts (base path included), the transaction is added, comments kept', () => {
  writeFileSync(join(dir, 'scenarios/shop/browse.ts'), "import http from 'k6/http';\nimport { target } from 'perfcell/k6';\n\nexport function browse(): void {\n  http.get(`${target('web')}/`);\n}\n");
  const model = join(dir, 'load-models', 'shop.yaml');
  writeFileSync(
    model,
    `# The shop, a target perfcell never saw: comments survive the import.
service: shop
environments:
  staging: { loadTesting: allowed, targets: { api: "https://api.shop.example/v1", web: "https://www.shop.example" } }
transactions:
  - { name: browse, scenario: scenarios/shop/browse.ts#browse, peakPerHour: 100, targets: [web] }
profiles:
  smoke: { duration: 10s }
`,
  );
  const r = importScenario({ har: SHOP, model, name: 'buy-a-book' });
  assert.equal(r.file, join(dir, 'scenarios/shop/buy-a-book.ts'));
  assert.match(r.messages.join('\n'), /correlated accessToken: read from POST \/v1\/login \(accessToken\), used 3 time\(s\)/);
  assert.match(r.messages.join('\n'), /dropped \(third-party host\): GET https:\/\/fonts\.gstatic\.example\/s\/inter\.woff2, POST https:\/\/analytics\.tracker\.example/);
  assert.doesNotMatch(r.messages.join('\n'), /note: target/);
  const code = readFileSync(r.file, 'utf8');
  assert.match(code, /^\/\/ Recorded with Firefox 140\.0 on 2026-11-20 and imported by `perfcell scenario import --har shop\.har`;/);
  assert.match(code, /^import \{ check, sleep \} from 'k6';$/m);
  assert.match(code, /export function buyABook\(\): void \{\n {2}\/\/ Page 1: Shop — home \(https:\/\/www\.shop\.example\/\)\n {2}let res = http\.get\(`\$\{target\('web'\)\}\/`, named\('GET \/'\)\);/);
  assert.match(code, /sleep\(1\.7\);\n {2}res = http\.post\(`\$\{target\('api'\)\}\/login`, JSON\.stringify\(\{\n {4}email: 'ann@example\.com',\n {4}password: 'correct horse',\n {2}\}\), named\('POST \/v1\/login', \{ headers: \{ 'content-type': 'application\/json' \} \}\)\);/);
  assert.match(code, /const accessToken = String\(res\.json\('accessToken'\)\);\n {2}const xCsrfToken = String\(res\.headers\['X-Csrf-Token'\]\);/);
  assert.match(code, /authorization: `Bearer \$\{accessToken\}`, 'x-csrf-token': xCsrfToken/);
  assert.match(code, /res = http\.get\(`\$\{target\('web'\)\}\/orders\/\$\{orderId\}`, named\('GET \/orders\/\{orderId\}'\)\);/);
  assert.match(code, /`\$\{target\('api'\)\}\/orders\/\$\{orderId\}\?expand=items`/);
  assert.match(code, /const total = Number\(res\.json\('total'\)\);/);
  assert.match(code, /orderId: orderId,\n {4}method: 'card',\n {4}amount: total,/);
  assert.match(code, /'POST \/v1\/orders\/\{orderId\}\/payment 202': \(r\) => r\.status === 202/);
  const loaded = loadModel(model);
  assert.deepEqual(loaded.model.transactions.map((t) => [t.name, t.scenario, t.peakPerHour, t.targets?.join()]), [
    ['browse', 'scenarios/shop/browse.ts#browse', 100, 'web'],
    ['buy-a-book', 'scenarios/shop/buy-a-book.ts#buyABook', 1, 'web,api'],
  ]);
  assert.match(readFileSync(model, 'utf8'), /^# The shop, a target perfcell never saw/);
  assert.throws(() => importScenario({ har: SHOP, model, name: 'buy-a-book' }), /transactions: a new transaction name \("buy-a-book" is already there; give --name\)/);
});

test('malformed HARs: one line naming the file, the field and what was expected', () => {
  const message = (doc: unknown): string => {
    try {
      harFromJson('x.har', doc);
    } catch (e) {
      assert.ok(e instanceof PerfcellError);
      assert.ok(!e.message.includes('\n'));
      return e.message;
    }
    return 'no error';
  };
  const entry = { startedDateTime: '2026-11-20T09:00:00Z', time: 5, request: { method: 'GET', url: 'https://a.example/', headers: [] }, response: { status: 200, headers: [], content: {} } };
  assert.equal(message([]), 'x.har: log: a HAR document: an object with a "log" object (HTTP Archive 1.2)');
  assert.equal(message({ log: {} }), 'x.har: log.entries: a list of recorded requests');
  assert.equal(message({ log: { entries: [entry, { ...entry, request: { ...entry.request, url: '/relative' } }] } }), 'x.har: log.entries[1].request.url: an absolute URL (found "/relative")');
  assert.equal(message({ log: { entries: [{ ...entry, startedDateTime: 'yesterday' }] } }), 'x.har: log.entries[0].startedDateTime: an ISO 8601 date (found "yesterday")');
  assert.equal(message({ log: { entries: [{ ...entry, response: { ...entry.response, status: '200' } }] } }), 'x.har: log.entries[0].response.status: a number (found "200")');
  assert.equal(message({ log: { entries: [{ ...entry, request: { ...entry.request, headers: [{ name: 'a' }] } }] } }), 'x.har: log.entries[0].request.headers[0]: a { name, value } object with two strings');
  const notJson = join(dir, 'broken.har');
  writeFileSync(notJson, '{"log": {"entries": [');
  assert.throws(() => readHar(notJson), (e: Error) => e.message.startsWith(`${notJson}: (root): a HAR file in JSON (`) && !e.message.includes('\n'));
  assert.throws(() => importScenario({ har: join(dir, 'nope.har') }), /nope\.har: \(root\): a HAR file \(the file does not exist\)$/);
  // Nothing of the application's in it: said, not written.
  writeFileSync(join(dir, 'assets.har'), JSON.stringify({ log: { entries: [{ ...entry, request: { ...entry.request, url: 'https://a.example/app.js' } }] } }));
  assert.throws(() => importScenario({ har: join(dir, 'assets.har'), file: join(dir, 'x.ts') }), /assets\.har: log\.entries: at least one request to the application \(1 recorded, dropped: 1 static asset\)/);
});

test('the reference front recorded with Chromium: imported, type-checked, linted, replayed by k6 with 0 errors', { timeout: 120_000 }, async (t) => {
  const model = join(dir, 'load-models', 'front.yaml');
  writeFileSync(
    model,
    `service: lae-front
environments:
  local: { loadTesting: allowed, targets: { front: "${sut.urls.front as string}", grc: "${sut.urls.grc as string}" } }
data: { persons: data/persons.csv }
transactions:
  - { name: read-person, scenario: scenarios/grc/person.ts#readPerson, peakPerHour: 3600, expectedResponseMs: 50, targets: [grc] }
profiles:
  smoke: { multiplier: 1, duration: 2s }
`,
  );
  const imported = await runCli(['scenario', 'import', '--har', recorded, '--model', model]);
  assert.equal(imported.code, 0, imported.stderr);
  const out = imported.stdout;
  assert.match(out, /wrote .*scenarios\/lae-front\/operator-visit\.ts#operatorVisit: 1 page\(s\), 4 request\(s\) to front, grc/);
  assert.match(out, /correlated personId: read from GET \/persons \(items\.\d+\.id\), used 2 time\(s\)/);
  for (const asset of ['style.css', 'config.js', 'app.js']) assert.match(out, new RegExp(`dropped \\(static asset\\): .*GET http://127\\.0\\.0\\.1:\\d+/${asset.replace('.', '\\.')}`));
  assert.match(out, /added transaction operator-visit to .*front\.yaml \(peakPerHour: 1, a placeholder\)/);
  const file = join(dir, 'scenarios/lae-front/operator-visit.ts');
  const code = readFileSync(file, 'utf8');
  assert.match(code, /^\/\/ Recorded with Playwright \S+ on \d{4}-\d\d-\d\d and imported by `perfcell scenario import --har operator-visit\.har`;/);
  assert.match(code, /\/\/ Page 1: (LAE · Service Client \()?http:\/\/127\.0\.0\.1:\d+\/\)?\n {2}let res = http\.get\(`\$\{target\('front'\)\}\/`, named\('GET \/'\)\);/);
  assert.match(code, /res = http\.get\(`\$\{target\('grc'\)\}\/persons\?q=\S+&limit=20`, named\('GET \/persons', \{ headers: \{ 'x-role': 'customer-service' \} \}\)\);/);
  assert.match(code, /const personId = String\(res\.json\('items\.\d+\.id'\)\);/);
  assert.match(code, /res = http\.get\(`\$\{target\('grc'\)\}\/persons\/\$\{personId\}\/360`, named\('GET \/persons\/\{personId\}\/360'/);
  assert.match(code, /res = http\.post\(`\$\{target\('grc'\)\}\/persons\/\$\{personId\}\/calls`, JSON\.stringify\(\{\n {4}reason: /);
  assert.match(code, /'POST \/persons\/\{personId\}\/calls 201': \(r\) => r\.status === 201/);
  const sleeps = [...code.matchAll(/sleep\(([\d.]+)\);/g)].map((m) => Number(m[1]));
  assert.equal(sleeps.length, 3, code);
  for (const s of sleeps) assert.ok(s >= PAUSE_MS / 1000 - 0.05 && s < 2, `think time ${s} s for a ${PAUSE_MS} ms pause`);

  // The project's own checks, on both generated files.
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({ extends: '../tsconfig.scenarios.json', compilerOptions: { baseUrl: '..' }, include: ['scenarios/**/*.ts', '../src/scenario/k6-api.ts'] }));
  const npx = (args: string[]) => execFileSync('npx', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  npx(['tsc', '-p', tsconfig]);
  npx(['eslint', '--max-warnings', '0', file, join(dir, 'scenarios/shop/buy-a-book.ts')]);

  // The user replaces the placeholder volume, then runs the model: k6 replays the visit.
  writeFileSync(model, readFileSync(model, 'utf8').replace(/peakPerHour: 1 # placeholder.*/, 'peakPerHour: 3600'));
  const runDir = join(dir, 'run');
  const run = await runCli(['run', model, '-p', 'smoke', '-q', '--no-influx', '--no-monitor', '-o', runDir]);
  assert.ok(existsSync(join(runDir, 'summary.json')), run.stderr);
  const metrics = (JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { metrics: Record<string, { passes?: number; fails?: number; count?: number; value?: number }> }).metrics;
  const visits = metrics['http_reqs{transaction:operator-visit}']?.count ?? 0;
  assert.ok(visits >= 4, `${visits} requests of the imported transaction`);
  assert.equal(metrics['http_req_failed{transaction:operator-visit}']?.passes, 0, 'failed requests');
  assert.equal(metrics.checks?.fails, 0, readFileSync(join(runDir, 'k6.log'), 'utf8').slice(-2000));
  assert.ok((metrics.checks?.passes ?? 0) >= visits, 'each request checked');
  t.diagnostic(`replay: ${visits} requests of the imported visit, ${metrics.checks?.passes ?? 0} checks passed, 0 failed; think times ${sleeps.join(', ')} s`);
});
