/**
 * The side channels a run has by default, composed from their settings (docs/metrics.md): InfluxDB
 * (live push + backfill) when a target is configured, the APM hooks of PERFCELL_APM, the Prometheus monitor
 * unless PERFCELL_MONITOR=off. Callers of executeRun (the CLI, campaigns, the gate) hand it `withRunHooks()`;
 * executeRun itself knows only the contract (src/run/side-channel.ts).
 */
import { parseDurationMs } from '../model/duration.js';
import { PerfcellError } from '../errors.js';
import type { PreparedSideChannels, SideChannel, SideChannelFactory } from '../run/side-channel.js';
import { DEFAULT_MONITOR_INTERVAL_MS } from '../monitor/monitor.js';
import { monitorChannel } from '../monitor/monitor-channel.js';
import { resolveApms, type Apm } from '../apm/apm.js';
import { apmChannel } from '../apm/apm-channel.js';
import { apmHttpShimPlugin } from '../apm/bundle-plugin.js';
import { resolveInfluxTarget, type InfluxTarget } from '../metrics/influx.js';
import { influxChannel } from '../metrics/influx-channel.js';
import { k6OutputsChannel, type K6OutputSettings } from './k6-outputs.js';

export interface RunHookOptions {
  /** InfluxDB target; undefined: resolved from PERFCELL_INFLUX_URL or the private instance; null: none. */
  influx?: InfluxTarget | null;
  /** Monitor interval in ms, or false to not monitor (PERFCELL_MONITOR=off, PERFCELL_MONITOR_INTERVAL=5s). */
  monitorIntervalMs?: number | false;
  /** APM hooks; undefined: from PERFCELL_APM. */
  apms?: Apm[];
  /** k6's web dashboard and extra k6 outputs (`perfcell run --dashboard --k6-out …`). */
  k6Outputs?: K6OutputSettings;
}

export interface PreparedHooks extends PreparedSideChannels {
  apms: Apm[];
  influx: InfluxTarget | undefined;
  monitorIntervalMs: number | false;
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
  // Start order InfluxDB → APM → monitor; they stop in reverse: the monitor's last samples, the APM's end
  // event, then the InfluxDB check (which needs every sample written).
  const channels: SideChannel[] = [
    ...(influx ? [influxChannel(influx)] : []),
    apmChannel(apms),
    ...(monitorIntervalMs === false ? [] : [monitorChannel(monitorIntervalMs)]),
    ...(options.k6Outputs && (options.k6Outputs.outputs.length || options.k6Outputs.dashboardPort !== undefined) ? [k6OutputsChannel(options.k6Outputs)] : []),
  ];
  // Samples that leave the run folder live (InfluxDB, an extra k6 output) carry the run's tags.
  const liveSampleOutput = influx !== undefined || (options.k6Outputs?.outputs.length ?? 0) > 0;
  return { channels, apms, influx, monitorIntervalMs, bundlePlugins: apms.length ? [apmHttpShimPlugin()] : [], liveSampleOutput };
}

/** The default side channels with these settings, prepared when executeRun reaches its settings check. */
export function withRunHooks(options: RunHookOptions = {}): SideChannelFactory {
  return () => prepareRunHooks(options);
}
