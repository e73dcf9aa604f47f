import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/k6/locate.js';
import { readCampaignRecord } from '../../src/campaign/record.js';
import { alive, commandOf, descendants } from './support/project.js';
import { referenceProject } from './support/reference.js';

function perfcell(args: string[]): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'perfcell.js'), ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  return { child, output: () => output };
}

/** Waits until every pattern matches the command line of a descendant of `pid`; returns all descendants then. */
async function waitForDescendants(pid: number, patterns: RegExp[], timeoutMs: number, output: () => string): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = descendants(pid);
    const commands = pids.map(commandOf);
    if (patterns.every((p) => commands.some((c) => p.test(c)))) return pids;
    if (Date.now() > deadline) throw new Error(`no ${patterns.join(', ')} among ${commands.join(' | ')}\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function allGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return pids.filter(alive);
}

// The load run itself, not locateK6's `k6 run --help` feature probe (which also runs under perfcell).
const K6 = /\bk6 run --no-usage-report\b/;
const JVM = /java .*wiremock-standalone/;

test('SIGKILL of perfcell during the stubbed phase leaves no k6, WireMock JVM or target process', async () => {
  const p = await referenceProject({ isolated: true, persons: 100 });
  const { child, output } = perfcell(['campaign', p.model, '--phases', 'stubbed', '--reports', p.reports, '-q']);
  try {
    const pids = await waitForDescendants(child.pid as number, [K6, JVM, /service-main/], 90_000, output);
    assert.equal(pids.map(commandOf).filter((c) => JVM.test(c)).length, 5, 'one JVM per stubbed dependency');
    child.kill('SIGKILL');
    const left = await allGone(pids, 10_000);
    assert.deepEqual(left.map(commandOf), [], 'orphans left running');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    p.remove();
  }
});

test('SIGTERM of perfcell during the e2e phase stops k6, Chromium, the stubs and the target, and records the campaign as interrupted', async () => {
  const p = await referenceProject({ persons: 100 });
  const { child, output } = perfcell(['campaign', p.model, '--phases', 'e2e', '--reports', p.reports, '-q']);
  try {
    const pids = await waitForDescendants(child.pid as number, [K6, JVM, /chromium/], 90_000, output);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 130, output());
    const left = await allGone(pids, 10_000);
    assert.deepEqual(left.map(commandOf), [], 'orphans left running');
    const dir = join(p.reports, 'grc-person', 'iteration-1');
    assert.ok(existsSync(join(dir, 'e2e', 'run.json')));
    const record = readCampaignRecord(dir);
    assert.equal(record.status, 'interrupted');
    assert.equal(record.phases[0]?.status, 'interrupted');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    p.remove();
  }
});

test('SIGTERM of perfcell while the e2e phase’s target starts: k6 is never started and the phase is recorded interrupted', async () => {
  const p = await referenceProject({ persons: 100 });
  const { child, output } = perfcell(['campaign', p.model, '--phases', 'e2e', '--reports', p.reports, '-q']);
  try {
    // The phase's banner comes before its target starts (≈ 6 s to be up here), long before k6.
    const deadline = Date.now() + 90_000;
    while (!/── phase e2e/.test(output())) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no phase banner:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pids = descendants(child.pid as number);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 130, output());
    assert.deepEqual((await allGone(pids, 10_000)).map(commandOf), [], 'orphans left running');
    assert.doesNotMatch(output(), /\bverdict: /, 'no run was judged: no load was sent');
    const dir = join(p.reports, 'grc-person', 'iteration-1');
    const record = readCampaignRecord(dir);
    assert.equal(record.status, 'interrupted');
    assert.equal(record.phases[0]?.status, 'interrupted', output());
    if (existsSync(join(dir, 'e2e', 'run.json'))) {
      const meta = JSON.parse(readFileSync(join(dir, 'e2e', 'run.json'), 'utf8')) as { status: string; k6: { args: string[] } };
      assert.equal(meta.status, 'interrupted');
      assert.deepEqual(meta.k6.args, [], 'k6 was started');
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    p.remove();
  }
});
