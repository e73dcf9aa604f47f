import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../src/k6/locate.js';
import { alive, commandOf, descendants } from '../campaign/support/project.js';

const STUBS = fileURLToPath(new URL('./fixtures/stubs', import.meta.url));
const BIN = join(PROJECT_ROOT, 'bin', 'perfcell.js');

function startStubs(state: string) {
  let out = '';
  const child = spawn(process.execPath, [BIN, 'stubs', 'start', '--foreground', '--stubs-dir', STUBS, '--heap', '128'], { env: { ...process.env, PERFCELL_STATE_DIR: state }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const ready = new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`stubs not ready: ${out}`)), 30_000);
    child.stdout?.on('data', () => {
      const m = /ECHO_URL=(\S+)/.exec(out);
      if (m && out.includes('stubs running')) {
        clearTimeout(timer);
        res(m[1] as string);
      }
    });
  });
  return { child, ready, output: () => out };
}

const cli = (state: string, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, PERFCELL_STATE_DIR: state }, encoding: 'utf8' });

test('perfcell stubs start | verify | stop: verify lists unmatched requests and unused mappings; stop leaves no JVM', async () => {
  const state = mkdtempSync(join(tmpdir(), 'perfcell-stubs-state-'));
  const s = startStubs(state);
  try {
    const url = await s.ready;
    const jvms = descendants(s.child.pid as number).filter((p) => /wiremock-standalone/.test(commandOf(p)));
    assert.equal(jvms.length, 1);
    await (await fetch(`${url}/persons/3`)).arrayBuffer();
    await (await fetch(`${url}/no/such/path`)).arrayBuffer();
    const st = cli(state, 'stubs', 'status');
    assert.equal(st.status, 0, st.stdout + st.stderr);
    assert.match(st.stdout, new RegExp(`^stubs: running \\(pid ${s.child.pid}, .*\\n {2}ok {3}echo +${url}\\n$`));
    const v = cli(state, 'stubs', 'verify');
    assert.equal(v.status, 4, v.stdout + v.stderr);
    assert.match(v.stdout, /UNMATCHED 1× GET \/no\/such\/path/);
    assert.match(v.stdout, /0 {2}list contracts {3}← no traffic/);
    assert.match(v.stdout, /1 {2}get person\n/);
    const json = JSON.parse(cli(state, 'stubs', 'verify', '--json').stdout) as { unmatched: unknown[] }[];
    assert.equal(json[0]?.unmatched.length, 1);
    const stop = cli(state, 'stubs', 'stop');
    assert.equal(stop.status, 0, stop.stderr);
    assert.deepEqual(jvms.filter(alive), []);
    assert.equal(alive(s.child.pid as number), false);
    assert.equal(cli(state, 'stubs', 'verify').status, 3, 'nothing recorded any more');
  } finally {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(state, { recursive: true, force: true });
  }
});

test('SIGKILL of `perfcell stubs start` leaves no JVM behind', async () => {
  const state = mkdtempSync(join(tmpdir(), 'perfcell-stubs-state-'));
  const s = startStubs(state);
  try {
    await s.ready;
    const jvms = descendants(s.child.pid as number).filter((p) => /wiremock-standalone/.test(commandOf(p)));
    assert.equal(jvms.length, 1);
    s.child.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (jvms.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(jvms.filter(alive), []);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('a stub set that does not exist is refused before any JVM starts', () => {
  const state = mkdtempSync(join(tmpdir(), 'perfcell-stubs-state-'));
  try {
    const r = spawnSync(process.execPath, [BIN, 'stubs', 'start', 'nope', '--stubs-dir', STUBS], { env: { ...process.env, PERFCELL_STATE_DIR: state }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /nope: mappings: a stub set folder with mappings\/ \(stub sets here: echo\)/);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
