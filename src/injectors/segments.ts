/**
 * k6 execution segments, pure. k6 has no coordinator between instances: each one runs the same script with
 * `--execution-segment from:to` of one shared `--execution-segment-sequence`, and k6 splits every executor
 * (arrival rates, VUs, iterations) so that the segments of one sequence add up exactly to the whole test.
 * Fractions are kept exact (integer numerator/denominator): "1/3" must not become 0.333… on one injector and
 * 0.334 on another.
 */

export interface Fraction {
  num: number;
  den: number;
}

export interface ExecutionSegment {
  from: Fraction;
  to: Fraction;
}

function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

export function fraction(num: number, den: number): Fraction {
  const g = gcd(num, den) || 1;
  return { num: num / g, den: den / g };
}

export function compareFractions(a: Fraction, b: Fraction): number {
  return a.num * b.den - b.num * a.den;
}

/** k6's notation: "0", "1", "1/3". */
export function formatFraction(f: Fraction): string {
  if (f.num === 0) return '0';
  if (f.num === f.den) return '1';
  return `${f.num}/${f.den}`;
}

/** "1/3", "0.25", "0", "1" → exact fraction; undefined when it is none of those or outside [0, 1]. */
export function parseFraction(text: string): Fraction | undefined {
  const t = text.trim();
  const ratio = /^(\d+)\/(\d+)$/.exec(t);
  if (ratio) {
    const den = Number(ratio[2]);
    if (den === 0) return undefined;
    const f = fraction(Number(ratio[1]), den);
    return f.num <= f.den ? f : undefined;
  }
  const dec = /^(0|1)(?:\.(\d{1,6}))?$/.exec(t);
  if (!dec) return undefined;
  const decimals = dec[2] ?? '';
  const den = 10 ** decimals.length;
  const f = fraction(Number(dec[1]) * den + Number(decimals || '0'), den);
  return f.num <= f.den ? f : undefined;
}

/** `from:to` as `--execution-segment` takes it. */
export function formatSegment(s: ExecutionSegment): string {
  return `${formatFraction(s.from)}:${formatFraction(s.to)}`;
}

/** N equal segments: 0:1/N, 1/N:2/N, … (N ≥ 1). */
export function equalSegments(n: number): ExecutionSegment[] {
  return Array.from({ length: n }, (_, i) => ({ from: fraction(i, n), to: fraction(i + 1, n) }));
}

/** The shared `--execution-segment-sequence`: every segment's bounds, in order ("0,1/3,2/3,1"). */
export function segmentSequence(segments: ExecutionSegment[]): string {
  const bounds = [...segments.map((s) => s.from), ...segments.map((s) => s.to)].sort(compareFractions);
  const unique = bounds.filter((b, i) => i === 0 || compareFractions(b, bounds[i - 1] as Fraction) !== 0);
  return unique.map(formatFraction).join(',');
}

/**
 * What is wrong with a set of segments meant to share one test: an empty segment, two that overlap (the
 * overlap would be sent twice), or a gap (that part of the load would not be sent at all). Undefined when
 * they tile [0, 1] exactly.
 */
export function segmentsProblem(segments: ExecutionSegment[]): string | undefined {
  const sorted = [...segments].sort((a, b) => compareFractions(a.from, b.from));
  let at = fraction(0, 1);
  for (const s of sorted) {
    if (compareFractions(s.from, s.to) >= 0) return `segment ${formatSegment(s)} is empty (from must be below to)`;
    const c = compareFractions(s.from, at);
    if (c < 0) return `segment ${formatSegment(s)} overlaps the one ending at ${formatFraction(at)}`;
    if (c > 0) return `a gap from ${formatFraction(at)} to ${formatFraction(s.from)}: that part of the load would not be sent`;
    at = s.to;
  }
  if (compareFractions(at, fraction(1, 1)) !== 0) return `a gap from ${formatFraction(at)} to 1: that part of the load would not be sent`;
  return undefined;
}
