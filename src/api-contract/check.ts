/**
 * `perfcell scenarios check` as a use case: the OpenAPI documents, the run's requests (a given run folder,
 * or a smoke run made now against the model's environment), production volumes from a derived model, and
 * the drift report. I/O only here; the matching is drift.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kebab, nameFor } from '../derive/routes.js';
import { PerfcellError } from '../errors.js';
import { loadModel } from '../model/load.js';
import { executeRun, RUN_EXIT } from '../run/execute.js';
import { noSideChannels } from '../run/side-channel.js';
import { readRunMeta } from '../store/folder.js';
import { readRunSamples } from '../store/run-samples.js';
import { DriftCheck, type DriftReport } from './drift.js';
import type { ApiSpec } from './operations.js';
import { loadSpec } from './spec.js';
import { readRecordedRequests, withRequestRecording } from './record-requests.js';
import { checkRecordedRequests } from './static-check.js';

export interface ContractCheckRequest {
  model: string;
  openapi: string[];
  /** A run folder; without it, a smoke run is made. */
  run?: string;
  /** A derived model (perfcell derive): its transactions' peakPerHour weigh the coverage. */
  volumes?: string;
  profile?: string;
  env?: string;
  log?: (line: string) => void;
}

/** Production volume per operation: derive names each transaction after its operationId or "method-path". */
export function volumesByOperation(specs: readonly ApiSpec[], transactions: readonly { name: string; peakPerHour: number }[]): Map<string, number> {
  const byName = new Map(transactions.map((t) => [t.name, t.peakPerHour]));
  const weights = new Map<string, number>();
  for (const op of specs.flatMap((s) => s.operations)) {
    const v = (op.operationId ? byName.get(kebab(op.operationId)) : undefined) ?? byName.get(nameFor(op.method, op.key.slice(op.method.length + 1))) ?? byName.get(nameFor(op.method, op.path));
    if (v !== undefined) weights.set(op.key, v);
  }
  return weights;
}

async function smokeRun(req: ContractCheckRequest): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'perfcell-contract-')), 'run');
  req.log?.(`no --run given: a ${req.profile ?? 'smoke'} run of ${req.model} first (${out})`);
  let outcome;
  try {
    // Bodies and query strings recorded too: the static check's sample (record-requests.ts).
    outcome = await executeRun({ model: req.model, profile: req.profile ?? 'smoke', env: req.env, out, quiet: true, sideChannels: withRequestRecording(noSideChannels) });
  } catch (error) {
    if (error instanceof PerfcellError && error.kind === 'input') throw error;
    throw new PerfcellError(`could not make the smoke run: ${(error as Error).message}`, 'environment');
  }
  if (outcome.exitCode === RUN_EXIT.failed || outcome.exitCode === RUN_EXIT.environment || outcome.exitCode === RUN_EXIT.interrupted) {
    throw new PerfcellError(`the smoke run did not complete (exit ${outcome.exitCode}, ${out}/k6.log)`, 'environment');
  }
  return out;
}

export async function checkContract(req: ContractCheckRequest): Promise<DriftReport> {
  const loaded = loadModel(req.model);
  const specs: ApiSpec[] = [];
  for (const source of req.openapi) specs.push(await loadSpec(source));
  const weights = req.volumes ? volumesByOperation(specs, loadModel(req.volumes).model.transactions) : undefined;
  const dir = req.run ?? (await smokeRun(req));
  const meta = readRunMeta(dir); // a clear error when the folder is not a run
  const check = new DriftCheck(specs);
  const named = new Set(loaded.model.transactions.map((t) => t.name));
  // Every k6 output of the run: a distributed run's injectors each sent part of the requests.
  await readRunSamples(
    dir,
    meta,
    (s) => {
      // The model's transactions only: a run of another model would say nothing about these scripts.
      if (named.has(s.transaction)) check.add({ method: s.method, url: s.url, status: s.status, name: s.name, transaction: s.transaction });
    },
    { metrics: new Set(['http_reqs']) },
  );
  const recorded = await readRecordedRequests(dir, meta);
  const ours = recorded?.filter((r) => named.has(r.transaction));
  const statics = ours ? { ...checkRecordedRequests(specs, ours), ...(ours.length === 0 ? { note: 'the run recorded no request of these transactions' } : {}) } : { recorded: 0, judged: 0, note: 'the run was made without --record-bodies: bodies and query strings not checked', findings: [] };
  return check.report(weights, statics);
}
