/** `perfcell gate` and `perfcell baseline set|show`: the pull-request gate (docs/gate.md, docs/ci.md). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { inputError } from '../errors.js';
import { parseDurationMs } from '../model/duration.js';
import { defaultStore } from '../gate/baselines.js';
import { DEFAULT_DUET_ORDER, DEFAULT_DUET_SEED, DEFAULT_PAIRS, DEFAULT_WARMUP_MS, DEFAULT_WINDOW_MS } from '../gate/defaults.js';
import { DUET_ORDERS, type DuetOrder } from '../scenario/duet-side.js';
import { DEFAULT_THRESHOLDS, type GateThresholds } from '../gate/verdict.js';
import { GATE_EXIT } from '../exit-codes.js';
import { reportError } from './exit-codes.js';
import { refreshSiteAfter } from './site-commands.js';
import { info } from './verbosity.js';
import { addProgressOptions, progressFrom } from './progress-flags.js';

interface GateOptions {
  profile: string;
  injectors?: string;
  sshConfig?: string;
  env?: string;
  baseline?: string;
  against?: string;
  candidate?: string;
  target?: string;
  store?: string;
  out?: string;
  window: string;
  warmup: string;
  pairs: string;
  alpha: string;
  minEffect: string;
  minEffectMs: string;
  warnEffect: string;
  minErrorEffect: string;
  reportUrl?: string;
  verbose?: boolean;
  duet?: boolean;
  duetOrder: string;
  seed: string;
  branch?: string;
  reports: string;
  site?: string;
  progress?: boolean;
}

/** `--duet-order` and `--seed` → the duet request, or undefined without `--duet`. */
function duetOptions(opts: GateOptions): { order: DuetOrder; seed: number } | undefined {
  if (!opts.duet) return undefined;
  const order = DUET_ORDERS.find((o) => o === opts.duetOrder);
  if (!order) throw inputError('--duet-order', '', `one of ${DUET_ORDERS.join(', ')}, got "${opts.duetOrder}"`);
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw inputError('--seed', '', `a whole number from 0 to 4294967295, got "${opts.seed}"`);
  return { order, seed };
}

function duration(flag: string, text: string, allowZero = false): number {
  if (allowZero && text === '0') return 0;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw inputError(flag, '', `a duration such as "5s" or "500ms", got "${text}"`);
  return ms;
}

function fraction(flag: string, text: string, scale: number): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw inputError(flag, '', `a non-negative number, got "${text}"`);
  return v / scale;
}

function targetPairs(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw inputError('--target', '', `"target=url[,target=url…]", got "${text}"`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function registerGateCommands(program: Command): void {
  const pct = (v: number) => String(Math.round(v * 1000) / 10);
  const gate = program.command('gate');
  gate
    .argument('<model>', 'load model (YAML)')
    .option('-p, --profile <name>', 'profile of the model (a short constant one)', 'smoke')
    .option('-e, --env <name>', "candidate's environment")
    .option('--baseline <run|name>', 'baseline run folder or name in the store (default "main")')
    .option('--against <env|url>', 'interleaved mode: environment, URL or target=url pairs of the baseline build')
    .option('--duet', 'duet mode (with --against): A and B loaded at once by one run, compared window by window')
    .option('--duet-order <order>', `duet mode: how iterations go to A or B (${DUET_ORDERS.join(', ')})`, DEFAULT_DUET_ORDER)
    .option('--seed <n>', "duet mode: seed of the random order's draw", String(DEFAULT_DUET_SEED))
    .option('--candidate <run>', 'judge this run folder as the candidate instead of running one (baseline mode)')
    .option('-t, --target <target=url>', "override the candidate's target URL(s), as perfcell run does")
    .option('--injectors <spec>', "k6 processes of every run of the gate: local:N, user@host[:port],… (default: the environment's; docs/distributed.md)")
    .option('--ssh-config <file>', 'OpenSSH client settings for SSH injectors (default ~/.ssh/config)')
    .option('--store <dir>', 'baseline store', defaultStore())
    .option('-o, --out <dir>', 'gate folder (default reports/<service>/gate/<id>)')
    .option('--window <duration>', 'window of the per-window percentiles (baseline and duet modes)', `${DEFAULT_WINDOW_MS / 1000}s`)
    .option('--warmup <duration>', 'left out at the start of each run (both modes)', `${DEFAULT_WARMUP_MS / 1000}s`)
    .option('--pairs <n>', 'A/B pairs of runs (interleaved mode) or of windows (duet mode)', String(DEFAULT_PAIRS))
    .option('--alpha <p>', 'one-sided significance level', String(DEFAULT_THRESHOLDS.alpha))
    .option('--min-effect <percent>', 'p95 increase that fails when significant', pct(DEFAULT_THRESHOLDS.p95FailIncrease))
    .option('--min-effect-ms <ms>', 'p95 increase in ms a regression must also reach (0: none)', String(DEFAULT_THRESHOLDS.p95FailMinMs))
    .option('--warn-effect <percent>', 'p95 increase that warns when significant', pct(DEFAULT_THRESHOLDS.p95WarnIncrease))
    .option('--min-error-effect <points>', 'error-rate increase (percentage points) that fails when significant', pct(DEFAULT_THRESHOLDS.errorFailIncrease))
    .option('--report-url <url>', 'link to the HTML report / CI artifact, put in summary.md')
    .option('--branch <name>', 'branch measured, recorded in gate.json (default: the CI variables, else git, else none)')
    .option('--site <dir>', 'refresh the portfolio site in this folder at the end (incremental; a failure only warns)')
    .option('--reports <dir>', 'with --site: the reports folder the site is built from', 'reports')
    .option('-v, --verbose', "show k6's progress")
    .option('-q, --quiet', 'only the summary on stdout and the exit code');
  addProgressOptions(gate)
    .description('performance verdict of a candidate build: exit 0 pass, 1 regression, 2 SLO broken, 3 could not measure')
    .action(async (model: string, opts: GateOptions) => {
      try {
        const minEffect = fraction('--min-effect', opts.minEffect, 100);
        const minErrorEffect = fraction('--min-error-effect', opts.minErrorEffect, 100);
        const thresholds: Partial<GateThresholds> = {
          alpha: fraction('--alpha', opts.alpha, 1),
          p95FailIncrease: minEffect,
          p95WarnIncrease: Math.min(fraction('--warn-effect', opts.warnEffect, 100), minEffect),
          p95FailMinMs: fraction('--min-effect-ms', opts.minEffectMs, 1),
          errorFailIncrease: minErrorEffect,
          errorWarnIncrease: minErrorEffect / 2,
        };
        // Loaded here, not at the top: every command's start-up would otherwise pay for the gate's modules.
        const [{ runGate }, { resolveBranch }] = await Promise.all([import('../gate/gate.js'), import('../gate/branch.js')]);
        const outcome = await runGate({
          model,
          profile: opts.profile,
          env: opts.env,
          baseline: opts.baseline,
          against: opts.against,
          candidateRun: opts.candidate,
          candidateTargets: targetPairs(opts.target),
          store: opts.store,
          out: opts.out,
          windowMs: duration('--window', opts.window),
          warmupMs: duration('--warmup', opts.warmup, true),
          pairs: Number(opts.pairs),
          thresholds,
          reportUrl: opts.reportUrl,
          quiet: !opts.verbose,
          duet: duetOptions(opts),
          branch: resolveBranch(opts.branch),
          injectors: opts.injectors,
          sshConfig: opts.sshConfig,
          progress: progressFrom(opts),
        });
        process.stdout.write(readFileSync(outcome.files.summary, 'utf8'));
        info(`perfcell gate: ${outcome.verdict.status} (exit ${outcome.exitCode}) · ${outcome.outDir}`);
        process.exitCode = outcome.exitCode;
      } catch (error) {
        // Whatever went wrong, the gate did not measure: exit 3, never 1 (which would read as a regression).
        reportError(error, process.argv.includes('--debug'));
        process.exitCode = GATE_EXIT.couldNotMeasure;
      }
      // Also after a gate that could not measure: its folder (summary.md) is listed on the site.
      if (opts.site) await refreshSiteAfter(opts.reports, opts.site);
    });
  // A usage error here is exit 3, not 2 (SLO broken): src/exit-codes.ts usageExitCode, applied by the CLI convention.

  const baseline = program.command('baseline').description('baselines of the pull-request gate (the run store)');
  baseline
    .command('set')
    .argument('<run>', 'run folder to accept as the baseline')
    .option('--name <name>', 'baseline name', 'main')
    .option('--store <dir>', 'baseline store', defaultStore())
    .option('--note <text>', 'free text kept with the baseline (commit, pipeline)')
    .option('--influx <url>', 'also record it in this InfluxDB (default: PERFCELL_INFLUX_URL or the private instance, when there is one)')
    .description("record a run as a baseline (main's last accepted run is the gate's default)")
    .action(async (run: string, opts: { name: string; store: string; note?: string; influx?: string }) => {
      try {
        const [{ setBaseline }, { recordBaselineInInflux }, { describeTarget, resolveInfluxTarget }] = await Promise.all([
          import('../gate/baselines.js'),
          import('../gate/baseline-influx.js'),
          import('../metrics/influx.js'),
        ]);
        const { dir, record } = setBaseline(run, { name: opts.name, store: opts.store, note: opts.note });
        process.stdout.write(`baseline ${record.name} of ${record.service} (profile ${record.profile}) = run ${record.runId} → ${dir}\n`);
        const influx = resolveInfluxTarget({ url: opts.influx });
        if (influx) {
          // The store holds the baseline; InfluxDB only mirrors it: its failure is a warning.
          try {
            const { samples } = await recordBaselineInInflux(dir, record, influx);
            process.stdout.write(`  recorded in InfluxDB ${describeTarget(influx)} (${samples} samples, perfcell_baseline point)\n`);
          } catch (e) {
            process.stderr.write(`perfcell: warning: baseline kept in the store only: ${(e as Error).message}\n`);
          }
        }
      } catch (error) {
        reportError(error, process.argv.includes('--debug'));
        process.exitCode = GATE_EXIT.couldNotMeasure;
      }
    });
  baseline
    .command('show')
    .argument('[name]', 'only this baseline name')
    .option('--service <service>', 'only this service')
    .option('--store <dir>', 'baseline store', defaultStore())
    .option('--json', 'print the records as JSON')
    .description('list the stored baselines')
    .action(async (name: string | undefined, opts: { service?: string; store: string; json?: boolean }) => {
      try {
        const { listBaselines } = await import('../gate/baselines.js');
        const all = listBaselines(opts.store, opts.service).filter((b) => !name || b.record.name === name);
        if (opts.json) {
          process.stdout.write(JSON.stringify(all.map((b) => ({ ...b.record, dir: b.dir })), null, 2) + '\n');
          return;
        }
        if (all.length === 0) {
          process.stdout.write(`no baseline${name ? ` named ${name}` : ''} in ${opts.store}\n`);
          return;
        }
        for (const b of all) {
          process.stdout.write(`${b.record.service}/${b.record.name}  profile ${b.record.profile}  run ${b.record.runId}  set ${b.record.setAt}${b.record.note ? `  (${b.record.note})` : ''}\n  ${b.dir}\n`);
        }
      } catch (error) {
        reportError(error, process.argv.includes('--debug'));
        process.exitCode = GATE_EXIT.couldNotMeasure;
      }
    });
}
