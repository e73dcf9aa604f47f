/**
 * The WCAG 2.x contrast ratio (src/site/contrast.ts) against published reference values, then the site's own
 * colour pairs read from its stylesheet (src/site/templates/site.css): every text colour on every background
 * it is drawn on reaches 4.5:1. The browser test measures the rendered pages the same way.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AA_TEXT, contrastRatio, parseColour, type Rgba } from '../../src/site/contrast.js';

const c = (text: string): Rgba => {
  const v = parseColour(text);
  assert.ok(v, `a colour: ${text}`);
  return v;
};

test('contrast ratio: the WCAG reference values', () => {
  assert.equal(contrastRatio(c('#000'), c('#fff')), 21);
  assert.equal(contrastRatio(c('#fff'), c('#fff')), 1);
  // #767676 on white is the usual "lightest grey that passes" (4.54:1); #777 fails (4.48:1).
  assert.equal(contrastRatio(c('#767676'), c('#ffffff')).toFixed(2), '4.54');
  assert.equal(contrastRatio(c('#777'), c('#fff')).toFixed(2), '4.48');
  assert.equal(contrastRatio(c('rgb(255, 255, 255)'), c('#000')), contrastRatio(c('#000'), c('rgb(255,255,255)')), 'symmetric');
  // Half-transparent black over white is mid grey (#808080 ≈ 3.95:1).
  assert.equal(contrastRatio(c('rgba(0, 0, 0, 0.5)'), c('#fff')).toFixed(2), contrastRatio(c('rgb(127.5, 127.5, 127.5)'), c('#fff')).toFixed(2));
  assert.deepEqual(parseColour('transparent'), { r: 0, g: 0, b: 0, a: 0 });
  assert.equal(parseColour('red'), null);
});

test("the site's stylesheet: every text colour on its backgrounds ≥ 4.5:1", () => {
  const css = readFileSync(new URL('../../src/site/templates/site.css', import.meta.url), 'utf8');
  const vars = Object.fromEntries([...css.matchAll(/(--[a-z-]+):\s*(#[0-9a-f]{3,6})/gi)].map((m) => [m[1] as string, m[2] as string]));
  const rule = (selector: string, prop: string): string => {
    const m = new RegExp(`(?:^|[}\\s])${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\{([^}]*)\\}`, 'm').exec(css);
    assert.ok(m, `rule ${selector}`);
    const v = new RegExp(`(?:^|;|\\s)${prop}:\\s*([^;]+);`).exec(m[1] as string)?.[1]?.trim();
    assert.ok(v, `${selector} { ${prop} }`);
    return v.replace(/var\((--[a-z-]+)\)/, (_, name: string) => vars[name] as string);
  };
  const page = rule('body', 'background');
  const text = rule('body', 'color');
  const header = rule('th', 'background');
  const problems = rule('.problems', 'background');
  const link = rule('a', 'color');
  const pairs: [string, string, string][] = [
    ['body text', text, page], ['body text in a table header', text, header], ['body text in the problems box', text, problems],
    ['link', link, page], ['link in a table header', link, header], ['link in the problems box', link, problems],
    ['muted', rule('.muted', 'color'), page], ['muted in a table header', rule('.muted', 'color'), header],
    ['filter labels', rule('.filters label', 'color'), page],
    ['critical', rule('.sev.critical', 'color'), page], ['warning', rule('.sev.warning', 'color'), page], ['info', rule('.sev.info', 'color'), page],
    ['✔ ok', rule('.ok', 'color'), page], ['✖ ko', rule('.ko', 'color'), page],
    ['chart ticks and legends', rule('svg .tick, svg .legend, svg .unit, svg .ref-label', 'fill'), page],
    ['SLO line label', rule('svg .ref', 'stroke'), page],
    ['details summary', rule('details summary', 'color'), page],
  ];
  const badgeText = rule('.badge', 'color');
  for (const sel of ['.badge', '.badge.go, .badge.pass', '.badge.no-go, .badge.regression, .badge.slo-broken', '.badge.inconclusive, .badge.could-not-measure', '.badge.warn']) {
    pairs.push([`badge ${sel}`, badgeText, rule(sel, 'background')]);
  }
  const low = pairs.map(([what, fg, bg]) => ({ what, fg, bg, ratio: contrastRatio(c(fg), c(bg)) })).filter((p) => p.ratio < AA_TEXT);
  assert.deepEqual(low.map((p) => `${p.what}: ${p.fg} on ${p.bg} = ${p.ratio.toFixed(2)}:1`), []);
});
