/**
 * The duet run's per-side windows, read from its raw samples: each request carries its side (tag `side`,
 * src/scenario/duet-side.ts) and its transaction; the windows are src/gate/duet.ts's layout and the
 * percentiles the analyzer's histograms (src/analysis/histogram.ts), as for every other gate window.
 */
import { newPool } from '../analysis/histogram.js';
import { readRunSamples } from '../store/run-samples.js';
import { readRunMeta, type RunMeta } from '../store/folder.js';
import { DUET_TAG, type DuetSide } from '../scenario/duet-side.js';
import { duetLayout, duetWindowIndex, pairDuetWindows, type DuetLayout } from './duet.js';
import { addToPooled, newPooled, pooledFigures, type Figures, type Pooled } from './windows.js';
import type { WindowFigures, WindowPair } from './verdict.js';

export interface DuetTransaction {
  transaction: string;
  /** One pair per window of the layout (A = baseline, B = candidate). */
  pairs: WindowPair[];
  /** Each side's requests after the warm-up, all windows together (B's are checked against the SLOs). */
  total: Record<DuetSide, Figures>;
}

export interface DuetWindows {
  runDir: string;
  meta: RunMeta;
  layout: DuetLayout;
  transactions: DuetTransaction[];
  /** Requests of the run without a side tag (none in a duet run: a sign that the routing did not apply). */
  untagged: number;
  damaged: boolean;
}

/** One sample of a duet run: a request's duration (http_req_duration) or its failure flag (http_req_failed). */
interface Sample {
  timeMs: number;
  transaction: string;
  side: DuetSide;
  metric: string;
  value: number;
}

const SIDE_PATTERN = new RegExp(`(?:^|&)${DUET_TAG}=([AB])(?:&|$)`);

/**
 * The side-tagged request samples of a duet run (few enough to hold: a gate is minutes at tens of requests/s),
 * every injector's of a distributed run (src/store/run-samples.ts).
 */
async function samplesOf(runDir: string, meta: RunMeta): Promise<{ samples: Sample[]; untagged: number; damaged: boolean }> {
  const samples: Sample[] = [];
  const sideOf = new Map<string, DuetSide | null>();
  let untagged = 0;
  const stats = await readRunSamples(
    runDir,
    meta,
    (s) => {
      if (s.transaction === '') return;
      let side = sideOf.get(s.extraTags);
      if (side === undefined) sideOf.set(s.extraTags, (side = (SIDE_PATTERN.exec(s.extraTags)?.[1] as DuetSide | undefined) ?? null));
      if (side === null) {
        if (s.metric === 'http_req_failed') untagged++;
        return;
      }
      samples.push({ timeMs: s.timeMs, transaction: s.transaction, side, metric: s.metric, value: s.value });
    },
    { metrics: new Set(['http_req_duration', 'http_req_failed']) },
  );
  return { samples, untagged, damaged: stats.truncated || stats.badLines > 0 };
}

export async function duetWindowsOf(runDir: string, windowMs: number, warmupMs: number, wanted: number): Promise<DuetWindows> {
  const meta = readRunMeta(runDir);
  const { samples, untagged, damaged } = await samplesOf(runDir, meta);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of samples) {
    if (r.timeMs < first) first = r.timeMs;
    if (r.timeMs > last) last = r.timeMs;
  }
  const layout = samples.length > 0 ? duetLayout(first, last, warmupMs, windowMs, wanted) : { originMs: 0, warmupMs, windowMs, count: 0 };
  const pool = await newPool();
  try {
    const cells = new Map<string, Pooled>();
    const cell = (key: string) => {
      let c = cells.get(key);
      if (!c) cells.set(key, (c = newPooled(pool)));
      return c;
    };
    const names = new Set<string>();
    for (const r of samples) {
      const k = duetWindowIndex(r.timeMs, layout);
      if (k < 0) continue;
      names.add(r.transaction);
      addToPooled(cell(`${r.transaction}\u0000${r.side}\u0000${k}`), r.metric, r.value);
      addToPooled(cell(`${r.transaction}\u0000${r.side}\u0000total`), r.metric, r.value);
    }
    const windowOf = (c: Pooled | undefined): WindowFigures | undefined => {
      if (!c) return undefined;
      const f = pooledFigures(c);
      return { requests: f.requests, errors: f.errors, p95Ms: f.p95Ms };
    };
    const transactions = [...names].sort().map((name): DuetTransaction => {
      const side = (s: DuetSide) => Array.from({ length: layout.count }, (_, k) => windowOf(cells.get(`${name}\u0000${s}\u0000${k}`)));
      return {
        transaction: name,
        pairs: pairDuetWindows(side('A'), side('B'), layout.count),
        total: { A: pooledFigures(cells.get(`${name}\u0000A\u0000total`)), B: pooledFigures(cells.get(`${name}\u0000B\u0000total`)) },
      };
    });
    return { runDir, meta, layout, transactions, untagged, damaged };
  } finally {
    pool.destroyAll();
  }
}
