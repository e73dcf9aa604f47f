/**
 * perfcell's one CLI convention, applied to every registered command by main.ts (so a command added in its
 * own src/cli/<name>-commands.ts gets it without doing anything; docs/cli.md says what a new command must
 * still do itself):
 * - usage errors (unknown option, missing argument, a group without its subcommand) exit 2 — 3 for the
 *   gate's commands, whose 2 means SLO broken (src/exit-codes.ts usageExitCode);
 * - help shows defaults relative to the working directory, never an absolute path of the checkout;
 * - long commands take -q/--quiet and -v/--verbose (verbosity.ts), status/show commands --json
 *   (checked by test/cli/convention.test.ts);
 * - colour only on a terminal, and never when NO_COLOR is set (https://no-color.org);
 * - `perfcell --version` names perfcell's version and those of the tools it drives (version.ts).
 */
import { isAbsolute, relative } from 'node:path';
import { CommanderError, type Command, type Option } from 'commander';
import { inputError } from '../errors.js';
import { usageExitCode } from '../exit-codes.js';
import { parseDurationMs } from '../model/duration.js';
import { setVerbosity, verbosityFrom } from './verbosity.js';

/** Commands that can run for minutes: they take -q/--quiet and -v/--verbose. */
export const LONG_COMMANDS: readonly string[] = ['run', 'campaign', 'gate', 'push', 'model derive', 'data extract', 'data refresh', 'site', 'setup'];

/** Commands that print a state or a listing: they take --json (same data, machine-readable). */
export const JSON_COMMANDS: readonly string[] = ['sut status', 'stubs status', 'stubs verify', 'influx status', 'baseline show', 'model show'];

/** Thrown by the exit override: the code the process ends with (help and --version: 0). */
export class CliExit extends Error {
  constructor(readonly exitCode: number, readonly commander: CommanderError) {
    super(commander.message);
  }
}

/** NO_COLOR set to anything non-empty turns colour off; otherwise colour only when the stream is a terminal. */
export function colourOn(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const SGR = { red: 31, green: 32, yellow: 33, bold: 1 } as const;
export function paint(text: string, style: keyof typeof SGR, stream: { isTTY?: boolean } = process.stdout): string {
  return colourOn(stream) ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text;
}

/** A duration flag (`--window 5s`, `--timeout 90s`) in milliseconds, or one clear input error. */
export function durationFlag(flag: string, text: string, { allowZero = false } = {}): number {
  if (allowZero && text === '0') return 0;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw inputError('command line', flag, `a duration such as "5s", "500ms" or "2m", got "${text}"`);
  return ms;
}

/** An absolute path shown relative to the working directory (help and messages name no checkout path). */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel;
}

/** Every command below `root`, with its names from the top (['baseline', 'set']). */
export function walkCommands(root: Command, visit: (command: Command, path: string[]) => void, path: string[] = []): void {
  for (const c of root.commands) {
    const p = [...path, c.name()];
    visit(c, p);
    walkCommands(c, visit, p);
  }
}

function hasOption(command: Command, long: string): Option | undefined {
  return command.options.find((o) => o.long === long);
}

/** Adds -q/-v where a long command lacks them (a `--verbose` without `-v` gets the short flag). */
function ensureVerbosityFlags(command: Command): void {
  const quiet = hasOption(command, '--quiet');
  if (!quiet) command.option('-q, --quiet', 'only the result and errors: no progress or statistics');
  else if (!quiet.short && !command.options.some((o) => o.short === '-q')) Object.assign(quiet, { short: '-q', flags: `-q, ${quiet.flags}` });
  const verbose = hasOption(command, '--verbose');
  if (!verbose) command.option('-v, --verbose', 'progress and detail on stderr (the default output; -q removes it)');
  else if (!verbose.short && !command.options.some((o) => o.short === '-v')) Object.assign(verbose, { short: '-v', flags: `-v, ${verbose.flags}` });
}

export function applyConvention(program: Command): void {
  const errColour = colourOn(process.stderr);
  const output = {
    outputError: (text: string, write: (s: string) => void) => write(errColour ? `\u001b[31m${text}\u001b[0m` : text),
  };
  const configure = (command: Command, path: string[]) => {
    command.exitOverride((err) => {
      throw new CliExit(err.exitCode === 0 ? 0 : usageExitCode(path), err);
    });
    command.configureOutput(output);
    for (const o of command.options) {
      if (typeof o.defaultValue === 'string' && isAbsolute(o.defaultValue) && o.defaultValueDescription === undefined) {
        o.defaultValueDescription = JSON.stringify(displayPath(o.defaultValue));
      }
    }
    if (LONG_COMMANDS.includes(path.join(' '))) {
      ensureVerbosityFlags(command);
      command.hook('preAction', (_this, action) => setVerbosity(verbosityFrom(action.opts())));
    }
  };
  configure(program, []);
  walkCommands(program, configure);
}

/** Every command's path and `--help` text, for the convention test (`perfcell help-all`, hidden). */
export function helpOfAll(program: Command): { path: string; help: string; options: { flags: string; long?: string; defaultValue?: unknown }[]; subcommands: number }[] {
  const out: ReturnType<typeof helpOfAll> = [];
  walkCommands(program, (c, path) => {
    if (c.name() === 'help' || c.name() === 'help-all') return;
    out.push({ path: path.join(' '), help: c.helpInformation(), options: c.options.map((o) => ({ flags: o.flags, long: o.long, defaultValue: o.defaultValue })), subcommands: c.commands.length });
  });
  return out;
}
