// `perfcell sut start|status|seed|stop` end to end, one process per service on a PostgreSQL database of its
// own (created and dropped here) with events through the launcher's relay (no broker): healthy URLs, seeded
// data files, events across processes, and no process left behind. (Embedded isolated mode runs the same
// code with one PGlite per process: ≈ 4 × 650 MB and a slow start, too heavy for a test on 2 cores.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { personAt } from '../lib/french-data.js';
import { readSutState } from '../state.js';
import { eventually, http, pgAdmin } from './support.js';
import { isProcessAlive } from '../../lib/process/children.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'perfcell.js');
const dir = mkdtempSync(join(tmpdir(), 'sut-cli-'));
const state = join(dir, 'sut.json');
// Ports away from the defaults and from other tests' ephemeral ranges.
const offset = String(20000 + Math.floor(Math.random() * 400) * 10);
const database = `sut_cli_${process.pid}_${randomBytes(3).toString('hex')}`;

async function perfcell(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { timeout: 180_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function descendants(pid: number): number[] {
  try {
    const kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    return kids.flatMap((k) => [k, ...descendants(k)]);
  } catch {
    return [];
  }
}

const alive = isProcessAlive;

after(async () => {
  await perfcell('sut', 'stop', '--state', state);
  rmSync(dir, { recursive: true, force: true });
  await pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

test('sut start --isolated, status, seed, events across processes, stop leaves no process', async () => {
  await pgAdmin(`CREATE DATABASE ${database}`);
  assert.equal((await perfcell('sut', 'status', '--state', state)).code, 3, 'not running yet');
  const start = await perfcell('sut', 'start', '--isolated', '--database-url', `postgres://postgres@127.0.0.1:5432/${database}`, '--port-offset', offset, '--state', state);
  assert.equal(start.code, 0, start.stderr);
  const s = readSutState(state);
  assert.ok(s && s.status === 'ready');
  assert.equal(s.bus, 'relay');
  assert.equal(s.urls.grc, `http://127.0.0.1:${8080 + Number(offset)}`);
  assert.match(start.stdout, new RegExp(`grc +http://127\\.0\\.0\\.1:${8080 + Number(offset)}`));
  const again = await perfcell('sut', 'start', '--port-offset', offset, '--state', state);
  assert.equal(again.code, 3, 'a second start is refused while one runs');
  assert.match(again.stderr, /already running/);

  const processes = [s.pid, ...descendants(s.pid)];
  assert.ok(processes.length >= 8, `daemon and its seven services (got ${processes.length} processes)`);

  const status = await perfcell('sut', 'status', '--state', state);
  assert.equal(status.code, 0, status.stdout);
  assert.equal(status.stdout.match(/^ {2}ok /gm)?.length, 7);

  const seed = await perfcell('sut', 'seed', '--persons', '150', '--seed', 'cli', '--data-dir', dir, '--state', state);
  assert.equal(seed.code, 0, seed.stderr);
  const csv = readFileSync(join(dir, 'persons.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 151);
  const p = personAt('cli', 42);
  assert.ok(csv.some((l) => l.startsWith(p.id)));
  assert.equal((await http('GET', `${s.urls.grc}/persons/${p.id}/360`)).status, 200);

  // Events cross process boundaries through the relay.
  assert.equal((await http('PATCH', `${s.urls.grc}/persons/${p.id}/contact`, { email: 'entre.processus@example.fr' })).status, 200);
  await eventually('billing (another process) got the update', async () => ((await http<{ email: string }>('GET', `${s.urls.billing}/persons/${p.id}/account`)).body.email === 'entre.processus@example.fr' ? true : undefined));

  const stop = await perfcell('sut', 'stop', '--state', state);
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(processes.filter(alive), [], 'no process left behind');
  assert.equal(existsSync(state), false);
  assert.equal((await perfcell('sut', 'status', '--state', state)).code, 3);
  assert.equal((await perfcell('sut', 'seed', '--persons', '10', '--state', state)).code, 3, 'seeding needs a running target');
  assert.equal((await perfcell('sut', 'start', '--embedded', '--database-url', 'postgres://x', '--state', state)).code, 2, 'contradictory flags are an input error');
});
