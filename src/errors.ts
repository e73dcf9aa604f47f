/**
 * perfcell's user errors. The class lives in lib/errors.ts, shared with the reference target (sut/), so that
 * an error sut throws is the same PerfcellError the CLI maps to an exit code; src/ imports it from here.
 */
export { PerfcellError, inputError, type ErrorKind } from '../lib/errors.js';
