/**
 * `perfcell push <run folder>`: the run folder is the truth, InfluxDB a view of it. Push replaces whatever
 * InfluxDB holds for the run (live points from k6, possibly incomplete) by the points of the raw samples,
 * the monitor samples, the run's events and its analysis summary (src/analysis). Point identities are deterministic (points.ts), so pushing
 * twice gives the same points.
 */
import { existsSync } from 'node:fs';
import { readRawSamples } from '../run/raw-samples.js';
import { readRunMeta, runFile, writeRunMeta } from '../run/folder.js';
import { readMonitorSamples } from '../monitor/samples.js';
import { analyzeRun } from '../analysis/analyze.js';
import { eventPoint, monitorPoint, runEvents, runTags, samplePointBuilder, summaryPoints, type Point } from './points.js';
import { InfluxClient, WRITE_BATCH, type InfluxTarget } from './influx.js';

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

export async function pushRun(runDir: string, target: InfluxTarget, options: { now?: () => number; summary?: boolean } = {}): Promise<PushStats> {
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const meta = readRunMeta(runDir);
  const tags = runTags(meta);
  const client = new InfluxClient(target);
  await client.ensureDatabase();
  await client.deleteRun(meta.runId);

  let batch: Point[] = [];
  let inFlight: Promise<unknown> = Promise.resolve();
  const samplePoint = samplePointBuilder(tags);
  let samples = 0;
  let requests = 0;
  // One batch is written while the next fills; the reader waits when two are pending.
  const flush = (): Promise<void> | undefined => {
    if (batch.length < WRITE_BATCH) return undefined;
    const full = batch;
    batch = [];
    const previous = inFlight;
    inFlight = previous.then(() => client.write(full));
    return previous.then(() => undefined);
  };
  const rawPath = runFile(runDir, 'raw');
  const reading = existsSync(rawPath)
    ? readRawSamples(
        rawPath,
        (s) => {
          batch.push(samplePoint(s, samples));
          samples++;
          if (s.metric === 'http_reqs') requests++;
        },
        { afterChunk: flush },
      )
    : Promise.resolve({ truncated: false, badLines: 0 });
  let stats;
  try {
    stats = await reading;
  } catch (e) {
    // The write that failed is the cause; wait for it so that no rejection is left unhandled.
    await inFlight.catch(() => undefined);
    throw e;
  }
  const monitor = readMonitorSamples(runDir);
  batch.push(...monitor.samples.map((s, i) => monitorPoint(s, i, tags)));
  const events = runEvents(meta).map((e) => eventPoint(e, tags));
  batch.push(...events);
  await inFlight;
  await client.write(batch);

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
