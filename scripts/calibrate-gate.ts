/**
 * `npm run calibrate:gate`: runs the gate many times A/A (the same build on both sides) and A/A′ (the
 * candidate with a planted slowdown, SUT_SLOWDOWN_PCT) on this machine, and writes the false-alarm and
 * detection rates, with the number of runs, into docs/gate.md (between the calibration markers) and the
 * trials into reports/calibration/.
 *
 *   npm run calibrate:gate -- --target sut --model load-models/grc.yaml --profile gate --transaction person-360
 *   npm run calibrate:gate -- --runs 2 --pairs 6 --no-doc        # a smoke try on the tiny target
 *   npm run calibrate:gate -- --rejudge reports/calibration/gate-<id> --model … --min-effects 10,15,20
 *                                                                # stored trials judged again, offline
 *   npm run calibrate:gate -- --modes duet,interleaved --runs 3  # both modes, alternating gate by gate;
 *                                                                # one JSON summary per gate under docs/gate-calibration/<batch>/
 *   npm run calibrate:gate -- --rejudge docs/gate-calibration    # every committed summary counted and judged again
 *
 * Targets: `sut` starts two reference targets with `perfcell sut start` (ports offset by 200 and 300,
 * the second with SUT_SLOWDOWN_PCT) and seeds both; `tiny` (default) uses two in-process tiny targets
 * answering after --base-delay ms, the slowed one after base × (1 + p/100). Load goes to 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PerfcellError } from '../src/errors.js';
import { parseDurationMs } from '../src/model/duration.js';
import { loadModel } from '../src/model/load.js';
import { newRunId } from '../src/store/folder.js';
import { setBaseline } from '../src/gate/baselines.js';
import { gateEnvironment } from '../src/gate/interleaved.js';
import { DEFAULT_PAIRS, DEFAULT_WARMUP_MS, DEFAULT_WINDOW_MS, duetInputs, interleavedInputs, runGate, type GateRequest } from '../src/gate/gate.js';
import { duetWindowsOf } from '../src/gate/duet-windows.js';
import { DUET_ORDERS, type DuetOrder } from '../src/scenario/duet-side.js';
import { executeRun } from '../src/run/execute.js';
import {
  compactPairs,
  groupLabel,
  rejudgeSummaries,
  renderCalibration,
  renderModeTable,
  renderSensitivity,
  replaceCalibrationSection,
  summarizeTrials,
  type CalibrationTrial,
  type GateSummary,
  type SensitivityRow,
} from '../src/gate/calibration.js';
import { DEFAULT_THRESHOLDS, gateVerdict, judgeTransactions } from '../src/gate/verdict.js';
import { transactionsForPhase } from '../src/model/compile.js';
import { median as medianOf } from '../src/gate/stats.js';
import { installExitHook, spawnManaged } from '../lib/process/children.js';
import { startTinyTarget } from '../test/support/tiny-target.js';
import { withRunHooks } from '../src/side-channels/defaults.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'perfcell.js');

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    pairs: { type: 'string', default: String(DEFAULT_PAIRS) },
    mode: { type: 'string', default: 'interleaved' },
    window: { type: 'string', default: `${DEFAULT_WINDOW_MS / 1000}s` },
    warmup: { type: 'string', default: `${DEFAULT_WARMUP_MS / 1000}s` },
    slowdowns: { type: 'string', default: '10,25' },
    target: { type: 'string', default: 'tiny' },
    plant: { type: 'string', default: 'latency' },
    model: { type: 'string' },
    profile: { type: 'string' },
    transaction: { type: 'string' },
    persons: { type: 'string', default: '1000' },
    'base-delay': { type: 'string', default: '20' },
    doc: { type: 'string', default: join(ROOT, 'docs', 'gate.md') },
    'no-doc': { type: 'boolean', default: false },
    out: { type: 'string' },
    rejudge: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'min-effects': { type: 'string', default: '10:0,10:1,10,15,20:0,30:0' },
    // Several modes in one calibration, alternating gate by gate (duet, interleaved): overrides --mode.
    modes: { type: 'string' },
    'duet-order': { type: 'string', default: 'alternate' },
    /** Duet mode: windows per gate (--window wide). */
    windows: { type: 'string', default: String(DEFAULT_PAIRS) },
    summaries: { type: 'string', default: join(ROOT, 'docs', 'gate-calibration') },
  },
});

const DUET_BEGIN = '<!-- duet-calibration:begin (written by npm run calibrate:gate -- --rejudge docs/gate-calibration) -->';
const DUET_END = '<!-- duet-calibration:end -->';

function parseMinEffects(): { minEffect: number; minEffectMs: number }[] {
  // "10" = +10 % with the default floor; "10:0" = +10 % without floor; "15:3" = +15 % and ≥ 3 ms.
  return (flags['min-effects'] as string).split(',').map((x) => {
    const [pct, ms] = x.split(':');
    const v = { minEffect: Number(pct) / 100, minEffectMs: ms === undefined ? DEFAULT_THRESHOLDS.p95FailMinMs : Number(ms) };
    if (!(v.minEffect > 0) || !(v.minEffectMs >= 0)) throw new PerfcellError(`--min-effects: expected percent[:ms] entries such as 10,10:0,15:3, got "${x}"`);
    return v;
  });
}

/** Every gate summary (*.json) under a folder, batch by batch. */
function readSummaries(dir: string): GateSummary[] {
  const out: GateSummary[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.json')) out.push(JSON.parse(readFileSync(p, 'utf8')) as GateSummary);
    }
  };
  walk(dir);
  return out.filter((s) => s.schemaVersion === 1 && s.pairs);
}

/** The committed summaries → the tables of docs/gate.md (counts, noise, and the same gates judged with other minimum effects). */
function summaryTables(summaries: readonly GateSummary[]): string {
  const batches = [...new Set(summaries.map((s) => s.batch))];
  const sensitivity = parseMinEffects().map(({ minEffect, minEffectMs }) => {
    const t = { ...DEFAULT_THRESHOLDS, p95FailIncrease: minEffect, p95WarnIncrease: minEffect / 2, p95FailMinMs: minEffectMs };
    return { label: `+${Math.round(minEffect * 100)} %${minEffectMs > 0 ? ` and ≥ ${minEffectMs} ms` : ''}`, counts: rejudgeSummaries(summaries, t) };
  });
  const columns = [...new Set(summaries.map((s) => `${groupLabel(s)}\u0000${s.plantedPct}`))].sort();
  const head = columns.map((c) => {
    const [m, p] = c.split('\u0000');
    return `${m} ${p === '0' ? 'A/A' : `+${p} %`}`;
  });
  return [
    `${summaries.length} gate(s) in ${batches.length} batch(es) (${batches.join(', ')}); per-gate summaries in docs/gate-calibration/.`,
    '',
    renderModeTable(summaries, DEFAULT_THRESHOLDS.minWindowRequests),
    '',
    'The same gates judged again offline with other minimum effects (regressions k/n):',
    '',
    `| minimum p95 effect | ${head.join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    ...sensitivity.map((r) => `| ${r.label} | ${columns.map((c) => {
      const [m, p] = c.split('\u0000') as [string, string];
      const x = r.counts[m]?.[Number(p)];
      return x ? `${x.regressions}/${x.runs}` : '–';
    }).join(' | ')} |`),
  ].join('\n');
}

/** An interleaved gate's pairs of run folders (pair-N-baseline|candidate, N padded to the pair count's width). */
function pairRunsOf(runsDir: string): { baselineDir: string; candidateDir: string }[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .map((e) => /^pair-(\d+)-candidate$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((x, y) => Number(x[1]) - Number(y[1]))
    .map((m) => ({ baselineDir: join(runsDir, `pair-${m[1]}-baseline`), candidateDir: join(runsDir, `pair-${m[1]}-candidate`) }));
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

interface Builds {
  /** --against value for the baseline build (A). */
  against: string;
  /** Target overrides for the candidate build (A or A′). */
  candidate: Record<string, string>;
  stop: () => Promise<void>;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawnManaged(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? res(out) : rej(new PerfcellError(`perfcell ${args.join(' ')} failed (exit ${code}):\n${out}`, 'environment'))));
  });
}

/** Two reference targets through the CLI, as the CI templates start them; the second one slowed. */
async function sutBuilds(targets: string[], planted: Record<string, string>, scratch: string): Promise<Builds> {
  const started: string[] = [];
  const start = async (name: string, offset: number, env: Record<string, string>) => {
    const state = join(scratch, name, 'sut.json');
    await cli(['sut', 'start', '--port-offset', String(offset), '--state', state], env);
    started.push(state);
    await cli(['sut', 'seed', '--persons', flags.persons as string, '--state', state]);
    return (JSON.parse(readFileSync(state, 'utf8')) as { urls: Record<string, string> }).urls;
  };
  const stop = async () => {
    for (const s of started) await cli(['sut', 'stop', '--state', s]).catch(() => undefined);
  };
  try {
    const a = await start('a', 200, {});
    const b = await start('b', 300, planted);
    const pick = (urls: Record<string, string>) => Object.fromEntries(targets.filter((t) => urls[t]).map((t) => [t, urls[t] as string]));
    const against = Object.entries(pick(a)).map(([t, u]) => `${t}=${u}`).join(',');
    if (!against) throw new PerfcellError(`none of the model's targets (${targets.join(', ')}) is a reference-target service`);
    return { against, candidate: pick(b), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function tinyBuilds(targets: string[], slowdownPct: number): Promise<Builds> {
  const base = Number(flags['base-delay']);
  const a = await startTinyTarget(0, base);
  const b = await startTinyTarget(0, base * (1 + slowdownPct / 100));
  return {
    against: targets.map((t) => `${t}=${a.url}`).join(','),
    candidate: Object.fromEntries(targets.map((t) => [t, b.url])),
    stop: async () => {
      await a.close();
      await b.close();
    },
  };
}

/**
 * Judges every stored interleaved trial again with each minimum effect (the runs are kept in the trial
 * folders): how false alarms and detection trade against the threshold, without measuring again.
 */
async function sensitivity(out: string, trials: readonly CalibrationTrial[], model: string, warmupMs: number): Promise<SensitivityRow[]> {
  const judged = transactionsForPhase(loadModel(model).model, 'unstubbed').map(({ t }) => t);
  const index = new Map<number, number>();
  const inputsOf: { planted: number; inputs: Awaited<ReturnType<typeof interleavedInputs>> }[] = [];
  for (const trial of trials) {
    const i = (index.get(trial.plantedPct) ?? 0) + 1;
    index.set(trial.plantedPct, i);
    const trialDir = join(out, `slowdown-${trial.plantedPct}`, `trial-${String(i).padStart(3, '0')}`);
    // Calibrations since duet mode keep each mode's gate in its own folder (trial-NNN/interleaved/gate).
    const runsDir = existsSync(join(trialDir, 'interleaved')) ? join(trialDir, 'interleaved', 'gate', 'runs') : join(trialDir, 'gate', 'runs');
    const runs = pairRunsOf(runsDir);
    if (runs.length === 0) continue;
    inputsOf.push({ planted: trial.plantedPct, inputs: await interleavedInputs(runs, judged, { warmupMs }) });
  }
  return parseMinEffects().map(({ minEffect, minEffectMs }) => {
    const thresholds = { ...DEFAULT_THRESHOLDS, p95FailIncrease: minEffect, p95WarnIncrease: minEffect / 2, p95FailMinMs: minEffectMs };
    const regressions: SensitivityRow['regressions'] = {};
    for (const { planted, inputs } of inputsOf) {
      const v = gateVerdict('interleaved', judgeTransactions(inputs, thresholds), thresholds);
      const c = (regressions[planted] ??= { regressions: 0, runs: 0 });
      c.runs++;
      if (v.status === 'regression') c.regressions++;
    }
    return { minEffect, minEffectMs, regressions };
  });
}

async function main(): Promise<void> {
  installExitHook();
  const runs = Number(flags.runs);
  const pairs = Number(flags.pairs);
  const mode = flags.mode === 'baseline' ? 'baseline' : flags.mode === 'duet' ? 'duet' : 'interleaved';
  const modes = flags.modes ? (flags.modes as string).split(',').map((m) => m.trim()) : [mode];
  if (modes.some((m) => m !== 'duet' && m !== 'interleaved' && m !== 'baseline')) throw new PerfcellError(`--modes: expected duet, interleaved or baseline, got "${flags.modes}"`);
  const duetOrder = DUET_ORDERS.find((o) => o === flags['duet-order']) as DuetOrder | undefined;
  if (!duetOrder) throw new PerfcellError(`--duet-order: expected ${DUET_ORDERS.join(' or ')}, got "${flags['duet-order']}"`);
  const duetWindows = Number(flags.windows);
  const windowMs = parseDurationMs(flags.window as string) ?? DEFAULT_WINDOW_MS;
  const warmupMs = flags.warmup === '0' ? 0 : (parseDurationMs(flags.warmup as string) ?? DEFAULT_WARMUP_MS);
  const slowdowns = (flags.slowdowns as string).split(',').map(Number).filter((n) => n > 0);
  const tiny = flags.target !== 'sut';
  const model = resolve(flags.model ?? (tiny ? join(ROOT, 'test', 'gate', 'fixtures', 'gate.yaml') : ''));
  if (!tiny && !flags.model) throw new PerfcellError('--target sut needs --model (and --profile, --transaction)');
  const profile = flags.profile ?? (tiny ? (mode === 'baseline' ? 'single' : 'pair') : 'gate');
  const loaded = loadModel(model);
  const environment = gateEnvironment(loaded);
  const targets = Object.keys(environment.env.targets);
  const transaction = flags.transaction ?? (loaded.model.transactions[0]?.name as string);
  const log = (l: string) => process.stderr.write(`calibrate: ${l}\n`);
  const writeSection = (out: string, section: string) => {
    writeFileSync(join(out, 'calibration.md'), section + '\n');
    process.stdout.write(section + '\n');
    if (!flags['no-doc']) {
      const doc = resolve(flags.doc as string);
      writeFileSync(doc, replaceCalibrationSection(readFileSync(doc, 'utf8'), section));
      log(`wrote the results into ${doc}`);
    }
  };
  if (flags.rejudge && !existsSync(join(resolve(flags.rejudge), 'trials.json'))) {
    // Offline: the committed per-gate summaries (docs/gate-calibration/), every batch, every mode.
    const section = summaryTables(readSummaries(resolve(flags.rejudge)));
    process.stdout.write(section + '\n');
    if (!flags['no-doc']) {
      const doc = resolve(flags.doc as string);
      const text = readFileSync(doc, 'utf8');
      const [b, e] = [text.indexOf(DUET_BEGIN), text.indexOf(DUET_END)];
      const block = `${DUET_BEGIN}\n${section}\n${DUET_END}`;
      writeFileSync(doc, b === -1 || e < b ? `${text.replace(/\n*$/, '\n\n')}${block}\n` : text.slice(0, b) + block + text.slice(e + DUET_END.length));
      log(`wrote the tables into ${doc}`);
    }
    return;
  }
  if (flags.rejudge) {
    // Offline: the stored trials of an earlier calibration, judged again with --min-effects (interleaved only).
    const out = resolve(flags.rejudge);
    const stored = JSON.parse(readFileSync(join(out, 'trials.json'), 'utf8')) as CalibrationTrial[];
    const md = join(out, 'calibration.md');
    const measured = existsSync(md) ? (readFileSync(md, 'utf8').split('\n\nThe same trials judged again')[0]?.trimEnd() ?? '') : '';
    const table = renderSensitivity(await sensitivity(out, stored, model, warmupMs), { minEffect: DEFAULT_THRESHOLDS.p95FailIncrease, minEffectMs: DEFAULT_THRESHOLDS.p95FailMinMs });
    writeSection(out, `${measured}\n\n${table}`);
    return;
  }
  const id = newRunId(new Date());
  const out = resolve(flags.out ?? join(ROOT, 'reports', 'calibration', `gate-${id}`));
  mkdirSync(out, { recursive: true });
  const trials: CalibrationTrial[] = [];

  if (flags.plant !== 'latency' && flags.plant !== 'share') throw new PerfcellError(`--plant: expected latency or share, got "${flags.plant}"`);
  const plantLatency = !tiny && flags.plant === 'latency';
  const fresh = flags.fresh === true;
  if (plantLatency && runs < 1) throw new PerfcellError('--plant latency needs A/A runs (--runs ≥ 1): the planted latency is a share of their measured p95');
  /** The watched transaction's p95 on build A (median over the A/A gates' baseline windows), ms. */
  let referenceP95Ms: number | null = null;
  const plantedLatencyMs: Record<number, number> = {};

  const batch = `batch-${id}`;
  const commit = gitCommit();
  const summariesDir = join(resolve(flags.summaries as string), batch);
  /** One gate of the calibration in one mode; its summary goes to docs/gate-calibration/<batch>/. */
  const oneGate = async (gateMode: GateSummary['mode'], planted: number, i: number, builds: Builds): Promise<CalibrationTrial> => {
    const dir = join(out, `slowdown-${planted}`, `trial-${String(i).padStart(3, '0')}`, gateMode);
    const seed = planted * 1000 + i;
    const req: GateRequest = { model, profile, pairs, windowMs, warmupMs, out: join(dir, 'gate'), log: () => {}, candidateTargets: builds.candidate };
    if (gateMode === 'duet') Object.assign(req, { against: builds.against, pairs: duetWindows, duet: { order: duetOrder, seed }, store: join(out, 'no-store') });
    else if (gateMode === 'interleaved') req.against = builds.against;
    else {
      // Baseline mode: a fresh baseline run on build A just before the candidate (best case for it).
      const overrides = Object.fromEntries(builds.against.split(',').map((p) => p.split('=') as [string, string]));
      const base = await executeRun({ model, profile, environment, targetOverrides: overrides, out: join(dir, 'baseline-run'), quiet: true, log: () => {}, sideChannels: withRunHooks() });
      setBaseline(base.dir, { store: join(dir, 'store'), name: 'main' });
      req.store = join(dir, 'store');
    }
    const t0 = Date.now();
    let trial: CalibrationTrial;
    let pairsOf: GateSummary['pairs'] = {};
    try {
      const r = await runGate(req);
      const watched = r.verdict.transactions.find((t) => t.transaction === transaction);
      trial = { plantedPct: planted, exitCode: r.exitCode, status: r.verdict.status, effect: watched?.p95?.effect ?? null, pValue: watched?.p95?.pValue ?? null, wallMs: Date.now() - t0, baselineP95Ms: watched?.p95?.baseline ?? null };
      const judged = transactionsForPhase(loaded.model, 'unstubbed').map(({ t }) => t);
      if (gateMode === 'duet') pairsOf = compactPairs(duetInputs(await duetWindowsOf(join(r.outDir, 'duet'), windowMs, warmupMs, duetWindows), judged));
      else if (gateMode === 'interleaved') {
        pairsOf = compactPairs(await interleavedInputs(pairRunsOf(join(r.outDir, 'runs')), judged, { warmupMs }));
      }
    } catch (e) {
      log(`${gateMode} trial ${i} at +${planted} %: could not measure: ${(e as Error).message}`);
      trial = { plantedPct: planted, exitCode: 3, status: 'could-not-measure', effect: null, pValue: null, wallMs: Date.now() - t0 };
    }
    const summary: GateSummary = {
      schemaVersion: 1,
      batch,
      mode: gateMode,
      ...(gateMode === 'duet' ? { duetOrder, seed } : {}),
      plantedPct: planted,
      planted: planted === 0 ? 'none' : tiny ? `tiny target answering ${planted} % later` : plantLatency ? `SUT_TRAP_LATENCY_MS=${plantedLatencyMs[planted]}` : `SUT_SLOWDOWN_PCT=${planted}`,
      commit,
      date: new Date().toISOString(),
      target: tiny ? `tiny (${flags['base-delay']} ms)` : 'reference target (sut)',
      model: loaded.file.replace(ROOT, ''),
      profile,
      transaction,
      sampling: gateMode === 'duet' ? `${duetWindows} windows of ${windowMs / 1000} s` : gateMode === 'interleaved' ? `${pairs} pairs` : `windows of ${windowMs / 1000} s`,
      exitCode: trial.exitCode,
      status: trial.status,
      wallMs: trial.wallMs,
      effect: trial.effect,
      pValue: trial.pValue,
      baselineP95Ms: trial.baselineP95Ms ?? null,
      pairs: pairsOf,
    };
    mkdirSync(summariesDir, { recursive: true });
    writeFileSync(join(summariesDir, `${gateMode}${gateMode === 'duet' ? `-${duetOrder}` : ''}-p${planted}-t${String(i).padStart(3, '0')}.json`), JSON.stringify(summary) + '\n');
    return trial;
  };

  for (const planted of [0, ...slowdowns]) {
    // What slows build B. `latency` (default on the reference target): a fixed wait on the watched route equal
    // to p % of the p95 measured in the A/A gates, which shifts the route's whole distribution and so raises
    // its end-to-end p95 by p %. `share`: SUT_SLOWDOWN_PCT, p % of the route's server time, which raises the
    // end-to-end p95 by less (time outside the handler — queueing, the client — is not scaled).
    let plantEnv: Record<string, string> = {};
    if (planted > 0 && !tiny) {
      if (plantLatency) {
        if (referenceP95Ms === null) throw new PerfcellError(`no A/A gate measured the p95 of "${transaction}": cannot size the planted latency`);
        plantedLatencyMs[planted] = Math.round(referenceP95Ms * planted * 10) / 1000;
        plantEnv = { SUT_TRAP_LATENCY_MS: String(plantedLatencyMs[planted]) };
        log(`+${planted} %: build B waits ${plantedLatencyMs[planted]} ms more on the watched route (${planted} % of the A/A p95, ${referenceP95Ms.toFixed(1)} ms)`);
      } else plantEnv = { SUT_SLOWDOWN_PCT: String(planted) };
    }
    const startBuilds = (i: number) => (tiny ? tinyBuilds(targets, planted) : sutBuilds(targets, plantEnv, join(out, `targets-${planted}${fresh ? `-${i}` : ''}`)));
    let builds = await startBuilds(1);
    try {
      for (let i = 1; i <= runs; i++) {
        if (fresh && i > 1) {
          // A CI job starts both builds anew: so does each trial, and a difference between two processes of
          // the same code (heap, JIT, data layout) counts against the gate as it would on a pull request.
          await builds.stop();
          builds = await startBuilds(i);
        }
        // Modes alternate gate by gate (and which goes first alternates too): both see the same machine.
        const order = modes.length > 1 && i % 2 === 0 ? [...modes].reverse() : modes;
        for (const gateMode of order) {
          const trial = await oneGate(gateMode as GateSummary['mode'], planted, i, builds);
          trials.push(trial);
          writeFileSync(join(out, 'trials.json'), JSON.stringify(trials, null, 2) + '\n');
          log(`${gateMode} +${planted} % trial ${i}/${runs}: ${trial.status} (effect ${trial.effect === null ? '–' : (trial.effect * 100).toFixed(1) + ' %'}, ${Math.round(trial.wallMs / 1000)} s)`);
        }
      }
      if (planted === 0) {
        const p95s = trials.flatMap((t) => (t.plantedPct === 0 && t.baselineP95Ms != null ? [t.baselineP95Ms] : []));
        referenceP95Ms = p95s.length ? medianOf(p95s) : null;
      }
    } finally {
      await builds.stop();
    }
  }

  const rows = summarizeTrials(trials);
  const section = renderCalibration(rows, {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    target: tiny
      ? `two tiny targets (${flags['base-delay']} ms service time, slowed one × (1 + p/100))`
      : plantLatency
        ? `two reference targets (sut/, \`perfcell sut start\`, embedded); build B slowed by SUT_TRAP_LATENCY_MS on the watched route = p % of the A/A p95 (${referenceP95Ms?.toFixed(1) ?? '?'} ms): ${Object.entries(plantedLatencyMs).map(([p, ms]) => `+${p} % = ${ms} ms`).join(', ')}`
        : 'two reference targets (sut/, `perfcell sut start`, embedded); build B with SUT_SLOWDOWN_PCT (p % of the route\'s server time)',
    mode: modes.length > 1 ? (modes.join(' + ') as 'duet') : mode,
    model: loaded.file.replace(ROOT, ''),
    profile,
    transaction,
    sampling: `${modes.map((m) => (m === 'interleaved' ? `${pairs} pairs per gate` : m === 'duet' ? `${duetWindows} windows of ${windowMs / 1000} s per duet gate (${duetOrder})` : `windows of ${windowMs / 1000} s`)).join(', ')}${fresh ? ', both builds started anew for each gate' : ', both builds started once per planted slowdown'}`,
    command: `npm run calibrate:gate -- ${process.argv.slice(2).join(' ')}`.trim(),
  });
  const table = modes.length === 1 && mode === 'interleaved' ? `\n\n${renderSensitivity(await sensitivity(out, trials, model, warmupMs), { minEffect: DEFAULT_THRESHOLDS.p95FailIncrease, minEffectMs: DEFAULT_THRESHOLDS.p95FailMinMs })}` : '';
  writeSection(out, section + table);
  log(`trials in ${out}; per-gate summaries in ${summariesDir}`);
}

try {
  await main();
} catch (e) {
  process.stderr.write(`calibrate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
