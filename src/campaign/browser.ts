/** Chromium for k6's browser module: the one K6_BROWSER_EXECUTABLE_PATH names, else the distribution's. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfcellError } from '../errors.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function locateChromium(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.K6_BROWSER_EXECUTABLE_PATH;
  if (chosen) {
    if (existsSync(chosen)) return chosen;
    throw new PerfcellError(`K6_BROWSER_EXECUTABLE_PATH=${chosen}: no such file; the end-to-end phase needs Chromium (apt-get install chromium), or unset it`, 'environment');
  }
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser || command -v google-chrome'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim().split('\n')[0] : undefined;
  if (found) return found;
  throw new PerfcellError('Chromium not found: the end-to-end phase runs a k6 browser scenario (apt-get install chromium, or set K6_BROWSER_EXECUTABLE_PATH)', 'environment');
}

/**
 * The Chromium to give k6, below k6 and a local target in CPU priority (`nice -n 10`, through a small
 * wrapper script in the temp folder). On one host the browser's bursts (start, page load, rendering) take
 * both cores for a moment: in the demo's end-to-end phase the embedded target's one thread then queued
 * (event-loop lag p99 135–250 ms in the windows holding a journey, 20–50 ms otherwise) and the protocol SLOs
 * broke once in five demos. The browser samples what a user perceives; the protocol load is the measurement
 * it must not disturb. Its own timings include the wait, which the report's Web Vitals then show.
 */
export function belowLoadPriority(chromium: string): string {
  if (process.platform === 'win32') return chromium;
  const wrapper = join(tmpdir(), `perfcell-chromium-${process.pid}.sh`);
  if (chromium === wrapper) return wrapper;
  writeFileSync(wrapper, `#!/bin/sh\nexec nice -n 10 '${chromium.replace(/'/g, `'\\''`)}' "$@"\n`, { mode: 0o755 });
  return wrapper;
}
