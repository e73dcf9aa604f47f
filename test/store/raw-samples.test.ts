import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extraTag, readRawSamples, type RawSample } from '../../src/store/raw-samples.js';

const dir = mkdtempSync(join(tmpdir(), 'perfcell-raw-'));
const HEADER = 'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,scenario,service,status,extra_tags,metadata';
const line = (metric: string, t: number, v: number, extra = '') => `${metric},${t},${v.toFixed(6)},,,,true,,GET,hello,search-person,svc,200,run_id=r1&phase=stubbed${extra},`;

async function read(name: string, body: Buffer | string, metrics?: string[]) {
  const path = join(dir, name);
  writeFileSync(path, body);
  const out: RawSample[] = [];
  const stats = await readRawSamples(path, (s) => out.push({ ...s }), metrics ? { metrics: new Set(metrics) } : {});
  return { out, stats };
}

test('columns are found by the header, whatever system tags the run enabled', async () => {
  const { out, stats } = await read('a.csv.gz', gzipSync([HEADER, line('http_req_duration', 1000, 12.5), line('http_reqs', 1000, 1)].join('\n') + '\n'));
  assert.equal(stats.samples, 2);
  assert.equal(stats.truncated, false);
  assert.deepEqual(
    { metric: out[0]?.metric, t: out[0]?.timeMs, v: out[0]?.value, tx: out[0]?.transaction, status: out[0]?.status, name: out[0]?.name, url: out[0]?.url },
    { metric: 'http_req_duration', t: 1000, v: 12.5, tx: 'search-person', status: '200', name: 'hello', url: '' },
  );
  assert.equal(extraTag(out[0]?.extraTags ?? '', 'phase'), 'stubbed');
});

test('metrics not asked for are skipped and counted', async () => {
  const body = gzipSync([HEADER, line('http_req_blocked', 1, 1), line('http_req_duration', 2, 3), line('http_req_waiting', 3, 1)].join('\n') + '\n');
  const { out, stats } = await read('b.csv.gz', body, ['http_req_duration']);
  assert.equal(out.length, 1);
  assert.equal(stats.skipped, 2);
});

test('quoted fields with commas and doubled quotes are read whole', async () => {
  const q = 'http_req_duration,5,1.000000,,"dial: a, b ""c""",1212,false,,GET,hello,tx,svc,0,,';
  const { out } = await read('c.csv.gz', gzipSync(`${HEADER}\n${q}\n`));
  assert.equal(out[0]?.error, 'dial: a, b "c"');
  assert.equal(out[0]?.errorCode, '1212');
});

test('a gzip stream cut short is read as far as it goes and flagged truncated', async () => {
  const lines = [HEADER];
  for (let i = 0; i < 20000; i++) lines.push(line('http_req_duration', i, i % 97, `&i=${i}`));
  const full = gzipSync(lines.join('\n') + '\n');
  const { out, stats } = await read('d.csv.gz', full.subarray(0, Math.floor(full.length / 2)));
  assert.equal(stats.truncated, true);
  assert.ok(out.length > 1000 && out.length < 20000, `read ${out.length}`);
  // Every sample handed out is whole: its timestamp matches the index written in its tags.
  for (const s of out) assert.equal(extraTag(s.extraTags, 'i'), String(s.timeMs));
});

test('a last line cut mid-write is dropped and flagged', async () => {
  const { out, stats } = await read('e.csv', `${HEADER}\n${line('http_reqs', 1, 1)}\nhttp_reqs,2,1.0`);
  assert.equal(out.length, 1);
  assert.equal(stats.truncated, true);
  assert.equal(stats.badLines, 1);
});

test('non-ASCII text split across chunk boundaries stays intact', async () => {
  const lines = [HEADER];
  for (let i = 0; i < 60000; i++) lines.push(line('http_req_duration', i, 1).replace(',hello,', ',rechercher-été,'));
  const { out } = await read('f.csv.gz', gzipSync(lines.join('\n') + '\n'));
  assert.equal(out.length, 60000);
  assert.ok(out.every((s) => s.name === 'rechercher-été'));
});

test('a file that is not k6 CSV output is a clear error', async () => {
  await assert.rejects(read('g.csv', 'hello,world\n1,2\n'), /g\.csv: not k6 CSV output/);
  await assert.rejects(readRawSamples(join(dir, 'missing.csv.gz'), () => {}), /no raw samples file/);
});

test('values are read exactly as Number() reads their text, whatever their form', async () => {
  // The reader parses digits from bytes; the double must be the same one Number() gives.
  const texts = ['0', '1', '-3', '12.5', '0.000001', '1764088123456', '20.123456', '-0.5', '123456789012345', '1234567890123456789', '1e-7', '2.5E+3', '99999.999999', '0.1', '0.30000000000000004'];
  for (let i = 0; i < 2000; i++) texts.push((Math.random() * 10 ** ((i % 12) - 3)).toFixed(i % 9));
  const lines = [HEADER, ...texts.map((v, i) => `http_req_duration,${i},${v},,,,true,,GET,hello,tx,svc,200,,`)];
  const { out, stats } = await read('h.csv', lines.join('\n') + '\n');
  assert.equal(stats.badLines, 0);
  assert.deepEqual(out.map((s) => s.value), texts.map(Number));
  const bad = await read('i.csv', [HEADER, 'http_req_duration,1,,,,,true,,GET,hello,tx,svc,200,,', 'http_req_duration,x,1,,,,true,,GET,hello,tx,svc,200,,', 'http_req_duration,2,1.2.3,,,,true,,GET,hello,tx,svc,200,,'].join('\n') + '\n');
  assert.equal(bad.out.length, 0);
  assert.equal(bad.stats.badLines, 3);
});

test('fields keep their own text when a column cycles through many values, long ones included', async () => {
  // Each column remembers a few recent values; more distinct values than it remembers, and values too long
  // to remember, must still come out as written.
  const names = Array.from({ length: 20 }, (_, i) => `name-${i}-é`);
  const lines = [HEADER];
  const expected: { name: string; url: string; tags: string }[] = [];
  for (let i = 0; i < 5000; i++) {
    const name = names[(i * 7) % names.length] as string;
    const tags = `run_id=r1&i=${i % 3}&long=${'x'.repeat(i % 2 ? 10 : 300)}`;
    expected.push({ name, url: '', tags });
    lines.push(`http_req_duration,${i},1,,,,true,,GET,${name},tx,svc,200,${tags},`);
  }
  const { out } = await read('j.csv.gz', gzipSync(lines.join('\n') + '\n'));
  assert.deepEqual(out.map((s) => ({ name: s.name, url: s.url, tags: s.extraTags })), expected);
});

test('a line with too many or too few fields is bad, and the next one is read', async () => {
  const { out, stats } = await read('k.csv', [HEADER, 'http_reqs,1,1,,,,true,,GET,hello,tx,svc,200,,,extra', 'http_reqs,1,1,,,', line('http_reqs', 7, 1)].join('\n') + '\n');
  assert.equal(stats.badLines, 2);
  assert.deepEqual(out.map((s) => s.timeMs), [7]);
});
