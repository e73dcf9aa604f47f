/**
 * run.json's stored shape, owned by the stored format and by nothing above it: the model compiler's types
 * may change without changing what a run folder holds. Each change of these types bumps RUN_SCHEMA_VERSION
 * (src/store/folder.ts) and adds a step to src/store/migrate.ts, so that older run folders stay readable.
 */

/**
 * The headroom over the peak a load model requires when it names none (the model schema's default, and what
 * a run folder of schema version 1 without a readable model.yaml is read with): growth and a peak's spread
 * over the model's hourly volume.
 */
export const DEFAULT_HEADROOM = 0.3;

/** The phases a run can belong to (the same three words as the model's PHASES, kept here as stored data). */
export type StoredPhase = 'stubbed' | 'unstubbed' | 'e2e';

/** A transaction as run.json stores it (schema version 1). */
export interface StoredTransaction {
  name: string;
  /** The k6 scenario that ran it. */
  scenario: string;
  /** Highest rate of the profile, requests (iterations) per second. */
  peakRatePerSec: number;
  /** Rate at each profile step, per second (one value for constant profiles). */
  stepRatesPerSec: number[];
  preAllocatedVUs: number;
  maxVUs: number;
  /** k6 threshold expressions given for this transaction's scenario. */
  thresholds: string[];
}
