/**
 * Figures of issue 5 (docs/metrics.md), for the bench harness (bench/run.ts):
 * - push time: `perfcell push` of an N-request run folder (default 1 M requests) against a private influxd,
 *   as a ratio to the time the raw file takes to read (readRawSamples, the analyzer's reader);
 * - live lag: the sample rate at which k6's InfluxDB output starts lagging on this machine (k6 warns that
 *   a flush took longer than its push interval, or InfluxDB holds fewer points than the CSV).
 * The run folder is synthetic but in k6's own CSV layout: per request the 12 samples k6 writes for an HTTP
 * request plus its iteration, 5 transactions, timestamps at a steady rate.
 */
import { mkdirSync, mkdtempSync, createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startTinyTarget } from '../test/support/tiny-target.js';
import { locateK6 } from '../src/k6/locate.js';
import { startInfluxd } from '../src/metrics/influx-instance.js';
import { InfluxClient, k6InfluxOutput } from '../src/metrics/influx.js';
import { pushRun } from '../src/metrics/push.js';
import { influxLogProblems } from '../src/metrics/influx-channel.js';
import { readRawSamples } from '../src/store/raw-samples.js';
import { RUN_SCHEMA_VERSION, runFile, writeRunMeta, type RunMeta } from '../src/store/folder.js';
import { median, run, type BenchResult } from './harness.js';

const HEADER = 'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,scenario,service,status,extra_tags,metadata';
const TRANSACTIONS = ['read-person', 'search-person', 'create-person', 'update-contract', 'list-contracts'];
const PER_REQUEST = [
  'http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending',
  'http_req_waiting', 'http_req_receiving', 'http_req_failed', 'data_sent', 'data_received', 'iteration_duration', 'iterations',
];

/** Writes a run folder of `requests` requests at `ratePerSec`; returns its path. Seeded, so repeatable. */
export async function syntheticRun(dir: string, requests: number, ratePerSec = 5000): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const runId = `bench-${requests}`;
  const start = Date.UTC(2026, 0, 1);
  const gzip = createGzip({ level: 6 });
  const out = createWriteStream(runFile(dir, 'raw'));
  gzip.pipe(out);
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let buf = HEADER + '\n';
  for (let i = 0; i < requests; i++) {
    const tx = TRANSACTIONS[i % TRANSACTIONS.length] as string;
    const t = start + Math.floor((i * 1000) / ratePerSec);
    const failed = random() < 0.01;
    const status = failed ? '500' : '200';
    const tags = `run_id=${runId}&transaction=${tx}&profile=bench&phase=unstubbed&iteration=1`;
    const common = `,,,${failed ? '1500' : ''},${failed ? 'false' : 'true'},,GET,${tx},${tx},grc,${status},${tags},`;
    const duration = 5 + random() * 40;
    for (const m of PER_REQUEST) {
      const v = m === 'http_reqs' || m === 'iterations' ? 1 : m === 'http_req_failed' ? (failed ? 1 : 0) : m.startsWith('data_') ? 300 : duration * random();
      buf += m === 'iterations' || m === 'iteration_duration'
        ? `${m},${t},${v.toFixed(6)},,,,,,,,${tx},grc,,${tags},\n`
        : `${m},${t},${v.toFixed(6)}${common}\n`;
    }
    if (buf.length > 1 << 20) {
      if (!gzip.write(buf)) await once(gzip, 'drain');
      buf = '';
    }
  }
  gzip.end(buf);
  await once(out, 'finish');
  const durationMs = Math.ceil((requests * 1000) / ratePerSec);
  const meta: RunMeta = {
    schemaVersion: RUN_SCHEMA_VERSION, runId, perfcellVersion: 'bench', service: 'grc', profile: 'bench', phase: 'unstubbed', iteration: 1,
    model: { file: 'bench', hash: '' }, scenariosCommit: null, scenariosDirty: false, environment: { name: 'bench', targets: {} }, targetsVersions: {},
    k6: { path: 'k6', version: 'synthetic', args: [] }, timeline: [{ fromMultiplier: 1, toMultiplier: 1, durationMs }], plannedDurationMs: durationMs,
    transactions: TRANSACTIONS.map((name) => ({ name, scenario: 'x.ts#f', peakPerSec: ratePerSec / TRANSACTIONS.length, peakRatePerSec: ratePerSec / TRANSACTIONS.length, stepRatesPerSec: [ratePerSec / TRANSACTIONS.length], preAllocatedVUs: 1, maxVUs: 1, slo: {}, targets: [] })),
    headroom: 0.3,
    startedAt: new Date(start).toISOString(), endedAt: new Date(start + durationMs).toISOString(), k6ExitCode: 0, exitCode: 0, interrupted: false,
    status: 'passed', flags: [],
  };
  writeRunMeta(dir, meta);
  return dir;
}

export async function benchInfluxPush(options: { requests?: number; repeats?: number } = {}): Promise<BenchResult> {
  const requests = options.requests ?? 1_000_000;
  const repeats = options.repeats ?? 3;
  const work = mkdtempSync(join(tmpdir(), 'perfcell-bench-influx-'));
  const influxd = await startInfluxd({ dir: join(work, 'influxdb') });
  try {
    const dir = await syntheticRun(join(work, 'run'), requests);
    const target = { url: influxd.url, database: 'bench' };
    const pushMs: number[] = [];
    const readMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      let t0 = performance.now();
      await readRawSamples(runFile(dir, 'raw'), () => undefined);
      readMs.push(performance.now() - t0);
      t0 = performance.now();
      const stats = await pushRun(dir, target);
      pushMs.push(performance.now() - t0);
      if (stats.requests !== requests) throw new Error(`push wrote ${stats.requests} of ${requests} requests`);
    }
    const count = await new InfluxClient(target).count('http_reqs', `bench-${requests}`);
    if (count !== requests) throw new Error(`InfluxDB holds ${count} of ${requests} requests`);
    return {
      name: 'push-time',
      command: `perfcell push of a synthetic ${requests}-request run (${requests * PER_REQUEST.length} samples, analysis summary included) to a private influxd; baseline: readRawSamples of the same raw.csv.gz`,
      unit: 's',
      median: median(pushMs) / 1000,
      samples: pushMs.map((x) => x / 1000),
      baseline: { name: 'raw file read', median: median(readMs) / 1000, samples: readMs.map((x) => x / 1000) },
      ratio: median(pushMs) / median(readMs),
    };
  } finally {
    await influxd.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export interface LagStep {
  requestRate: number;
  sampleRate: number;
  csvRequests: number;
  influxRequests: number;
  lagWarnings: number;
  writeErrors: number;
  lagging: boolean;
}

/**
 * Runs a minimal k6 script at increasing request rates with the CSV and InfluxDB outputs, and stops at the
 * first rate where the live path lags. Sample rate = requests/s × samples k6 writes per request.
 */
export async function benchInfluxLiveLag(options: { rates?: number[]; durationSec?: number } = {}): Promise<{ result: BenchResult; steps: LagStep[] }> {
  const rates = options.rates ?? [1000, 2000, 4000, 8000, 16000];
  const durationSec = options.durationSec ?? 10;
  const k6 = locateK6();
  const app = await startTinyTarget();
  const work = mkdtempSync(join(tmpdir(), 'perfcell-bench-lag-'));
  const influxd = await startInfluxd({ dir: join(work, 'influxdb') });
  const steps: LagStep[] = [];
  try {
    const script = join(work, 'lag.js');
    writeFileSync(script, `import http from 'k6/http';
export const options = { scenarios: { hello: { executor: 'constant-arrival-rate', rate: __ENV.RATE * 1, timeUnit: '1s', duration: '${durationSec}s', preAllocatedVUs: 50, maxVUs: 200, tags: { transaction: 'hello' } } },
  tags: { run_id: __ENV.RUN_ID, service: 'bench' },
  systemTags: ['status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'expected_response', 'scenario', 'service'] };
export default function () { http.get('${app.url}/hello', { tags: { name: 'hello' } }); }
`);
    const target = { url: influxd.url, database: 'lag' };
    const client = new InfluxClient(target);
    await client.ensureDatabase();
    const { out, env } = k6InfluxOutput(target);
    for (const rate of rates) {
      const runId = `lag-${rate}`;
      const csv = join(work, `${runId}.csv.gz`);
      const r = await run(k6.path, ['run', '-q', '--no-usage-report', '--out', `csv=${csv}`, '--out', out, script], { ...env, RATE: String(rate), RUN_ID: runId, K6_CSV_TIME_FORMAT: 'unix_milli' });
      let csvRequests = 0;
      let samples = 0;
      await readRawSamples(csv, (s) => {
        samples++;
        if (s.metric === 'http_reqs') csvRequests++;
      });
      const influxRequests = await client.count('http_reqs', runId);
      const problems = influxLogProblems(r.stderr);
      const step: LagStep = {
        requestRate: csvRequests / durationSec,
        sampleRate: samples / durationSec,
        csvRequests,
        influxRequests,
        lagWarnings: problems.lagWarnings,
        writeErrors: problems.writeErrors,
        lagging: problems.lagWarnings > 0 || problems.writeErrors > 0 || influxRequests < csvRequests,
      };
      steps.push(step);
      process.stderr.write(`  live lag: ${rate}/s offered → ${step.requestRate.toFixed(0)} req/s, ${step.sampleRate.toFixed(0)} samples/s, influx ${influxRequests}/${csvRequests}, ${step.lagWarnings} lag warning(s)\n`);
      if (step.lagging) break;
    }
    const first = steps.find((s) => s.lagging);
    const last = steps[steps.length - 1] as LagStep;
    return {
      steps,
      result: {
        name: 'influx-live-lag-rate',
        command: `k6 (${durationSec} s constant-arrival-rate, csv + influxdb outputs, perfcell's InfluxDB settings) at ${rates.join(', ')} req/s against a private influxd, until it lags`,
        unit: 'samples/s',
        median: first?.sampleRate ?? last.sampleRate,
        samples: steps.map((s) => s.sampleRate),
        notes: first
          ? `first lag at ${first.requestRate.toFixed(0)} req/s (${first.lagWarnings} flush warnings, ${first.influxRequests}/${first.csvRequests} requests in InfluxDB)`
          : `no lag up to ${last.requestRate.toFixed(0)} req/s (${last.sampleRate.toFixed(0)} samples/s): the figure is a lower bound`,
      },
    };
  } finally {
    await influxd.stop();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Both figures; `tiny` for a quick try (20 k requests, two short rates). */
export async function benchInflux(options: { tiny?: boolean } = {}): Promise<BenchResult[]> {
  const push = await benchInfluxPush(options.tiny ? { requests: 20_000, repeats: 1 } : {});
  const lag = await benchInfluxLiveLag(options.tiny ? { rates: [200, 400], durationSec: 3 } : {});
  return [push, lag.result];
}

// `node --import tsx bench/influx.ts --tiny` tries it alone.
if (process.argv[1]?.endsWith('bench/influx.ts')) {
  const results = await benchInflux({ tiny: process.argv.includes('--tiny') });
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
}
