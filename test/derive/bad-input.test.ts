// Bad input gives one clear line: the file, the line number and what was expected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { deriveFigures } from '../../src/derive/derive.js';
import { PerfcellError } from '../../src/errors.js';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'perfcell-derive-bad-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const good = (i: number) => `10.0.0.${i % 250} - - [01/Dec/2026:09:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0100] "GET /orders/${i} HTTP/1.1" 200 10 "-" "Mozilla/5.0" 0.004`;

function file(name: string, lines: string[] | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, Array.isArray(lines) ? lines.join('\n') + '\n' : lines);
  return p;
}

async function errorOf(p: Promise<unknown>): Promise<PerfcellError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof PerfcellError, String(e));
    assert.doesNotMatch(e.message, /\n/, 'one line');
    return e;
  }
  assert.fail('expected an error');
}

test('a file that is no access log: its name, the line, what was expected', async () => {
  const f = file('runs.csv', ['metric_name,timestamp,metric_value', 'http_reqs,1,1']);
  const e = await errorOf(deriveFigures({ files: [f] }));
  assert.equal(e.message, `${f}: line 1: an access log (nginx/Apache combined or common, or JSON lines), got "metric_name,timestamp,metric_value"`);
});

test('above 10 % of unparseable lines: refused, naming the first bad line and the expected format', async () => {
  const lines = Array.from({ length: 200 }, (_, i) => (i % 5 === 3 ? `garbage ${i}` : good(i)));
  const f = file('torn.log', lines);
  const e = await errorOf(deriveFigures({ files: [f] }));
  assert.match(e.message, new RegExp(`^${f.replace(/[.]/g, '\\.')}: line 4: expected nginx/Apache combined: IP - user \\[dd/Mon/yyyy:hh:mm:ss \\+zzzz\\] .* got "garbage 3" — 40 of 200 lines \\(20\\.0 %\\) did not parse, above the 10 % threshold \\(--max-bad\\)$`));
  // the threshold is a setting
  const ok = await deriveFigures({ files: [f], maxBadRatio: 0.25 });
  assert.equal(ok.read.bad, 40);
});

test('below the threshold: counted, with examples naming file and line, and the rest is used', async () => {
  const lines = Array.from({ length: 200 }, (_, i) => (i === 10 || i === 150 ? `${good(i).slice(0, 60)}` : good(i)));
  const f = file('few.log', lines);
  const r = await deriveFigures({ files: [f] });
  assert.equal(r.read.lines, 200);
  assert.equal(r.read.bad, 2);
  assert.equal(r.read.parsed, 198);
  assert.equal(r.read.badExamples.length, 2);
  assert.ok(r.read.badExamples[0]?.startsWith(`${f}:11: 10.0.0.10 - - [`));
  assert.ok(r.read.badExamples[1]?.startsWith(`${f}:151: `));
  assert.equal(r.requests.covered, 198);
});

test('a truncated gzip file: its name and the line reached', async () => {
  const whole = gzipSync(Array.from({ length: 5000 }, (_, i) => good(i)).join('\n') + '\n');
  const f = file('cut.log.gz', whole.subarray(0, Math.floor(whole.length / 2)));
  const e = await errorOf(deriveFigures({ files: [f] }));
  assert.match(e.message, new RegExp(`^${f.replace(/[.]/g, '\\.')}: line \\d+: a complete gzip stream \\(unexpected end of file\\)$`));
});

test('a missing file, a directory, no file at all', async () => {
  const missing = join(dir, 'nope.log');
  assert.equal((await errorOf(deriveFigures({ files: [missing] }))).message, `${missing}: (root): an access-log file (it does not exist)`);
  assert.match((await errorOf(deriveFigures({ files: [dir] }))).message, /it is a directory; give its files/);
  assert.match((await errorOf(deriveFigures({ files: [] }))).message, /^--from: \(root\): at least one access-log file$/);
});

test('a JSON-lines file with a few lines without a path: counted, not fatal', async () => {
  const f = join(process.cwd(), 'test/fixtures/derive/access.jsonl');
  const r = await deriveFigures({ files: [f], maxBadRatio: 0.5, jsonMapping: (await import('../../src/derive/derive.js')).jsonMappingFrom([], 'test/fixtures/derive/json-mapping.yaml') });
  assert.equal(r.read.lines, 5);
  assert.equal(r.read.bad, 2);
  assert.equal(r.sessions.key, 'client id');
  assert.equal(r.sessions.count, 2);
  assert.deepEqual(r.transactions.map((t) => [t.name, t.total, t.errorRate]), [['get-orders-id', 2, 0.5], ['post-orders', 1, 0]]);
  assert.ok(readFileSync(f, 'utf8').length > 0);
});

test('very long lines and binary junk do not stop the reader', async () => {
  const lines = [good(1), 'x'.repeat(200_000), good(2), '\u0000\u0001\u0002binary', good(3)];
  const r = await deriveFigures({ files: [file('long.log', lines)], maxBadRatio: 0.5 });
  assert.equal(r.read.lines, 5);
  assert.equal(r.read.bad, 2);
  assert.equal(r.requests.covered, 3);
  assert.match(r.read.badExamples[0] ?? '', /xxxx… \(65536 characters\)$/);
});
