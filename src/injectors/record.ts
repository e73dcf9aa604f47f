/**
 * A distributed run's outcome, pure: each injector's exit and first sample → run.json's `injectors`, the
 * run's flags and the one k6 exit code the run continues with.
 */
import type { StoredInjectors } from '../store/run-schema.js';
import { K6_EXIT } from '../k6/run-k6.js';
import { startSkew, MAX_START_SKEW_MS } from './skew.js';
import type { PlannedInjector } from './spec.js';

export interface InjectorOutcome {
  name: string;
  exitCode: number;
  processStartMs: number;
  testStartMs?: number;
  k6Version: string;
  /** SSH injectors: the host's clock − this machine's, ms. */
  clockOffsetMs?: number;
}

export interface DistributedOutcome {
  injectors: StoredInjectors;
  flags: string[];
  /** The run's k6 exit code: 99 if a finished injector's thresholds failed, 0 if none, else the first failure's. */
  k6ExitCode: number;
}

/** k6 ran its whole segment (thresholds passed or not). */
function finished(code: number): boolean {
  return code === K6_EXIT.ok || code === K6_EXIT.thresholdsFailed;
}

export function hostLabel(i: PlannedInjector): string {
  return i.where.kind === 'local' ? 'local' : `${i.where.user}@${i.where.host}:${i.where.port}`;
}

/**
 * `interrupted`: the user stopped the run (every k6 then exits 105, none is lost). Otherwise an injector that
 * did not finish is lost: its segment is named in the flags, the others' samples are kept, and the run is
 * `incomplete` — the analysis then says the load was short.
 */
export function distributedOutcome(planned: PlannedInjector[], outcomes: InjectorOutcome[], startAtMs: number, interrupted: boolean): DistributedOutcome {
  const byName = new Map(outcomes.map((o) => [o.name, o]));
  const skew = startSkew(outcomes.map((o) => ({ name: o.name, processStartMs: o.processStartMs, testStartMs: o.testStartMs })));
  const flags: string[] = [];
  const list = planned.map((p) => {
    const o = byName.get(p.name);
    const lost = !interrupted && (!o || !finished(o.exitCode));
    if (lost) flags.push(`injector-lost:${p.name}:${p.segment}`);
    return {
      name: p.name,
      host: hostLabel(p),
      segment: p.segment,
      sequence: p.sequence,
      k6Version: o?.k6Version ?? '',
      startOffsetMs: o ? (skew.offsetsMs[p.name] ?? null) : null,
      k6ExitCode: o?.exitCode ?? null,
      lost,
      ...(o?.clockOffsetMs !== undefined ? { clockOffsetMs: o.clockOffsetMs } : {}),
    };
  });
  if (flags.length > 0) flags.unshift('incomplete');
  if (!skew.withinLimit) flags.push(`start-skew:${skew.skewMs}ms>${MAX_START_SKEW_MS}ms`);
  const codes = outcomes.map((o) => o.exitCode);
  const done = codes.filter(finished);
  let k6ExitCode: number;
  if (interrupted) k6ExitCode = K6_EXIT.externalAbort;
  else if (done.length === 0) k6ExitCode = codes.find((c) => !finished(c)) ?? 1;
  else k6ExitCode = done.includes(K6_EXIT.thresholdsFailed) ? K6_EXIT.thresholdsFailed : K6_EXIT.ok;
  return {
    injectors: { startAt: new Date(startAtMs).toISOString(), skewMs: skew.skewMs, skewBasis: skew.basis, list },
    flags,
    k6ExitCode,
  };
}
