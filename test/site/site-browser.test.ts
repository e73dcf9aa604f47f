/**
 * The generated 60 × 20 history as a site, walked in real headless Chromium with the network blocked:
 * every link resolves, no console error, no request leaves file://, names carrying HTML/JS show as text,
 * filters work with and without script, keyboard and print. Screenshots of the home and a service page
 * are left in the temp folder (path printed) for a look. Contrast is measured on the rendered pages: every
 * visible text's computed colour against the background it is painted on (src/site/contrast.ts, WCAG 2.x).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildSite } from '../../src/site/build.js';
import { AA_LARGE_TEXT, AA_TEXT, contrastRatio, parseColour } from '../../src/site/contrast.js';
import { gatesPage, servicePage } from '../../src/site/model.js';
import { EVIL_ENV, EVIL_SERVICE, EVIL_TX, generateHistory, type History } from '../support/site-history.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];
let browser: Browser;
let dir: string;
let h: History;
let site: string;
const KEEP = process.env.PERFCELL_KEEP_SITE === '1';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfcell-site-browser-'));
  h = generateHistory({ dir, services: 60, iterations: 20, awkward: true });
  site = join(dir, 'site');
  const r = await buildSite({ reportsDir: h.reportsDir, outDir: site, store: h.store, configFile: h.configFile });
  assert.equal(r.services, 61);
  assert.equal(r.iterations, 60 * 20 + 3 + 2);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  if (KEEP) process.stderr.write(`site kept in ${site}\n`);
  else rmSync(dir, { recursive: true, force: true });
});

function watch(page: Page, problems: string[], requests: string[]) {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`${page.url()}: dialog ${d.message()}`);
    void d.dismiss();
  });
  return page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith('file://') ? route.continue() : route.abort();
  });
}

test('every page of the 60 × 20 site: links resolve, no console error, nothing leaves file://, no injected element', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  await watch(page, problems, requests);
  const queue = [pathToFileURL(join(site, 'index.html')).href];
  const seen = new Set(queue);
  const outside = new Set<string>();
  let visited = 0;
  while (queue.length) {
    const url = queue.shift() as string;
    const resp = await page.goto(url, { waitUntil: 'load' });
    assert.ok(resp === null || resp.ok(), `${url} loads`);
    visited++;
    const { hrefs, ids, injected, scripts } = await page.evaluate(() => ({
      hrefs: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).getAttribute('href') as string),
      ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
      injected: document.querySelectorAll('img, iframe, object, embed, svg [onload], [onerror]').length,
      scripts: document.querySelectorAll('script').length,
    }));
    assert.equal(injected, 0, `${url}: no element from a name`);
    assert.ok(scripts <= 1, `${url}: only the site's own script`);
    for (const href of hrefs) {
      if (href.startsWith('#')) {
        assert.ok(ids.includes(href.slice(1)), `${url}: anchor ${href}`);
        continue;
      }
      const target = new URL(href, url);
      assert.equal(target.protocol, 'file:', `${url}: ${href} stays local`);
      target.hash = '';
      const path = fileURLToPath(target);
      assert.ok(existsSync(path), `${url}: link ${href} → ${path} exists`);
      if (dirname(path) === site && path.endsWith('.html')) {
        if (!seen.has(target.href)) {
          seen.add(target.href);
          queue.push(target.href);
        }
      } else outside.add(path);
    }
  }
  assert.equal(visited, 1 + 61 * 3 + 24 + 1 + 1, 'home, 3 pages per service, 24 registry environments + the evil one, the index');
  assert.ok(outside.size >= 60 * 20, `${outside.size} links to reports and gate summaries`);
  // A sample of the links into the reports folder open too.
  for (const p of [...outside].slice(0, 5)) await page.goto(pathToFileURL(p).href);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  await page.close();
});

test('home: names with HTML/JS show as text; verdict filter works without script, search with it; keyboard reaches the skip link; print hides the filters', async () => {
  const home = pathToFileURL(join(site, 'index.html')).href;
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const p1 = await noJs.newPage();
  await p1.goto(home);
  const visible = async (p: Page) => p.$$eval('tr[data-svc]', (rows) => rows.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => r.getAttribute('data-verdict')));
  assert.equal((await visible(p1)).length, 61);
  assert.equal(await p1.isVisible('#q'), false, 'no dead search box without script');
  await p1.selectOption('#f-verdict', 'no-go');
  const noGo = await visible(p1);
  assert.ok(noGo.length > 0 && noGo.every((v) => v === 'no-go'), `only no-go rows: ${noGo.join(',')}`);
  await p1.selectOption('#f-verdict', 'not-analysed');
  assert.deepEqual(await visible(p1), ['not-analysed'], 'the service whose last iteration is unreadable');
  await p1.selectOption('#f-verdict', '');
  await p1.selectOption('#f-env', { label: 'env-003' });
  assert.deepEqual(await p1.$$eval('tr[data-svc]', (rows) => rows.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => r.querySelector('th a')?.textContent)), ['svc-03-portal', 'svc-27-claims', 'svc-51-billing']);
  await noJs.close();

  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  await watch(page, problems, []);
  await page.goto(home);
  const body = (await page.textContent('body')) ?? '';
  for (const s of [EVIL_SERVICE, EVIL_ENV, '<i>team</i>']) assert.ok(body.includes(s), `${s} shown as text`);
  await page.fill('#q', 'svc-1');
  const names = await page.$$eval('tr[data-svc]', (rows) => rows.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => r.querySelector('th a')?.textContent ?? ''));
  assert.equal(names.length, 10);
  assert.ok(names.every((n) => n.startsWith('svc-1')));
  // Keyboard: from a fresh load, the first Tab reaches the skip link.
  await page.goto(home);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
  await page.screenshot({ path: join(dir, 'home.png') });
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('.filters'), false);
  await page.emulateMedia({ media: 'screen' });
  // A service page: trends drawn, the SLO line labelled, iterations linked to their reports.
  await page.goto(pathToFileURL(join(site, servicePage('svc-03-portal'))).href);
  const charts = await page.$$eval('svg.chart', (s) => s.map((x) => (x as SVGSVGElement).getBBox().width));
  assert.ok(charts.length >= 3 * 6 * 2, `${charts.length} charts`);
  assert.ok(charts.every((w) => w > 100));
  assert.ok((await page.$$('svg.chart path.line')).length >= 3 * 6 * 3);
  const refs = await page.$$eval('svg.chart .ref-label', (t) => t.map((x) => x.textContent ?? ''));
  assert.ok(refs.some((r) => /^SLO p95 \d+ ms$/.test(r)), refs.join(' | '));
  assert.ok(refs.includes('required 30 %'), 'the capacity chart\'s required headroom');
  assert.equal(await page.$$eval('a', (as) => as.filter((a) => /report #\d+/.test(a.textContent ?? '')).length), 20);
  await page.screenshot({ path: join(dir, 'service.png'), fullPage: false });
  await page.evaluate(() => document.getElementById('trends')?.scrollIntoView());
  await page.screenshot({ path: join(dir, 'service-trends.png') });
  const evil = pathToFileURL(join(site, servicePage(EVIL_SERVICE))).href;
  await page.goto(evil);
  assert.equal(await page.textContent('h1'), EVIL_SERVICE);
  assert.ok(((await page.textContent('body')) ?? '').includes(EVIL_TX));
  assert.deepEqual(problems, []);
  process.stderr.write(`screenshots: ${join(dir, 'home.png')} ${join(dir, 'service.png')} ${join(dir, 'service-trends.png')}\n`);
  await page.close();
});

/** Every visible text's rendered colour and the background under it (ancestors' backgrounds composited, the canvas white). */
function renderedTextColours(page: Page) {
  return page.evaluate(() => {
    const parse = (t: string) => {
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(t);
      return m ? { r: Number(m[1]), g: Number(m[2]), b: Number(m[3]), a: m[4] === undefined ? 1 : Number(m[4]) } : { r: 0, g: 0, b: 0, a: 0 };
    };
    const background = (el: Element | null) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg.a > 0) layers.push(bg);
        if (bg.a >= 1) break;
      }
      let c = { r: 255, g: 255, b: 255, a: 1 };
      for (const l of layers.reverse()) c = { r: l.r * l.a + c.r * (1 - l.a), g: l.g * l.a + c.g * (1 - l.a), b: l.b * l.a + c.b * (1 - l.a), a: 1 };
      return `rgb(${c.r}, ${c.g}, ${c.b})`;
    };
    const out = new Map<string, { fg: string; bg: string; px: number; bold: boolean; text: string }>();
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim();
      if (!own || el.getClientRects().length === 0 || el.closest('.skip')) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden') continue;
      const fg = el instanceof SVGElement ? st.fill : st.color;
      const px = parseFloat(st.fontSize);
      const bold = Number(st.fontWeight) >= 700;
      const bg = background(el instanceof SVGElement ? el.closest('svg')?.parentElement ?? null : el);
      const key = `${fg}|${bg}|${px}|${bold}`;
      if (!out.has(key)) out.set(key, { fg, bg, px, bold, text: `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}: ${own.slice(0, 30)}` });
    }
    return [...out.values()];
  });
}

test('contrast, measured on the rendered home, a service page and a gate history: every visible text ≥ 4.5:1 (large text 3:1)', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  // tsx (esbuild's keepNames) wraps the named functions of renderedTextColours in __name(): give the page one.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const low: string[] = [];
  let measured = 0;
  for (const file of ['index.html', servicePage('svc-03-portal'), gatesPage('svc-03-portal')]) {
    await page.goto(pathToFileURL(join(site, file)).href);
    for (const t of await renderedTextColours(page)) {
      const fg = parseColour(t.fg);
      const bg = parseColour(t.bg);
      assert.ok(fg && bg, `${file}: ${t.text}: colours ${t.fg} on ${t.bg}`);
      // WCAG's large text: 18 pt (24 px), or 14 pt (18.66 px) bold.
      const need = t.px >= 24 || (t.bold && t.px >= 18.66) ? AA_LARGE_TEXT : AA_TEXT;
      const ratio = contrastRatio(fg, bg);
      measured++;
      if (ratio < need) low.push(`${file}: ${t.text} — ${t.fg} on ${t.bg}: ${ratio.toFixed(2)}:1 < ${need}:1`);
    }
  }
  assert.ok(measured >= 15, `${measured} colour pairs measured`);
  assert.deepEqual(low, []);
  await page.close();
});
