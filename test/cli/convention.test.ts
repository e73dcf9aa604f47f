/**
 * The CLI convention (docs/cli.md, src/cli/convention.ts), checked on every registered command — a command
 * added later is walked too: its --help (no absolute path, durations as durations, -q/-v on long commands,
 * --json on status/show commands), usage errors exit 2 (3 for the gate's), --version, colour only when
 * asked and never with NO_COLOR, and sut/stubs/influx status with one shape. The CLI is spawned as a user
 * runs it; `help-all` (hidden) prints every command's --help text in one process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO, type CliResult } from '../support/cli.js';
import { JSON_COMMANDS, LONG_COMMANDS, durationFlag } from '../../src/cli/convention.js';
import { GATE_EXIT, RUN_EXIT, usageExitCode } from '../../src/exit-codes.js';
import { formatStatus, type ServiceStatus } from '../../src/services/background.js';
import { INFLUXD_PATH } from '../../src/metrics/influx-instance.js';
import { isProcessAlive } from '../../lib/process/children.js';

interface HelpEntry { path: string; help: string; options: { flags: string; long?: string }[]; subcommands: number }

const state = mkdtempSync(join(tmpdir(), 'perfcell-convention-'));
// No colour setting inherited: removed rather than set empty, since Node 22 warns on stderr ("The 'NO_COLOR'
// env is ignored due to the 'FORCE_COLOR' env being set") whenever both are present, even empty.
delete process.env.NO_COLOR;
delete process.env.FORCE_COLOR;
const ENV = { PERFCELL_STATE_DIR: state };

/** At most `n` CLI processes at once (each loads the whole CLI; the machine has 2 cores). */
async function all<T>(jobs: (() => Promise<T>)[], n = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  }));
  return out;
}

test('every command: --help with relative defaults, durations as durations, -q/-v on long commands, --json on status/show', async () => {
  const [walk, direct] = await all([() => runCli(['help-all'], ENV), () => runCli(['baseline', 'show', '--help'], ENV)]);
  assert.equal(walk?.code, 0, walk?.stderr);
  const entries = JSON.parse(walk?.stdout ?? '') as HelpEntry[];
  const byPath = new Map(entries.map((e) => [e.path, e]));
  assert.ok(entries.length >= 30, `every command walked (${entries.length})`);
  // help-all prints what `<command> --help` prints.
  assert.equal(direct?.code, 0);
  assert.equal(direct?.stdout, byPath.get('baseline show')?.help);
  for (const name of [...LONG_COMMANDS, ...JSON_COMMANDS, 'init', 'sut status', 'stubs status', 'influx status']) assert.ok(byPath.has(name), `${name} is a command`);
  const problems: string[] = [];
  for (const e of entries) {
    for (const abs of [REPO.replace(/\/$/, ''), homedir()]) if (e.help.includes(abs)) problems.push(`${e.path}: help shows the absolute path ${abs}`);
    if (/default: "\//.test(e.help)) problems.push(`${e.path}: an absolute default in the help`);
    for (const o of e.options) {
      // A time given as a number of ms or seconds is a duration: `<duration>`, "5s". (Latency thresholds named *-ms stay numbers.)
      if (/<(ms|seconds?|secs?)>/.test(o.flags) && !/-ms\b/.test(o.long ?? '')) problems.push(`${e.path}: ${o.flags} is a duration: take "<duration>" (5s, 500ms)`);
      if (/^--(window|warmup|timeout|step|interval|duration|monitor-interval|session-gap|p95)$/.test(o.long ?? '') && !o.flags.includes('<duration>')) problems.push(`${e.path}: ${o.flags}: "<duration>" expected`);
    }
    const flags = e.options.map((o) => o.flags).join(' | ');
    if (LONG_COMMANDS.includes(e.path) && !(/-q, --quiet/.test(flags) && /-v, --verbose/.test(flags))) problems.push(`${e.path}: a long command without -q/--quiet and -v/--verbose (${flags})`);
    if ((/ (status|show)$/.test(e.path) || JSON_COMMANDS.includes(e.path)) && !/--json/.test(flags)) problems.push(`${e.path}: a status/show command without --json`);
  }
  assert.deepEqual(problems, []);
  // Progress and an ETA on the long commands that have a plan; campaign takes run's k6 flags (--dashboard…).
  const longs = (path: string) => (byPath.get(path)?.options ?? []).map((o) => o.long);
  for (const path of ['campaign', 'gate', 'push']) assert.ok(longs(path).includes('--progress') && longs(path).includes('--no-progress'), `${path} --progress`);
  for (const flag of ['--dashboard', '--k6-out', '--no-influx', '--no-monitor']) assert.ok(longs('campaign').includes(flag), `campaign ${flag}`);
});

test('usage errors exit 2 (3 for gate and baseline), --version names the tools, NO_COLOR wins', async () => {
  const runs: [string[], Record<string, string>][] = [
    [['--version'], {}],
    [['model', 'check', 'x.yaml', '--bogus'], {}],
    [['model'], {}],
    [['frobnicate'], {}],
    [['analyze', 'some-run', '--window', '1000'], {}],
    [['gate', 'm.yaml', '--bogus'], {}],
    [['baseline', 'set'], {}],
    [['model', 'check', 'x.yaml', '--bogus'], { FORCE_COLOR: '1' }],
    [['model', 'check', 'x.yaml', '--bogus'], { FORCE_COLOR: '1', NO_COLOR: '1' }],
  ];
  const r = await all(runs.map(([args, env]) => () => runCli(args, { ...ENV, ...env })));
  const [version, unknownOption, groupAlone, unknownCommand, msWindow, gateBogus, baselineMissing, coloured, noColour] = r as CliResult[];
  assert.equal(version?.code, 0, version?.stderr);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  assert.match(version?.stdout ?? '', new RegExp(`^perfcell ${pkg.version.replace(/\./g, '\\.')}\\n`));
  assert.match(version?.stdout ?? '', /^k6 +v2\.\d+\.\d+/m, 'k6 is built by npm run setup before the tests');
  assert.match(version?.stdout ?? '', /^WireMock +\d+\.\d+\.\d+$/m);
  assert.match(version?.stdout ?? '', /^InfluxDB +\S+/m);
  for (const [name, res] of [['unknown option', unknownOption], ['group without subcommand', groupAlone], ['unknown command', unknownCommand]] as const) {
    assert.equal(res?.code, RUN_EXIT.input, `${name}: exit 2, got ${res?.code}: ${res?.stderr}`);
  }
  assert.match(unknownOption?.stderr ?? '', /unknown option '--bogus'/);
  assert.equal(msWindow?.code, RUN_EXIT.input);
  assert.match(msWindow?.stderr ?? '', /--window.*a duration such as "5s".*got "1000"/);
  assert.equal(msWindow?.stderr.trim().split('\n').length, 1, 'one line');
  assert.equal(gateBogus?.code, GATE_EXIT.couldNotMeasure, 'the gate: 2 would read as SLO broken');
  assert.equal(baselineMissing?.code, GATE_EXIT.couldNotMeasure);
  const ESC = String.fromCharCode(27);
  assert.ok(coloured?.stderr.includes(`${ESC}[31merror: unknown option`), coloured?.stderr);
  assert.ok(!noColour?.stderr.includes(ESC), 'NO_COLOR wins over FORCE_COLOR');
  assert.ok(!unknownOption?.stderr.includes(ESC), 'no colour into a pipe');
});

test('sut, stubs and influx status: one shape, exit 3 when not running; influx start runs in the background, stop leaves nothing', { skip: !existsSync(INFLUXD_PATH) && `${INFLUXD_PATH} missing` }, async () => {
  const statuses = await all(['sut', 'stubs', 'influx'].map((s) => () => runCli([s, 'status', '--json'], ENV)));
  for (const [i, s] of ['sut', 'stubs', 'influx'].entries()) {
    const r = statuses[i] as CliResult;
    assert.equal(r.code, RUN_EXIT.environment, `${s} status: ${r.stdout}${r.stderr}`);
    const json = JSON.parse(r.stdout) as ServiceStatus;
    assert.deepEqual([json.service, json.running, json.healthy, json.endpoints], [s, false, false, []]);
    assert.ok(!json.state.startsWith('/') && json.state.includes('perfcell-convention-'), `the state file in PERFCELL_STATE_DIR, shown relative: ${json.state}`);
  }
  const start = await runCli(['influx', 'start'], ENV);
  try {
    assert.equal(start.code, 0, start.stdout + start.stderr);
    const url = /InfluxDB (http:\/\/127\.0\.0\.1:\d+)/.exec(start.stdout)?.[1];
    assert.ok(url, start.stdout);
    const [status, text] = await all([() => runCli(['influx', 'status', '--json'], ENV), () => runCli(['influx', 'status'], ENV)]);
    assert.equal(status?.code, 0, status?.stdout);
    const st = JSON.parse(status?.stdout ?? '') as ServiceStatus;
    assert.equal(st.running && st.healthy, true);
    assert.deepEqual(st.endpoints.map((e) => [e.name, e.url, e.up]), [['influxdb', url, true]]);
    assert.equal(isProcessAlive(st.pid as number), true, 'the background owner runs after `influx start` returned');
    assert.match(text?.stdout ?? '', new RegExp(`^influx: running \\(pid ${st.pid}, since .*\\n {2}ok {3}influxdb +${url}\\n`));
    const stop = await runCli(['influx', 'stop'], ENV);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, new RegExp(`^influx: stopped \\(pid ${st.pid}\\)`));
    assert.equal(isProcessAlive(st.pid as number), false);
    assert.equal(await fetch(`${url}/ping`).then(() => 'answers', () => 'gone'), 'gone', 'influxd stopped with its owner');
  } finally {
    await runCli(['influx', 'stop'], ENV);
    rmSync(state, { recursive: true, force: true });
  }
});

test('the exit-code table in the code is the one docs/cli.md shows; usage and status text shapes', () => {
  const doc = readFileSync(join(REPO, 'docs', 'cli.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Exit codes'), doc.indexOf('\n## ', doc.indexOf('## Exit codes') + 5));
  const codes = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.deepEqual(codes, [...new Set(Object.values(RUN_EXIT))].sort((a, b) => a - b));
  assert.equal(usageExitCode(['run']), 2);
  assert.equal(usageExitCode(['baseline', 'set']), 3);
  assert.equal(durationFlag('--window', '5s'), 5000);
  assert.throws(() => durationFlag('--window', '5000'), /--window.*a duration/);
  const st: ServiceStatus = { service: 'sut', running: true, healthy: false, pid: 7, since: 't', state: 's', log: 'l', endpoints: [{ name: 'grc', url: 'http://a', up: true }, { name: 'legal', url: 'http://b', up: false, note: 'no answer' }] };
  assert.equal(formatStatus(st), 'sut: running, unhealthy (pid 7, since t, log l)\n  ok   grc               http://a\n  DOWN legal             http://b  (no answer)\n');
  assert.equal(formatStatus({ ...st, running: false }), 'sut: not running\n');
});
