/**
 * SSH injectors' pure core (src/injectors/ssh-command.ts): ssh arguments, the probe and the k6 choice, and
 * the remote scripts — run here by a real /bin/sh on a stand-in k6 (a shell script) to check what they do:
 * signals forwarded as lines, end of input stops k6, k6's exit code told apart from a dropped link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  commandArgs, envFile, k6ExitFrom, localUname, masterArgs, parseProbe, planK6, remoteK6Path, remoteRunDir, shellQuote, startScript, uploadScript, versionIn,
} from '../../src/injectors/ssh-command.js';
import { generateEntry } from '../../src/scenario/entry.js';

const sh = (script: string, cwd: string, input?: string) => spawnSync('sh', ['-c', script], { cwd, input, encoding: 'utf8' });

test('ssh arguments: BatchMode, keep-alives, one ControlPath per host, IPv6 without brackets, the config file first', () => {
  const host = { user: 'perf', host: '[fd00::2]', port: 2222 };
  const settings = { configFile: '/etc/perfcell/ssh_config', controlPath: '/tmp/pcssh-x/m0' };
  const master = masterArgs(host, settings);
  assert.deepEqual(master.slice(0, 2), ['-F', '/etc/perfcell/ssh_config']);
  for (const o of ['BatchMode=yes', 'ServerAliveInterval=2', 'ServerAliveCountMax=3', 'ControlPath=/tmp/pcssh-x/m0', 'ControlPersist=no']) assert.ok(master.includes(o), o);
  assert.ok(master.includes('-M') && master.includes('-N'));
  assert.equal(master.at(-1), 'fd00::2');
  const cmd = commandArgs({ user: 'perf', host: '10.0.0.2', port: 22 }, { controlPath: '/tmp/s' }, 'uname -sm');
  assert.ok(!cmd.includes('-F'));
  assert.deepEqual(cmd.slice(-3), ['-T', '10.0.0.2', 'uname -sm']);
  assert.deepEqual(cmd.slice(cmd.indexOf('-p'), cmd.indexOf('-p') + 4), ['-p', '22', '-l', 'perf']);
});

test('shellQuote survives quotes, spaces, $ and newlines in a real shell', () => {
  const d = mkdtempSync(join(tmpdir(), 'perfcell-quote-'));
  for (const s of [`it's`, 'a b', '$HOME `id`', 'x\ny', '']) assert.equal(sh(`printf %s ${shellQuote(s)}`, d).stdout, s);
  // The environment file sources back to the same values; names a shell cannot hold are left out.
  writeFileSync(join(d, 'env.sh'), envFile({ TOKEN: `a'b $c`, K6_X: '1', 'bad-name': 'x' }));
  assert.equal(sh(`. ./env.sh; printf '%s|%s|%s' "$TOKEN" "$K6_X" "$(env | grep -c bad-name)"`, d).stdout, `a'b $c|1|0`);
  rmSync(d, { recursive: true });
});

test('probe output → the k6 to use: cached or PATH copy of the exact version, a copy when the machine matches, else a refusal naming what was found', () => {
  const probe = parseProbe('uname=Linux x86_64\nclock=1796208049670\ncached=k6-v2.2.0 v2.2.0 (go1.26.8, linux/amd64)\npath=\n');
  assert.deepEqual(probe, { uname: 'Linux x86_64', clockMs: 1796208049670, cached: 'k6-v2.2.0 v2.2.0 (go1.26.8, linux/amd64)', onPath: '' });
  assert.equal(parseProbe('sh: uname: not found\n'), undefined);
  // k6 prints its own file name first: the cached copy's line starts "k6-v2.2.0".
  assert.equal(versionIn('k6-v2.2.0 v2.2.0 (go1.26.8, linux/amd64)'), 'v2.2.0');
  assert.equal(versionIn('k6 v1.4.2 (go1.24, linux/arm64)'), 'v1.4.2');
  const here = localUname('linux', 'x64');
  assert.equal(here, 'Linux x86_64');
  assert.equal(localUname('linux', 'arm64'), 'Linux aarch64');
  assert.deepEqual(planK6(probe!, 'v2.2.0', here), { use: 'cached', command: '.perfcell/bin/k6-v2.2.0' });
  const base = { uname: 'Linux x86_64', clockMs: 0, cached: '', onPath: '' };
  assert.deepEqual(planK6({ ...base, onPath: 'k6 v2.2.0 (go1.26, linux/amd64)' }, 'v2.2.0', here), { use: 'path', command: 'k6' });
  assert.deepEqual(planK6({ ...base, onPath: 'k6 v1.4.2' }, 'v2.2.0', here), { use: 'copy', command: remoteK6Path('v2.2.0') });
  const refused = planK6({ ...base, uname: 'Linux aarch64', onPath: 'k6 v1.4.2 (go1.24, linux/arm64)' }, 'v2.2.0', here);
  assert.equal(refused.use, 'refuse');
  assert.match((refused as { why: string }).why, /k6 v2\.2\.0 is needed and the host has k6 on PATH: k6 v1\.4\.2 .*Linux aarch64 .*Linux x86_64: install k6 v2\.2\.0 there/);
  assert.equal(remoteRunDir('20261202T104000Z-abc123', '10.0.0.2-2222'), '.perfcell/runs/20261202T104000Z-abc123-10.0.0.2-2222');
});

test('uploadScript writes standard input atomically with its mode, creating folders', () => {
  const home = mkdtempSync(join(tmpdir(), 'perfcell-upload-'));
  const r = sh(uploadScript(".perfcell/runs/r 1/it's.js", '755'), home, 'export default 1;\n');
  assert.equal(r.status, 0, r.stderr);
  const file = join(home, '.perfcell', 'runs', 'r 1', "it's.js");
  assert.equal(readFileSync(file, 'utf8'), 'export default 1;\n');
  assert.equal(spawnSync('stat', ['-c', '%a', file], { encoding: 'utf8' }).stdout.trim(), '755');
  assert.equal(spawnSync('sh', ['-c', `ls -A ${shellQuote(join(home, '.perfcell', 'runs', 'r 1'))}`], { encoding: 'utf8' }).stdout.trim(), "it's.js", 'no temp file left');
  rmSync(home, { recursive: true });
});

/** A stand-in k6: records its arguments and environment, then sleeps until a signal, which it records. */
function fakeK6(home: string): { dir: string } {
  mkdirSync(join(home, '.perfcell', 'bin'), { recursive: true });
  const k6 = join(home, remoteK6Path('v2.2.0'));
  writeFileSync(k6, [
    '#!/bin/sh',
    'echo "args: $*" > args.txt',
    'echo "env: $K6_CSV_TIME_FORMAT $SECRET" >> args.txt',
    'trap \'echo got TERM >> args.txt; exit 105\' TERM',
    'i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    'exit 0',
    '',
  ].join('\n'));
  chmodSync(k6, 0o755);
  const dir = remoteRunDir('r', 'inj');
  mkdirSync(join(home, dir), { recursive: true });
  writeFileSync(join(home, dir, 'env.sh'), envFile({ K6_CSV_TIME_FORMAT: 'unix_milli', SECRET: 's e c' }));
  return { dir };
}

async function startRemote(home: string, dir: string) {
  const child = spawn('sh', ['-c', startScript({ dir, k6: remoteK6Path('v2.2.0'), args: ['run', '--execution-segment', '0:1/2', 'bundle.js'] })], { cwd: home, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = new Promise<number | null>((res) => child.once('close', (c) => res(c)));
  const pidFile = join(home, dir, 'k6.pid');
  const t0 = Date.now();
  while (!existsSync(join(home, dir, 'args.txt')) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
  return { child, code, stdout: () => stdout, pid: () => Number(readFileSync(pidFile, 'utf8')) };
}

test('startScript: k6 runs in its folder with its environment; a line "INT" stops k6 (as TERM); its exit code is marked', { timeout: 20_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'perfcell-start-'));
  const { dir } = fakeK6(home);
  const r = await startRemote(home, dir);
  r.child.stdin.write('INT\n');
  assert.equal(await r.code, 105);
  assert.equal(k6ExitFrom(r.stdout()), 105);
  const seen = readFileSync(join(home, dir, 'args.txt'), 'utf8');
  assert.match(seen, /^args: run --execution-segment 0:1\/2 bundle\.js$/m);
  assert.match(seen, /^env: unix_milli s e c$/m);
  assert.match(seen, /^got TERM$/m);
  rmSync(home, { recursive: true });
});

test('startScript: end of input (the session closed, the link dropped) stops k6 with TERM', { timeout: 20_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'perfcell-start-'));
  const { dir } = fakeK6(home);
  const r = await startRemote(home, dir);
  r.child.stdin.end();
  assert.equal(await r.code, 105);
  assert.match(readFileSync(join(home, dir, 'args.txt'), 'utf8'), /^got TERM$/m);
  assert.equal(spawnSync('kill', ['-0', String(r.pid())]).status, 1, 'k6 is gone');
  // No exit line: what ssh returns when the link dropped before k6 ended.
  assert.equal(k6ExitFrom('some k6 output\n'), undefined);
  rmSync(home, { recursive: true });
});

test('generateEntry: data sets beside the bundle for SSH injectors, absolute paths otherwise', () => {
  const compiled = { transactions: [], options: {} } as unknown as Parameters<typeof generateEntry>[0]['compiled'];
  const beside = generateEntry({ compiled, root: '/srv/model', data: { persons: 'data/persons.csv' }, dataBesideBundle: true });
  assert.match(beside, /open\("\.\/data-persons\.csv"\)/);
  assert.match(generateEntry({ compiled, root: '/srv/model', data: { persons: 'data/persons.csv' } }), /open\("\/srv\/model\/data\/persons\.csv"\)/);
});
