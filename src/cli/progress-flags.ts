/** `--progress` / `--no-progress` of the long commands that have a plan (campaign, gate): lib/progress.ts. */
import type { Command } from 'commander';
import { progressWanted, startProgress, type Progress, type ProgressPlan } from '../../lib/progress.js';
import { verbosity } from './verbosity.js';

export function addProgressOptions(command: Command): Command {
  return command
    .option('--progress', 'progress and an ETA from the plan on stderr, also when it is not a terminal (default: on a terminal; never with -q)')
    .option('--no-progress', 'no progress lines');
}

/** The progress writer for this command's flags: on stderr when wanted (a terminal, --progress; never -q). */
export function progressFrom(opts: { progress?: boolean }): (plan: ProgressPlan) => Progress {
  const on = progressWanted({ isTTY: process.stderr.isTTY, quiet: verbosity() === 'quiet', progress: opts.progress });
  return (plan) => startProgress(plan, on);
}
