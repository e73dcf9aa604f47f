/**
 * Server-side and load-generator samples recorded during a run (run folder file `monitor.jsonl`, one JSON
 * object per line). The monitor writes them; the analysis and `perfcell push` read them. One shape, here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { runFile } from './folder.js';

export interface MonitorSample {
  /** Unix milliseconds of the scrape. */
  t: number;
  /** "target:<name>" for a scraped target, "injector" for the load generator itself. */
  source: string;
  /** Prometheus metric name (or injector_cpu_percent, injector_rss_bytes, …). */
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export function formatMonitorLine(s: MonitorSample): string {
  return JSON.stringify(s) + '\n';
}

/** Reads monitor.jsonl if the run has one; a damaged line is skipped (counted), never fatal. */
export function readMonitorSamples(runDir: string): { samples: MonitorSample[]; badLines: number } {
  const path = runFile(runDir, 'monitor');
  if (!existsSync(path)) return { samples: [], badLines: 0 };
  const samples: MonitorSample[] = [];
  let badLines = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as MonitorSample;
      if (typeof s.t === 'number' && typeof s.metric === 'string' && typeof s.value === 'number') samples.push(s);
      else badLines++;
    } catch {
      badLines++;
    }
  }
  return { samples, badLines };
}
