/** The one place where errors become exit codes (the codes: src/exit-codes.ts; docs/cli.md lists them). */
import { PerfcellError } from '../errors.js';
import { RUN_EXIT } from '../exit-codes.js';

export function exitCodeFor(error: unknown): number {
  if (error instanceof PerfcellError) {
    switch (error.kind) {
      case 'input': return RUN_EXIT.input;
      case 'environment': return RUN_EXIT.environment;
      case 'run': return RUN_EXIT.failed;
      case 'interrupted': return RUN_EXIT.interrupted;
    }
  }
  return RUN_EXIT.internal;
}

export function reportError(error: unknown, debug: boolean): number {
  const code = exitCodeFor(error);
  if (error instanceof PerfcellError && !debug) process.stderr.write(`perfcell: ${error.message}\n`);
  else process.stderr.write(`perfcell: ${debug && error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return code;
}
