/**
 * Site figures (issue 19), on a generated 60 services × 20 iterations × 3 phases history (analysis.json
 * with 120-window series per transaction, as a 10-minute run at 5 s windows has): `perfcell site` run as
 * a user runs it (a child process, tsx start-up included).
 *   - full build (target ≤ 30 s); baseline: reading and parsing every analysis.json once in the same run
 *     (the floor any build from the folders pays), ratio = build / baseline;
 *   - incremental rebuild after one new iteration of one service (target ≤ 2 s); baseline: a rebuild with
 *     nothing changed (ratio = incremental / no-change);
 *   - the home page's size (target ≤ 1 MB); ratio = size / 1 MB.
 *   - one command's CLI start-up (`perfcell site --help`); baseline: `perfcell --help`, which loads every
 *     command module (as every command did before src/cli/main.ts loaded only the named one).
 *
 *   node --import tsx bench/site.ts            (a quick try; `npm run bench -- site` writes the report)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSite } from '../src/site/build.js';
import { addIteration, generateHistory } from '../test/support/site-history.js';
import { compared, run, type BenchResult } from './harness.js';

const REPEATS = 3;
const SERIES_WINDOWS = 120;
const MB = 1024 * 1024;

function parseAll(reportsDir: string): number {
  const t0 = performance.now();
  for (const svc of readdirSync(reportsDir)) {
    for (const it of readdirSync(join(reportsDir, svc))) {
      if (!it.startsWith('iteration-')) continue;
      try {
        JSON.parse(readFileSync(join(reportsDir, svc, it, 'analysis.json'), 'utf8'));
      } catch {
        // the awkward folders: not counted
      }
    }
  }
  return performance.now() - t0;
}

export async function benchSite(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-bench-site-'));
  try {
    const h = generateHistory({ dir, services: 60, iterations: 20, seriesWindows: SERIES_WINDOWS });
    const site = join(dir, 'site');
    const cli = fileURLToPath(new URL('../bin/perfcell.js', import.meta.url));
    const args = ['site', '--reports', h.reportsDir, '-o', site, '--store', h.store];
    const env = { PERFCELL_CONFIG: h.configFile };
    const command = `perfcell site --reports <60×20 history> -o <site> --store <store>`;
    const site1 = async (extra: string[] = []) => {
      const r = await run(process.execPath, [cli, ...args, ...extra], env);
      if (r.code !== 0) throw new Error(`perfcell site failed (${r.code}): ${r.stderr}`);
      return r;
    };
    const full: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      rmSync(site, { recursive: true, force: true });
      full.push((await site1()).ms / 1000);
      floor.push(parseAll(h.reportsDir) / 1000);
    }
    const incremental: number[] = [];
    const unchanged: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      unchanged.push((await site1()).ms / 1000);
      addIteration(h.reportsDir, h.services[i * 7] as string);
      const r = await site1();
      // The statistics line is progress: on stderr (src/cli/verbosity.ts); stdout holds the path only.
      if (!/[1-9]\d* written/.test(r.stderr)) throw new Error(`nothing written after a new iteration: ${r.stderr}`);
      incremental.push(r.ms / 1000);
    }
    // The same in-process, as `campaign --site` / `gate --site` call buildSite(): no CLI start-up (node, tsx, commander).
    const inProcess: number[] = [];
    const inProcessUnchanged: number[] = [];
    const cliStart: number[] = [];
    const cliAll: number[] = [];
    const opts = { reportsDir: h.reportsDir, outDir: site, store: h.store, configFile: h.configFile };
    await buildSite(opts);
    for (let i = 0; i < REPEATS; i++) {
      let t0 = performance.now();
      await buildSite(opts);
      inProcessUnchanged.push((performance.now() - t0) / 1000);
      addIteration(h.reportsDir, h.services[i * 7 + 1] as string);
      t0 = performance.now();
      const r = await buildSite(opts);
      if (r.written === 0) throw new Error('nothing written after a new iteration');
      inProcess.push((performance.now() - t0) / 1000);
      // A command's start-up loads only that command's modules (src/cli/main.ts); `perfcell --help` loads them all.
      cliStart.push((await run(process.execPath, [cli, 'site', '--help'])).ms / 1000);
      cliAll.push((await run(process.execPath, [cli, '--help'])).ms / 1000);
    }
    const homeBytes = statSync(join(site, 'index.html')).size;
    return [
      compared({ name: 'site full build 60×20', command, unit: 's', target: '≤ 30 s' }, full, { name: 'read + JSON.parse every analysis.json', samples: floor }),
      compared({ name: 'site incremental rebuild after one new iteration', command: `${command} (after one new iteration)`, unit: 's', target: '≤ 2 s' }, incremental, { name: 'rebuild with nothing changed', samples: unchanged }),
      compared({ name: 'site incremental rebuild, in-process buildSite()', command: 'buildSite({ reportsDir, outDir, … }) after one new iteration', unit: 's', target: '≤ 2 s' }, inProcess, { name: 'buildSite() with nothing changed', samples: inProcessUnchanged }),
      compared({ name: 'perfcell CLI start-up of one command (perfcell site --help)', command: 'perfcell site --help', unit: 's' }, cliStart, { name: 'perfcell --help (every command module loaded, as every command did before)', samples: cliAll }),
      { name: 'site home page size', command, unit: 'MB', median: homeBytes / MB, samples: [homeBytes / MB], ratio: homeBytes / MB, target: '≤ 1 MB' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchSite()) process.stdout.write(`${r.name}: median ${r.median.toFixed(3)} ${r.unit} (samples ${r.samples.map((s) => s.toFixed(2)).join(', ')})${r.baseline ? `, baseline ${r.baseline.name} ${r.baseline.median.toFixed(3)}` : ''}${r.ratio !== undefined ? `, ratio ${r.ratio.toFixed(2)}` : ''}, target ${r.target}\n`);
}
