/**
 * Planted performance traps, each off by default and switched by one environment variable (sut/README.md
 * says what a good analysis should show for each). Pure: parsed from a plain record.
 */
import { PerfcellError } from '../../lib/errors.js';

export interface Traps {
  /** SUT_TRAP_N_PLUS_ONE=1: billing history reads each invoice's lines with one query per invoice. */
  nPlusOne: boolean;
  /** SUT_TRAP_MISSING_INDEX=1: the index behind person search is dropped (sequential scans). */
  missingIndex: boolean;
  /** SUT_TRAP_SEQUENTIAL_360=1: the 360° view calls the four departments one after the other. */
  sequential360: boolean;
  /** SUT_TRAP_LEAK=1: grc keeps every 360° view in an unbounded cache that is never read back. */
  leak: boolean;
  /** SUT_TRAP_LEAK_KB=n: heap each leaked view holds (default 64 KB: visible within a one-minute demo). */
  leakKb: number;
  /** SUT_TRAP_LATENCY_MS=n: n ms added to the slowed route. */
  latencyMs: number;
  /** SUT_SLOWDOWN_PCT=p: the slowed route waits p% of its own service time more before answering. */
  slowdownPct: number;
  /** SUT_TRAP_ROUTE: the route the latency and slowdown apply to (default the 360° view). */
  slowRoute: string;
  /**
   * SUT_DRIFT: an API change planted in grc, for the drift check (docs/api-contract.md). renamed-field:
   * POST /persons takes familyName instead of lastName; removed-route: GET /persons/{id} is gone;
   * changed-status: POST /persons answers 200 while its document still says 201.
   */
  drift: Drift;
}

export const DRIFTS = ['none', 'renamed-field', 'removed-route', 'changed-status'] as const;
export type Drift = (typeof DRIFTS)[number];

function driftOf(v: string | undefined): Drift {
  const d = v?.trim() || 'none';
  if (!(DRIFTS as readonly string[]).includes(d)) throw new PerfcellError(`SUT_DRIFT: one of ${DRIFTS.join(', ')} (got "${d}")`, 'input');
  return d as Drift;
}

export const DEFAULT_SLOW_ROUTE = 'GET /persons/:id/360';

export const DEFAULT_LEAK_KB = 64;

export const NO_TRAPS: Traps = { nPlusOne: false, missingIndex: false, sequential360: false, leak: false, leakKb: DEFAULT_LEAK_KB, latencyMs: 0, slowdownPct: 0, slowRoute: DEFAULT_SLOW_ROUTE, drift: 'none' };

const on = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
const num = (v: string | undefined): number => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
};

export function trapsFromEnv(env: Readonly<Record<string, string | undefined>>): Traps {
  return {
    nPlusOne: on(env.SUT_TRAP_N_PLUS_ONE),
    missingIndex: on(env.SUT_TRAP_MISSING_INDEX),
    sequential360: on(env.SUT_TRAP_SEQUENTIAL_360),
    leak: on(env.SUT_TRAP_LEAK),
    leakKb: num(env.SUT_TRAP_LEAK_KB) || DEFAULT_LEAK_KB,
    latencyMs: num(env.SUT_TRAP_LATENCY_MS),
    slowdownPct: num(env.SUT_SLOWDOWN_PCT),
    slowRoute: env.SUT_TRAP_ROUTE?.trim() || DEFAULT_SLOW_ROUTE,
    drift: driftOf(env.SUT_DRIFT),
  };
}

export function trapsToEnv(t: Traps): Record<string, string> {
  const env: Record<string, string> = {};
  if (t.nPlusOne) env.SUT_TRAP_N_PLUS_ONE = '1';
  if (t.missingIndex) env.SUT_TRAP_MISSING_INDEX = '1';
  if (t.sequential360) env.SUT_TRAP_SEQUENTIAL_360 = '1';
  if (t.leak) env.SUT_TRAP_LEAK = '1';
  if (t.leakKb !== DEFAULT_LEAK_KB) env.SUT_TRAP_LEAK_KB = String(t.leakKb);
  if (t.latencyMs > 0) env.SUT_TRAP_LATENCY_MS = String(t.latencyMs);
  if (t.slowdownPct > 0) env.SUT_SLOWDOWN_PCT = String(t.slowdownPct);
  if (t.slowRoute !== DEFAULT_SLOW_ROUTE) env.SUT_TRAP_ROUTE = t.slowRoute;
  if (t.drift !== 'none') env.SUT_DRIFT = t.drift;
  return env;
}

export function activeTraps(t: Traps): string[] {
  return Object.keys(trapsToEnv(t)).filter((k) => k !== 'SUT_TRAP_ROUTE' && k !== 'SUT_TRAP_LEAK_KB');
}

/** Extra wait for the slowed route: a fixed latency plus a share of the time the route itself took. */
export function extraDelayMs(t: Traps, serviceTimeMs: number): number {
  return t.latencyMs + (serviceTimeMs * t.slowdownPct) / 100;
}
