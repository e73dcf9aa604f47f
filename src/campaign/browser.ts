/** Chromium for k6's browser module: the one K6_BROWSER_EXECUTABLE_PATH names, else the distribution's. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
