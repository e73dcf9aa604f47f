/**
 * `perfcell stubs calibrate <run folder>`: stubs that answer as slowly as the real dependency. The run is
 * an unstubbed run whose requests went to the dependencies themselves (stubs/calibration.yaml does that
 * for the reference target), each request named (k6 `name` tag) after an endpoint; every mapping whose
 * metadata.endpoint names one gets a lognormal delay fitted to those latencies.
 */
import { readRunSamples } from '../store/run-samples.js';
import { readRunMeta } from '../store/folder.js';
import { PerfcellError } from '../errors.js';
import { listStubSets, loadStubSet, writeMappingFile, mappingLabel, type LognormalDelay } from './stub-set.js';

/** Running moments of ln(latency): the lognormal fit needs no stored samples. */
export interface LogMoments {
  n: number;
  mean: number;
  m2: number;
}

export function addLog(m: LogMoments, valueMs: number): void {
  if (!(valueMs > 0)) return;
  const x = Math.log(valueMs);
  m.n++;
  const d = x - m.mean;
  m.mean += d / m.n;
  m.m2 += d * (x - m.mean);
}

/**
 * Maximum-likelihood lognormal: median = e^mean(ln x), sigma = sd(ln x) — the parameters WireMock's
 * lognormal delay takes. Rounded to what a mapping file should say (0.1 ms, 3 decimals of sigma).
 */
export function lognormalFit(m: LogMoments): LognormalDelay | undefined {
  if (m.n < 2) return undefined;
  const sigma = Math.sqrt(m.m2 / (m.n - 1));
  return { type: 'lognormal', median: Math.round(Math.exp(m.mean) * 10) / 10, sigma: Math.round(sigma * 1000) / 1000 };
}

/** Per `name` tag, the moments of successful HTTP latencies in a run folder's raw samples (every injector's). */
export async function endpointLatencies(runDir: string): Promise<Map<string, LogMoments>> {
  const byName = new Map<string, LogMoments>();
  await readRunSamples(
    runDir,
    readRunMeta(runDir),
    (s) => {
      if (s.expectedResponse === 'false' || s.name === '') return;
      let m = byName.get(s.name);
      if (!m) byName.set(s.name, (m = { n: 0, mean: 0, m2: 0 }));
      addLog(m, s.value);
    },
    { metrics: new Set(['http_req_duration']) },
  );
  return byName;
}

export interface CalibrationChange {
  stubSet: string;
  file: string;
  mapping: string;
  endpoint: string;
  samples: number;
  before: unknown;
  after: LognormalDelay;
}

export interface CalibrationResult {
  changes: CalibrationChange[];
  /** Mappings naming an endpoint the run did not measure (kept as they were). */
  unmeasured: { stubSet: string; mapping: string; endpoint: string }[];
  /** Endpoints measured in the run that no mapping names. */
  unused: string[];
}

export async function calibrateStubs(runDir: string, stubsDir: string, opts: { only?: string[]; dryRun?: boolean } = {}): Promise<CalibrationResult> {
  const meta = readRunMeta(runDir);
  if (meta.phase === 'stubbed') {
    throw new PerfcellError(`${runDir}: a run whose requests reached the real dependencies (this one is phase "stubbed": its latencies are the stubs' own)`);
  }
  const latencies = await endpointLatencies(runDir);
  const result: CalibrationResult = { changes: [], unmeasured: [], unused: [] };
  const named = new Set<string>();
  const sets = (opts.only ?? listStubSets(stubsDir)).map((n) => loadStubSet(stubsDir, n));
  for (const set of sets) {
    for (const f of set.files) {
      let changed = false;
      for (const m of f.mappings) {
        const endpoint = m.metadata?.endpoint;
        if (!endpoint) continue;
        named.add(endpoint);
        const moments = latencies.get(endpoint);
        const fit = moments ? lognormalFit(moments) : undefined;
        if (!moments || !fit) {
          result.unmeasured.push({ stubSet: set.name, mapping: mappingLabel(m), endpoint });
          continue;
        }
        result.changes.push({ stubSet: set.name, file: f.file, mapping: mappingLabel(m), endpoint, samples: moments.n, before: m.response.delayDistribution ?? null, after: fit });
        m.response.delayDistribution = fit;
        delete m.response.fixedDelayMilliseconds;
        changed = true;
      }
      if (changed && !opts.dryRun) writeMappingFile(f);
    }
  }
  result.unused = [...latencies.keys()].filter((k) => !named.has(k)).sort();
  return result;
}
