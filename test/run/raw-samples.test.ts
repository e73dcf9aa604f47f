import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extraTag, readRawSamples, type RawSample } from '../../src/run/raw-samples.js';

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
