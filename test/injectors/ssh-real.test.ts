/**
 * `perfcell run --injectors root@hostA:2222,root@hostB:2222` end to end: two network-namespace hosts with
 * Debian's sshd (test/support/netns-ssh.ts), the real OpenSSH client, k6 copied to each host's own home, the
 * target on this machine's side of a veth. Checks the merged run against the target's own count and each
 * injector's raw file and each one's health read over its link, the gate running its candidate on the same
 * injectors against that run, then a host whose sshd is killed mid-run
 * (flagged, the other kept, nothing left), and the pre-flight's refusals: a target one injector cannot reach,
 * a host that cannot be reached.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { netnsSshUnavailable, routeTo, startNetnsSshHosts, type NetnsSshHosts } from '../support/netns-ssh.js';
import { runCli, startCli } from '../support/cli.js';
import { readRunMeta } from '../../src/store/folder.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { K6_VERSION } from '../../src/k6/locate.js';

const MODEL = 'test/fixtures/basic/load-models/distributed-ssh.yaml';
const RATE = 100;
const SECONDS = 8;
const skip = netnsSshUnavailable();
let net: NetnsSshHosts;
let target: TinyTarget;
let scratch: string;

before(async () => {
  if (skip) return;
  scratch = mkdtempSync(join(tmpdir(), 'perfcell-ssh-injectors-'));
  net = await startNetnsSshHosts(2);
  const first = net.hosts[0];
  assert.ok(first);
  target = await startTinyTarget(0, 0, first.hostAddress);
  routeTo(net.hosts, first.hostAddress);
});

after(async () => {
  await target?.close();
  await net?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function requestsIn(raw: string): Promise<number> {
  let n = 0;
  await readRawSamples(raw, () => n++, { metrics: new Set(['http_reqs']) });
  return n;
}

const k6In = (ns: string) => net.processesIn(ns).filter((p) => / run .*execution-segment/.test(p));
const runArgs = (out: string, injectors?: string) =>
  ['run', MODEL, '-p', 'split', '-e', 'netns', '-q', '-t', `app=${target.url}`, '-o', out, ...(injectors ? ['--injectors', injectors] : []), '--ssh-config', net.sshConfig, '--no-monitor', '--no-influx'];

test('two SSH injectors in network namespaces: k6 copied, segments cover the whole, counts add up, one merged run', { skip, timeout: 60_000 }, async () => {
  const [a, b] = net.hosts;
  assert.ok(a && b);
  const hits0 = target.hits();
  const out = join(scratch, 'ssh');
  const r = await runCli(runArgs(out, `${a.spec},${b.spec}`));
  assert.equal(r.code, 0, r.stderr);
  const hits = target.hits() - hits0 - 2; // minus pre-flight: GET / and GET /health
  const meta = readRunMeta(out);
  assert.equal(meta.status, 'passed');
  assert.ok(meta.injectors);
  const names = [`${a.address}-2222`, `${b.address}-2222`];
  assert.deepEqual(meta.injectors.list.map((i) => [i.name, i.host, i.segment, i.sequence, i.k6Version, i.lost, i.k6ExitCode]), [
    [names[0], `root@${a.address}:2222`, '0:1/2', '0,1/2,1', K6_VERSION, false, 0],
    [names[1], `root@${b.address}:2222`, '1/2:1', '0,1/2,1', K6_VERSION, false, 0],
  ]);
  // Segments tile 0..1: consecutive, from 0 to 1.
  const bounds = meta.injectors.list.map((i) => i.segment.split(':'));
  assert.equal(bounds[0]?.[0], '0');
  assert.equal(bounds[0]?.[1], bounds[1]?.[0]);
  assert.equal(bounds[1]?.[1], '1');
  // Same kernel clock on both "hosts": the measured offsets are a round trip's noise.
  for (const i of meta.injectors.list) assert.ok(i.clockOffsetMs !== undefined && Math.abs(i.clockOffsetMs) < 250, `${i.name}: clock offset ${i.clockOffsetMs} ms`);
  assert.equal(meta.injectors.skewBasis, 'vus-tick');
  assert.ok(meta.injectors.skewMs <= 1000, `start skew ${meta.injectors.skewMs} ms`);
  for (const n of names) assert.ok(meta.injectors.list.find((i) => i.name === n)?.startOffsetMs !== null, `${n} has a start offset`);

  // Each host got this run's k6 in its own home, and its run folder there was removed once fetched.
  assert.equal(r.stderr.match(/copying k6 v\S+ \(\d+ MiB\) to ~\/\.perfcell\/bin\/k6-/g)?.length, 2, r.stderr);
  for (const h of [a, b]) {
    assert.ok(existsSync(join(h.home, '.perfcell', 'bin', `k6-${K6_VERSION}`)), `${h.ns}: k6 copied`);
    assert.deepEqual(readdirSync(join(h.home, '.perfcell', 'runs')), [], `${h.ns}: remote run folder removed`);
  }
  // Outputs fetched back; requests: each half (±1 iteration), together exactly what the target saw.
  for (const n of names) for (const f of ['raw.csv.gz', 'summary.json', 'k6.log']) assert.ok(existsSync(join(out, 'injectors', n, f)), `${n}/${f}`);
  const per = await Promise.all(names.map((n) => requestsIn(join(out, 'injectors', n, 'raw.csv.gz'))));
  assert.equal((per[0] as number) + (per[1] as number), hits);
  assert.ok(Math.abs((per[0] as number) - (per[1] as number)) <= 1, `split ${per.join(' / ')}`);
  assert.ok(Math.abs(hits - RATE * SECONDS) / (RATE * SECONDS) <= 0.03, `target received ${hits}, expected ${RATE * SECONDS} ±3 %`);
  const merged = await analyzeRun(out);
  assert.equal(merged.incomplete, false, merged.incompleteReasons.join('; '));
  assert.equal(merged.overall.requests, hits);
  assert.match(r.stderr, /hello\s+\d+\s+\d+\.\d+\s+100\.00/);
  for (const h of [a, b]) assert.deepEqual(k6In(h.ns), [], `${h.ns}: no k6 left`);
  // Each injector's health, read over its own SSH link into injectors/<name>/monitor.jsonl: its k6's memory
  // and CPU, its host's CPU; the analysis gives each injector's requests and health.
  for (const n of names) {
    const samples = readFileSync(join(out, 'injectors', n, 'monitor.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { source: string; metric: string; value: number });
    assert.ok(samples.every((x) => x.source === `injector:${n}`));
    assert.ok(samples.some((x) => x.metric === 'injector_rss_bytes' && x.value > 10 * 1048576), `${n}: k6 RSS`);
    assert.ok(samples.some((x) => x.metric === 'injector_cpu_percent' && x.value > 0), `${n}: k6 CPU`);
    assert.ok(samples.some((x) => x.metric === 'injector_host_cpu_percent'), `${n}: host CPU`);
  }
  assert.deepEqual(merged.injectors?.map((i) => [i.name, i.requests]), names.map((n, k) => [n, per[k]]));
  assert.ok(merged.injectors?.every((i) => i.k6RssPeakBytes !== null && i.k6CpuMeanPercent !== null && i.hostCpuMeanPercent !== null), JSON.stringify(merged.injectors));
});

test('the gate runs its candidate on the SSH injectors: judged against the first test\'s run as baseline, A/A passes, every injector\'s raw file read', { skip, timeout: 60_000 }, async () => {
  const [a, b] = net.hosts;
  assert.ok(a && b);
  const baseline = join(scratch, 'ssh');
  assert.ok(existsSync(join(baseline, 'run.json')), 'the first test left its run folder');
  const gateDir = join(scratch, 'gate');
  const r = await runCli(['gate', MODEL, '-p', 'split', '-e', 'netns', '-q', '-t', `app=${target.url}`, '--baseline', baseline, '--window', '1s',
    '--injectors', `${a.spec},${b.spec}`, '--ssh-config', net.sshConfig, '-o', gateDir]);
  // Same build, same target on both sides: a pass (the tiny target's p95 is under the gate's 2 ms floor of effect).
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const gate = JSON.parse(readFileSync(join(gateDir, 'gate.json'), 'utf8')) as { injectors?: string; verdict: { status: string } };
  assert.equal(gate.injectors, `${a.spec},${b.spec}`);
  const candidate = readRunMeta(join(gateDir, 'candidate'));
  assert.deepEqual(candidate.injectors?.list.map((i) => [i.host, i.segment, i.lost]), [[a.spec, '0:1/2', false], [b.spec, '1/2:1', false]]);
  const per = await Promise.all((candidate.injectors?.list ?? []).map((i) => requestsIn(join(gateDir, 'candidate', 'injectors', i.name, 'raw.csv.gz'))));
  const merged = await analyzeRun(join(gateDir, 'candidate'));
  assert.equal(merged.overall.requests, per.reduce((x, y) => x + y, 0));
  for (const h of [a, b]) assert.deepEqual(k6In(h.ns), [], `${h.ns}: no k6 left`);
});

test('an SSH host whose sshd is killed mid-run (injectors from perfcell.config.yaml): incomplete, its segment named, the other kept, no k6 left', { skip, timeout: 60_000 }, async () => {
  const [a, b] = net.hosts;
  assert.ok(a && b);
  const out = join(scratch, 'lost');
  // The environment's `injectors:` in the registry, no --injectors: the run takes them from there.
  const config = join(scratch, 'perfcell.config.yaml');
  writeFileSync(config, `environments:\n  netns:\n    loadTesting: allowed\n    allowNonLoopback: true\n    targets: { app: "${target.url}" }\n    injectors: "${a.spec},${b.spec}"\n`);
  const { done } = startCli(runArgs(out), { PERFCELL_CONFIG: config });
  const t0 = Date.now();
  while (k6In(b.ns).length === 0 && Date.now() - t0 < 20_000) await new Promise((res) => setTimeout(res, 100));
  assert.ok(k6In(b.ns).length > 0, 'the second host\'s k6 started');
  await new Promise((res) => setTimeout(res, 3000));
  net.killSshd(b.ns);
  const r = await done;
  assert.equal(r.code, 99, r.stderr);
  assert.doesNotMatch(r.stderr, /copying k6/, 'the hosts kept the k6 copied by the first run');
  const lost = `${b.address}-2222`;
  assert.match(r.stderr, new RegExp(`injector ${lost.replace(/\./g, '\\.')} \\(segment 1/2:1\\) was lost`));
  const meta = readRunMeta(out);
  assert.ok(meta.flags.includes('incomplete'), meta.flags.join(' '));
  assert.ok(meta.flags.includes(`injector-lost:${lost}:1/2:1`), meta.flags.join(' '));
  assert.deepEqual(meta.injectors?.list.map((i) => i.lost), [false, true]);
  const kept = await requestsIn(join(out, 'injectors', `${a.address}-2222`, 'raw.csv.gz'));
  assert.ok(Math.abs(kept - (RATE * SECONDS) / 2) <= 0.03 * (RATE * SECONDS) / 2 + 1, `the surviving segment sent ${kept}`);
  const analysis = await analyzeRun(out);
  assert.equal(analysis.incomplete, true);
  assert.ok(analysis.incompleteReasons.some((x) => x.includes(`injector ${lost}: lost mid-run`)), analysis.incompleteReasons.join('; '));
  // The session's end stopped the host's k6 (the start script's watcher); nothing of the run is left there.
  const t1 = Date.now();
  while (net.processesIn(b.ns).length > 0 && Date.now() - t1 < 10_000) await new Promise((res) => setTimeout(res, 200));
  assert.deepEqual(net.processesIn(b.ns), [], 'nothing left running on the lost host');
  assert.deepEqual(k6In(a.ns), []);
});

test('a target this machine reaches but an injector cannot: refused in the pre-flight, one line naming both, exit 3, nothing written', { skip, timeout: 30_000 }, async () => {
  const [a, b] = net.hosts;
  assert.ok(a && b);
  // On this machine's side of b's veth (b's sshd was killed by the test before: only a is used): a has no route to it.
  const only = await startTinyTarget(0, 0, b.hostAddress);
  try {
    const out = join(scratch, 'no-route');
    const r = await runCli(['run', MODEL, '-p', 'split', '-e', 'netns', '-q', '-t', `app=${only.url}`, '-o', out, '--injectors', a.spec, '--ssh-config', net.sshConfig, '--no-monitor', '--no-influx']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr.trim(), `perfcell: --injectors: ${a.address}-2222 (root@${a.address}:2222) cannot reach target app (${only.url}, TCP ${b.hostAddress}:${only.port}): no TCP connection (refused, no route, or unknown host name)`);
    assert.ok(!existsSync(out));
  } finally {
    await only.close();
  }
});

test('an unreachable SSH host: refused in the pre-flight, one line naming it, exit 3, nothing written', { skip, timeout: 30_000 }, async () => {
  const out = join(scratch, 'unreachable');
  const a = net.hosts[0];
  assert.ok(a);
  const r = await runCli(runArgs(out, `${a.spec},root@${a.address}:2999`));
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr.trim(), new RegExp(`^perfcell: --injectors: ${a.address.replace(/\./g, '\\.')}-2999 \\(root@${a.address.replace(/\./g, '\\.')}:2999\\): cannot connect: .*Connection refused`));
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(!existsSync(out));
});
