import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffModel, formatDiff, type ProductionView } from '../../src/derive/diff.js';
import { defaultSpec, generateLogFile } from '../../src/derive/generate-logs.js';

const prod: ProductionView = {
  transactions: [
    { name: 'search', method: 'GET', template: '/s', total: 5000, peakPerHour: 1000 },
    { name: 'read', method: 'GET', template: '/r/{id}', total: 2500, peakPerHour: 500 },
    { name: 'export', method: 'GET', template: '/export', total: 250, peakPerHour: 40 },
  ],
  requests: { counted: 8000 },
  uncovered: [{ method: 'DELETE', template: '/r/{id}', share: 250 / 8000 }],
};
const tol = { volume: 0.2, minCoverage: 0.9 };

test('volumes under- and over-estimated beyond the tolerance, transactions no longer seen, coverage', () => {
  const d = diffModel({ transactions: [{ name: 'search', peakPerHour: 700 }, { name: 'read', peakPerHour: 520 }, { name: 'old', peakPerHour: 10 }, { name: 'ui', peakPerHour: 5, browser: true }] }, prod, tol);
  assert.deepEqual(
    d.rows.map((r) => [r.name, r.verdict, Math.round(r.deviation * 1000) / 1000]),
    [['search', 'under-estimated', 0.429], ['read', 'ok', -0.038], ['old', 'not seen', -1]],
  );
  assert.equal(d.coverage, 7500 / 8000);
  assert.deepEqual(d.uncovered.map((u) => [u.route, u.share]), [['GET /export', 250 / 8000], ['DELETE /r/{id}', 250 / 8000]]);
  assert.equal(d.ok, false);
  assert.equal(d.failures.length, 2);
  assert.match(formatDiff(d), / {2}- search: model 700\/h, production 1000\/h \(\+42\.9 %, tolerance ±20 %\)/);
});

test('over-estimated and coverage below the minimum fail; within tolerance passes', () => {
  const over = diffModel({ transactions: [{ name: 'search', peakPerHour: 1300 }, { name: 'read', peakPerHour: 500 }] }, prod, tol);
  assert.equal(over.rows[0]?.verdict, 'over-estimated');
  assert.match(over.failures.join('\n'), /coverage 93\.8 % of production traffic, below 90 %|search/);
  const okModel = { transactions: [{ name: 'search', peakPerHour: 950 }, { name: 'read', peakPerHour: 500 }, { name: 'export', peakPerHour: 40 }] };
  const ok = diffModel(okModel, prod, tol);
  assert.equal(ok.coverage, 7750 / 8000);
  assert.equal(ok.ok, true);
  assert.equal(diffModel(okModel, prod, { volume: 0.2, minCoverage: 0.99 }).ok, false);
});

test('`perfcell model diff` against generated logs: exit 0 within tolerance, 4 beyond, with the figures', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-derive-diff-'));
  try {
    const log = join(dir, 'access.log.gz');
    const truth = await generateLogFile(log, defaultSpec({ days: 1, perDay: 8000, seed: 3 }));
    mkdirSync(join(dir, 'scenarios', 'grc'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{}\n');
    cpSync('scenarios/grc/person.ts', join(dir, 'scenarios', 'grc', 'person.ts'));
    const model = (search: number) => `service: grc-person
environments: { local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:8080" } } }
transactions:
${[...truth.peak].map(([name, v]) => `  - { name: ${name}, scenario: "scenarios/grc/person.ts#${name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}", peakPerHour: ${name === 'search-person' ? search : v} }`).join('\n')}
profiles: { nominal: { multiplier: 1, duration: 1m } }
`;
    const good = join(dir, 'good.yaml');
    writeFileSync(good, model(truth.peak.get('search-person') as number));
    const cli = (m: string) => spawnSync(process.execPath, ['bin/perfcell.js', 'model', 'diff', m, '--from', log, '--routes', 'test/fixtures/derive/grc.routes', '--tolerance', '10%'], { encoding: 'utf8' });
    const r1 = cli(good);
    assert.equal(r1.status, 0, r1.stdout + r1.stderr);
    assert.match(r1.stdout, /coverage: 100\.0 %/);
    const bad = join(dir, 'bad.yaml');
    const want = truth.peak.get('search-person') as number;
    writeFileSync(bad, model(Math.round(want / 2)));
    const r2 = cli(bad);
    assert.equal(r2.status, 4, r2.stdout + r2.stderr);
    assert.match(r2.stdout, new RegExp(`search-person: model ${Math.round(want / 2)}/h, production ${want}/h \\(\\+\\d+\\.\\d %, tolerance ±10 %\\)`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
