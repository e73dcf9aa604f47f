/**
 * Start alignment, pure. k6 instances do not talk to each other: perfcell starts them all at one agreed
 * wall-clock instant, then measures where each test really began (from its raw file's first `vus` tick,
 * src/injectors/test-start.ts; its process start when it wrote none) and records the spread. The analysis bins samples on wall-clock windows, so a spread below a
 * window keeps every injector's load in the same windows.
 */

/**
 * The most start skew a run accepts unflagged: one analysis window (1 s by default, src/analysis). Measured
 * here: 2 local k6 processes on 2 cores start within ≈ 10 ms of each other (docs/benchmarks.md).
 */
export const MAX_START_SKEW_MS = 1000;

/**
 * How far ahead of "now" the agreed instant is set: time to spawn every k6 before it (local spawns take a
 * few ms each; an SSH session opens in ≈ 0.1–0.3 s on a LAN).
 */
export const START_LEAD_MS = { local: 300, ssh: 2000 } as const;

export interface InjectorStart {
  name: string;
  /** Wall-clock ms of the injector's test start (first `vus` tick − 1 s); undefined when it wrote none. */
  testStartMs?: number;
  /** Wall-clock ms when its k6 process was started. */
  processStartMs: number;
}

export interface StartSkew {
  /** ms from the earliest injector's start to each one's. */
  offsetsMs: Record<string, number>;
  /** Latest start − earliest start. */
  skewMs: number;
  /** What the offsets were measured on. */
  basis: 'vus-tick' | 'process-start';
  withinLimit: boolean;
}

/**
 * Offsets and skew. Test starts are the better measure (they include each k6's own init time), but they
 * are only comparable if every injector has one; otherwise process starts are used for all.
 */
export function startSkew(starts: InjectorStart[], limitMs = MAX_START_SKEW_MS): StartSkew {
  const bySample = starts.length > 0 && starts.every((s) => s.testStartMs !== undefined);
  const at = (s: InjectorStart) => (bySample ? (s.testStartMs as number) : s.processStartMs);
  const earliest = Math.min(...starts.map(at));
  const offsetsMs = Object.fromEntries(starts.map((s) => [s.name, at(s) - earliest]));
  const skewMs = starts.length > 0 ? Math.max(...starts.map(at)) - earliest : 0;
  return { offsetsMs, skewMs, basis: bySample ? 'vus-tick' : 'process-start', withinLimit: skewMs <= limitMs };
}

/** The agreed start instant, rounded up to a whole 100 ms so the logs read easily. */
export function agreedStart(nowMs: number, leadMs: number): number {
  return Math.ceil((nowMs + leadMs) / 100) * 100;
}
