/**
 * What an SSH injector runs in its pre-flight and during the run, run here by a real shell (as sshd would
 * run them on the host): the targets' reachability (bash's /dev/tcp under timeout, against a real listening
 * socket and a closed port) and the health reading of a real process's /proc; then the pure parts — the
 * loopback refusal, readings → monitor samples, per-injector figures and their report rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRemoteTargets, isLoopback, parseReach, reachScript, targetAddress, unreachableError } from '../../src/injectors/reach.js';
import { healthSamples, healthScript, parseHealth } from '../../src/injectors/health.js';
import { parseInjectors } from '../../src/injectors/spec.js';
import { injectorFigures } from '../../src/analysis/injectors.js';
import { injectorsView } from '../../src/report/view-model.js';
import { LABELS } from '../../src/report/i18n.js';
import { PerfcellError } from '../../src/errors.js';
import type { Analysis, MonitorSeries } from '../../src/analysis/types.js';

const sh = (script: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', ...opts });

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.destroy());
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

test('reach script, run by a real shell: a listening port is reached, a closed one is named with why; no bash → said', async () => {
  const open = await listen();
  const closed = await listen();
  const closedPort = portOf(closed);
  await new Promise((r) => closed.close(r));
  try {
    const targets = { app: `http://127.0.0.1:${portOf(open)}`, 'legal-api': `http://127.0.0.1:${closedPort}/v1` };
    const r = sh(reachScript(targets));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(parseReach(r.stdout, targets), { unreachable: [{ target: 'legal-api', why: 'no TCP connection (refused, no route, or unknown host name)' }] });
    assert.deepEqual(parseReach(sh(reachScript({ app: targets.app })).stdout, { app: targets.app }), { unreachable: [] });
    // A host without bash: refused as such, never taken for "reachable".
    const bare = sh(reachScript(targets), { env: { PATH: '/nonexistent' } });
    assert.deepEqual(parseReach(bare.stdout, targets), { missing: 'bash' });
    assert.deepEqual(parseReach('reach-fail 0 124\n', { app: targets.app }), { unreachable: [{ target: 'app', why: 'no TCP answer within 5 s' }] });
  } finally {
    open.close();
  }
  assert.deepEqual(targetAddress('https://[::1]/x'), { host: '::1', port: 443 });
  const e = unreachableError({ name: '10.0.0.2', label: 'perf@10.0.0.2:22' }, 'app', 'http://grc.internal:8080', 'no TCP answer within 5 s');
  assert.equal(e.message, '--injectors: 10.0.0.2 (perf@10.0.0.2:22) cannot reach target app (http://grc.internal:8080, TCP grc.internal:8080): no TCP answer within 5 s');
  assert.equal(e.kind, 'environment');
});

test('SSH injectors never call this machine\'s loopback: refused before anything starts; local ones may', () => {
  for (const u of ['http://127.0.0.1:8080', 'http://localhost', 'http://[::1]:9000', 'http://api.localhost:1']) assert.equal(isLoopback(u), true, u);
  for (const u of ['http://10.201.1.1:18080', 'https://grc.perf.internal']) assert.equal(isLoopback(u), false, u);
  const where = { injectors: '--injectors', targets: 'm.yaml: environments.local.targets' };
  checkRemoteTargets(parseInjectors('local:2', '--injectors'), { app: 'http://127.0.0.1:8080' }, where);
  assert.throws(
    () => checkRemoteTargets(parseInjectors('local,perf@10.0.0.2', '--injectors'), { grc: 'http://10.0.0.9', app: 'http://127.0.0.1:8080' }, where),
    (e: unknown) => e instanceof PerfcellError && e.kind === 'input' && e.message === "m.yaml: environments.local.targets: app: an address SSH injector 10.0.0.2 (--injectors) can reach: http://127.0.0.1:8080 is this machine's loopback, the injector would call itself",
  );
});

test('health script, run by a real shell on this process: k6 CPU and RSS, host CPU; two readings → named monitor samples', async () => {
  const home = mkdtempSync(join(tmpdir(), 'perfcell-health-'));
  try {
    const dir = '.perfcell/runs/r1-inj';
    const before = sh(healthScript(dir), { cwd: home });
    const noPid = parseHealth(before.stdout);
    assert.ok(noPid && noPid.host && !noPid.k6, `before k6 started: host only (${before.stdout})`);
    mkdirSync(join(home, dir), { recursive: true });
    writeFileSync(join(home, dir, 'k6.pid'), `${process.pid}\n`);
    const a = parseHealth(sh(healthScript(dir), { cwd: home }).stdout);
    const t0 = Date.now();
    while (Date.now() - t0 < 150) Math.sqrt(Math.random()); // burn CPU between the readings
    await new Promise((r) => setTimeout(r, 20));
    const b = parseHealth(sh(healthScript(dir), { cwd: home }).stdout);
    assert.ok(a?.k6 && b?.k6 && b.host, JSON.stringify(b));
    assert.ok(b.k6.rssBytes > 10 * 1048576, `RSS ${b.k6.rssBytes}`);
    assert.ok(b.k6.cpuSeconds >= a.k6.cpuSeconds);
    assert.ok(Math.abs(b.clockMs - Date.now()) < 1000);
    const samples = healthSamples('10.0.0.2', 250, a, b);
    assert.deepEqual(samples.map((s) => [s.source, s.metric, s.labels.process ?? '']), [
      ['injector:10.0.0.2', 'injector_rss_bytes', 'k6'],
      ['injector:10.0.0.2', 'injector_cpu_percent', 'k6'],
      ['injector:10.0.0.2', 'injector_host_cpu_percent', ''],
    ]);
    assert.equal(samples[0]?.t, b.clockMs - 250, "on this machine's clock");
    assert.ok((samples[1]?.value ?? 0) > 20, `this process burned ~150 ms of CPU in ~170 ms: ${samples[1]?.value} %`);
    assert.deepEqual(healthSamples('x', 0, undefined, b).map((s) => s.metric), ['injector_rss_bytes'], 'CPU needs a previous reading');
    assert.equal(parseHealth('garbage'), undefined);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test("per-injector figures: each one's requests, rate and health; the report's rows", () => {
  const series = (source: string, metric: string, values: number[], labels = ''): MonitorSeries => ({ source, metric, labels, points: values.map((v, i) => ({ t: i * 2000, v })) });
  const monitor = [
    series('injector:10.0.0.2', 'injector_host_cpu_percent', [40, 60]),
    series('injector:10.0.0.2', 'injector_cpu_percent', [80, 100], 'process=k6'),
    series('injector:10.0.0.2', 'injector_rss_bytes', [50 * 1048576, 70 * 1048576], 'process=k6'),
    series('injector', 'injector_host_cpu_percent', [10, 20]),
  ];
  const stored = {
    startAt: '', skewMs: 0, skewBasis: 'vus-tick' as const,
    list: [
      { name: 'local-1', host: 'local', segment: '0:1/2', sequence: '0,1/2,1', k6Version: 'v', startOffsetMs: 0, k6ExitCode: 0, lost: false },
      { name: '10.0.0.2', host: 'perf@10.0.0.2:22', segment: '1/2:1', sequence: '0,1/2,1', k6Version: 'v', startOffsetMs: 3, k6ExitCode: 255, lost: true },
    ],
  };
  const figures = injectorFigures(stored, new Map([['local-1', 400], ['10.0.0.2', 150]]), monitor, 8);
  assert.deepEqual(figures, [
    { name: 'local-1', host: 'local', segment: '0:1/2', lost: false, requests: 400, ratePerSec: 50, hostCpuMeanPercent: 15, hostCpuPeakPercent: 20, k6CpuMeanPercent: null, k6RssPeakBytes: null },
    { name: '10.0.0.2', host: 'perf@10.0.0.2:22', segment: '1/2:1', lost: true, requests: 150, ratePerSec: 18.75, hostCpuMeanPercent: 50, hostCpuPeakPercent: 60, k6CpuMeanPercent: 90, k6RssPeakBytes: 70 * 1048576 },
  ]);
  const view = injectorsView({ injectors: figures } as unknown as Analysis, 'en', LABELS.en);
  assert.equal(view.header.length, view.rows[0]?.length);
  assert.deepEqual(view.rows[1], ['10.0.0.2', 'perf@10.0.0.2:22', '1/2:1', '150', '18.8', '50', '60', '90', '70', 'lost mid-run']);
  assert.deepEqual(view.rows[0]?.slice(7, 9), ['–', '–']);
  assert.deepEqual(injectorsView({} as Analysis, 'en', LABELS.en), { header: [], rows: [] });
});
