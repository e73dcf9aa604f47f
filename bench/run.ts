/**
 * `npm run bench [name…]`: runs the benchmarks, prints them and writes reports/bench/bench-<time>.{json,md}
 * with, for each figure, the command, the median, the samples and the ratio to a baseline measured in the
 * same run. Run alone on the machine: two load runs at once falsify each other.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './harness.js';
import { benchRun } from './run-bench.js';
import { benchCampaignOverhead, benchStubCapacity } from './stubs-bench.js';
import { benchAnalyzer, benchReport } from './analyzer.js';
import { benchInflux } from './influx.js';
import { benchDerive } from './derive.js';
import { benchData } from './data.js';
import { benchSite } from './site.js';
import { benchDistributed } from './distributed.js';

type Bench = () => Promise<BenchResult[]>;
const benches: Record<string, Bench> = {
  run: () => benchRun(),
  stubs: () => benchStubCapacity(),
  campaign: () => benchCampaignOverhead(),
  analyzer: () => benchAnalyzer(),
  report: () => benchReport(),
  influx: () => benchInflux(),
  derive: () => benchDerive(),
  data: () => benchData(),
  site: () => benchSite(),
  distributed: () => benchDistributed(),
};

const wanted = process.argv.slice(2);
const results: BenchResult[] = [];
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  for (const r of await bench()) {
    results.push(r);
    process.stderr.write(`  ${r.name}: median ${r.median.toFixed(3)} ${r.unit}${r.baseline ? `, baseline ${r.baseline.median.toFixed(3)}` : ''}${r.ratio !== undefined ? `, ratio ${r.ratio.toFixed(3)}` : ''}${r.target ? ` (target ${r.target})` : ''}${r.notes ? ` — ${r.notes}` : ''}\n`);
  }
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const dir = join('reports', 'bench');
mkdirSync(dir, { recursive: true });
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
writeFileSync(join(dir, `bench-${stamp}.json`), JSON.stringify({ machine, at: new Date().toISOString(), results }, null, 2) + '\n');
const md = [
  `# perfcell bench — ${new Date().toISOString()}`,
  '',
  machine,
  '',
  '| figure | command | median | baseline | ratio | target | samples |',
  '|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.command} | ${r.median.toFixed(3)} ${r.unit} | ${r.baseline ? `${r.baseline.name}: ${r.baseline.median.toFixed(3)}` : ''} | ${r.ratio?.toFixed(3) ?? ''} | ${r.target ?? ''} | ${r.samples.map((s) => s.toFixed(2)).join(', ')} |`),
].join('\n');
writeFileSync(join(dir, `bench-${stamp}.md`), md + '\n');
process.stdout.write(md + '\n');
