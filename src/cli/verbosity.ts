/**
 * `-q/--quiet` and `-v/--verbose`, one meaning on every long command (docs/cli.md): quiet keeps what the
 * command exists to print (the verdict, the paths written, the summary table) and errors; normal adds
 * progress and statistics on stderr; verbose adds detail. The convention (convention.ts) sets the level
 * from the flags before the command's action runs.
 */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

let level: Verbosity = 'normal';

export function setVerbosity(v: Verbosity): void {
  level = v;
}

export function verbosity(): Verbosity {
  return level;
}

/** The level a command's flags ask for; -q wins over -v (a CI log asked for silence). */
export function verbosityFrom(opts: { quiet?: boolean; verbose?: boolean }): Verbosity {
  return opts.quiet ? 'quiet' : opts.verbose ? 'verbose' : 'normal';
}

/** Progress and statistics: on stderr, unless -q. */
export function info(line: string): void {
  if (level !== 'quiet') process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
}

/** Detail: on stderr with -v only. */
export function detail(line: string): void {
  if (level === 'verbose') process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
}
