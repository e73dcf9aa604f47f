/**
 * The global half of the leak check, in bounded memory: the normalised original values of the identifying
 * masked columns go into a fixed-size Bloom filter; every masked output value is tested against it; the
 * few positives are then confirmed (or not) against the originals exactly, in a second streaming pass.
 * Pure apart from memory.
 */
import { normalizeValue } from './mask.js';
import { decodeField } from './copy-text.js';

/** 2^26 bits = 8 MiB: under 1 % false positives up to ≈ 7 million distinct originals with 7 hashes. */
export const BLOOM_BITS_LOG2 = 26;
const HASHES = 7;
/** Values shorter than this once normalised (initials, "", "M") identify nobody and are not checked. */
export const MIN_LEAK_LENGTH = 4;
/** Candidates beyond this many mean the output is full of originals: the check fails without confirming. */
export const MAX_CANDIDATES = 100_000;

const FNV_PRIME = 16777619;
const SEED_1 = 2166136261;
const SEED_2 = 0x9747b28c;

function fnv(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
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
  add(s: string): void {
    this.addHashes(fnv(s, SEED_1), fnv(s, SEED_2));
  }
  /** add() given the two FNV-1a hashes of the key (seeds SEED_1 and SEED_2). */
  addHashes(h1: number, h2: number): void {
    const step = h2 | 1;
    for (let i = 0; i < HASHES; i++) {
      const b = (h1 + Math.imul(i, step)) & this.mask;
      this.bits[b >>> 5] = (this.bits[b >>> 5] as number) | (1 << (b & 31));
    }
  }
  has(s: string): boolean {
    const h1 = fnv(s, SEED_1);
    const step = fnv(s, SEED_2) | 1;
    for (let i = 0; i < HASHES; i++) {
      const b = (h1 + Math.imul(i, step)) & this.mask;
      if (((this.bits[b >>> 5] as number) & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }
}

const TAB = 9;
const BACKSLASH = 92;

/**
 * Adds the leak key of every field of a COPY text line, exactly as `add(leakKey(decodeField(field)))`
 * would, but hashing the bytes in place: building a string per value and normalising it was most of the
 * extract's time before the copies (the filter holds every original of the whole source). ASCII without
 * escapes — nearly every identifier — is normalised byte by byte (upper case, letters and digits only, which
 * is what normalizeValue does to ASCII); a field with an accent, another non-ASCII character or a
 * backslash escape takes the string path.
 */
export function addCopyLine(bloom: BloomFilter, line: Buffer): void {
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && line[i] !== TAB) continue;
    addField(bloom, line, start, i);
    start = i + 1;
  }
}

function addField(bloom: BloomFilter, line: Buffer, start: number, end: number): void {
  let h1 = SEED_1;
  let h2 = SEED_2;
  let kept = 0;
  for (let i = start; i < end; i++) {
    let b = line[i] as number;
    if (b >= 128 || b === BACKSLASH) {
      // Also \N (NULL): decodeField gives null, nothing is added.
      const value = decodeField(line.toString('utf8', start, end));
      const key = value === null ? undefined : leakKey(value);
      if (key) bloom.add(key);
      return;
    }
    if (b >= 97 && b <= 122) b -= 32;
    else if (!((b >= 65 && b <= 90) || (b >= 48 && b <= 57))) continue;
    h1 = Math.imul(h1 ^ b, FNV_PRIME);
    h2 = Math.imul(h2 ^ b, FNV_PRIME);
    kept++;
  }
  if (kept >= MIN_LEAK_LENGTH) bloom.addHashes(h1 >>> 0, h2 >>> 0);
}

/** The key a value is compared on, or undefined when it is too short to identify anyone. */
export function leakKey(value: string): string | undefined {
  const n = normalizeValue(value);
  return n.length >= MIN_LEAK_LENGTH ? n : undefined;
}
