/**
 * Analyzer figures (issue 6): throughput on a synthetic raw file in k6's CSV format, as a ratio to a plain
 * `zcat FILE | wc -l` of the same file in the same run (target ≥ 0.5), and the analyzer's peak RSS
 * (target: flat, under 200 MB, at 1 M and 10 M samples). The analyzer runs in a child process so that its
 * peak RSS is its own.
 *
 *   import { benchAnalyzer } from './analyzer.js';  await benchAnalyzer({ samples: [1_000_000, 10_000_000] });
 *   node --import tsx bench/analyzer.ts 100000 [--report]        (a quick try)
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { analyzeRun } from '../src/analysis/analyze.js';
import { RUN_SCHEMA_VERSION, runFile, writeRunMeta, type RunMeta } from '../src/store/folder.js';
import { compared, median, run, type BenchResult } from './harness.js';

const SELF = fileURLToPath(import.meta.url);
const HEADER = 'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,scenario,service,status,extra_tags,metadata';
/** The lines k6 writes per HTTP iteration (one request, one check), in its order. */
const PER_REQUEST = ['http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_failed', 'checks', 'data_sent', 'data_received', 'iteration_duration', 'iterations'];
const TRANSACTIONS = ['search-person', 'view-360', 'create-person', 'billing-history'];

/** Seeded LCG: the same file for the same arguments. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

/** Writes a run folder (run.json + raw.csv.gz) of `samples` raw lines at `ratePerSec` requests per second. */
export async function writeSyntheticRun(dir: string, samples: number, ratePerSec = 1000, seed = 42): Promise<void> {
  const random = lcg(seed);
  const requests = Math.ceil(samples / PER_REQUEST.length);
  const t0 = 1_800_000_000_000;
  const durationMs = Math.ceil((requests / ratePerSec) * 1000);
  const meta: RunMeta = {
    schemaVersion: RUN_SCHEMA_VERSION, runId: 'bench', perfcellVersion: 'bench', service: 'bench', profile: 'bench', phase: 'unstubbed', iteration: 1,
    model: { file: 'bench', hash: 'bench' }, scenariosCommit: null, scenariosDirty: false, environment: { name: 'bench', targets: {} }, targetsVersions: {},
    k6: { path: 'k6', version: 'bench', args: [] }, timeline: [{ fromMultiplier: 1, toMultiplier: 1, durationMs }], plannedDurationMs: durationMs,
    transactions: TRANSACTIONS.map((name) => ({ name, scenario: 'bench', peakPerSec: ratePerSec / TRANSACTIONS.length, peakRatePerSec: ratePerSec / TRANSACTIONS.length, stepRatesPerSec: [ratePerSec / TRANSACTIONS.length], preAllocatedVUs: 10, maxVUs: 40, slo: { p95Ms: 200 }, targets: [] })),
    headroom: 0.3,
    startedAt: new Date(t0).toISOString(), endedAt: new Date(t0 + durationMs).toISOString(), k6ExitCode: 0, exitCode: 0, interrupted: false, status: 'passed', flags: [],
  };
  writeRunMeta(dir, meta);
  const gzip = createGzip();
  const done = new Promise<void>((resolve, reject) => gzip.pipe(createWriteStream(runFile(dir, 'raw'))).on('finish', resolve).on('error', reject));
  const write = (text: string) => (gzip.write(text) ? Promise.resolve() : new Promise<void>((r) => gzip.once('drain', () => r())));
  await write(HEADER + '\n');
  let written = 0;
  let chunk = '';
  for (let i = 0; i < requests && written < samples; i++) {
    const t = t0 + Math.floor((i * 1000) / ratePerSec);
    const tx = TRANSACTIONS[i % TRANSACTIONS.length] as string;
    const fail = random() < 0.002;
    const status = fail ? '503' : '200';
    // Log-normal-ish latency around 20 ms.
    const latency = Math.exp(Math.log(20) + 0.5 * (random() + random() + random() - 1.5));
    const tags = `transaction=${tx}&run_id=bench&profile=bench&phase=unstubbed&iteration=1`;
    for (const metric of PER_REQUEST) {
      if (written >= samples) break;
      const http = metric.startsWith('http_req');
      const value = metric === 'http_reqs' ? 1 : metric === 'http_req_duration' ? latency : metric === 'http_req_failed' ? (fail ? 1 : 0) : metric === 'checks' ? (fail ? 0 : 1) : metric.startsWith('data_') ? 180 : http ? random() : 1;
      chunk += `${metric},${t},${value.toFixed(6)},${metric === 'checks' ? 'status 200' : ''},,,${http ? String(!fail) : ''},,${http ? 'GET' : ''},${http ? tx : ''},${tx},bench,${http ? status : ''},${tags},\n`;
      written++;
    }
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  gzip.end();
  await done;
}

interface ChildReport {
  ms: number;
  maxRssMb: number;
  samples: number;
  requests: number;
}

async function analyseInChild(dir: string): Promise<ChildReport> {
  const r = await run(process.execPath, ['--import', 'tsx', SELF, '--child', dir]);
  if (r.code !== 0) throw new Error(`analyzer child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildReport;
}

export interface AnalyzerBenchOptions {
  /** Raw sample counts to measure (default 1 M and 10 M; the throughput ratio is taken on the largest). */
  samples?: number[];
  repeats?: number;
}

export async function benchAnalyzer(options: AnalyzerBenchOptions = {}): Promise<BenchResult[]> {
  const sizes = options.samples ?? [1_000_000, 10_000_000];
  const repeats = options.repeats ?? 3;
  const results: BenchResult[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'perfcell-bench-analyzer-'));
    try {
      await writeSyntheticRun(dir, n);
      const raw = runFile(dir, 'raw');
      const analyzer: number[] = [];
      const zcat: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < repeats; i++) {
        // Alternate the two so that the machine's drift hits both.
        const z = await run('sh', ['-c', `zcat '${raw}' | wc -l`]);
        zcat.push(z.ms / 1000);
        const a = await analyseInChild(dir);
        analyzer.push(a.ms / 1000);
        rss.push(a.maxRssMb);
      }
      const label = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
      results.push(
        compared(
          {
            name: `analyzer throughput, ${label} samples (${(statSync(raw).size / 1048576).toFixed(1)} MB gz)`,
            command: `node --import tsx bench/analyzer.ts ${n}`,
            unit: 's',
            target: '≥ 0.5 (zcat time / analyzer time) at ≥ 5M samples',
            inverse: true,
          },
          analyzer,
          { name: 'zcat FILE | wc -l', samples: zcat },
        ),
      );
      results.push({ name: `analyzer peak RSS, ${label} samples`, command: `node --import tsx bench/analyzer.ts ${n}`, unit: 'MB', median: median(rss), samples: rss, target: 'flat, < 200 MB' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/**
 * Report figures for a one-hour run (targets: ≤ 1.5 MB, ≤ 1 s to render in Chromium). The report's size
 * depends on the number of windows, not of requests: a low rate over an hour gives the same charts.
 */
export async function benchReport(options: { ratePerSec?: number; repeats?: number } = {}): Promise<BenchResult[]> {
  const { writeReport } = await import('../src/report/write.js');
  const { chromium } = await import('playwright-core');
  const rate = options.ratePerSec ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-bench-report-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'] });
  try {
    await writeSyntheticRun(dir, 3600 * rate * PER_REQUEST.length, rate);
    const { files } = await writeReport(dir);
    const render: number[] = [];
    for (let i = 0; i < (options.repeats ?? 3); i++) {
      const page = await browser.newPage();
      await page.route('**/*', (r) => (r.request().url().startsWith('file://') ? r.continue() : r.abort()));
      const t0 = performance.now();
      await page.goto(`file://${files.html}`, { waitUntil: 'load' });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
      render.push((performance.now() - t0) / 1000);
      await page.close();
    }
    const sizeMb = statSync(files.html).size / 1048576;
    return [
      { name: 'report.html size, one-hour run', command: 'bench/analyzer.ts benchReport()', unit: 'MB', median: sizeMb, samples: [sizeMb], target: '≤ 1.5 MB' },
      { name: 'report render in Chromium (load + first frame), one-hour run', command: 'bench/analyzer.ts benchReport()', unit: 's', median: median(render), samples: render, target: '≤ 1 s' },
    ];
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const t0 = performance.now();
  const a = await analyzeRun(process.argv[3] as string);
  const ms = performance.now() - t0;
  const report: ChildReport = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, samples: a.read.samples, requests: a.overall.requests };
  process.stdout.write(JSON.stringify(report) + '\n');
} else if (process.argv[1] === SELF) {
  const n = Number(process.argv[2] ?? 100_000);
  for (const r of [...(await benchAnalyzer({ samples: [n], repeats: 1 })), ...(process.argv.includes('--report') ? await benchReport({ repeats: 1 }) : [])]) {
    process.stdout.write(`${r.name}: ${r.median.toFixed(3)} ${r.unit}${r.baseline ? ` · ${r.baseline.name} ${r.baseline.median.toFixed(3)} s · ratio ${r.ratio?.toFixed(2)}` : ''}\n`);
  }
}
