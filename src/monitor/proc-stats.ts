/**
 * The load generator's own health from Linux /proc: CPU time and resident memory of a process (k6, perfcell)
 * and the whole machine's CPU. Parsing is pure; reading is a thin shell that returns undefined when the
 * process is gone.
 */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux architecture Node runs on. */
export const CLOCK_TICKS = 100;

export interface ProcCpu {
  /** user + system CPU time, seconds. */
  cpuSeconds: number;
}

/** /proc/<pid>/stat: fields after the command name (which may contain spaces and parentheses). */
export function parseProcStat(text: string): ProcCpu | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const f = text.slice(close + 2).split(' ');
  // After "pid (comm) ": state is field 3 → index 0; utime field 14 → index 11; stime field 15 → index 12.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { cpuSeconds: (utime + stime) / CLOCK_TICKS };
}

/** VmRSS of /proc/<pid>/status, in bytes. */
export function parseProcStatusRss(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

export interface HostCpu {
  busy: number;
  total: number;
}

/** First line of /proc/stat ("cpu  user nice system idle iowait irq softirq steal …"), in ticks. */
export function parseHostStat(text: string): HostCpu | undefined {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return undefined;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 5 || v.some((x) => !Number.isFinite(x))) return undefined;
  const idle = (v[3] as number) + (v[4] as number);
  const total = v.reduce((s, x) => s + x, 0);
  return { busy: total - idle, total };
}

/** CPU % over an interval: 100 = one core busy the whole time. */
export function cpuPercent(prevSeconds: number, nextSeconds: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return 0;
  return Math.max(0, ((nextSeconds - prevSeconds) * 1000 * 100) / elapsedMs);
}

/** Share of the whole machine's CPU in use between two readings, 0–100. */
export function hostCpuPercent(prev: HostCpu, next: HostCpu): number {
  const total = next.total - prev.total;
  return total > 0 ? Math.max(0, Math.min(100, ((next.busy - prev.busy) * 100) / total)) : 0;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function readProcess(pid: number | 'self'): { cpuSeconds: number; rssBytes: number } | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const status = read(`/proc/${pid}/status`);
  const cpu = stat ? parseProcStat(stat) : undefined;
  const rss = status ? parseProcStatusRss(status) : undefined;
  return cpu && rss !== undefined ? { cpuSeconds: cpu.cpuSeconds, rssBytes: rss } : undefined;
}

export function readHostCpu(): HostCpu | undefined {
  const text = read('/proc/stat');
  return text ? parseHostStat(text) : undefined;
}
