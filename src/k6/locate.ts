/** Finding the k6 binary: the project's own build (.tools/bin, made by `npm run setup`), else PATH. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PerfcellError } from '../errors.js';

/** The pinned k6 version `npm run setup` builds (go.k6.io/k6/v2). */
export const K6_VERSION = 'v2.2.0';
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOOLS_BIN = fileURLToPath(new URL('../../.tools/bin/', import.meta.url));

export interface K6Binary {
  path: string;
  version: string;
}

export function k6Version(path: string): string | undefined {
  const r = spawnSync(path, ['version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /k6 (v[\w.-]+)/.exec(r.stdout)?.[1];
}

export function locateK6(): K6Binary {
  const chosen = process.env.PERFCELL_K6;
  if (chosen) {
    // An explicit choice is never silently replaced by another k6.
    const version = existsSync(chosen) || !chosen.includes('/') ? k6Version(chosen) : undefined;
    if (version) return { path: chosen, version };
    throw new PerfcellError(`PERFCELL_K6=${chosen}: a k6 binary (it is missing or does not answer \`k6 version\`); unset it to use .tools/bin/k6 from \`npm run setup\``, 'environment');
  }
  for (const c of [`${TOOLS_BIN}k6`, 'k6']) {
    if (c.includes('/') && !existsSync(c)) continue;
    const version = k6Version(c);
    if (version) return { path: c, version };
  }
  throw new PerfcellError(
    'k6 not found: run `npm run setup` (builds k6 ' + K6_VERSION + ' from its Go module into .tools/bin; needs Go ≥ 1.25), ' +
      'or put k6 v2 on PATH, or set PERFCELL_K6 to its path',
    'environment',
  );
}
