/** When an injector's k6 test began, read from its raw file (adapter: reads a file). */
import { existsSync } from 'node:fs';
import { readRawSamples } from '../store/raw-samples.js';

/**
 * k6 emits the `vus` gauge on a 1 s ticker that starts with the test: its first sample is at test start +
 * 1 s (measured with k6 v2.2.0: two local injectors' first `vus` samples 7 ms apart while their first requests
 * were 209 ms apart — by design: with 5 iterations/s split in two segments, the second segment's first
 * iteration is the sequence's second, 200 ms later). So the first request is no start mark; the `vus` tick is.
 */
export const K6_VUS_TICK_MS = 1000;

const STOP = new Error('first vus sample read');

/** The test's start on the injector's clock (first `vus` sample − one tick); undefined when there is none (a run under 1 s). */
export async function testStartMs(rawPath: string): Promise<number | undefined> {
  if (!existsSync(rawPath)) return undefined;
  let first = Infinity;
  try {
    await readRawSamples(rawPath, (s) => { if (s.timeMs < first) first = s.timeMs; }, {
      metrics: new Set(['vus']),
      afterChunk: () => (Number.isFinite(first) ? Promise.reject(STOP) : undefined),
    });
  } catch (e) {
    if (e !== STOP && !Number.isFinite(first)) return undefined;
  }
  return Number.isFinite(first) ? first - K6_VUS_TICK_MS : undefined;
}
