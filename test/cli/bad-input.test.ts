/** Bad input through the CLI: one clear line naming file, field and expectation; non-zero exit; no stack. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO } from '../support/cli.js';
import { startTinyTarget } from '../support/tiny-target.js';
import { createServer } from 'node:net';
import { after } from 'node:test';

const live = await startTinyTarget();
after(() => live.close());
/** A loopback port nobody listens on (bound then released). */
const closedPort = await new Promise<number>((res) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => res(port));
  });
});

const fixture = readFileSync(join(REPO, 'test/fixtures/basic/load-models/basic.yaml'), 'utf8');
const project = mkdtempSync(join(tmpdir(), 'perfcell-bad-'));
cpSync(join(REPO, 'test/fixtures/basic/scenarios'), join(project, 'scenarios'), { recursive: true });
mkdirSync(join(project, 'load-models'));

function model(name: string, text: string): string {
  const file = join(project, 'load-models', `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('a misspelled field: exit 2, the file and field path named', async () => {
  const f = model('typo', fixture.replace('peakPerHour: 180000', 'peakPerHour: 180000\n    thinkTIme: 10'));
  const r = await runCli(['model', 'check', f]);
  assert.equal(r.code, 2);
  assertOneLine(r.stderr, /typo\.yaml: transactions\[0\]: unknown field "thinkTIme"/);
});

test('a negative volume: exit 2', async () => {
  const r = await runCli(['run', model('neg', fixture.replace('180000', '-1')), '-p', 'smoke']);
  assert.equal(r.code, 2);
  assertOneLine(r.stderr, /neg\.yaml: transactions\[0\]\.peakPerHour: expected a number > 0, got -1/);
});

test('a scenario file that does not exist: exit 2', async () => {
  const r = await runCli(['run', model('nofile', fixture.replace('scenarios/basic.ts', 'scenarios/nope.ts')), '-p', 'smoke']);
  assert.equal(r.code, 2);
  assertOneLine(r.stderr, /nofile\.yaml: transactions\[0\]\.scenario: an existing file/);
});

test('a scenario export that does not exist: exit 2 before any run folder is written', async () => {
  const out = join(project, 'never');
  const r = await runCli(['run', model('noexport', fixture.replace('#hello', '#helo')), '-p', 'smoke', '-o', out, '-t', `app=${live.url}`]);
  assert.equal(r.code, 2, r.stderr);
  assertOneLine(r.stderr, /scenario bundle failed: Import "helo" will always be undefined/);
  assert.equal(existsSync(out), false);
});

test('an unknown profile and an unknown environment: exit 2 with the choices', async () => {
  const f = model('ok', fixture);
  let r = await runCli(['run', f, '-p', 'peek']);
  assert.equal(r.code, 2);
  assertOneLine(r.stderr, /ok\.yaml: profiles: a profile named "peek" \(this model has: smoke, rate50, long\)/);
  r = await runCli(['run', f, '-p', 'smoke', '-e', 'prod']);
  assert.equal(r.code, 2);
  assertOneLine(r.stderr, /ok\.yaml: environments\.prod: an environment of this model \(it has: local\)/);
});

test('an unreachable target: exit 3, nothing recorded', async () => {
  const out = join(project, 'unreachable');
  const r = await runCli(['run', model('ok2', fixture), '-p', 'smoke', '-t', `app=http://127.0.0.1:${closedPort}`, '-o', out]);
  assert.equal(r.code, 3);
  assertOneLine(r.stderr, new RegExp(`targets\\.app: a reachable HTTP server at http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\)`));
  assert.equal(existsSync(out), false);
});

test('a non-loopback target is refused before anything is sent: exit 2', async () => {
  const r = await runCli(['run', model('ok3', fixture), '-p', 'smoke', '-t', 'app=http://192.0.2.10:80']);
  assert.equal(r.code, 2);
  assertOneLine(r.stderr, /environments\.local\.targets\.app: a loopback address/);
});

test('k6 missing: exit 3 with install hints', async () => {
  const r = await runCli(['run', model('ok4', fixture), '-p', 'smoke'], { PERFCELL_K6: '/nonexistent/k6' });
  assert.equal(r.code, 3);
  assertOneLine(r.stderr, /PERFCELL_K6=\/nonexistent\/k6: a k6 v2\.x binary \(missing\).*npm run setup/);
});

test('--debug shows the stack of the same error', async () => {
  const r = await runCli(['--debug', 'run', model('ok5', fixture), '-p', 'peek']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\n\s+at /);
});
