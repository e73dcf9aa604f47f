/**
 * InfluxDB as a run side channel: live push through k6's output and the monitor's samples while k6 runs,
 * then a check that every request landed, with a backfill from the run folder when some did not (or when
 * InfluxDB was unusable at the start and answers again). Nothing here fails a run: a problem is warned
 * once and marked in run.json's flags.
 */
import { readFileSync, existsSync } from 'node:fs';
import { readRawSamples } from '../store/raw-samples.js';
import { rawOutputs, readRunMeta, writeRunMeta, type RunMeta } from '../store/folder.js';
import type { SideChannel, SideChannelContext } from '../run/side-channel.js';
import { describeTarget, InfluxClient, k6InfluxOutput, type InfluxTarget } from './influx.js';
import { pingInflux } from './influx-instance.js';
import { eventPoint, monitorPoint, runEvents, runTags } from './points.js';
import { INFLUX_FLAGS, pushRun } from './push.js';

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

export function influxChannel(target: InfluxTarget): SideChannel {
  let client: InfluxClient | undefined;
  let tags: Record<string, string> = {};
  let monitorWritesFailed = false;
  return {
    name: 'influxdb',
    start: async (ctx) => {
      const candidate = new InfluxClient(target);
      tags = runTags(ctx.meta);
      try {
        await candidate.ensureDatabase();
        await candidate.write(runEvents({ ...ctx.meta, endedAt: null }).slice(0, 1).map((e) => eventPoint(e, tags)));
        client = candidate;
        const { out, env } = k6InfluxOutput(target);
        ctx.log(`perfcell: metrics live to InfluxDB ${describeTarget(target)}`);
        return { k6Outputs: [out], k6Env: env };
      } catch (e) {
        ctx.flags.add(INFLUX_FLAGS.pushFailed);
        ctx.log(`perfcell: warning: ${(e as Error).message}; the run goes on without live metrics, \`perfcell push ${ctx.dir}\` later`);
        return undefined;
      }
    },
    monitorSamples: async (samples, first) => {
      if (monitorWritesFailed || !client) return;
      try {
        await client.write(samples.map((s, i) => monitorPoint(s, first + i, tags)));
      } catch (e) {
        // One failure stops live monitor writes (InfluxDB is then short of the run); push writes them all from monitor.jsonl.
        monitorWritesFailed = true;
        throw e;
      }
    },
    stop: async (meta, ctx) => {
      if (monitorWritesFailed) ctx.flags.add(INFLUX_FLAGS.pushFailed);
      if (client) await checkLivePush(client, meta, ctx, monitorWritesFailed);
      else await backfillLate(target, meta, ctx);
    },
  };
}

/** run.json must show the flags before push reads it, so that push records the backfill. */
function recordFlags(dir: string, meta: RunMeta, flags: Set<string>): void {
  meta.flags.push(...[...flags].filter((f) => !meta.flags.includes(f)));
  writeRunMeta(dir, meta);
}

/** InfluxDB was unusable at the start: if it answers now, push the run; else it stays pending (one warning was given). */
async function backfillLate(target: InfluxTarget, meta: RunMeta, ctx: SideChannelContext): Promise<void> {
  if (await pingInflux(target.url, 1000)) {
    try {
      recordFlags(ctx.dir, meta, ctx.flags);
      const stats = await pushRun(ctx.dir, target);
      meta.flags.splice(0, meta.flags.length, ...readRunMeta(ctx.dir).flags);
      ctx.log(`perfcell: InfluxDB answers again: pushed ${stats.requests} requests (${stats.samples} samples)`);
      return;
    } catch {
      // Still unusable (credentials): pending, as warned at the start.
    }
  }
  ctx.flags.add(INFLUX_FLAGS.backfillPending);
}

/** After the run: did every request reach InfluxDB? If not, mark the run and backfill from the raw file. */
async function checkLivePush(client: InfluxClient, meta: RunMeta, ctx: SideChannelContext, monitorWritesFailed: boolean): Promise<void> {
  const { dir, flags, log } = ctx;
  // Every k6 output of the run: a distributed run's injectors each pushed and logged their own.
  const outputs = rawOutputs(dir, meta);
  const logText = outputs.map((o) => (existsSync(o.k6Log) ? readFileSync(o.k6Log, 'utf8') : '')).join('\n');
  const problems = influxLogProblems(logText);
  if (problems.lagWarnings > 0) flags.add(INFLUX_FLAGS.pushLagged);
  let rawRequests = 0;
  for (const o of outputs.filter((x) => existsSync(x.raw))) {
    await readRawSamples(o.raw, () => rawRequests++, { metrics: new Set(['http_reqs']) });
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
  log(`perfcell: warning: InfluxDB live push incomplete (${liveRequests < 0 ? 'InfluxDB unreachable' : `${liveRequests} of ${rawRequests} requests`}${problems.writeErrors ? `, ${problems.writeErrors} k6 write error(s)` : ''}${monitorWritesFailed ? ', monitor writes failed' : ''}); backfilling from the run folder`);
  try {
    recordFlags(dir, meta, flags);
    const stats = await pushRun(dir, client.target);
    meta.flags.splice(0, meta.flags.length, ...readRunMeta(dir).flags);
    log(`perfcell: backfilled ${stats.requests} requests (${stats.samples} samples) into InfluxDB`);
  } catch (e) {
    flags.add(INFLUX_FLAGS.backfillPending);
    log(`perfcell: warning: backfill failed (${(e as Error).message}); run \`perfcell push ${dir}\` when InfluxDB is back`);
  }
}
