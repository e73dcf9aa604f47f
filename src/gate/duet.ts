/**
 * Duet mode's pure parts: which window a request of the one duet run falls in, the A/B pairs of windows
 * (same window = same instant = same machine noise), and the shared-load check. The statistics on the
 * pairs are interleaved mode's (verdict.ts `comparePaired`: Wilcoxon signed-rank on per-window log-ratios,
 * Hodges–Lehmann effect, Holm across transactions); only where the pairs come from differs.
 */
import type { GateThresholds, WindowFigures, WindowPair } from './verdict.js';
import { hodgesLehmannCenter, wilcoxonSignedRankGreater } from './stats.js';

/** The duet's windows: `count` whole windows of `windowMs` from `originMs + warmupMs`. */
export interface DuetLayout {
  /** The run's first sample, unix ms. */
  originMs: number;
  warmupMs: number;
  windowMs: number;
  count: number;
}

/**
 * k6 keeps sending for its last scenario iterations and the last window must be complete on both sides: the
 * duet's load lasts this much past its last window (measured: a 3 s tiny-target run's last sample came
 * 0.3–0.5 s after the planned end; one second covers it with margin).
 */
export const DUET_TAIL_MS = 1000;

/** How long the duet run's load lasts for `windows` windows after the warm-up. */
export function duetDurationMs(windows: number, windowMs: number, warmupMs: number): number {
  return warmupMs + windows * windowMs + DUET_TAIL_MS;
}

/**
 * The whole windows between the first and the last sample, at most `wanted`: a window the run did not
 * cover to its end would compare a part of a second with a whole one.
 */
export function duetLayout(firstMs: number, lastMs: number, warmupMs: number, windowMs: number, wanted: number): DuetLayout {
  const whole = Math.max(0, Math.floor((lastMs - firstMs - warmupMs) / windowMs));
  return { originMs: firstMs, warmupMs, windowMs, count: Math.min(wanted, whole) };
}

/** Index of the window a sample at `timeMs` falls in, or −1 (warm-up, after the last whole window). */
export function duetWindowIndex(timeMs: number, layout: DuetLayout): number {
  const k = Math.floor((timeMs - layout.originMs - layout.warmupMs) / layout.windowMs);
  return k >= 0 && k < layout.count ? k : -1;
}

const EMPTY: WindowFigures = { requests: 0, errors: 0, p95Ms: Number.NaN };

/**
 * One pair per window, A as the baseline and B as the candidate. A side with no request in a window gets an
 * empty window (0 requests): the verdict leaves such pairs out and counts them, as it does for interleaved runs.
 */
export function pairDuetWindows(a: readonly (WindowFigures | undefined)[], b: readonly (WindowFigures | undefined)[], count: number): WindowPair[] {
  return Array.from({ length: count }, (_, k) => ({ baseline: a[k] ?? EMPTY, candidate: b[k] ?? EMPTY }));
}

/** One side's shift against the stored baseline run: HL effect of log(window p95 / stored p95) and its signed-rank p-value. */
export interface SideShift {
  effect: number;
  pValue: number;
}

export interface SharedLoad {
  /** The stored baseline run's p95 of the transaction (whole run after the warm-up), ms. */
  storedP95Ms: number;
  a: SideShift;
  b: SideShift;
  /** Both sides significantly and materially slower than the stored run: the machine's total load changed. */
  detected: boolean;
}

function shiftOf(storedP95Ms: number, windows: readonly WindowFigures[]): SideShift {
  const d = windows.map((w) => Math.log(w.p95Ms / storedP95Ms));
  return { effect: Math.exp(hodgesLehmannCenter(d)) - 1, pValue: wilcoxonSignedRankGreater(d).pValue };
}

/**
 * What duet cancels and must not hide: A and B share the machine (and the database), so a B that eats CPU
 * slows A too and their ratio stays near 1. Compared with the store's last accepted run of the same
 * profile (each duet side gets the profile's rate), both sides slower — significantly and by the minimum
 * effects — means the total load changed: B's cost, or a busier machine than when the baseline was stored;
 * the gate reports it, it cannot tell which. `pairs` are the usable pairs the verdict compared.
 */
export function sharedLoadOf(storedP95Ms: number, pairs: readonly WindowPair[], t: GateThresholds): SharedLoad | null {
  if (!(storedP95Ms > 0) || pairs.length === 0) return null;
  const a = shiftOf(storedP95Ms, pairs.map((p) => p.baseline));
  const b = shiftOf(storedP95Ms, pairs.map((p) => p.candidate));
  const material = (s: SideShift) => s.pValue < t.alpha && s.effect >= t.p95FailIncrease && s.effect * storedP95Ms >= t.p95FailMinMs;
  return { storedP95Ms, a, b, detected: material(a) && material(b) };
}
