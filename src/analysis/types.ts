/**
 * The shape of an analysis (analysis.json): plain data, versioned. Other modules (report, gate, campaign)
 * import these types from here and nowhere else.
 */
import type { Phase } from '../model/compile.js';

export const ANALYSIS_SCHEMA_VERSION = 1;

/** Why a request failed, coarse enough to act on. */
export const ERROR_KINDS = ['4xx', '5xx', 'timeout', 'connection-refused', 'connection-reset', 'network', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Latency figures in milliseconds; percentiles interpolated the way k6 does, from HDR histograms. */
export interface LatencyStats {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  /**
   * 95 % distribution-free interval of the p95 (src/analysis/quantile-ci.ts); `high` null when too few
   * samples bound it. Absent in analyses written before it existed.
   */
  p95Ci?: { low: number; high: number | null };
}

/** One window of a per-transaction series. Latency fields are null when the window holds no request. */
export interface WindowPoint {
  /** Start of the window, unix ms. */
  t: number;
  count: number;
  errors: number;
  dropped: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface TransactionAnalysis {
  name: string;
  /** Targets the transaction calls, its entry point first (the model's `targets`; the only one if there is one). */
  targets: string[];
  /** http_reqs samples (requests, not iterations). */
  requests: number;
  iterations: number;
  /**
   * Mean iteration_duration (ms): how long an iteration holds its VU, requests and the script's own waits
   * included. Absent in analyses written before it was read.
   */
  iterationMeanMs?: number | null;
  dropped: number;
  ratePerSec: number;
  /** Offered rate from the load model (iterations per second at the profile's peak); null if unknown. */
  targetRatePerSec: number | null;
  errors: number;
  errorRate: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  statusCounts: Record<string, number>;
  latencyMs: LatencyStats | null;
  checks: { passes: number; fails: number };
  /** Distinct request names (`name` tag) seen, capped at DISTINCT_NAMES_CAP. */
  distinctNames: number;
  /** The first request names seen (at most REQUEST_NAMES_KEPT): which routes a transaction calls. */
  requestNames?: string[];
  series: WindowPoint[];
}

export interface VitalStats {
  metric: 'lcp' | 'fcp' | 'cls' | 'inp' | 'ttfb';
  count: number;
  p75: number;
  p95: number;
  /** Unit: ms, except CLS (unitless). */
  unit: 'ms' | '';
}

export interface RunRef {
  runId: string;
  dir: string;
  service: string;
  profile: string;
  phase: Phase;
  iteration: number;
  status: string;
  flags: string[];
  /** Requests to the stubs that matched no mapping (run.json's unmatchedStubRequests; 0 when none). */
  unmatchedStubRequests: number;
  startedAt: string;
  endedAt: string | null;
  k6Version: string;
  modelFile: string;
  modelHash: string;
  environment: string;
  targets: Record<string, string>;
  targetsVersions: Record<string, unknown>;
  scenariosCommit: string | null;
}

export interface StepCapacity {
  multiplier: number;
  offeredPerSec: number;
  achievedPerSec: number;
  dropped: number;
  p95Ms: number | null;
  errorRate: number;
  /** Mean concurrency by Little's law (achieved rate × mean latency). */
  concurrency: number;
  fromMs: number;
  toMs: number;
}

export interface TransactionCapacity {
  transaction: string;
  /** When the test started (unix ms), aligned on the planned timeline; steps' fromMs/toMs count from it. */
  testStartMs?: number;
  steps: StepCapacity[];
  /** Index of the first step that breaks (rate not achieved, dropped iterations, p95 over SLO), or null. */
  kneeStep: number | null;
  kneeReason: 'rate-not-achieved' | 'dropped-iterations' | 'p95-over-slo' | null;
  maxSustainablePerSec: number | null;
  /** Rate at multiplier 1 of the load model (the expected peak). */
  modelPeakPerSec: number;
  /** maxSustainable / modelPeak − 1; null when no step held. */
  headroom: number | null;
  requiredHeadroom: number;
  /**
   * Universal Scalability Law fit X(N) = λN / (1 + σ(N−1) + κN(N−1)) over the steps (N = concurrency by
   * Little's law). peakConcurrency is null when the fit does not bend over (κ = 0): then no peak is predicted
   * and peakThroughputPerSec is only the best fitted step.
   */
  usl: { sigma: number; kappa: number; lambda: number; peakConcurrency: number | null; peakThroughputPerSec: number } | null;
}

export interface SloResult {
  transaction: string;
  /** e.g. "p95", "errorRate". */
  criterion: string;
  op: string;
  limit: number;
  actual: number | null;
  pass: boolean;
}

export interface MonitorSeries {
  source: string;
  metric: string;
  /** Label set summarised as "k=v,k=v" (empty for none). */
  labels: string;
  points: { t: number; v: number }[];
}

/** One injector of a distributed run (src/analysis/injectors.ts). */
export interface InjectorFigures {
  name: string;
  /** "local" or "user@host:port". */
  host: string;
  segment: string;
  lost: boolean;
  /** Requests in its own raw file, and per second of the run. */
  requests: number;
  ratePerSec: number;
  /** Its host's CPU over the run, 0–100 (local injectors: this machine's); null: not monitored. */
  hostCpuMeanPercent: number | null;
  hostCpuPeakPercent: number | null;
  /** Its k6's own CPU (100 = one core) and peak resident memory: SSH injectors only, null otherwise. */
  k6CpuMeanPercent: number | null;
  k6RssPeakBytes: number | null;
}

export interface Analysis {
  schemaVersion: typeof ANALYSIS_SCHEMA_VERSION;
  runs: RunRef[];
  service: string;
  phase: Phase;
  profile: string;
  iteration: number;
  /** The run(s) stopped early or a file was cut: figures cover only what was recorded. */
  incomplete: boolean;
  incompleteReasons: string[];
  startMs: number;
  endMs: number;
  durationSec: number;
  plannedDurationSec: number;
  /** Width of the series' windows (may be wider than asked if the run was long: series keep a fixed size). */
  windowMs: number;
  overall: TransactionAnalysis;
  transactions: TransactionAnalysis[];
  checks: { name: string; passes: number; fails: number }[];
  /** Busiest VU count seen, and the ceiling the load model allows (sum of maxVUs). */
  vus: { max: number; maxAllowed: number; series: { t: number; v: number }[] };
  webVitals: VitalStats[];
  slo: SloResult[];
  capacity: TransactionCapacity[];
  monitor: MonitorSeries[];
  /** A distributed run's injectors, each one's share of the load and health (absent for one k6). */
  injectors?: InjectorFigures[];
  /** The model's required headroom over its peak (default 0.3). */
  requiredHeadroom: number;
  read: { samples: number; badLines: number; truncated: boolean };
}
