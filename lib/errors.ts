/**
 * (lib/: helpers shared by perfcell (src/) and the reference target (sut/); lib/ imports neither.)
 * Errors a user can cause (bad model, missing tool, unreachable target). The CLI maps them to exit codes
 * in one place (src/cli/exit-codes.ts) and prints only the message; anything else is a bug and gets a stack
 * with --debug.
 */
export type ErrorKind = 'input' | 'environment' | 'run' | 'interrupted';

export class PerfcellError extends Error {
  readonly kind: ErrorKind;
  constructor(message: string, kind: ErrorKind = 'input') {
    super(message);
    this.name = 'PerfcellError';
    this.kind = kind;
  }
}

/** `file: field: expected …` — the one shape every input error takes. */
export function inputError(file: string, field: string, expected: string): PerfcellError {
  return new PerfcellError(`${file}: ${field || '(root)'}: ${expected}`, 'input');
}
