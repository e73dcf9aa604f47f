/**
 * The site's input, as plain data: what the loader (load.ts) extracts from run folders, iteration folders
 * (analysis.json, campaign.json), gate folders and the baseline store. Everything after it is pure.
 * Only the figures the site shows are kept, so that the loader's cache stays small and a rebuild is fast.
 */
import type { Lang, Severity } from '../rules/types.js';

/** An iteration's verdict as the site shows it; `not-analysed`: run folders but no analysis.json. */
export type SiteVerdict = 'go' | 'no-go' | 'inconclusive' | 'not-analysed';
export const SITE_VERDICTS: readonly SiteVerdict[] = ['go', 'no-go', 'inconclusive', 'not-analysed'];

export interface TxFigures {
  name: string;
  requests: number;
  p95: number | null;
  p99: number | null;
  errorRate: number;
  /** The SLO's p95 limit (ms), when the model sets one. */
  sloP95: number | null;
  /** Offered rate the load model plans (per second); picks the key transaction when none is declared. */
  targetRate: number | null;
}

export interface CapacityFigures {
  transaction: string;
  headroom: number | null;
  requiredHeadroom: number;
  maxSustainable: number | null;
  modelPeak: number;
}

export interface PhaseFigures {
  phase: string;
  incomplete: boolean;
  transactions: TxFigures[];
  capacity: CapacityFigures[];
}

export interface FindingInput {
  ruleId: string;
  severity: Severity;
  phase: string;
  transaction: string | null;
  text: Record<Lang, string>;
}

/** One run folder's traceability, from its run.json. */
export interface RunTrace {
  runId: string;
  phase: string;
  status: string;
  startedAt: string | null;
  environment: string;
  targets: Record<string, string>;
  /** target → version string (from its /health; objects flattened to JSON). */
  versions: Record<string, string>;
  modelFile: string;
  modelHash: string;
  scenariosCommit: string | null;
  scenariosDirty: boolean;
  k6Version: string;
  /** The injector (load generator) this run folder came from, when the phase had several. */
  injector: string | null;
  /** Path relative to the reports folder. */
  dir: string;
}

export interface IterationInput {
  n: number;
  /** Path relative to the reports folder. */
  dir: string;
  /** Relative path of report.html, when the iteration has one. */
  report: string | null;
  verdict: SiteVerdict;
  headline: Record<Lang, string> | null;
  /** When the campaign started (ISO), else its first run's start. */
  date: string | null;
  campaignStatus: string | null;
  phases: PhaseFigures[];
  findings: FindingInput[];
  runs: RunTrace[];
  /** Something in the folder could not be read; the iteration is still listed. */
  problems: string[];
}

export interface GateInput {
  service: string;
  branch: string;
  id: string;
  dir: string;
  date: string | null;
  status: string;
  mode: string;
  baselineLabel: string;
  candidateLabel: string;
  transactions: { name: string; status: string; effect: number | null; errorEffect: number | null }[];
  summary: string | null;
}

export interface BaselineInput {
  service: string;
  name: string;
  runId: string;
  profile: string;
  modelHash: string;
  setAt: string;
}

export interface ServiceInput {
  name: string;
  team: string | null;
  keyTransaction: string | null;
  iterations: IterationInput[];
  /** Folders that could not be read at all (reason given), shown on the service page. */
  problems: { path: string; reason: string }[];
}

export interface EnvironmentInput {
  name: string;
  loadTesting: string | null;
  targets: Record<string, string>;
}

export interface SiteInput {
  services: ServiceInput[];
  gates: GateInput[];
  baselines: BaselineInput[];
  /** The registry's environments (perfcell.config.yaml), when one was found. */
  environments: EnvironmentInput[];
  /** Problems outside any service (unreadable gate folder, bad registry, bad baseline store). */
  problems: { path: string; reason: string }[];
}
