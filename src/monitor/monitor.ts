/**
 * The server-side monitor of a run: every interval it scrapes each target's Prometheus /metrics and reads
 * the load generator's own CPU and memory (k6 and perfcell, from /proc), appends the samples to the run
 * folder's monitor.jsonl and hands them to an optional sink (InfluxDB). A target that is down or answers
 * a bad payload is skipped with one warning per target; nothing here can fail the run.
 */
import { appendFileSync } from 'node:fs';
import { runFile } from '../store/folder.js';
import { formatMonitorLine, type MonitorSample } from '../store/monitor-samples.js';
import { parsePrometheusText, PromParseError } from './prometheus-text.js';
import { cpuPercent, hostCpuPercent, readHostCpu, readProcess, type HostCpu } from './proc-stats.js';

export const DEFAULT_MONITOR_INTERVAL_MS = 5000;

export interface MonitorOptions {
  runDir: string;
  /** Target name → base URL; `<url>/metrics` is scraped. */
  targets: Record<string, string>;
  intervalMs?: number;
  metricsPath?: string;
  log?: (line: string) => void;
  /** Receives each tick's samples with the monitor.jsonl line index of the first one. */
  sink?: (samples: MonitorSample[], firstIndex: number) => Promise<void>;
  now?: () => number;
}

export interface MonitorReport {
  ticks: number;
  samples: number;
  /** Per target: scrapes that returned samples, and those skipped (down, HTTP error, bad payload). */
  targets: Record<string, { ok: number; skipped: number }>;
  sinkFailures: number;
}

export interface RunningMonitor {
  /** The k6 process to watch (known once k6 has started). */
  watchK6: (pid: number) => void;
  /** Takes a last reading, stops, and tells what was collected. */
  stop: () => Promise<MonitorReport>;
}

async function scrape(url: string, timeoutMs: number): Promise<{ text: string } | { error: string; absent?: boolean }> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain;version=0.0.4' } });
    const text = await r.text();
    if (r.status === 404) return { error: 'HTTP 404', absent: true };
    if (r.status !== 200) return { error: `HTTP ${r.status}` };
    return { text };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function startMonitor(options: MonitorOptions): RunningMonitor {
  const intervalMs = options.intervalMs ?? DEFAULT_MONITOR_INTERVAL_MS;
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const now = options.now ?? Date.now;
  const path = runFile(options.runDir, 'monitor');
  const report: MonitorReport = { ticks: 0, samples: 0, targets: {}, sinkFailures: 0 };
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    log(`perfcell: warning: ${message}`);
  };
  for (const name of Object.keys(options.targets)) report.targets[name] = { ok: 0, skipped: 0 };

  let k6Pid: number | undefined;
  const lastCpu = new Map<string, { cpuSeconds: number; at: number }>();
  let lastHost: HostCpu | undefined;
  let lines = 0;

  const injector = (t: number): MonitorSample[] => {
    const out: MonitorSample[] = [];
    const procs: [string, number | 'self'][] = [['perfcell', 'self']];
    if (k6Pid !== undefined) procs.push(['k6', k6Pid]);
    for (const [name, pid] of procs) {
      const p = readProcess(pid);
      if (!p) continue;
      const labels = { process: name };
      out.push({ t, source: 'injector', metric: 'injector_rss_bytes', labels, value: p.rssBytes });
      const prev = lastCpu.get(name);
      if (prev) out.push({ t, source: 'injector', metric: 'injector_cpu_percent', labels, value: cpuPercent(prev.cpuSeconds, p.cpuSeconds, t - prev.at) });
      lastCpu.set(name, { cpuSeconds: p.cpuSeconds, at: t });
    }
    const host = readHostCpu();
    if (host && lastHost) out.push({ t, source: 'injector', metric: 'injector_host_cpu_percent', labels: {}, value: hostCpuPercent(lastHost, host) });
    if (host) lastHost = host;
    return out;
  };

  // Targets without a metrics endpoint (404): asked once, then left alone (their logs, a stub's journal).
  const absent = new Set<string>();
  const target = async (name: string, base: string, t: number): Promise<MonitorSample[]> => {
    const url = `${base.replace(/\/$/, '')}${options.metricsPath ?? '/metrics'}`;
    if (absent.has(name)) return [];
    // A slow /metrics delays the next tick rather than losing this one, up to a bound.
    const got = await scrape(url, Math.max(1000, Math.min(intervalMs, 3000)));
    const counts = report.targets[name] as { ok: number; skipped: number };
    if ('error' in got) {
      counts.skipped++;
      if (got.absent) {
        absent.add(name);
        warnOnce(`down:${name}`, `monitor: ${url}: HTTP 404, target ${name} has no Prometheus endpoint; not monitored in this run`);
      } else warnOnce(`down:${name}`, `monitor: ${url}: ${got.error}; skipped (further failures of target ${name} are only counted)`);
      return [];
    }
    try {
      const parsed = parsePrometheusText(got.text);
      counts.ok++;
      return parsed
        .filter((s) => Number.isFinite(s.value))
        .map((s) => ({ t, source: `target:${name}`, metric: s.name, labels: s.labels, value: s.value }));
    } catch (e) {
      if (!(e instanceof PromParseError)) throw e;
      counts.skipped++;
      warnOnce(`bad:${name}`, `monitor: ${url}: not Prometheus text (${e.message}); payload skipped (further bad payloads of target ${name} are only counted)`);
      return [];
    }
  };

  const tick = async () => {
    const t = now();
    const batches = await Promise.all([
      Promise.resolve(injector(t)),
      ...Object.entries(options.targets).map(([name, base]) => target(name, base, t)),
    ]);
    const samples = batches.flat();
    report.ticks++;
    if (samples.length === 0) return;
    appendFileSync(path, samples.map(formatMonitorLine).join(''));
    const first = lines;
    lines += samples.length;
    report.samples += samples.length;
    if (options.sink) {
      try {
        await options.sink(samples, first);
      } catch (e) {
        report.sinkFailures++;
        warnOnce('sink', `monitor: could not write samples to InfluxDB (${(e as Error).message}); they stay in monitor.jsonl`);
      }
    }
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = tick();
  const schedule = () => {
    timer = setTimeout(() => {
      if (stopped) return;
      current = tick().finally(() => {
        if (!stopped) schedule();
      });
    }, intervalMs);
    // A run that ends without stopping the monitor (a crash) must not be kept alive by it.
    timer.unref();
  };
  void current.finally(schedule);

  return {
    watchK6: (pid) => {
      k6Pid = pid;
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
      await tick();
      return report;
    },
  };
}
