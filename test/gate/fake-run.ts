/** Writes small synthetic run folders (run.json + raw.csv.gz in k6's CSV format) for the gate's tests. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { injectorDir, readRunMeta, RUN_SCHEMA_VERSION, runFile, writeRunMeta, type RunMeta } from '../../src/store/folder.js';

export interface FakeRequest {
  transaction: string;
  /** Offset from the run's start, ms. */
  atMs: number;
  latencyMs: number;
  failed?: boolean;
}

const START = Date.UTC(2026, 10, 25, 12, 0, 0);

export function fakeMeta(over: Partial<RunMeta> = {}): RunMeta {
  return {
    schemaVersion: RUN_SCHEMA_VERSION,
    runId: '20261125T120000Z-000001',
    perfcellVersion: '0.1.0',
    service: 'gate-app',
    profile: 'single',
    phase: 'unstubbed',
    iteration: 1,
    model: { file: 'test/gate/fixtures/gate.yaml', hash: 'f'.repeat(64) },
    scenariosCommit: null,
    scenariosDirty: false,
    environment: { name: 'local', targets: { app: 'http://127.0.0.1:18091' } },
    targetsVersions: {},
    k6: { path: 'k6', version: 'v2.2.0', args: [] },
    timeline: [{ fromMultiplier: 1, toMultiplier: 1, durationMs: 8000 }],
    plannedDurationMs: 8000,
    transactions: [{ name: 'hello', scenario: 'x.ts#hello', peakPerSec: 100, peakRatePerSec: 100, stepRatesPerSec: [100], preAllocatedVUs: 4, maxVUs: 16, slo: {}, targets: [] }],
    headroom: 0.3,
    startedAt: new Date(START).toISOString(),
    endedAt: new Date(START + 8000).toISOString(),
    k6ExitCode: 0,
    exitCode: 0,
    interrupted: false,
    status: 'passed',
    flags: [],
    ...over,
  };
}

export function writeFakeRun(dir: string, requests: FakeRequest[], meta: Partial<RunMeta> = {}): string {
  mkdirSync(dir, { recursive: true });
  writeRunMeta(dir, fakeMeta(meta));
  const lines = ['metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,scenario,service,status,extra_tags,metadata'];
  for (const r of requests) {
    const t = START + r.atMs;
    const tail = `,,,,${r.failed ? 'false' : 'true'},,GET,hello,${r.transaction},gate-app,${r.failed ? 500 : 200},transaction=${r.transaction},`;
    lines.push(`http_req_duration,${t},${r.latencyMs}${tail}`, `http_req_failed,${t},${r.failed ? 1 : 0}${tail}`, `http_reqs,${t},1${tail}`);
  }
  writeFileSync(runFile(dir, 'raw'), gzipSync(lines.join('\n') + '\n'));
  return dir;
}

/** `perSec` requests a second for `seconds`, latency from `latency(i)`. */
export function steadyRequests(transaction: string, seconds: number, perSec: number, latency: (i: number) => number, failEvery = 0): FakeRequest[] {
  return Array.from({ length: seconds * perSec }, (_, i) => ({
    transaction,
    atMs: Math.floor((i * 1000) / perSec),
    latencyMs: latency(i),
    failed: failEvery > 0 && i % failEvery === 0,
  }));
}

/**
 * Turns a one-process run folder into a distributed one holding the same samples: its raw file's lines split
 * over `names` (by timestamp, so a request's lines stay together) into injectors/<name>/raw.csv.gz, run.json
 * listing them as equal segments, the top-level raw file removed.
 */
export function splitIntoInjectors(dir: string, names: string[]): void {
  const [header, ...lines] = gunzipSync(readFileSync(runFile(dir, 'raw'))).toString('utf8').trimEnd().split('\n');
  const parts = names.map(() => [header]);
  for (const line of lines) parts[Number(line.split(',')[1]) % names.length]?.push(line);
  const n = names.length;
  const bound = (k: number) => (k === 0 ? '0' : k === n ? '1' : `${k}/${n}`);
  names.forEach((name, k) => {
    mkdirSync(injectorDir(dir, name), { recursive: true });
    writeFileSync(join(injectorDir(dir, name), 'raw.csv.gz'), gzipSync((parts[k] as string[]).join('\n') + '\n'));
  });
  const meta = readRunMeta(dir);
  meta.injectors = {
    startAt: meta.startedAt,
    skewMs: 0,
    skewBasis: 'vus-tick',
    list: names.map((name, k) => ({ name, host: 'local', segment: `${bound(k)}:${bound(k + 1)}`, sequence: names.map((_, j) => bound(j)).concat('1').join(','), k6Version: 'v2.2.0', startOffsetMs: 0, k6ExitCode: 0, lost: false })),
  };
  writeRunMeta(dir, meta);
  rmSync(runFile(dir, 'raw'));
}
