/**
 * Distributed-run figures (issue 14, docs/distributed.md):
 * - start skew across 3 SSH injectors in network namespaces (test/support/netns-ssh.ts), median and max of
 *   run.json's `skewMs` (target ≤ 1 s);
 * - overhead of such a run beyond k6's duration (pre-flight, uploads, start, collect): wall time − the
 *   profile's 8 s, against a one-process local run of the same model measured alternately (target ≤ 10 s);
 *   the first run's (which copies k6 to each host) is kept in the notes;
 * - the merged analysis of 4 raw files against one raw file of the same samples, alternately (time ratio ≤ 1.1).
 * The first two need root (namespaces, sshd); without it only the third is measured, and the notes say why.
 *
 *   npm run bench -- distributed
 */
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import { analyzeRun } from '../src/analysis/analyze.js';
import { injectorDir, readRunMeta, runFile, writeRunMeta, RUN_FILES } from '../src/store/folder.js';
import { startTinyTarget } from '../test/support/tiny-target.js';
import { netnsSshUnavailable, routeTo, startNetnsSshHosts } from '../test/support/netns-ssh.js';
import { writeSyntheticRun } from './analyzer.js';
import { compared, median, run, type BenchResult } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/perfcell.js', import.meta.url));
const MODEL = fileURLToPath(new URL('../test/fixtures/basic/load-models/distributed-ssh.yaml', import.meta.url));
/** The model's `split` profile. */
const LOAD_S = 8;
const HOSTS = 3;
/** Samples of the analysis figure: long enough (≈ 1 s to analyse) for a ratio to mean something. */
const ANALYSIS_SAMPLES = 1_000_000;
const PARTS = 4;

/**
 * The one-file run's samples split over `PARTS` injectors' raw files (by request timestamp, so a request's
 * lines stay together), streamed; run.json lists them as equal segments.
 */
async function splitRun(from: string, to: string): Promise<void> {
  const meta = readRunMeta(from);
  const outs = Array.from({ length: PARTS }, (_, k) => {
    const dir = injectorDir(to, `local-${k + 1}`);
    mkdirSync(dir, { recursive: true });
    const gz = createGzip();
    const done = new Promise<void>((resolve, reject) => gz.pipe(createWriteStream(join(dir, RUN_FILES.raw))).on('finish', resolve).on('error', reject));
    return { gz, done };
  });
  const lines = createInterface({ input: createReadStream(runFile(from, 'raw')).pipe(createGunzip()), crlfDelay: Infinity });
  let header: string | undefined;
  for await (const line of lines) {
    if (header === undefined) {
      header = line;
      for (const o of outs) o.gz.write(`${line}\n`);
      continue;
    }
    const out = outs[Number(line.split(',', 2)[1]) % PARTS] as (typeof outs)[number];
    if (!out.gz.write(`${line}\n`)) await new Promise((r) => out.gz.once('drain', r));
  }
  for (const o of outs) o.gz.end();
  await Promise.all(outs.map((o) => o.done));
  const bound = (k: number) => (k === 0 ? '0' : k === PARTS ? '1' : `${k}/${PARTS}`);
  const sequence = Array.from({ length: PARTS + 1 }, (_, k) => bound(k)).join(',');
  writeRunMeta(to, {
    ...meta,
    injectors: {
      startAt: meta.startedAt, skewMs: 0, skewBasis: 'vus-tick',
      list: Array.from({ length: PARTS }, (_, k) => ({ name: `local-${k + 1}`, host: 'local', segment: `${bound(k)}:${bound(k + 1)}`, sequence, k6Version: 'bench', startOffsetMs: 0, k6ExitCode: 0, lost: false })),
    },
  });
}

async function benchMergedAnalysis(dir: string, repeats: number): Promise<BenchResult> {
  const one = join(dir, 'one');
  const four = join(dir, 'four');
  mkdirSync(one, { recursive: true });
  mkdirSync(four, { recursive: true });
  await writeSyntheticRun(one, ANALYSIS_SAMPLES);
  await splitRun(one, four);
  const [a, b] = [await analyzeRun(one), await analyzeRun(four)];
  if (a.overall.requests !== b.overall.requests || a.overall.latencyMs?.p95 !== b.overall.latencyMs?.p95) {
    throw new Error(`the split run does not analyse as the one-file run: ${a.overall.requests}/${b.overall.requests} requests, p95 ${a.overall.latencyMs?.p95}/${b.overall.latencyMs?.p95}`);
  }
  const merged: number[] = [];
  const single: number[] = [];
  for (let i = 0; i < repeats; i++) {
    let t0 = performance.now();
    await analyzeRun(four);
    merged.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    await analyzeRun(one);
    single.push((performance.now() - t0) / 1000);
  }
  return compared(
    { name: 'distributed-merged-analysis', unit: 's', target: 'ratio ≤ 1.1', command: `analyzeRun of a run folder holding ${PARTS} injectors' raw files (${ANALYSIS_SAMPLES} samples split by timestamp) vs the same samples in one raw file, alternated, in-process` },
    merged,
    { name: 'one raw file', samples: single },
  );
}

async function benchNamespaces(dir: string, repeats: number): Promise<BenchResult[]> {
  const net = await startNetnsSshHosts(HOSTS);
  const first = net.hosts[0];
  if (!first) throw new Error('no namespace host');
  const target = await startTinyTarget(0, 0, first.hostAddress);
  try {
    routeTo(net.hosts, first.hostAddress);
    const spec = net.hosts.map((h) => h.spec).join(',');
    const args = (out: string, injectors?: string) =>
      ['run', MODEL, '-p', 'split', '-e', 'netns', '-q', '-t', `app=${target.url}`, '-o', out, '--no-monitor', '--no-influx', ...(injectors ? ['--injectors', injectors, '--ssh-config', net.sshConfig] : [])];
    // First distributed run: k6 is copied to each host (kept for the next runs).
    const warm = await run(process.execPath, [BIN, ...args(join(dir, 'ns-first'), spec)]);
    if (warm.code !== 0) throw new Error(`distributed run failed: ${warm.stderr}`);
    const firstOverhead = warm.ms / 1000 - LOAD_S;
    const overhead: number[] = [];
    const localOverhead: number[] = [];
    const skews: number[] = [readRunMeta(join(dir, 'ns-first')).injectors?.skewMs ?? Number.NaN];
    for (let i = 0; i < repeats; i++) {
      const out = join(dir, `ns-${i}`);
      const d = await run(process.execPath, [BIN, ...args(out, spec)]);
      if (d.code !== 0) throw new Error(`distributed run failed: ${d.stderr}`);
      overhead.push(d.ms / 1000 - LOAD_S);
      skews.push(readRunMeta(out).injectors?.skewMs ?? Number.NaN);
      const l = await run(process.execPath, [BIN, ...args(join(dir, `local-${i}`))]);
      if (l.code !== 0) throw new Error(`local run failed: ${l.stderr}`);
      localOverhead.push(l.ms / 1000 - LOAD_S);
    }
    return [
      {
        name: 'distributed-start-skew',
        command: `perfcell run test/fixtures/basic/load-models/distributed-ssh.yaml -p split --injectors <${HOSTS} namespace hosts> (${repeats + 1} runs): run.json injectors.skewMs`,
        unit: 'ms',
        median: median(skews),
        samples: skews,
        target: '≤ 1000 ms (max)',
        notes: `max ${Math.max(...skews)} ms`,
      },
      {
        ...compared(
          { name: 'distributed-overhead', unit: 's', target: `≤ 10 s for ${HOSTS} hosts`, command: `perfcell run … --injectors <${HOSTS} namespace hosts> wall time − ${LOAD_S} s (k6 already on the hosts); baseline: the same run with one local k6, alternated` },
          overhead,
          { name: 'one local k6', samples: localOverhead },
        ),
        notes: `first run, copying k6 to ${HOSTS} hosts: ${firstOverhead.toFixed(2)} s`,
      },
    ];
  } finally {
    await target.close();
    await net.close();
  }
}

export async function benchDistributed(repeats = 3): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-bench-distributed-'));
  try {
    const results: BenchResult[] = [];
    const why = netnsSshUnavailable();
    if (why) process.stderr.write(`bench: distributed: namespace figures skipped: ${why}\n`);
    else results.push(...(await benchNamespaces(dir, repeats)));
    results.push(await benchMergedAnalysis(dir, repeats + 2));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
