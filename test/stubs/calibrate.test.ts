import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { addLog, calibrateStubs, lognormalFit, type LogMoments } from '../../src/stubs/calibrate.js';
import { RUN_SCHEMA_VERSION, writeRunMeta, type RunMeta } from '../../src/store/folder.js';

const STUBS = fileURLToPath(new URL('./fixtures/stubs', import.meta.url));

/** Deterministic lognormal sample (Box–Muller over a seeded LCG). */
function lognormalSamples(n: number, median: number, sigma: number, seed = 7): number[] {
  let s = seed;
  const u = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  return Array.from({ length: n }, () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())));
}

test('the lognormal fit recovers the median and sigma of a lognormal sample', () => {
  const m: LogMoments = { n: 0, mean: 0, m2: 0 };
  for (const v of lognormalSamples(20_000, 35, 0.4)) addLog(m, v);
  const fit = lognormalFit(m);
  assert.ok(fit && Math.abs(fit.median - 35) / 35 < 0.02, `median ${fit?.median}`);
  assert.ok(fit && Math.abs(fit.sigma - 0.4) < 0.01, `sigma ${fit?.sigma}`);
  assert.equal(lognormalFit({ n: 1, mean: 1, m2: 0 }), undefined, 'one sample fits nothing');
});

function runFolder(dir: string, phase: RunMeta['phase'], rows: [string, number, string][]): void {
  const header = 'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';
  const lines = rows.map(([name, v, ok], i) => `http_req_duration,${1_700_000_000_000 + i},${v},,,,${ok},,GET,${name},HTTP/1.1,calib,,200,,,http://x,,`);
  writeFileSync(join(dir, 'raw.csv.gz'), gzipSync([header, ...lines].join('\n') + '\n'));
  writeRunMeta(dir, { schemaVersion: RUN_SCHEMA_VERSION, phase } as RunMeta);
}

test('calibrate writes each named endpoint a lognormal fitted to the run, leaves the others, and refuses a stubbed run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-calib-'));
  try {
    cpSync(STUBS, join(dir, 'stubs'), { recursive: true });
    const person = lognormalSamples(2000, 12, 0.3).map((v): [string, number, string] => ['echo-person', v, 'true']);
    // Failed requests do not describe the dependency's latency: left out of the fit.
    const failures: [string, number, string][] = [['echo-person', 5000, 'false'], ['echo-person', 6000, 'false']];
    runFolder(dir, 'unstubbed', [...person, ...failures, ['unknown-endpoint', 3, 'true'], ['unknown-endpoint', 4, 'true']]);
    const r = await calibrateStubs(dir, join(dir, 'stubs'));
    assert.deepEqual(r.changes.map((c) => [c.stubSet, c.mapping, c.samples]), [['echo', 'get person', 2000]]);
    assert.deepEqual(r.unmeasured.map((u) => u.endpoint), ['echo-contracts']);
    assert.deepEqual(r.unused, ['unknown-endpoint']);
    const written = JSON.parse(readFileSync(join(dir, 'stubs', 'echo', 'mappings', 'person.json'), 'utf8')) as { response: { delayDistribution: { median: number; sigma: number } } };
    assert.ok(Math.abs(written.response.delayDistribution.median - 12) < 0.5, `median ${written.response.delayDistribution.median}`);
    assert.ok(Math.abs(written.response.delayDistribution.sigma - 0.3) < 0.02);
    const multi = JSON.parse(readFileSync(join(dir, 'stubs', 'echo', 'mappings', 'more.json'), 'utf8')) as { mappings: unknown[] };
    assert.equal(multi.mappings.length, 2, 'files without a change keep their shape');

    runFolder(dir, 'stubbed', person);
    await assert.rejects(calibrateStubs(dir, join(dir, 'stubs')), /phase "stubbed": its latencies are the stubs' own/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
