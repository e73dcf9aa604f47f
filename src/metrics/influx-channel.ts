/**
 * What a run does besides k6, wired into executeRun in three calls (prepare before bundling, start before
 * k6, finish after run.json is final): InfluxDB live push through k6's output with a check and a backfill,
 * the server-side monitor, the APM hooks and the run's annotations. Nothing here fails a run: a problem is
 * warned once and marked in run.json's flags.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { Plugin } from 'esbuild';
import { parseDurationMs } from '../model/duration.js';
import { PerfcellError } from '../errors.js';
import { readRawSamples } from '../store/raw-samples.js';
import { readRunMeta, runFile, writeRunMeta, type RunMeta } from '../store/folder.js';
import { startMonitor, DEFAULT_MONITOR_INTERVAL_MS, type MonitorReport, type RunningMonitor } from '../monitor/monitor.js';
import { resolveApms, k6ApmEnv, type Apm, type ApmRunInfo } from '../apm/apm.js';
import { apmHttpShimPlugin } from '../apm/bundle-plugin.js';
import { describeTarget, InfluxClient, k6InfluxOutput, resolveInfluxTarget, type InfluxTarget } from './influx.js';
import { pingInflux } from './influx-instance.js';
import { eventPoint, monitorPoint, runEvents, runTags } from './points.js';
import { INFLUX_FLAGS, pushRun } from './push.js';

export interface RunHookOptions {
  /** InfluxDB target; undefined: resolved from PERFCELL_INFLUX_URL or the private instance; null: none. */
  influx?: InfluxTarget | null;
  /** Monitor interval in ms, or false to not monitor (PERFCELL_MONITOR=off, PERFCELL_MONITOR_INTERVAL=5s). */
  monitorIntervalMs?: number | false;
  /** APM hooks; undefined: from PERFCELL_APM. */
  apms?: Apm[];
}

export interface PreparedHooks {
  apms: Apm[];
  influx: InfluxTarget | undefined;
  monitorIntervalMs: number | false;
  /** esbuild plugins for the scenario bundle (the APM header shim when an APM is configured). */
  bundlePlugins: Plugin[];
}

/** Resolves the configuration; a bad setting is an error before anything starts. */
export function prepareRunHooks(options: RunHookOptions = {}, env: NodeJS.ProcessEnv = process.env): PreparedHooks {
  const apms = options.apms ?? resolveApms(env);
  const influx = options.influx === null ? undefined : options.influx ?? resolveInfluxTarget({}, env);
  let monitorIntervalMs: number | false = options.monitorIntervalMs ?? DEFAULT_MONITOR_INTERVAL_MS;
  if (options.monitorIntervalMs === undefined) {
    if (env.PERFCELL_MONITOR === 'off') monitorIntervalMs = false;
    else if (env.PERFCELL_MONITOR_INTERVAL) {
      const ms = parseDurationMs(env.PERFCELL_MONITOR_INTERVAL);
      if (!ms) throw new PerfcellError(`PERFCELL_MONITOR_INTERVAL: a duration such as "5s" or "500ms", got "${env.PERFCELL_MONITOR_INTERVAL}"`, 'input');
      monitorIntervalMs = ms;
    }
  }
  return { apms, influx, monitorIntervalMs, bundlePlugins: apms.length ? [apmHttpShimPlugin()] : [] };
}

export interface StartedHooks {
  /** k6 `--out` values to add. */
  k6Outputs: string[];
  /** k6 environment to add. */
  k6Env: Record<string, string>;
  k6Started: (pid: number | undefined) => void;
  /** Call once run.json is final: stops the monitor, checks and backfills the live push, notifies the APMs. */
  finish: (meta: RunMeta) => Promise<void>;
}

/** Problems k6's InfluxDB output logged. Pure. */
export function influxLogProblems(k6Log: string): { writeErrors: number; lagWarnings: number } {
  let writeErrors = 0;
  let lagWarnings = 0;
  for (const line of k6Log.split('\n')) {
    if (!line.includes('output=InfluxDBv1')) continue;
    if (/flush operation took higher/.test(line)) lagWarnings++;
    else if (/level=(error|warning)/.test(line)) writeErrors++;
  }
  return { writeErrors, lagWarnings };
}

function apmInfo(meta: RunMeta): ApmRunInfo {
  return {
    runId: meta.runId, service: meta.service, phase: meta.phase, iteration: meta.iteration, profile: meta.profile,
    ...(meta.campaign ? { campaign: meta.campaign } : {}),
    startedAtMs: Date.parse(meta.startedAt),
    ...(meta.endedAt ? { endedAtMs: Date.parse(meta.endedAt) } : {}),
    status: meta.status,
  };
}

export async function startRunHooks(
  prepared: PreparedHooks,
  run: { dir: string; meta: RunMeta; targets: Record<string, string>; log: (line: string) => void },
): Promise<StartedHooks> {
  const { dir, log } = run;
  const flags = new Set<string>();
  const tags = runTags(run.meta);
  const k6Outputs: string[] = [];
  const k6Env: Record<string, string> = { ...k6ApmEnv(prepared.apms, run.meta.runId) };

  let client: InfluxClient | undefined;
  if (prepared.influx) {
    const candidate = new InfluxClient(prepared.influx);
    try {
      await candidate.ensureDatabase();
      await candidate.write(runEvents({ ...run.meta, endedAt: null }).slice(0, 1).map((e) => eventPoint(e, tags)));
      client = candidate;
      const { out, env } = k6InfluxOutput(prepared.influx);
      k6Outputs.push(out);
      Object.assign(k6Env, env);
      log(`perfcell: metrics live to InfluxDB ${describeTarget(prepared.influx)}`);
    } catch (e) {
      flags.add(INFLUX_FLAGS.pushFailed);
      log(`perfcell: warning: ${(e as Error).message}; the run goes on without live metrics, \`perfcell push ${dir}\` later`);
    }
  }

  for (const apm of prepared.apms) {
    try {
      await apm.testStarted(apmInfo(run.meta));
    } catch (e) {
      flags.add('apm-event-failed');
      log(`perfcell: warning: ${apm.name}: test start event not sent (${(e as Error).message})`);
    }
  }

  let sinkWarned = false;
  const monitor: RunningMonitor | undefined =
    prepared.monitorIntervalMs === false
      ? undefined
      : startMonitor({
          runDir: dir,
          targets: run.targets,
          intervalMs: prepared.monitorIntervalMs,
          log,
          ...(client
            ? {
                sink: async (samples, first) => {
                  if (sinkWarned || !client) return;
                  try {
                    await client.write(samples.map((s, i) => monitorPoint(s, first + i, tags)));
                  } catch (e) {
                    // One failure stops live monitor writes; push writes them all from monitor.jsonl.
                    sinkWarned = true;
                    throw e;
                  }
                },
              }
            : {}),
        });

  return {
    k6Outputs,
    k6Env,
    k6Started: (pid) => {
      if (pid !== undefined) monitor?.watchK6(pid);
    },
    finish: async (meta) => {
      const report = await monitor?.stop();
      if (report && report.sinkFailures > 0) flags.add(INFLUX_FLAGS.pushFailed);
      for (const apm of prepared.apms) {
        try {
          await apm.testEnded(apmInfo(meta));
        } catch (e) {
          flags.add('apm-event-failed');
          log(`perfcell: warning: ${apm.name}: test end event not sent (${(e as Error).message})`);
        }
      }
      if (client) await checkLivePush(client, dir, meta, flags, log, report);
      else if (prepared.influx) await backfillLate(prepared.influx, dir, meta, flags, log);
      const added = [...flags].filter((f) => !meta.flags.includes(f));
      if (added.length > 0) {
        meta.flags.push(...added);
        writeRunMeta(dir, meta);
      }
    },
  };
}

/** InfluxDB was unusable at the start: if it answers now, push the run; else it stays pending (one warning was given). */
async function backfillLate(target: InfluxTarget, dir: string, meta: RunMeta, flags: Set<string>, log: (line: string) => void): Promise<void> {
  if (await pingInflux(target.url, 1000)) {
    try {
      meta.flags.push(...[...flags].filter((f) => !meta.flags.includes(f)));
      writeRunMeta(dir, meta);
      const stats = await pushRun(dir, target);
      meta.flags.splice(0, meta.flags.length, ...readRunMeta(dir).flags);
      log(`perfcell: InfluxDB answers again: pushed ${stats.requests} requests (${stats.samples} samples)`);
      return;
    } catch {
      // Still unusable (credentials): pending, as warned at the start.
    }
  }
  flags.add(INFLUX_FLAGS.backfillPending);
}

/** After the run: did every request reach InfluxDB? If not, mark the run and backfill from the raw file. */
async function checkLivePush(
  client: InfluxClient,
  dir: string,
  meta: RunMeta,
  flags: Set<string>,
  log: (line: string) => void,
  report: MonitorReport | undefined,
): Promise<void> {
  const logText = existsSync(runFile(dir, 'k6Log')) ? readFileSync(runFile(dir, 'k6Log'), 'utf8') : '';
  const problems = influxLogProblems(logText);
  if (problems.lagWarnings > 0) flags.add(INFLUX_FLAGS.pushLagged);
  let rawRequests = 0;
  if (existsSync(runFile(dir, 'raw'))) {
    await readRawSamples(runFile(dir, 'raw'), () => rawRequests++, { metrics: new Set(['http_reqs']) });
  }
  let liveRequests = -1;
  try {
    liveRequests = await client.count('http_reqs', meta.runId);
  } catch {
    // Unreachable now: counted as lost.
  }
  // A failed monitor write (flagged already) also leaves InfluxDB short of the run folder.
  const lost = problems.writeErrors > 0 || liveRequests < rawRequests || flags.has(INFLUX_FLAGS.pushFailed);
  if (!lost) {
    try {
      await client.write(runEvents(meta).map((e) => eventPoint(e, runTags(meta))));
    } catch (e) {
      log(`perfcell: warning: run events not written to InfluxDB (${(e as Error).message})`);
    }
    return;
  }
  flags.add(INFLUX_FLAGS.pushFailed);
  log(`perfcell: warning: InfluxDB live push incomplete (${liveRequests < 0 ? 'InfluxDB unreachable' : `${liveRequests} of ${rawRequests} requests`}${problems.writeErrors ? `, ${problems.writeErrors} k6 write error(s)` : ''}${report?.sinkFailures ? ', monitor writes failed' : ''}); backfilling from the run folder`);
  try {
    // run.json must show the flag before push reads it, so that push records the backfill.
    meta.flags.push(...[...flags].filter((f) => !meta.flags.includes(f)));
    writeRunMeta(dir, meta);
    const stats = await pushRun(dir, client.target);
    meta.flags.splice(0, meta.flags.length, ...readRunMeta(dir).flags);
    log(`perfcell: backfilled ${stats.requests} requests (${stats.samples} samples) into InfluxDB`);
  } catch (e) {
    flags.add(INFLUX_FLAGS.backfillPending);
    log(`perfcell: warning: backfill failed (${(e as Error).message}); run \`perfcell push ${dir}\` when InfluxDB is back`);
  }
}
