/**
 * Reading older run folders: run.json is brought up to the current schema one version at a time, in
 * memory (the folder on disk is left as it was written). A version with no step to the next one, or newer
 * than this perfcell, is refused with a message naming the file.
 */
import { parse as parseYaml } from 'yaml';
import { inputError } from '../errors.js';
import { DEFAULT_HEADROOM, type StoredSlo } from './run-schema.js';

/** What a step may read besides run.json: another file of the same run folder (null when absent). */
export interface FolderFiles {
  read(name: string): string | null;
}

const NO_FILES: FolderFiles = { read: () => null };

/** One step per stored version older than the current one: version n's JSON → version n + 1's. */
export type MigrationStep = (old: Record<string, unknown>, files: FolderFiles) => Record<string, unknown>;

/** Version 1's k6 threshold statistics → the SLO field they stand for. */
const V1_STAT_TO_SLO: Record<string, keyof StoredSlo> = { med: 'p50Ms', 'p(50)': 'p50Ms', 'p(90)': 'p90Ms', 'p(95)': 'p95Ms', 'p(99)': 'p99Ms', rate: 'maxErrorRate' };

/** Version 1 stored SLOs as k6 expressions ("http_req_duration p(95)<100"): the objects they were compiled from. Unknown forms are left out. */
export function sloFromV1Thresholds(thresholds: readonly string[]): StoredSlo {
  const slo: StoredSlo = {};
  for (const text of thresholds) {
    const m = /^\S+\s+([a-z()0-9.]+)\s*(<=|<)\s*([0-9.]+)$/.exec(text.trim());
    const key = m ? V1_STAT_TO_SLO[m[1] as string] : undefined;
    if (m && key) slo[key] = Number(m[3]);
  }
  return slo;
}

/** Version 1's flag `unmatched-stub-requests:<n>` (set by campaigns): its count, and the other flags. */
export function unmatchedFromV1Flags(flags: readonly string[]): { unmatched: number; flags: string[] } {
  const prefix = 'unmatched-stub-requests:';
  let unmatched = 0;
  const rest: string[] = [];
  for (const f of flags) {
    if (!f.startsWith(prefix)) rest.push(f);
    else if (/^\d+$/.test(f.slice(prefix.length))) unmatched += Number(f.slice(prefix.length));
  }
  return { unmatched, flags: rest };
}

/** What version 1 read from the run's copy of model.yaml: the headroom and each transaction's targets. */
function v1ModelInfo(text: string | null): { headroom: number; targets: Map<string, string[]> } {
  const targets = new Map<string, string[]>();
  let headroom = DEFAULT_HEADROOM;
  try {
    const model = (text === null ? null : parseYaml(text)) as { headroom?: unknown; transactions?: { name?: unknown; targets?: unknown }[] } | null;
    if (typeof model?.headroom === 'number') headroom = model.headroom;
    for (const t of Array.isArray(model?.transactions) ? model.transactions : []) {
      if (typeof t?.name === 'string' && Array.isArray(t.targets) && t.targets.length) targets.set(t.name, t.targets.map(String));
    }
  } catch {
    // A model that no longer parses still leaves run.json's figures usable (as version 1's reader did).
  }
  return { headroom, targets };
}

/** The multiplier of the first hold of the timeline (rate constant, above zero): version 1's peak was step rate ÷ it. */
function firstHoldMultiplier(timeline: unknown): number {
  for (const s of Array.isArray(timeline) ? (timeline as { fromMultiplier?: number; toMultiplier?: number }[]) : []) {
    if (s.fromMultiplier === s.toMultiplier && typeof s.toMultiplier === 'number' && s.toMultiplier > 0) return s.toMultiplier;
  }
  return 1;
}

/**
 * 1 → 2: intent as data. The SLO objects from the threshold strings, the business peak from the first step's
 * rate and multiplier, headroom and targets from the folder's model.yaml, and the stub flag as a number.
 */
function v1ToV2(v1: Record<string, unknown>, files: FolderFiles): Record<string, unknown> {
  const { headroom, targets } = v1ModelInfo(files.read('model.yaml'));
  const multiplier = firstHoldMultiplier(v1.timeline);
  const transactions = (Array.isArray(v1.transactions) ? v1.transactions : []).map((raw: Record<string, unknown>) => {
    const { thresholds, ...rest } = raw;
    const steps = Array.isArray(raw.stepRatesPerSec) ? (raw.stepRatesPerSec as number[]) : [];
    return {
      ...rest,
      peakPerSec: (steps[0] ?? 0) / multiplier,
      slo: sloFromV1Thresholds(Array.isArray(thresholds) ? (thresholds as string[]) : []),
      targets: targets.get(String(raw.name)) ?? [],
    };
  });
  const { unmatched, flags } = unmatchedFromV1Flags(Array.isArray(v1.flags) ? (v1.flags as string[]) : []);
  return { ...v1, transactions, headroom, flags, ...(unmatched > 0 ? { unmatchedStubRequests: unmatched } : {}) };
}

/** Steps keyed by the version they read. */
export const RUN_MIGRATIONS: Readonly<Record<number, MigrationStep>> = { 1: v1ToV2 };

/** The parsed run.json brought to `current`; `path` names the file in errors; `files` reads the folder's other files. Pure but for `files`. */
export function migrateRunJson(
  raw: unknown,
  current: number,
  path: string,
  steps: Readonly<Record<number, MigrationStep>> = RUN_MIGRATIONS,
  files: FolderFiles = NO_FILES,
): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw inputError(path, '', 'a JSON object');
  let json = raw as Record<string, unknown>;
  let version = json.schemaVersion;
  while (version !== current) {
    const step = typeof version === 'number' && version < current ? steps[version] : undefined;
    if (!step) {
      throw inputError(path, 'schemaVersion', `${current} (this perfcell reads run folders of that version${Object.keys(steps).length ? ` and migrates versions ${Object.keys(steps).join(', ')}` : ''}), got ${String(version)}`);
    }
    json = { ...step(json, files), schemaVersion: (version as number) + 1 };
    version = json.schemaVersion;
  }
  return json;
}
