/**
 * Server-side and load-generator samples recorded during a run (run folder file `monitor.jsonl`, one JSON
 * object per line). The monitor writes them; the analysis and `perfcell push` read them. One shape, here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectorDir, runFile, RUN_FILES } from './folder.js';

export interface MonitorSample {
  /** Unix milliseconds of the scrape. */
  t: number;
  /** "target:<name>" for a scraped target, "injector" for the load generator itself, "injector:<name>" for an SSH injector's host. */
  source: string;
  /** Prometheus metric name (or injector_cpu_percent, injector_rss_bytes, …). */
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export function formatMonitorLine(s: MonitorSample): string {
  return JSON.stringify(s) + '\n';
}

/**
 * Reads the run's monitor.jsonl, then each SSH injector's (injectors/<name>/monitor.jsonl, source
 * `injector:<name>`: src/injectors/health.ts), those it has; a damaged line is skipped (counted), never fatal.
 * The run's own samples come first, in file order (`perfcell push` numbers them so).
 */
export function readMonitorSamples(runDir: string): { samples: MonitorSample[]; badLines: number } {
  const injectors = join(runDir, 'injectors');
  const paths = [
    runFile(runDir, 'monitor'),
    ...(existsSync(injectors) ? readdirSync(injectors).sort().map((name) => join(injectorDir(runDir, name), RUN_FILES.monitor)) : []),
  ].filter((p) => existsSync(p));
  const samples: MonitorSample[] = [];
  let badLines = 0;
  for (const path of paths) readMonitorFile(path, samples, () => badLines++);
  return { samples, badLines };
}

function readMonitorFile(path: string, samples: MonitorSample[], bad: () => void): void {
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as MonitorSample;
      if (typeof s.t === 'number' && typeof s.metric === 'string' && typeof s.value === 'number') samples.push(s);
      else bad();
    } catch {
      bad();
    }
  }
}
