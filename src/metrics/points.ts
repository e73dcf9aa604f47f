/**
 * What perfcell writes to InfluxDB, as pure functions over plain data: raw k6 samples, monitor samples and
 * run events become points with deterministic timestamps and tag sets, so that writing the same run twice
 * gives the same points (InfluxDB overwrites a point with the same series and timestamp).
 *
 * The tag set of a k6 sample mirrors what k6's own InfluxDB output writes for it (measurement = metric name,
 * field `value`, the run's test-wide tags, the system tags perfcell enables, `transaction` per scenario), so
 * that a dashboard query sees the same series whether the points came live from k6 or from `perfcell push`.
 */
import type { RawSample } from '../store/raw-samples.js';
import type { RunMeta } from '../store/folder.js';
import type { MonitorSample } from '../store/monitor-samples.js';
import type { Analysis, TransactionAnalysis } from '../analysis/types.js';

export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string>;
  /** Unix nanoseconds as a decimal string (JavaScript numbers cannot hold them exactly). */
  timestamp: string;
}

/** Measurement of monitor samples (one series per source, metric and label set). */
export const MONITOR_MEASUREMENT = 'monitor';
/** Measurement of run events (Grafana annotations). */
export const EVENTS_MEASUREMENT = 'perfcell_events';
/** Measurement of the analysis summary: one point per transaction (and "_all"), at the run's end. */
export const SUMMARY_MEASUREMENT = 'perfcell_summary';
/** Measurement of SLO verdicts: one point per transaction and criterion. */
export const SLO_MEASUREMENT = 'perfcell_slo';

/** Test-wide tags of a run: the same keys and values compile.ts gives k6 as options.tags. */
export function runTags(meta: Pick<RunMeta, 'service' | 'profile' | 'phase' | 'runId' | 'iteration' | 'campaign'>): Record<string, string> {
  const tags: Record<string, string> = {
    service: meta.service,
    profile: meta.profile,
    phase: meta.phase,
    run_id: meta.runId,
    iteration: String(meta.iteration),
  };
  if (meta.campaign) tags.campaign = meta.campaign;
  return tags;
}

const OFFSET_SLOTS = 1_000_000;

/**
 * Nanosecond timestamp of the `index`-th sample of a file whose time is `ms`. k6 stamps samples to the
 * millisecond, so many samples of one series share a millisecond; InfluxDB would keep only the last. The
 * sample's position in its file, modulo 10^6, spreads them over the nanoseconds of that millisecond: the
 * result depends only on the file, and two samples of one series collide only if they are a multiple of a
 * million lines apart yet stamped the same millisecond, which k6's time-ordered flushes do not produce.
 */
export function sampleTimestampNs(ms: number, index: number): string {
  return `${Math.round(ms)}${String(index % OFFSET_SLOTS).padStart(6, '0')}`;
}

/** Columns of a raw sample that become tags (the system tags compile.ts enables), in k6's tag names. */
const SAMPLE_TAGS: readonly [keyof RawSample, string][] = [
  ['status', 'status'], ['method', 'method'], ['name', 'name'], ['group', 'group'], ['check', 'check'], ['error', 'error'],
  ['errorCode', 'error_code'], ['expectedResponse', 'expected_response'], ['transaction', 'scenario'],
];

/** Tags k6's InfluxDB output turns into fields (k6InfluxOutput): never tags, live or pushed. */
const FIELD_TAGS = new Set(['vu', 'iter', 'url']);

/** k6's extra_tags column ("k=v&k2=v2", URL-encoded) as tags. Pure. */
export function parseExtraTags(extraTags: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (extraTags === '') return out;
  for (const pair of extraTags.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = decodeURIComponent(pair.slice(0, eq));
    const value = decodeURIComponent(pair.slice(eq + 1));
    if (value !== '' && !FIELD_TAGS.has(key)) out[key] = value;
  }
  return out;
}

/**
 * Builds points from raw samples as k6's InfluxDB output would have written them: the system tag columns
 * plus the sample's extra tags (test-wide tags, the scenario's `transaction`, a scenario's own tags) over
 * `baseTags` (the run's tags from run.json, so that a sample always carries them). Empty tags are left out,
 * as k6 does. extra_tags strings repeat (a handful per transaction), so their parse is cached.
 */
export function samplePointBuilder(baseTags: Readonly<Record<string, string>>): (s: RawSample, index: number) => Point {
  const cache = new Map<string, Record<string, string>>();
  return (s, index) => {
    let common = cache.get(s.extraTags);
    if (!common) {
      common = { ...baseTags, ...parseExtraTags(s.extraTags) };
      // k6 writes extra_tags keys in map order, so one tag set has several spellings: bound the cache.
      if (cache.size > 10_000) cache.clear();
      cache.set(s.extraTags, common);
    }
    const t: Record<string, string> = { ...common };
    for (const [key, tag] of SAMPLE_TAGS) {
      const v = s[key] as string;
      if (v !== '') t[tag] = v;
    }
    return { measurement: s.metric, tags: t, fields: { value: s.value }, timestamp: sampleTimestampNs(s.timeMs, index) };
  };
}

/** Tag keys a Prometheus label may not take over (they identify the run and the sample). */
const RESERVED_TAGS = new Set(['service', 'profile', 'phase', 'run_id', 'iteration', 'campaign', 'source', 'metric', 'transaction']);

export function monitorPoint(s: MonitorSample, index: number, tags: Readonly<Record<string, string>>): Point {
  const t: Record<string, string> = { ...tags, source: s.source, metric: s.metric };
  for (const [k, v] of Object.entries(s.labels)) {
    if (v === '') continue;
    t[RESERVED_TAGS.has(k) ? `label_${k}` : k] = v;
  }
  return { measurement: MONITOR_MEASUREMENT, tags: t, fields: { value: s.value }, timestamp: sampleTimestampNs(s.t, index) };
}

/** A campaign's phases are its runs (one per phase), so a run's start and end are the phase's, tagged `phase`. */
export type RunEventKind = 'run-start' | 'run-end' | 'step';

export interface RunEvent {
  kind: RunEventKind;
  timeMs: number;
  title: string;
  text: string;
}

/** The events of a run, from its metadata: start, end, and each change of the profile's rate. Pure. */
export function runEvents(meta: RunMeta): RunEvent[] {
  const start = Date.parse(meta.startedAt);
  const where = `${meta.service} · ${meta.phase} · iteration ${meta.iteration} · profile ${meta.profile}`;
  const events: RunEvent[] = [{ kind: 'run-start', timeMs: start, title: `${meta.phase} run ${meta.runId} start`, text: where }];
  let at = start;
  meta.timeline.forEach((seg, i) => {
    if (i > 0 && seg.fromMultiplier !== seg.toMultiplier) {
      events.push({ kind: 'step', timeMs: at, title: `ramp ×${seg.fromMultiplier} → ×${seg.toMultiplier}`, text: where });
    }
    at += seg.durationMs;
  });
  if (meta.endedAt) {
    events.push({ kind: 'run-end', timeMs: Date.parse(meta.endedAt), title: `${meta.phase} run ${meta.runId} end: ${meta.status}`, text: `${where} · exit ${meta.exitCode ?? '?'}` });
  }
  return events;
}

export function eventPoint(e: RunEvent, tags: Readonly<Record<string, string>>): Point {
  return {
    measurement: EVENTS_MEASUREMENT,
    tags: { ...tags, event: e.kind },
    fields: { title: e.title, text: e.text },
    timestamp: sampleTimestampNs(e.timeMs, 0),
  };
}

function transactionFields(t: TransactionAnalysis): Record<string, number> {
  const f: Record<string, number> = {
    requests: t.requests, iterations: t.iterations, dropped: t.dropped, rate_per_sec: t.ratePerSec, errors: t.errors, error_rate: t.errorRate,
  };
  if (t.targetRatePerSec !== null) f.target_rate_per_sec = t.targetRatePerSec;
  if (t.latencyMs) {
    const l = t.latencyMs;
    Object.assign(f, { min_ms: l.min, mean_ms: l.mean, p50_ms: l.p50, p90_ms: l.p90, p95_ms: l.p95, p99_ms: l.p99, p999_ms: l.p999, max_ms: l.max });
  }
  for (const [kind, n] of Object.entries(t.errorsByKind)) f[`errors_${kind.replace(/-/g, '_')}`] = n ?? 0;
  return f;
}

/**
 * The analysis summary of a run as points (per-transaction throughput, errors by kind, latency percentiles,
 * SLO verdicts), stamped at the end of the analysed period so that a Grafana table or stat panel can
 * show them beside the series. Pure.
 */
export function summaryPoints(analysis: Analysis, tags: Readonly<Record<string, string>>): Point[] {
  const at = sampleTimestampNs(analysis.endMs, 0);
  const points: Point[] = [analysis.overall, ...analysis.transactions].map((t, i) => ({
    measurement: SUMMARY_MEASUREMENT,
    tags: { ...tags, transaction: i === 0 ? '_all' : t.name },
    fields: transactionFields(t),
    timestamp: at,
  }));
  for (const slo of analysis.slo) {
    const fields: Record<string, number | string> = { limit: slo.limit, pass: slo.pass ? 1 : 0, op: slo.op };
    if (slo.actual !== null) fields.actual = slo.actual;
    points.push({ measurement: SLO_MEASUREMENT, tags: { ...tags, transaction: slo.transaction, criterion: slo.criterion }, fields, timestamp: at });
  }
  return points;
}
