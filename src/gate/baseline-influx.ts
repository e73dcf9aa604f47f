/**
 * Baselines in InfluxDB, when one is configured (src/metrics/influx.ts: --influx, PERFCELL_INFLUX_URL or
 * the private instance): `baseline set` pushes the accepted run there (idempotently, through
 * `perfcell push`'s code) and records a `perfcell_baseline` point naming it, so that dashboards can show
 * "main's last accepted run" beside the runs being compared. The run store stays the gate's source.
 */
import { InfluxClient, type InfluxTarget } from '../metrics/influx.js';
import type { Point } from '../metrics/points.js';
import { pushRun } from '../metrics/push.js';
import type { BaselineRecord } from './baselines.js';

export const BASELINE_MEASUREMENT = 'perfcell_baseline';

/** One point per `baseline set`, at the time it was set: the latest per (service, baseline) is the current one. */
export function baselinePoint(record: BaselineRecord): Point {
  return {
    measurement: BASELINE_MEASUREMENT,
    tags: { service: record.service, baseline: record.name, profile: record.profile },
    // Not "run_id": in perfcell's measurements run_id is a tag (what push drops a run by); the same key as a
    // field here would make the two ambiguous in queries.
    fields: { baseline_run: record.runId, model_hash: record.modelHash, ...(record.note ? { note: record.note } : {}) },
    timestamp: `${Date.parse(record.setAt)}000000`,
  };
}

/** Pushes the baseline's run and its record; throws a PerfcellError ('environment') when InfluxDB fails. */
export async function recordBaselineInInflux(baselineDir: string, record: BaselineRecord, target: InfluxTarget): Promise<{ samples: number }> {
  const stats = await pushRun(baselineDir, target);
  const client = new InfluxClient(target);
  await client.write([baselinePoint(record)]);
  return { samples: stats.samples };
}
