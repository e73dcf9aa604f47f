/**
 * The gate's defaults, apart from the use case so that the CLI can show them in `perfcell gate --help`
 * without loading the gate's whole implementation (src/cli/main.ts: start-up time). Re-exported by gate.ts.
 */
import type { DuetOrder } from '../scenario/duet-side.js';

export const DEFAULT_WINDOW_MS = 5000;
export const DEFAULT_WARMUP_MS = 1000;
/** 12 pairs: with Holm over k compared transactions a regression still reaches α/k with a few pairs
 * against it (2⁻¹² ≈ 0.0002); 12 pairs of 10 s runs take ≈ 250 s, inside the 5-minute budget. */
export const DEFAULT_PAIRS = 12;
/** Duet's defaults: alternation (see docs/gate.md for the A/A noise of both orders) and a fixed seed, so a gate can be replayed. */
export const DEFAULT_DUET_ORDER: DuetOrder = 'alternate';
export const DEFAULT_DUET_SEED = 1;
