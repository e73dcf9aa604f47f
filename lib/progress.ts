/**
 * Progress and an ETA for long commands (campaign, gate, push): on stderr, on a terminal or with
 * --progress, never with -q (docs/cli.md). The ETA comes from the plan — each step's planned duration (a
 * phase's profile, a gate run's profile, a push's batches) — never from a guess: remaining = what is left of
 * the current step's plan (never below zero) + the later steps' plans. The pure part (remainingMs,
 * progressLine, progressWanted) is tested on fixtures; startProgress is the thin writer.
 * Whole lines only, no cursor tricks: they interleave cleanly with k6's and perfcell's other stderr lines
 * and read the same in a CI log.
 */
export interface PlannedStep {
  label: string;
  plannedMs: number;
}

export interface ProgressPlan {
  /** What runs: "campaign", "gate", "push". */
  title: string;
  steps: readonly PlannedStep[];
}

/** A line while a step lasts longer than this: a phase of minutes shows its ETA moving, a 10 s run one line. */
export const PROGRESS_EVERY_MS = 15_000;

/** m:ss, or h:mm:ss from an hour. */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** Planned time left with step `current` (0-based) running for `elapsedInStepMs`. */
export function remainingMs(plan: ProgressPlan, current: number, elapsedInStepMs: number): number {
  const step = plan.steps[current];
  if (!step) return 0;
  const later = plan.steps.slice(current + 1).reduce((s, x) => s + x.plannedMs, 0);
  return Math.max(0, step.plannedMs - elapsedInStepMs) + later;
}

/** "perfcell: gate 3/12 · pair 2 candidate · 0:25 elapsed · about 1:40 left (ETA 14:03:10)". */
export function progressLine(plan: ProgressPlan, current: number, elapsedInStepMs: number, elapsedMs: number, now: Date): string {
  const left = remainingMs(plan, current, elapsedInStepMs);
  const eta = new Date(now.getTime() + left).toISOString().slice(11, 19);
  const step = plan.steps[current];
  return `perfcell: ${plan.title} ${current + 1}/${plan.steps.length}${step ? ` · ${step.label}` : ''} · ${formatClock(elapsedMs)} elapsed · about ${formatClock(left)} left (ETA ${eta} UTC)`;
}

/** --progress forces it, --no-progress or -q silences it, otherwise only on a terminal. */
export function progressWanted(o: { isTTY?: boolean; quiet?: boolean; progress?: boolean }): boolean {
  if (o.quiet) return false;
  if (o.progress !== undefined) return o.progress;
  return Boolean(o.isTTY);
}

export interface Progress {
  /** Step `index` (0-based) starts now. */
  step(index: number): void;
  stop(): void;
}

const SILENT: Progress = { step: () => {}, stop: () => {} };

/** Writes a line at each step and every PROGRESS_EVERY_MS within one; does nothing when not `enabled`. */
export function startProgress(plan: ProgressPlan, enabled: boolean, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Progress {
  if (!enabled || plan.steps.length === 0) return SILENT;
  const t0 = Date.now();
  let current = 0;
  let stepStart = t0;
  const show = () => write(progressLine(plan, current, Date.now() - stepStart, Date.now() - t0, new Date()));
  const timer = setInterval(show, PROGRESS_EVERY_MS);
  timer.unref();
  return {
    step(index: number) {
      current = index;
      stepStart = Date.now();
      show();
    },
    stop: () => clearInterval(timer),
  };
}
