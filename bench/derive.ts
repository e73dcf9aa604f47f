/**
 * `model derive` figures (issue 16): throughput on a generated production-like nginx log of ≥ 2 GB
 * uncompressed (gzip), as a ratio to `zcat FILE | wc -l` of the same file in the same run (target ≥ 0.5),
 * and peak RSS at 1× and 10× input (target: flat, ≤ 200 MB). The log is generated into the temp folder and
 * deleted after; derive runs in a child process so that its peak RSS is its own. The derived busiest-hour
 * volumes are checked against the generator's truth on the way.
 *
 *   node --import tsx bench/derive.ts [days=6] [perDay=1000000]      (a quick try with smaller numbers)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSpec, generateLogFile, type GeneratorTruth } from '../src/derive/generate-logs.js';
import { deriveFigures, loadRoutes } from '../src/derive/derive.js';
import { compared, median, run, type BenchResult } from './harness.js';

const SELF = fileURLToPath(import.meta.url);
const ROUTES = 'test/fixtures/derive/grc.routes';

interface ChildReport {
  ms: number;
  maxRssMb: number;
  lines: number;
  peak: Record<string, number>;
}

async function deriveInChild(file: string): Promise<ChildReport> {
  const r = await run(process.execPath, ['--import', 'tsx', SELF, '--child', file]);
  if (r.code !== 0) throw new Error(`derive child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildReport;
}

function checkTruth(truth: GeneratorTruth, got: ChildReport): string {
  const off = [...truth.peak].filter(([name, want]) => Math.abs((got.peak[name] ?? 0) - want) > 0.01 * want);
  if (off.length) throw new Error(`derived peak differs from the generator's: ${off.map(([n, w]) => `${n} ${got.peak[n]} vs ${w}`).join(', ')}`);
  return 'busiest-hour volumes equal to the generator\'s';
}

export async function benchDerive(options: { days?: number; perDay?: number; repeats?: number } = {}): Promise<BenchResult[]> {
  const days = options.days ?? 6;
  const perDay = options.perDay ?? 1_000_000;
  const repeats = options.repeats ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-bench-derive-'));
  const results: BenchResult[] = [];
  try {
    const big = join(dir, 'access-10x.log.gz');
    const small = join(dir, 'access-1x.log.gz');
    process.stderr.write(`  generating ${days} days × ${perDay} business requests/day…\n`);
    const truthBig = await generateLogFile(big, defaultSpec({ days, perDay, seed: 16 }));
    const truthSmall = await generateLogFile(small, defaultSpec({ days, perDay: Math.round(perDay / 10), seed: 16 }));
    const rawBytes = async (f: string) => Number((await run('sh', ['-c', `zcat '${f}' | wc -c`])).stdout.trim());
    const bigRaw = await rawBytes(big);
    const smallRaw = await rawBytes(small);
    const gb = (b: number) => (b / 1024 ** 3).toFixed(2);
    const derive: number[] = [];
    const zcat: number[] = [];
    const rssBig: number[] = [];
    let note = '';
    for (let i = 0; i < repeats; i++) {
      // Alternate the two so that the machine's drift hits both.
      const z = await run('sh', ['-c', `zcat '${big}' | wc -l`]);
      zcat.push(z.ms / 1000);
      const d = await deriveInChild(big);
      derive.push(d.ms / 1000);
      rssBig.push(d.maxRssMb);
      note = checkTruth(truthBig, d);
    }
    const rssSmall: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const d = await deriveInChild(small);
      rssSmall.push(d.maxRssMb);
      checkTruth(truthSmall, d);
    }
    const cmd = `node --import tsx bench/derive.ts ${days} ${perDay}`;
    results.push({
      ...compared(
        { name: `derive throughput, ${truthBig.lines} lines, ${gb(bigRaw)} GB uncompressed (${(statSync(big).size / 1048576).toFixed(0)} MB gz)`, command: cmd, unit: 's', target: '≥ 0.5 (zcat time / derive time)', inverse: true },
        derive,
        { name: 'zcat FILE | wc -l', samples: zcat },
      ),
      notes: `${(bigRaw / 1048576 / median(derive)).toFixed(0)} MB/s uncompressed; ${note}`,
    });
    results.push({ name: `derive peak RSS, 1× (${truthSmall.lines} lines, ${gb(smallRaw)} GB)`, command: cmd, unit: 'MB', median: median(rssSmall), samples: rssSmall, target: 'flat, ≤ 200 MB' });
    results.push({ name: `derive peak RSS, 10× (${truthBig.lines} lines, ${gb(bigRaw)} GB)`, command: cmd, unit: 'MB', median: median(rssBig), samples: rssBig, target: 'flat, ≤ 200 MB' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[2] === '--child') {
  const t0 = performance.now();
  const f = await deriveFigures({ files: [process.argv[3] as string], ...loadRoutes({ routes: ROUTES }) });
  const ms = performance.now() - t0;
  const report: ChildReport = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, lines: f.read.lines, peak: Object.fromEntries(f.transactions.map((t) => [t.name, t.peakPerHour])) };
  process.stdout.write(JSON.stringify(report) + '\n');
} else if (process.argv[1] === SELF) {
  for (const r of await benchDerive({ days: Number(process.argv[2] ?? 1), perDay: Number(process.argv[3] ?? 100_000), repeats: 1 })) {
    process.stdout.write(`${r.name}: ${r.median.toFixed(3)} ${r.unit}${r.baseline ? ` · ${r.baseline.name} ${r.baseline.median.toFixed(3)} s · ratio ${r.ratio?.toFixed(2)}` : ''}${r.notes ? ` · ${r.notes}` : ''}\n`);
  }
}
