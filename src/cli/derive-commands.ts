/** `perfcell model derive|diff`: load models from production traffic, and a model checked against it. */
import type { Command } from 'commander';
import { inputError } from '../errors.js';
import { parseDurationMs } from '../model/duration.js';
import { loadModel } from '../model/load.js';
import { Aggregator, parsePeak, type PeakMethod } from '../derive/aggregate.js';
import { deriveFigures, jsonMappingFrom, loadRoutes, type DeriveInput, type DerivedFigures } from '../derive/derive.js';
import { diffModel, formatDiff, DEFAULT_MIN_COVERAGE, DEFAULT_VOLUME_TOLERANCE } from '../derive/diff.js';
import { readPrometheus } from '../derive/prometheus.js';
import { writeDraft } from '../derive/write.js';
import type { DurationUnit, LineFormat } from '../derive/parse.js';
import { RUN_EXIT } from '../run/execute.js';
import { durationFlag } from './convention.js';
import { info } from './verbosity.js';

/** `15%` or `0.15` → 0.15. */
export function parseFraction(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(v.trim());
  const x = m ? Number(m[1]) / 100 : Number(v);
  if (!Number.isFinite(x) || x < 0) throw inputError(flag, '', `a percentage such as "15%" or a fraction such as 0.15, got "${v}"`);
  return x;
}

function peakOf(v: string): PeakMethod {
  const p = parsePeak(v);
  if (!p) throw inputError('--peak', '', `busiest-hour, busiest-minute (×60) or pNN-minute (e.g. p99-minute, ×60), got "${v}"`);
  return p;
}

function timeOf(flag: string, v: string): number {
  if (v === 'now') return Date.now();
  const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(t)) throw inputError(flag, '', `an ISO time (2026-12-01T08:00:00Z), epoch seconds or "now", got "${v}"`);
  return t;
}

interface SourceFlags {
  from?: string[];
  fromPrometheus?: string;
  metric: string;
  start?: string;
  end?: string;
  selector?: string;
  step: string;
  routeLabel: string;
  methodLabel: string;
  statusLabel: string;
  openapi?: string;
  routes?: string;
  peak: string;
  format: string;
  durationUnit?: string;
  field: string[];
  mapping?: string;
  sessionGap: string;
  keepHealth?: boolean;
  keepStatic?: boolean;
  keepBots?: boolean;
  maxBad: string;
}

function addSourceOptions(c: Command): Command {
  return c
    .option('--from <logs...>', 'access logs: nginx/Apache combined or common, or JSON lines; plain or gzip; rotated sets in any order')
    .option('--from-prometheus <url>', 'a Prometheus server: request counters by route instead of logs')
    .option('--metric <name>', 'with --from-prometheus: a request counter with method/route/status labels', 'http_request_duration_seconds_count')
    .option('--start <time>', 'with --from-prometheus: ISO time or epoch seconds')
    .option('--end <time>', 'with --from-prometheus: ISO time, epoch seconds or "now"', 'now')
    .option('--selector <matchers>', 'with --from-prometheus: extra label matchers, e.g. job="grc"')
    .option('--step <duration>', 'with --from-prometheus: time per point (whole seconds)', '60s')
    .option('--route-label <label>', 'with --from-prometheus', 'route')
    .option('--method-label <label>', 'with --from-prometheus', 'method')
    .option('--status-label <label>', 'with --from-prometheus', 'status_code')
    .option('--openapi <spec>', 'OpenAPI document (JSON or YAML): its paths template the URLs, its operationIds name the transactions')
    .option('--routes <file>', 'routes file: "METHOD /path/{param} [transaction-name]" per line')
    .option('--peak <method>', 'busiest-hour, busiest-minute (×60) or pNN-minute (×60)', 'busiest-hour')
    .option('--format <format>', 'auto, combined, common or json', 'auto')
    .option('--duration-unit <unit>', 'unit of the request time in the log: s (nginx $request_time), ms, us (Apache %D)')
    .option('--field <key=path>', 'JSON lines: where a field is (time, method, path, request, status, bytes, duration, ip, userAgent, clientId); repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--mapping <file>', 'JSON lines: a YAML/JSON file of such fields')
    .option('--session-gap <duration>', 'inactivity that ends a client session', '30m')
    .option('--keep-health', 'keep health checks (/health, /ready, /metrics, …)')
    .option('--keep-static', 'keep static assets (.js, .css, images, fonts, …)')
    .option('--keep-bots', 'keep bots, crawlers and probes (by user agent)')
    .option('--max-bad <ratio>', 'refuse the input when more lines than this do not parse', '10%');
}

function stepOf(v: string): number {
  const n = durationFlag('--step', v) / 1000;
  if (!Number.isInteger(n)) throw inputError('--step', '', `a duration of whole seconds such as "60s", got "${v}"`);
  return n;
}

async function figuresFrom(o: SourceFlags): Promise<{ figures: DerivedFigures; sources: string[] }> {
  const gap = parseDurationMs(o.sessionGap);
  if (!gap) throw inputError('--session-gap', '', `a duration such as 30m, got "${o.sessionGap}"`);
  if (!['auto', 'combined', 'common', 'json'].includes(o.format)) throw inputError('--format', '', `auto, combined, common or json, got "${o.format}"`);
  if (o.durationUnit && !['s', 'ms', 'us'].includes(o.durationUnit)) throw inputError('--duration-unit', '', `s, ms or us, got "${o.durationUnit}"`);
  const unit = o.durationUnit as DurationUnit | undefined;
  const input: DeriveInput = {
    files: o.from ?? [],
    ...loadRoutes(o),
    keepHealthChecks: o.keepHealth,
    keepStatic: o.keepStatic,
    keepBots: o.keepBots,
    sessionGapMs: gap,
    format: o.format as LineFormat | 'auto',
    durationUnit: unit,
    jsonMapping: o.field.length || o.mapping || unit ? jsonMappingFrom(o.field, o.mapping, unit) : undefined,
    peak: peakOf(o.peak),
    maxBadRatio: parseFraction('--max-bad', o.maxBad),
  };
  if (o.fromPrometheus) {
    if (o.from?.length) throw inputError('--from/--from-prometheus', '', 'one source, not both');
    if (!o.start) throw inputError('--start', '', 'the start of the period (with --from-prometheus)');
    const agg = new Aggregator(input);
    await readPrometheus({ url: o.fromPrometheus, metric: o.metric, startMs: timeOf('--start', o.start), endMs: timeOf('--end', o.end ?? 'now'), selector: o.selector, stepSec: stepOf(o.step), routeLabel: o.routeLabel, methodLabel: o.methodLabel, statusLabel: o.statusLabel }, agg);
    return { figures: { ...agg.finish(input.peak), read: { lines: 0, parsed: 0, bad: 0, badExamples: [], sources: [] } }, sources: [`${o.fromPrometheus} ${o.metric}`] };
  }
  if (!o.from?.length) throw inputError('--from', '', 'access-log files (or --from-prometheus <url>)');
  return { figures: await deriveFigures(input), sources: o.from };
}

/** Adds `derive` and `diff` to the `model` command group (registered by model-commands.ts). */
export function registerDeriveCommands(program: Command): void {
  const model = program.commands.find((c) => c.name() === 'model');
  if (!model) throw new Error('registerDeriveCommands: the model command group must be registered first');
  addSourceOptions(
    model
      .command('derive')
      .description('derive a load-model draft (YAML + figures JSON + HTML) from production access logs or Prometheus counters')
      .requiredOption('--service <name>', 'service name (lower-case, digits, "-")')
      .option('--growth <pct>', 'expected growth: the model\'s headroom, e.g. 15%')
      .option('--base-url <url>', 'the local environment\'s target URL', 'http://127.0.0.1:8080')
      .option('-o, --output <file>', 'model draft to write (default load-models/<service>.derived.yaml)'),
  ).action(async (o: SourceFlags & { service: string; growth?: string; baseUrl: string; output?: string }) => {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(o.service)) throw inputError('--service', '', `lower-case letters, digits and "-", got "${o.service}"`);
    const { figures, sources } = await figuresFrom(o);
    if (figures.transactions.length === 0) throw inputError(sources.join(', '), '', `business requests (all ${figures.read.lines} lines were excluded or uncovered: health checks ${figures.excluded.healthChecks}, static ${figures.excluded.staticAssets}, bots ${figures.excluded.bots}, 404 ${figures.excluded.notFound})`);
    const written = writeDraft(figures, { output: o.output ?? `load-models/${o.service}.derived.yaml`, service: o.service, growth: o.growth !== undefined ? parseFraction('--growth', o.growth) : undefined, baseUrl: o.baseUrl, sources, now: new Date() });
    info(`${figures.read.lines} lines (${figures.read.bad} unparseable), ${figures.requests.counted} business requests, ${figures.transactions.length} transactions; peak ${Math.round(figures.peak.totalPerHour)}/h (${figures.peak.method}, ${figures.peak.start})`);
    for (const ex of figures.read.badExamples.slice(0, 3)) info(`  unparseable: ${ex}`);
    process.stdout.write(`${written.model}\n${written.figures}\n${written.html}\n${written.skeleton ? `${written.skeleton}\n` : ''}`);
  });
  addSourceOptions(
    model
      .command('diff')
      .argument('<model>', 'load model (YAML)')
      .description('compare a model\'s volumes with production (logs or Prometheus); non-zero exit beyond tolerance')
      .option('--against <derived>', 'compare with another model (e.g. a derived one) instead of logs')
      .option('--tolerance <pct>', 'volume deviation allowed per transaction', `${DEFAULT_VOLUME_TOLERANCE * 100}%`)
      .option('--min-coverage <pct>', 'share of production traffic the model must cover', `${DEFAULT_MIN_COVERAGE * 100}%`)
      .option('--json', 'print the comparison as JSON'),
  ).action(async (file: string, o: SourceFlags & { against?: string; tolerance: string; minCoverage: string; json?: boolean }) => {
    const loaded = loadModel(file);
    const tol = { volume: parseFraction('--tolerance', o.tolerance), minCoverage: parseFraction('--min-coverage', o.minCoverage) };
    let production;
    if (o.against) {
      const other = loadModel(o.against).model;
      const total = other.transactions.reduce((s, t) => s + t.peakPerHour, 0);
      production = {
        transactions: other.transactions.map((t) => ({ name: t.name, method: '', template: t.scenario, total: t.peakPerHour, peakPerHour: t.peakPerHour })),
        requests: { counted: total },
        uncovered: [],
      };
    } else production = (await figuresFrom(o)).figures;
    const d = diffModel(loaded.model, production, tol);
    process.stdout.write(o.json ? JSON.stringify(d, null, 2) + '\n' : formatDiff(d));
    if (!d.ok) process.exitCode = RUN_EXIT.failed;
  });
}
