/**
 * run.json's stored shape, owned by the stored format and by nothing above it: the model compiler's types
 * may change without changing what a run folder holds. Each change of these types bumps RUN_SCHEMA_VERSION
 * (src/store/folder.ts) and adds a step to src/store/migrate.ts, so that older run folders stay readable.
 *
 * Version 2 stores the load model's intent as data (the business peak, SLO objects, targets, headroom), so
 * that nothing downstream decodes k6 threshold strings or re-reads the run's copy of model.yaml.
 */

/**
 * The headroom over the peak a load model requires when it names none (the model schema's default, and what
 * a run folder of schema version 1 without a readable model.yaml is read with): growth and a peak's spread
 * over the model's hourly volume.
 */
export const DEFAULT_HEADROOM = 0.3;

/** The phases a run can belong to (the same three words as the model's PHASES, kept here as stored data). */
export type StoredPhase = 'stubbed' | 'unstubbed' | 'e2e';

/**
 * A transaction's service-level objectives as the model states them: latency percentiles are strict upper
 * bounds (k6's `p(95)<limit`), the error rate a maximum (`rate<=limit`). Absent = no objective.
 */
export interface StoredSlo {
  p50Ms?: number;
  p90Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxErrorRate?: number;
}

/** A transaction as run.json stores it (schema version 2). */
export interface StoredTransaction {
  name: string;
  /** The k6 scenario that ran it. */
  scenario: string;
  /** The model's business peak (its peakPerHour at multiplier 1), per second. */
  peakPerSec: number;
  /** Highest rate of the profile, requests (iterations) per second. */
  peakRatePerSec: number;
  /** Rate at each profile step, per second (one value for constant profiles). */
  stepRatesPerSec: number[];
  preAllocatedVUs: number;
  maxVUs: number;
  /** The model's SLOs for this transaction (k6 got them as thresholds; options.json keeps those). */
  slo: StoredSlo;
  /** Which targets it calls, its entry point first (the model's `targets`; empty when the model names none). */
  targets: string[];
}

/**
 * One k6 process of a distributed run (optional `injectors` of run.json; absent for one local k6, so no
 * schema version change: a reader that ignores it sees the run's top-level files, which then do not exist).
 */
export interface StoredInjector {
  name: string;
  /** "local" or "user@host:port". */
  host: string;
  /** `--execution-segment` and the shared `--execution-segment-sequence`. */
  segment: string;
  sequence: string;
  k6Version: string;
  /** ms after the earliest injector's start (see `StoredInjectors.skewBasis`); null when it never started. */
  startOffsetMs: number | null;
  k6ExitCode: number | null;
  /** It died or was cut off before the end: its segment of the load was short. */
  lost: boolean;
  /**
   * SSH injectors: the host's clock minus perfcell's, ms, measured in the pre-flight (± half an SSH round
   * trip). Samples carry the host's clock: the skew above already includes this offset.
   */
  clockOffsetMs?: number;
}

export interface StoredInjectors {
  /** The agreed wall-clock start instant every injector waited for (ISO). */
  startAt: string;
  /** Latest start − earliest start, ms. */
  skewMs: number;
  skewBasis: 'vus-tick' | 'process-start';
  list: StoredInjector[];
}
