/**
 * The baseline store: accepted runs kept under <store>/<service>/<name>/ (a copy of the run folder's result
 * files + baseline.json), so that "main" — main's last accepted run — is the gate's default baseline.
 * Every way a baseline can be unusable (missing, another service, another profile, damaged) is a
 * PerfcellError naming the file and what was expected: the gate turns it into exit 3.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import { statePath } from '../../lib/state-dir.js';
import { RUN_FILES, rawOutputs, readRunMeta, runFile, type RunMeta } from '../store/folder.js';

export const BASELINE_SCHEMA_VERSION = 1;
export const BASELINE_FILE = 'baseline.json';
export const DEFAULT_BASELINE_NAME = 'main';

/** Files of a run folder that make a baseline (the bundle is left out: it can be rebuilt, and it is large). */
const KEPT: (keyof typeof RUN_FILES)[] = ['meta', 'raw', 'summary', 'options', 'model', 'monitor', 'k6Log'];

export interface BaselineRecord {
  schemaVersion: number;
  name: string;
  service: string;
  profile: string;
  runId: string;
  modelHash: string;
  /** Where the run was copied from. */
  source: string;
  setAt: string;
  note?: string;
}

export function defaultStore(): string {
  return resolve(process.env.PERFCELL_BASELINES ?? statePath('baselines'));
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkName(name: string): void {
  if (!NAME_RE.test(name)) throw inputError('--name', '', `a baseline name of letters, digits, ".", "_" and "-" (got "${name}")`);
}

/** A run usable as a baseline: complete (passed or SLO broken), with its raw samples. */
export function checkUsableRun(dir: string): RunMeta {
  const meta = readRunMeta(dir);
  const path = runFile(dir, 'meta');
  if (typeof meta.service !== 'string' || typeof meta.profile !== 'string' || !Array.isArray(meta.transactions)) {
    throw inputError(path, 'service/profile/transactions', 'the fields of a perfcell run.json (the file is damaged)');
  }
  if (meta.status !== 'passed' && meta.status !== 'slo-broken') {
    // An inconclusive run's measurement is not valid (its injector was saturated): nothing to compare against.
    throw inputError(path, 'status', `a complete run ("passed" or "slo-broken"; an inconclusive run's measurement is not valid) to serve as a baseline, got "${String(meta.status)}"`);
  }
  // Every k6 output the run should have (a distributed run's injectors that were not lost).
  const missing = rawOutputs(dir, meta).find((o) => !o.lost && !existsSync(o.raw));
  if (missing) throw inputError(dir, relative(dir, missing.raw), 'the raw samples of the run (file missing)');
  return meta;
}

export function setBaseline(runDir: string, opts: { name?: string; store?: string; note?: string; now?: () => Date } = {}): { dir: string; record: BaselineRecord } {
  const name = opts.name ?? DEFAULT_BASELINE_NAME;
  checkName(name);
  const source = resolve(runDir);
  const meta = checkUsableRun(source);
  const store = resolve(opts.store ?? defaultStore());
  const dir = join(store, meta.service, name);
  // Copy into a fresh folder and swap it in: a failed copy never leaves a half-baseline under the name.
  const staging = `${dir}.incoming`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const key of KEPT) if (existsSync(runFile(source, key))) copyFileSync(runFile(source, key), runFile(staging, key));
  // A distributed run's k6 outputs are under injectors/<name>/: they go along, at the same place.
  for (const o of rawOutputs(source, meta).filter((x) => x.injector !== undefined)) {
    for (const file of [o.raw, o.summary, o.k6Log].filter((f) => existsSync(f))) {
      const to = join(staging, relative(source, file));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
    }
  }
  const record: BaselineRecord = {
    schemaVersion: BASELINE_SCHEMA_VERSION,
    name,
    service: meta.service,
    profile: meta.profile,
    runId: meta.runId,
    modelHash: meta.model?.hash ?? '',
    source,
    setAt: (opts.now ?? (() => new Date()))().toISOString(),
    ...(opts.note ? { note: opts.note } : {}),
  };
  writeFileSync(join(staging, BASELINE_FILE), JSON.stringify(record, null, 2) + '\n');
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { dir, record };
}

function readRecord(dir: string): BaselineRecord {
  const path = join(dir, BASELINE_FILE);
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as BaselineRecord;
    if (r.schemaVersion !== BASELINE_SCHEMA_VERSION) throw new Error(`schemaVersion ${String(r.schemaVersion)}`);
    return r;
  } catch (e) {
    throw inputError(path, '', `a baseline record of schema version ${BASELINE_SCHEMA_VERSION} (${(e as Error).message})`);
  }
}

/** Every baseline in the store, optionally of one service. */
export function listBaselines(store = defaultStore(), service?: string): { dir: string; record: BaselineRecord }[] {
  if (!existsSync(store)) return [];
  const out: { dir: string; record: BaselineRecord }[] = [];
  for (const svc of readdirSync(store).sort()) {
    if (service && svc !== service) continue;
    const svcDir = join(store, svc);
    if (!statSync(svcDir).isDirectory()) continue;
    for (const name of readdirSync(svcDir).sort()) {
      const dir = join(svcDir, name);
      if (name.endsWith('.incoming') || !existsSync(join(dir, BASELINE_FILE))) continue;
      out.push({ dir, record: readRecord(dir) });
    }
  }
  return out;
}

export interface ResolvedBaseline {
  dir: string;
  meta: RunMeta;
  /** The store's name, or null when a run folder was given directly. */
  name: string | null;
}

/**
 * A baseline reference (a run folder, or a name in the store for the candidate's service) → a run folder
 * checked against what the candidate will be: same service, same profile, complete.
 */
export function resolveBaseline(ref: string, expected: { service: string; profile: string; modelFile: string }, store = defaultStore()): ResolvedBaseline {
  let dir: string;
  let name: string | null = null;
  const looksLikePath = isAbsolute(ref) || ref.includes('/') || ref.startsWith('.') || existsSync(ref);
  if (looksLikePath) {
    dir = resolve(ref);
    if (!existsSync(dir)) throw inputError('--baseline', '', `a run folder or a baseline name (${dir} does not exist)`);
    if (!existsSync(runFile(dir, 'meta'))) throw inputError('--baseline', '', `a run folder (${dir} has no ${RUN_FILES.meta})`);
  } else {
    checkName(ref);
    name = ref;
    dir = join(store, expected.service, ref);
    if (!existsSync(dir)) {
      const known = listBaselines(store, expected.service).map((b) => b.record.name);
      throw inputError(
        '--baseline',
        '',
        `a baseline of service "${expected.service}" in ${store} (no "${ref}"; ${known.length ? `it has: ${known.join(', ')}` : 'it has none'}); record one with \`perfcell baseline set <run folder> --name ${ref}\``,
      );
    }
    readRecord(dir);
  }
  const meta = checkUsableRun(dir);
  const path = runFile(dir, 'meta');
  if (meta.service !== expected.service) {
    throw inputError(path, 'service', `"${expected.service}" (the service of ${expected.modelFile}); this baseline is a run of "${meta.service}"`);
  }
  if (meta.profile !== expected.profile) {
    throw inputError(path, 'profile', `"${expected.profile}" (the gate's profile); this baseline was run with profile "${meta.profile}" — compare like with like, or record a baseline of that profile`);
  }
  return { dir, meta, name };
}

/** A gate-level error for data that exists but cannot be read as samples. */
export function damagedRun(dir: string, role: 'baseline' | 'candidate'): PerfcellError {
  return inputError(join(dir, RUN_FILES.raw), '', `complete k6 raw samples for the ${role} (the file is truncated or damaged)`);
}
