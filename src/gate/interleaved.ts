/**
 * Interleaved mode's runner: the baseline build (A) and the candidate build (B) are measured alternately,
 * each window a short k6 run of the gate's profile through `executeRun`, in the counterbalanced order
 * AB BA AB BA …: a drift of the machine over the job (a neighbour's load, thermal throttling, a cache
 * warming) hits both members of a pair almost equally and cancels in their ratio, and the alternating
 * order cancels the "second of a pair" effect as well.
 */
import { join } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import { executeRun, type RunOutcome, type RunRequest } from '../run/execute.js';
import type { LoadedModel } from '../model/load.js';
import { environmentForRun, loadConfig, type RunEnvironment } from '../environments/registry.js';
import { withRunHooks } from '../side-channels/defaults.js';

export type GateEnvironment = RunEnvironment;

/** How one side's targets are reached: an environment and target URL overrides. */
export interface Side {
  environment: GateEnvironment;
  targetOverrides?: Record<string, string>;
}

/** The gate measures the unstubbed phase's transactions: their environment, narrowed to the targets they call. */
export function gateEnvironment(loaded: LoadedModel, requested?: string): GateEnvironment {
  return environmentForRun(loaded, requested, 'unstubbed');
}

export interface InterleavedPair {
  index: number;
  order: 'baseline-first' | 'candidate-first';
  baselineDir: string;
  candidateDir: string;
}

export interface InterleavedRequest {
  model: string;
  profile: string;
  baseline: Side;
  candidate: Side;
  pairs: number;
  outDir: string;
  quiet?: boolean;
  log?: (line: string) => void;
  /** The run use case; injectable so the alternation can be tested without k6. */
  execute?: (req: RunRequest) => Promise<RunOutcome>;
  /** Shared by every run of both sides: the gate's `--injectors` and `--ssh-config`. */
  runOptions?: Pick<RunRequest, 'injectors' | 'sshConfig'>;
}

/**
 * `--against` → the baseline side. Accepted: the name of an environment; a URL (when the candidate's
 * environment has exactly one target); or "target=url[,target=url…]". The last two start from the
 * candidate's side (its environment and overrides): only the named targets differ between A and B.
 */
export function resolveAgainst(against: string, loaded: LoadedModel, candidateSide: Side): Side {
  const candidate = candidateSide.environment;
  const inherited = candidateSide.targetOverrides ?? {};
  const { model } = loaded;
  const known = { ...loadConfig(loaded.root).environments, ...model.environments };
  if (known[against]) return { environment: gateEnvironment(loaded, against) };
  const targets = Object.keys(candidate.env.targets);
  const isUrl = (s: string) => /^https?:\/\//.test(s);
  if (isUrl(against)) {
    if (targets.length !== 1) {
      throw inputError('--against', '', `"target=url" pairs for environment ${candidate.name}, which has ${targets.length} targets (${targets.join(', ')}); or the name of an environment`);
    }
    return { environment: candidate, targetOverrides: { ...inherited, [targets[0] as string]: against } };
  }
  const overrides: Record<string, string> = {};
  for (const part of against.split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const url = part.slice(eq + 1).trim();
    if (eq <= 0 || !isUrl(url)) {
      throw inputError('--against', '', `an environment (${Object.keys(known).join(', ') || 'none'}), a URL, or "target=url" pairs; got "${against}"`);
    }
    if (!targets.includes(name)) throw inputError('--against', name, `a target of environment ${candidate.name} (${targets.join(', ')})`);
    overrides[name] = url;
  }
  return { environment: candidate, targetOverrides: { ...inherited, ...overrides } };
}

export async function runInterleaved(req: InterleavedRequest): Promise<InterleavedPair[]> {
  const execute = req.execute ?? executeRun;
  const log = req.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const pairs: InterleavedPair[] = [];
  const width = String(req.pairs).length;
  const measure = async (side: Side, dir: string, label: string): Promise<void> => {
    const outcome = await execute({
      model: req.model,
      profile: req.profile,
      environment: side.environment,
      targetOverrides: side.targetOverrides,
      out: dir,
      quiet: req.quiet ?? true,
      // Each window's own summary table would drown the gate's output; its run folder keeps everything.
      log: () => {},
      sideChannels: withRunHooks(),
      ...req.runOptions,
    });
    if (outcome.meta.status === 'inconclusive') {
      // An overloaded injector's latencies hold its own queueing: no comparison can rest on them.
      throw new PerfcellError(`${label}: the measurement is not valid (${outcome.verdict?.headline.en ?? 'inconclusive'}); see ${dir}`, 'environment');
    }
    if (outcome.meta.status !== 'passed' && outcome.meta.status !== 'slo-broken') {
      throw new PerfcellError(`${label}: the k6 run ended "${outcome.meta.status}" (exit ${outcome.exitCode}); see ${join(dir, 'k6.log')}`, 'run');
    }
  };
  for (let i = 0; i < req.pairs; i++) {
    const n = String(i + 1).padStart(width, '0');
    const pair: InterleavedPair = {
      index: i + 1,
      order: i % 2 === 0 ? 'baseline-first' : 'candidate-first',
      baselineDir: join(req.outDir, 'runs', `pair-${n}-baseline`),
      candidateDir: join(req.outDir, 'runs', `pair-${n}-candidate`),
    };
    const steps: [Side, string, string][] = [
      [req.baseline, pair.baselineDir, `pair ${i + 1} baseline`],
      [req.candidate, pair.candidateDir, `pair ${i + 1} candidate`],
    ];
    if (pair.order === 'candidate-first') steps.reverse();
    for (const [side, dir, label] of steps) await measure(side, dir, label);
    log(`perfcell gate: pair ${i + 1}/${req.pairs} measured (${pair.order === 'baseline-first' ? 'A B' : 'B A'})`);
    pairs.push(pair);
  }
  return pairs;
}
