/** Finding the k6 binary: the project's own build (.tools/bin, made by `npm run setup`), else PATH. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerfcellError } from '../errors.js';

/** The pinned k6 version `npm run setup` builds (go.k6.io/k6/v2). */
export const K6_VERSION = 'v2.2.0';
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOOLS_BIN = fileURLToPath(new URL('../../.tools/bin/', import.meta.url));
/** perfcell installed as a package in a service's repository (node_modules/perfcell): set up by `npx perfcell setup`. */
export const INSTALLED = PROJECT_ROOT.split(sep).includes('node_modules');

export interface K6Binary {
  path: string;
  version: string;
}

export function k6Version(path: string): string | undefined {
  const r = spawnSync(path, ['version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /k6 (v[\w.-]+)/.exec(r.stdout)?.[1];
}

/**
 * What perfcell asks of k6: the v2 line (module go.k6.io/k6/v2: script API, exit codes, summary format)
 * and the `k6 run` flags it passes (src/k6/run-k6.ts k6Args; the gate's and injectors' execution segments).
 * Any k6 v2.x whose `k6 run --help` lists them is accepted, not only the pinned K6_VERSION.
 */
export const K6_MAJOR = 2;
export const K6_REQUIRED_RUN_FLAGS = ['--out', '--summary-export', '--no-usage-report', '--quiet', '--no-color', '--execution-segment'] as const;

/** Pure: why a k6 does not fit (version, then the first missing flag), or undefined when it does. */
export function k6Unfit(version: string, runHelp: string): string | undefined {
  const major = /^v(\d+)\./.exec(version)?.[1];
  if (Number(major) !== K6_MAJOR) return `k6 ${version} is not a v${K6_MAJOR}.x`;
  const missing = K6_REQUIRED_RUN_FLAGS.filter((f) => !new RegExp(`(^|[\\s,])${f}[\\s=]`, 'm').test(runHelp));
  return missing.length ? `k6 ${version}: \`k6 run --help\` lacks ${missing.join(', ')}` : undefined;
}

/** The feature probe: the version, and undefined or why this binary does not fit. */
export function probeK6(path: string): { version?: string; unfit?: string } {
  const version = k6Version(path);
  if (!version) return { unfit: `${path} does not answer \`k6 version\`` };
  const help = spawnSync(path, ['run', '--help'], { encoding: 'utf8' });
  return { version, unfit: k6Unfit(version, `${help.stdout}\n${help.stderr}`) };
}

export function locateK6(): K6Binary {
  const chosen = process.env.PERFCELL_K6;
  if (chosen) {
    // An explicit choice is never silently replaced by another k6.
    const p = existsSync(chosen) || !chosen.includes('/') ? probeK6(chosen) : { unfit: 'missing' };
    if (p.version && !p.unfit) return { path: chosen, version: p.version };
    throw new PerfcellError(`PERFCELL_K6=${chosen}: a k6 v${K6_MAJOR}.x binary (${p.unfit}); unset it to use .tools/bin/k6 from \`npm run setup\``, 'environment');
  }
  const refused: string[] = [];
  for (const c of [`${TOOLS_BIN}k6`, 'k6']) {
    if (c.includes('/') && !existsSync(c)) continue;
    const p = probeK6(c);
    if (p.version && !p.unfit) return { path: c, version: p.version };
    if (p.version) refused.push(p.unfit as string);
  }
  throw new PerfcellError(
    `k6 not found${refused.length ? ` (refused: ${refused.join('; ')})` : ''}: run \`${INSTALLED ? 'npx perfcell setup' : 'npm run setup'}\` (builds k6 ${K6_VERSION} from its Go module into .tools/bin; needs Go ≥ 1.25), ` +
      `or put any k6 v${K6_MAJOR}.x on PATH, or set PERFCELL_K6 to its path`,
    'environment',
  );
}
