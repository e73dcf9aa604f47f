/**
 * Fixed-size windowed series. A window is keyed by its absolute index (time / width), so samples from
 * several injectors or out of order land in the same window. When a run outgrows the capacity, the width
 * doubles and neighbouring windows merge: memory stays bounded whatever the run's length.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { HistogramPool } from './histogram.js';

export interface Slot {
  count: number;
  errors: number;
  dropped: number;
  vus: number;
  maxMs: number;
  /** Latency of the window's requests (µs), created on the first one. */
  hist: Histogram | null;
}

export const DEFAULT_MAX_WINDOWS = 3600;

export class WindowSeries {
  readonly slots = new Map<number, Slot>();
  private lo = Infinity;
  private hi = -Infinity;
  // Samples arrive roughly in time order: most land in the window the previous one did.
  private lastIdx = Number.NaN;
  private lastSlot: Slot | undefined;

  constructor(private readonly pool: HistogramPool, public windowMs: number, private readonly capacity = DEFAULT_MAX_WINDOWS) {}

  slot(timeMs: number): Slot {
    let idx = Math.floor(timeMs / this.windowMs);
    if (idx === this.lastIdx && this.lastSlot) return this.lastSlot;
    let s = this.slots.get(idx);
    if (s) {
      this.lastIdx = idx;
      this.lastSlot = s;
      return s;
    }
    while (Math.max(this.hi, idx) - Math.min(this.lo, idx) + 1 > this.capacity) {
      this.coarsen();
      idx = Math.floor(timeMs / this.windowMs);
    }
    s = this.slots.get(idx);
    if (!s) {
      s = { count: 0, errors: 0, dropped: 0, vus: 0, maxMs: 0, hist: null };
      this.slots.set(idx, s);
      if (idx < this.lo) this.lo = idx;
      if (idx > this.hi) this.hi = idx;
    }
    this.lastIdx = idx;
    this.lastSlot = s;
    return s;
  }

  recordLatency(s: Slot, us: number, ms: number): void {
    (s.hist ??= this.pool.create('window')).recordValue(us);
    if (ms > s.maxMs) s.maxMs = ms;
  }

  /** Doubles the window width, merging pairs of windows. */
  coarsen(): void {
    this.lastIdx = Number.NaN;
    this.lastSlot = undefined;
    const old = [...this.slots.entries()];
    this.slots.clear();
    this.windowMs *= 2;
    this.lo = Infinity;
    this.hi = -Infinity;
    for (const [i, s] of old) {
      const j = Math.floor(i / 2);
      const into = this.slots.get(j);
      if (!into) {
        this.slots.set(j, s);
        if (j < this.lo) this.lo = j;
        if (j > this.hi) this.hi = j;
        continue;
      }
      mergeSlot(into, s, this.pool);
    }
  }

  /** Windows in time order with their start time. */
  ordered(): { t: number; slot: Slot }[] {
    return [...this.slots.entries()].sort((a, b) => a[0] - b[0]).map(([i, slot]) => ({ t: i * this.windowMs, slot }));
  }
}

function mergeSlot(into: Slot, s: Slot, pool: HistogramPool): void {
  into.count += s.count;
  into.errors += s.errors;
  into.dropped += s.dropped;
  into.vus = Math.max(into.vus, s.vus);
  into.maxMs = Math.max(into.maxMs, s.maxMs);
  if (s.hist) {
    if (into.hist) {
      into.hist.add(s.hist);
      pool.release(s.hist);
    } else into.hist = s.hist;
  }
}
