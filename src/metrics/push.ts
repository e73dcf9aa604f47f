/**
 * `perfcell push <run folder>`: the run folder is the truth, InfluxDB a view of it. Push replaces whatever
 * InfluxDB holds for the run (live points from k6, possibly incomplete) by the points of the raw samples,
 * the monitor samples, the run's events and its analysis summary (src/analysis). Point identities are deterministic (points.ts), so pushing
 * twice gives the same points.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readRawSamples } from '../store/raw-samples.js';
import { rawOutputs, readRunMeta, writeRunMeta } from '../store/folder.js';
import { readMonitorSamples } from '../store/monitor-samples.js';
import { analyzeRun } from '../analysis/analyze.js';
import { eventPoint, monitorPoint, runEvents, runTags, samplePointBuilder, summaryPoints, type Point } from './points.js';
import { InfluxClient, WRITE_BATCH, type InfluxTarget } from './influx.js';
import type { Progress, ProgressPlan } from '../../lib/progress.js';

/**
 * A push's wall time per request of the run, summary included: `npm run bench -- influx` pushed 1 M requests
 * (13 M samples) in 150.5 s on the 2-core machine (docs/benchmarks.md). The progress plan's unit.
 */
export const PUSH_MS_PER_REQUEST = 150.5e3 / 1e6;

/** The requests an output's k6 summary counts (metrics.http_reqs.count); 0 when it has none (an interrupted run). */
export function summaryRequests(summaryFile: string): number {
  try {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { metrics?: { http_reqs?: { count?: unknown } } };
    const n = s.metrics?.http_reqs?.count;
    return typeof n === 'number' && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** A push as a progress plan: one step per k6 output (a distributed run has one per injector), its requests × PUSH_MS_PER_REQUEST. Pure. */
export function pushProgressPlan(outputs: readonly { label: string; requests: number }[]): ProgressPlan {
  return { title: 'push', steps: outputs.map((o) => ({ label: `${o.label} (${o.requests} requests)`, plannedMs: o.requests * PUSH_MS_PER_REQUEST })) };
}

export interface PushStats {
  runId: string;
  samples: number;
  /** http_reqs samples: the requests the raw file holds. */
  requests: number;
  monitorSamples: number;
  events: number;
  /** Points of the analysis summary (0 when the analysis could not be made: `summaryError` says why). */
  summaryPoints: number;
  summaryError?: string;
  rawTruncated: boolean;
  badLines: number;
  totalMs: number;
}

/** run.json flags this module and the run hook set (docs/metrics.md). */
export const INFLUX_FLAGS = {
  pushFailed: 'influx-push-failed',
  pushLagged: 'influx-push-lagged',
  backfillPending: 'influx-backfill-pending',
  backfilled: 'influx-backfilled',
} as const;

/** Writes at most this many batches at once: InfluxDB ingests faster with two (measured: ≈ 1.5×), no better with more on 2 cores. */
const WRITES_IN_FLIGHT = 2;

/** Batches of WRITE_BATCH points, written concurrently up to WRITES_IN_FLIGHT; the reader waits beyond that. */
class BatchWriter {
  private batch: Point[] = [];
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly client: InfluxClient) {}

  add(p: Point): void {
    this.batch.push(p);
  }

  private submit(points: Point[]): void {
    const p: Promise<void> = this.client.write(points).then(
      () => void this.pending.delete(p),
      (e: unknown) => {
        this.failure ??= e;
        this.pending.delete(p);
      },
    );
    this.pending.add(p);
  }

  /** Sends the full batches; resolves when the reader may go on (undefined: at once). */
  backpressure(): Promise<void> | undefined {
    while (this.batch.length >= WRITE_BATCH) this.submit(this.batch.splice(0, WRITE_BATCH));
    if (this.failure === undefined && this.pending.size < WRITES_IN_FLIGHT) return undefined;
    return (async () => {
      while (this.failure === undefined && this.pending.size >= WRITES_IN_FLIGHT) await Promise.race(this.pending);
      if (this.failure !== undefined) throw this.failure;
    })();
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Writes what is left and waits for every write; rejects with the first failure. */
  async finish(): Promise<void> {
    while (this.batch.length > 0) {
      await this.backpressure();
      if (this.batch.length > 0) this.submit(this.batch.splice(0, WRITE_BATCH));
    }
    await this.settle();
    if (this.failure !== undefined) throw this.failure;
  }
}

export async function pushRun(runDir: string, target: InfluxTarget, options: { now?: () => number; summary?: boolean; progress?: (plan: ProgressPlan) => Progress } = {}): Promise<PushStats> {
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const meta = readRunMeta(runDir);
  const tags = runTags(meta);
  const client = new InfluxClient(target);
  await client.ensureDatabase();
  await client.deleteRun(meta.runId);

  const writer = new BatchWriter(client);
  const samplePoint = samplePointBuilder(tags);
  let samples = 0;
  let requests = 0;
  let stats = { truncated: false, badLines: 0 };
  const outputs = rawOutputs(runDir, meta).filter((o) => existsSync(o.raw));
  const progress = options.progress?.(pushProgressPlan(outputs.map((o) => ({ label: o.injector ? `injector ${o.injector}` : 'raw samples', requests: summaryRequests(o.summary) }))));
  try {
    // Every k6 output of the run (a distributed run's injectors, `rawOutputs`); the running index keeps the
    // points of different injectors apart when they share a millisecond and tags (sampleTimestampNs).
    for (const [i, output] of outputs.entries()) {
      progress?.step(i);
      const one = await readRawSamples(
        output.raw,
        (s) => {
          writer.add(samplePoint(s, samples));
          samples++;
          if (s.metric === 'http_reqs') requests++;
        },
        { afterChunk: () => writer.backpressure() },
      );
      stats = { truncated: stats.truncated || one.truncated, badLines: stats.badLines + one.badLines };
    }
  } catch (e) {
    // A failed write is the cause; let every pending write settle so that no rejection is left unhandled.
    progress?.stop();
    await writer.settle();
    throw e;
  }
  const monitor = readMonitorSamples(runDir);
  for (const [i, m] of monitor.samples.entries()) writer.add(monitorPoint(m, i, tags));
  const events = runEvents(meta).map((e) => eventPoint(e, tags));
  for (const e of events) writer.add(e);
  await writer.finish();

  // The analysis reads the raw file once more; a run it cannot analyse still has its samples pushed.
  let summary: Point[] = [];
  let summaryError: string | undefined;
  if (options.summary !== false) {
    try {
      summary = summaryPoints(await analyzeRun(runDir), tags);
    } catch (e) {
      summaryError = (e as Error).message;
    }
    await client.write(summary);
  }
  progress?.stop();

  if (meta.flags.includes(INFLUX_FLAGS.backfillPending) || meta.flags.includes(INFLUX_FLAGS.pushFailed)) {
    meta.flags = meta.flags.filter((f) => f !== INFLUX_FLAGS.backfillPending);
    if (!meta.flags.includes(INFLUX_FLAGS.backfilled)) meta.flags.push(INFLUX_FLAGS.backfilled);
    writeRunMeta(runDir, meta);
  }
  return {
    runId: meta.runId,
    samples,
    requests,
    monitorSamples: monitor.samples.length,
    events: events.length,
    summaryPoints: summary.length,
    ...(summaryError ? { summaryError } : {}),
    rawTruncated: stats.truncated,
    badLines: stats.badLines + monitor.badLines,
    totalMs: now() - t0,
  };
}
