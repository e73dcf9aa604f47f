/**
 * The run folder: the source of truth for a run. This module alone knows its file names and run.json's
 * shape; every other module (analysis, report, push, gate) reads runs through it.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import type { StoredInjectors, StoredPhase as Phase, StoredSlo, StoredTransaction } from './run-schema.js';
import { migrateRunJson } from './migrate.js';

/** 2: intent as data (business peak, SLO objects, targets, headroom, unmatched stub requests); 1 is migrated. */
export const RUN_SCHEMA_VERSION = 2;

export const RUN_FILES = {
  meta: 'run.json',
  options: 'options.json',
  bundle: 'bundle.js',
  bundleMap: 'bundle.js.map',
  /** k6's CSV output, gzip-compressed: the raw samples. CSV parses several times faster than k6's JSON lines. */
  raw: 'raw.csv.gz',
  summary: 'summary.json',
  k6Log: 'k6.log',
  model: 'model.yaml',
  monitor: 'monitor.jsonl',
  /** Campaign phases: per stub server, traffic per mapping and the requests that matched no mapping. */
  stubs: 'stubs.json',
} as const;

/** `slo-broken` is a NO-GO (a broken SLO or another blocking finding); `inconclusive`, a measurement that is not valid (src/verdict). */
export type RunStatus = 'running' | 'passed' | 'slo-broken' | 'inconclusive' | 'failed' | 'interrupted';

/** What run.json keeps of each transaction: the stored format's own type (src/store/run-schema.ts). */
export type RunTransactionMeta = StoredTransaction;
export type { StoredSlo };

export interface RunMeta {
  schemaVersion: number;
  runId: string;
  perfcellVersion: string;
  service: string;
  profile: string;
  phase: Phase;
  iteration: number;
  campaign?: string;
  model: { file: string; hash: string };
  scenariosCommit: string | null;
  scenariosDirty: boolean;
  environment: { name: string; targets: Record<string, string> };
  /** Versions of the apps under test, from their /health when they expose one. */
  targetsVersions: Record<string, unknown>;
  k6: { path: string; version: string; args: string[] };
  timeline: { fromMultiplier: number; toMultiplier: number; durationMs: number }[];
  plannedDurationMs: number;
  transactions: RunTransactionMeta[];
  /** The model's required headroom over its peak (0.3 = 30 %). */
  headroom: number;
  /**
   * Campaign phases: requests to the stubs that matched no mapping (counted from the stub journal; the calls
   * themselves are listed in the folder's stubs.json). Absent: none, or a run without stubs.
   */
  unmatchedStubRequests?: number;
  startedAt: string;
  endedAt: string | null;
  k6ExitCode: number | null;
  exitCode: number | null;
  interrupted: boolean;
  status: RunStatus;
  /** Anything that makes the results less trustworthy (interrupted, live push failed, …). */
  flags: string[];
  /** A distributed run's k6 processes; their files are under injectors/<name>/ (see `rawOutputs`). */
  injectors?: StoredInjectors;
  /**
   * A closed-model run (a profile of `vus` and `thinkTimeMs`): its users in all and their mean pause (ms).
   * Its transactions' rates are then what those users were expected to do, not an offered load. Absent for
   * an open-model run, so no schema version change (as `injectors`).
   */
  closedModel?: { vus: number; thinkTimeMs: number };
}

export function runFile(dir: string, key: keyof typeof RUN_FILES): string {
  return join(dir, RUN_FILES[key]);
}

/** Where an injector of a distributed run keeps its raw samples, summary and k6 log. */
export function injectorDir(dir: string, name: string): string {
  return join(dir, 'injectors', name);
}

/** One k6 output of a run: the run's own files, or one injector's. */
export interface RawOutput {
  /** Injector name; undefined for a one-process run. */
  injector?: string;
  raw: string;
  summary: string;
  k6Log: string;
  /** The injector was lost mid-run (its segment is short). */
  lost: boolean;
}

/** Every k6 output a run folder holds: the readers (analysis, gate, push) treat them as one run. */
export function rawOutputs(dir: string, meta: Pick<RunMeta, 'injectors'>): RawOutput[] {
  if (!meta.injectors) return [{ raw: runFile(dir, 'raw'), summary: runFile(dir, 'summary'), k6Log: runFile(dir, 'k6Log'), lost: false }];
  return meta.injectors.list.map((i) => {
    const d = injectorDir(dir, i.name);
    return { injector: i.name, raw: join(d, RUN_FILES.raw), summary: join(d, RUN_FILES.summary), k6Log: join(d, RUN_FILES.k6Log), lost: i.lost };
  });
}

/** Written atomically (temp file + rename) so a crash never leaves half a run.json. */
export function writeRunMeta(dir: string, meta: RunMeta): void {
  const path = runFile(dir, 'meta');
  writeFileSync(`${path}.tmp`, JSON.stringify(meta, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

export function readRunMeta(dir: string): RunMeta {
  const path = runFile(dir, 'meta');
  if (!existsSync(path)) throw new PerfcellError(`${dir}: not a run folder (no ${RUN_FILES.meta})`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw inputError(path, '', `valid JSON (${(e as Error).message})`);
  }
  // Older versions are migrated in memory (src/store/migrate.ts); newer or unknown ones are refused.
  const files = { read: (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : null) };
  return migrateRunJson(json, RUN_SCHEMA_VERSION, path, undefined, files) as unknown as RunMeta;
}

/** Run ids sort by time and stay unique across injectors: UTC timestamp + random suffix. */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.floor(random() * 0xffffff).toString(16).padStart(6, '0')}`;
}
