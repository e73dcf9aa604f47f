/** Seeded synthetic per-window figures for the gate's statistics tests: same seed, same numbers. */
import type { WindowFigures } from '../../src/gate/verdict.js';
import { seededRandom } from '../../lib/random.js';

export { seededRandom };


/** Standard normal draws (Box–Muller). */
export function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Window p95s around `p95Ms` with a log-normal spread `sigma` (0.08 ≈ ±8 %), `requests` per window and an
 * error probability per request.
 */
export function windows(n: number, p95Ms: number, sigma: number, random: () => number, errorRate = 0, requests = 100): WindowFigures[] {
  const z = normal(random);
  return Array.from({ length: n }, () => {
    let errors = 0;
    for (let i = 0; i < requests; i++) if (random() < errorRate) errors++;
    return { requests, errors, p95Ms: p95Ms * Math.exp(sigma * z()) };
  });
}
