/**
 * Duet mode's routing of one iteration to build A or build B. Pure and import-free: it runs inside k6
 * (bundled into the scenario script by src/scenario/k6-api.ts) and in Node (the tests, the gate's docs).
 * Both orders give each side half of the transaction's iterations: `alternate` exactly (A B A B … in the
 * order k6 starts the iterations), `random` on average, by a seeded draw per iteration that no periodic
 * behaviour of the target or of k6 can line up with.
 */
export type DuetSide = 'A' | 'B';
export type DuetOrder = 'alternate' | 'random';
export const DUET_ORDERS: readonly DuetOrder[] = ['alternate', 'random'];

/** The k6 variable that carries the routing (JSON of DuetRouting); absent in every other run. */
export const DUET_ENV = 'PERFCELL_DUET';
/** The tag each request of a duet run carries: its side. */
export const DUET_TAG = 'side';

export interface DuetRouting {
  order: DuetOrder;
  seed: number;
  /** k6 target variables (TARGET_<NAME>) → base URL, per side. */
  a: Record<string, string>;
  b: Record<string, string>;
}

/** FNV-1a of a string: folds the scenario's name into the draw, so two transactions do not draw alike. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A 32-bit integer mix (the finaliser of MurmurHash3): every input bit flips each output bit half the time. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The side of iteration `iteration` (k6's iterationInTest, 0-based) of scenario `scenario`. A draw depends on
 * (seed, scenario, iteration) only: a gate run again with its seed routes every iteration the same way.
 */
export function duetSide(order: DuetOrder, seed: number, scenario: string, iteration: number): DuetSide {
  if (order === 'alternate') return iteration % 2 === 0 ? 'A' : 'B';
  const h = mix32(mix32(seed ^ fnv1a(scenario)) ^ mix32(iteration + 0x9e3779b9));
  return (h & 1) === 0 ? 'A' : 'B';
}
