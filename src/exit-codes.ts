/**
 * perfcell's exit codes, all in one table (docs/cli.md lists them). Runs and campaigns share RUN_EXIT (a
 * campaign exits as its worst phase); the gate has its own small codes, chosen for CI (0 pass, 1 regression,
 * 2 SLO broken, 3 could not measure). k6's own exit codes, which perfcell reads, stay with the k6 adapter
 * (src/k6/run-k6.ts K6_EXIT). Errors become codes in src/cli/exit-codes.ts through RUN_EXIT.
 */

/**
 * `perfcell run`, `perfcell campaign` and every command's generic failures. 98 and 99 are the verdict's
 * (src/verdict): 99 NO-GO (k6's own code for failed thresholds), 98 INCONCLUSIVE (the measurement is invalid).
 */
export const RUN_EXIT = { passed: 0, internal: 1, input: 2, environment: 3, failed: 4, interrupted: 130, sloBroken: 99, inconclusive: 98 } as const;

/** `perfcell gate`. */
export const GATE_EXIT = { pass: 0, regression: 1, sloBroken: 2, couldNotMeasure: 3 } as const;

/**
 * The commands that speak the gate's codes (a CI pipeline reads them): there 1 means regression and 2 SLO
 * broken, so anything that is not a verdict — bad flags included — is 3, could not measure.
 */
export const GATE_COMMANDS: readonly string[] = ['gate', 'baseline'];

/**
 * A usage error (unknown option, missing argument, a command group called without its subcommand) is bad
 * input: 2, as docs/cli.md says — commander's own 1 would read as an internal error (or, for the gate, a
 * regression). `commandPath` is the command's names from the top, e.g. ['baseline', 'set'].
 */
export function usageExitCode(commandPath: readonly string[]): number {
  return GATE_COMMANDS.includes(commandPath[0] ?? '') ? GATE_EXIT.couldNotMeasure : RUN_EXIT.input;
}

/** A run's or campaign's status → its exit code ('running' left in a record means perfcell itself failed). */
export const EXIT_BY_STATUS = {
  passed: RUN_EXIT.passed,
  'slo-broken': RUN_EXIT.sloBroken,
  inconclusive: RUN_EXIT.inconclusive,
  failed: RUN_EXIT.failed,
  interrupted: RUN_EXIT.interrupted,
  running: RUN_EXIT.internal,
} as const;

/** `perfcell scenarios check` (docs/api-contract.md): a pipeline fails when the API moved under the scripts. */
export const CONTRACT_EXIT = { clean: 0, drift: 1, input: 2, couldNotRun: 3 } as const;
