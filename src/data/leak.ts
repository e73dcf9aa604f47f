/**
 * The global half of the leak check, in bounded memory: the normalised original values of the identifying
 * masked columns go into a fixed-size Bloom filter; every masked output value is tested against it; the
 * few positives are then confirmed (or not) against the originals exactly, in a second streaming pass.
 * Pure apart from memory.
 */
import { normalizeValue } from './mask.js';

/** 2^26 bits = 8 MiB: under 1 % false positives up to ≈ 7 million distinct originals with 7 hashes. */
export const BLOOM_BITS_LOG2 = 26;
const HASHES = 7;
/** Values shorter than this once normalised (initials, "", "M") identify nobody and are not checked. */
export const MIN_LEAK_LENGTH = 4;
/** Candidates beyond this many mean the output is full of originals: the check fails without confirming. */
export const MAX_CANDIDATES = 100_000;

function fnv(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export class BloomFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  constructor(log2 = BLOOM_BITS_LOG2) {
    this.bits = new Uint32Array(2 ** (log2 - 5));
    this.mask = 2 ** log2 - 1;
  }
  private positions(s: string, f: (bit: number) => boolean): boolean {
    const h1 = fnv(s, 2166136261);
    const h2 = fnv(s, 0x9747b28c) | 1;
    for (let i = 0; i < HASHES; i++) if (!f((h1 + Math.imul(i, h2)) & this.mask)) return false;
    return true;
  }
  add(s: string): void {
    this.positions(s, (b) => {
      this.bits[b >>> 5] = (this.bits[b >>> 5] as number) | (1 << (b & 31));
      return true;
    });
  }
  has(s: string): boolean {
    return this.positions(s, (b) => ((this.bits[b >>> 5] as number) & (1 << (b & 31))) !== 0);
  }
}

/** The key a value is compared on, or undefined when it is too short to identify anyone. */
export function leakKey(value: string): string | undefined {
  const n = normalizeValue(value);
  return n.length >= MIN_LEAK_LENGTH ? n : undefined;
}
