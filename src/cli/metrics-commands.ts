import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PerfcellError, inputError } from '../errors.js';
import { parseDurationMs } from '../model/duration.js';
import type { RunHookOptions } from '../side-channels/defaults.js';
import { DEFAULT_INSTANCE_DIR, pingInflux, readInstanceState, startInfluxd, type InstanceState } from '../metrics/influx-instance.js';
import { describeTarget, resolveInfluxTarget } from '../metrics/influx.js';
import { DASHBOARD_FILE, DEFAULT_DASHBOARD_PORT } from '../side-channels/k6-outputs.js';
import { foregroundCommand, type BackgroundService } from '../services/background.js';
import { displayPath } from './convention.js';
import { FOREGROUND_OPTION, addStatusStop, startService, untilSignal } from './service-cli.js';
import { verbosity } from './verbosity.js';
import { addProgressOptions, progressFrom } from './progress-flags.js';

/** The private InfluxDB as a background service: instance.json in its data directory. */
export function influxService(dir: string): BackgroundService {
  const stateFile = join(resolve(dir), 'instance.json');
  return {
    name: 'influx',
    label: 'InfluxDB',
    stateFile,
    logFile: join(resolve(dir), 'influxd.log'),
    read: () => {
      if (!existsSync(stateFile)) return undefined;
      try {
        const s = JSON.parse(readFileSync(stateFile, 'utf8')) as InstanceState;
        return { pid: s.ownerPid, ready: true, since: s.startedAt, endpoints: [{ name: 'influxdb', url: s.url }] };
      } catch {
        return undefined;
      }
    },
    remove: () => rmSync(stateFile, { force: true }),
    probe: async ({ url }) => ((await pingInflux(url, 2000)) ? { up: true } : { up: false, note: 'no answer to /ping' }),
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new PerfcellError(`--port: a TCP port (1-65535), got "${value}"`, 'input');
  return n;
}

function parseDashboardPort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw inputError('command line', '--dashboard', `a TCP port (1-65535), got "${value}"`);
  return n;
}

/** The flags `perfcell run` (and campaigns) take for InfluxDB and the monitor; env settings apply otherwise. */
export function addRunHookOptions(command: Command): Command {
  return command
    .option('--influx <url>', 'InfluxDB for live metrics (default: PERFCELL_INFLUX_URL, else the private instance)')
    .option('--no-influx', 'no live metrics to InfluxDB, even when one is configured')
    .option('--monitor-interval <duration>', 'scrape targets\' /metrics every … (default 5s; PERFCELL_MONITOR_INTERVAL)')
    .option('--no-monitor', 'do not scrape targets\' /metrics nor read the injector\'s CPU and memory')
    .option('--dashboard [port]', `k6's web dashboard on 127.0.0.1 (port ${DEFAULT_DASHBOARD_PORT}) during the run; its HTML export saved as ${DASHBOARD_FILE} in the run folder`)
    .option('--k6-out <output>', 'an extra k6 output, passed as is: json=FILE, experimental-prometheus-rw, opentelemetry… (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]);
}

export function runHookOptionsFrom(opts: { influx?: string | boolean; monitor?: boolean; monitorInterval?: string; dashboard?: string | boolean; k6Out?: string[] }): RunHookOptions {
  const hooks: RunHookOptions = {};
  const dashboardPort = opts.dashboard === undefined || opts.dashboard === false ? undefined : opts.dashboard === true ? DEFAULT_DASHBOARD_PORT : parseDashboardPort(opts.dashboard);
  if (dashboardPort !== undefined || opts.k6Out?.length) hooks.k6Outputs = { dashboardPort, outputs: opts.k6Out ?? [] };
  if (opts.influx === false) hooks.influx = null;
  else if (typeof opts.influx === 'string') hooks.influx = resolveInfluxTarget({ url: opts.influx });
  if (opts.monitor === false) hooks.monitorIntervalMs = false;
  else if (opts.monitorInterval !== undefined) {
    const ms = parseDurationMs(opts.monitorInterval);
    if (!ms) throw new PerfcellError(`--monitor-interval: a duration such as "5s" or "500ms", got "${opts.monitorInterval}"`, 'input');
    hooks.monitorIntervalMs = ms;
  }
  return hooks;
}

export function registerMetricsCommands(program: Command): void {
  const influx = program.command('influx').description('a private InfluxDB 1.x instance for local use (influxd): start, status, stop');
  const dirOption = (c: Command) => c.option('-d, --dir <dir>', 'data directory of the private instance', DEFAULT_INSTANCE_DIR);
  dirOption(influx.command('start'))
    .description('run a private influxd (own data directory, loopback ports) in the background (or --foreground) until `perfcell influx stop`')
    .option('--port <port>', 'HTTP port (default: a free one)', port)
    .option('--rpc-port <port>', 'RPC (backup/restore) port (default: a free one)', port)
    .option(...FOREGROUND_OPTION)
    .action(async (opts: { dir: string; port?: number; rpcPort?: number; foreground?: boolean }) => {
      const service = influxService(opts.dir);
      await startService(service, {
        foreground: opts.foreground,
        command: foregroundCommand(),
        timeoutMs: 30_000,
        printReady: (st) => process.stdout.write(`perfcell: InfluxDB ${st.endpoints[0]?.url} (data in ${displayPath(resolve(opts.dir))}, pid ${st.pid}); runs push to it now\n`),
        runForeground: async () => {
          const running = readInstanceState(opts.dir);
          if (running && (await pingInflux(running.url))) {
            throw new PerfcellError(`${opts.dir}: an instance already runs at ${running.url} (perfcell influx stop --dir ${opts.dir})`, 'environment');
          }
          const instance = await startInfluxd({
            dir: opts.dir,
            ...(opts.port ? { httpPort: opts.port } : {}),
            ...(opts.rpcPort ? { rpcPort: opts.rpcPort } : {}),
            writeState: true,
          });
          process.stdout.write(`perfcell: InfluxDB ${instance.url} (data in ${instance.dir}); runs push to it now. Ctrl-C to stop.\n`);
          await untilSignal((stop) => instance.child.once('exit', stop));
          await instance.stop();
          process.stdout.write('perfcell: InfluxDB stopped\n');
        },
      });
    });
  addStatusStop(influx, (opts) => influxService(opts.dir as string), dirOption, async (st) => {
    // Where runs send their metrics: PERFCELL_INFLUX_URL when set, else this private instance.
    const target = resolveInfluxTarget({ instanceDir: (st.state && dirname(st.state)) || DEFAULT_INSTANCE_DIR });
    if (!target) return { lines: ['  no InfluxDB configured (set PERFCELL_INFLUX_URL or run `perfcell influx start`)'], fields: { metricsTarget: null } };
    const up = await pingInflux(target.url, 2000);
    return { lines: [`  metrics go to ${describeTarget(target)}: ${up ? 'up' : 'not answering'}`], fields: { metricsTarget: { url: target.url, database: target.database, up } }, healthy: up };
  });

  const push = program.command('push');
  push
    .argument('<run>', 'run folder')
    .option('--influx <url>', 'InfluxDB URL (default: PERFCELL_INFLUX_URL, else the private instance)')
    .option('--db <name>', 'database (default: PERFCELL_INFLUX_DB, else "perfcell")')
    .option('--no-summary', 'skip the analysis summary (it reads the raw file a second time)')
    .option('-q, --quiet', 'no statistics line, only errors and the exit code');
  addProgressOptions(push)
    .description("write a run's samples, monitor samples and events into InfluxDB (replaces what it held for the run)")
    .action(async (run: string, opts: { influx?: string; db?: string; summary: boolean; progress?: boolean }) => {
      const target = resolveInfluxTarget({ ...(opts.influx ? { url: opts.influx } : {}), ...(opts.db ? { database: opts.db } : {}) });
      if (!target) throw new PerfcellError('no InfluxDB to push to: give --influx <url>, set PERFCELL_INFLUX_URL or run `perfcell influx start`', 'environment');
      if (!(await pingInflux(target.url, 2000))) throw new PerfcellError(`InfluxDB ${target.url} does not answer /ping`, 'environment');
      // Loaded here: the push reads and analyses the run (start-up time of every other command).
      const { pushRun } = await import('../metrics/push.js');
      const stats = await pushRun(run, target, { summary: opts.summary, progress: progressFrom(opts) });
      if (verbosity() !== 'quiet') process.stdout.write(
        `perfcell: pushed run ${stats.runId} to ${describeTarget(target)}: ${stats.requests} requests, ${stats.samples} samples, ` +
          `${stats.monitorSamples} monitor samples, ${stats.events} events, ${stats.summaryPoints} summary points in ${(stats.totalMs / 1000).toFixed(1)} s` +
          `${stats.rawTruncated ? ' (raw file truncated: what it holds was pushed)' : ''}${stats.badLines ? ` · ${stats.badLines} bad line(s) skipped` : ''}\n`,
      );
      if (stats.summaryError) process.stderr.write(`perfcell: warning: no analysis summary pushed (${stats.summaryError})\n`);
    });
}
