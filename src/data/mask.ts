/**
 * Deterministic keyed masking: every output is derived from HMAC-SHA256(secret, kind ‖ input), so the same
 * input and secret always give the same output (joins across tables and services still match) and another
 * secret gives unrelated values. Formats are preserved where a program checks them: IBAN (ISO 13616 mod 97),
 * NIR (key 97 − n mod 97), SIREN/SIRET (Luhn), e-mail and phone shapes, dates shifted by a per-person
 * constant. No masker ever returns its input. Pure (node:crypto only).
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { MASK_CITIES, MASK_EMAIL_DOMAINS, MASK_FIRST_NAMES, MASK_LAST_NAMES, MASK_STREET_NAMES, MASK_STREET_TYPES, SCRUB_WORDS } from './french.js';
import { ibanMod97, isValidIban, normalizeName } from '../../lib/french-ids.js';

export { ibanMod97, isValidIban, normalizeName };

export const MASK_KINDS = [
  'first_name', 'last_name', 'first_name_norm', 'last_name_norm', 'email', 'phone', 'iban', 'nir', 'siren', 'siret',
  'address', 'postcode', 'city', 'date_shift', 'scrub', 'token', 'blob',
] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

/**
 * Masks whose outputs are identifiers: the leak check looks for any original value of these anywhere in
 * the masked output. Names, cities and postcodes come from short lists where an output equal to some other
 * person's original is expected, so for those only the row's own original is checked; shifted dates are
 * not identifying once shifted.
 */
export const GLOBALLY_CHECKED: ReadonlySet<MaskKind> = new Set(['email', 'phone', 'iban', 'nir', 'siren', 'siret', 'address', 'scrub', 'token']);

/** Dates move by ±1…MAX_SHIFT_DAYS days per person: ages stay within a year, intervals are kept exactly. */
export const MAX_SHIFT_DAYS = 180;

/** Anything but printable ASCII, tab and newlines: those strings take the full Unicode path. */
const NOT_PLAIN_ASCII = /[^\t\n\r\x20-\x7e]/;
const NOT_ALNUM = /[^A-Z0-9]/g;

/** Upper case, accents and anything but letters and digits removed: how names are keyed and compared. */
export function normalizeValue(s: string): string {
  // ASCII (most identifiers): NFD and the accent strip change nothing, skipped (a hot path of the extract).
  if (!NOT_PLAIN_ASCII.test(s)) return s.toUpperCase().replace(NOT_ALNUM, '');
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Upper case without accents, spaces and hyphens kept: the reference target's `*_norm` search columns. */
/** The secret's public fingerprint (what the audit stores): SHA-256 of a domain-separated HMAC, 16 hex. */
export function secretFingerprint(secret: Buffer): string {
  return createHash('sha256').update(createHmac('sha256', secret).update('perfcell-fingerprint').digest()).digest('hex').slice(0, 16);
}

/** NIR: 13 digits + key = 97 − (13 digits mod 97); Corsica's 2A/2B count as 19/18. */
export function nirKey(first13: string): number {
  const n = BigInt(first13.toUpperCase().replace('2A', '19').replace('2B', '18'));
  return 97 - Number(n % 97n);
}

export function isValidNir(nir: string): boolean {
  const s = nir.replace(/\s+/g, '');
  return /^[12]\d{4}(\d{2}|2A|2B)\d{8}$/.test(s) && nirKey(s.slice(0, 13)) === Number(s.slice(13));
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The digit that makes `payload + digit` pass Luhn. */
export function luhnCheckDigit(payload: string): string {
  for (let c = 0; c < 10; c++) if (luhnValid(payload + String(c))) return String(c);
  throw new Error('unreachable: one Luhn digit always fits');
}

/** A keyed byte source: HMAC blocks of (kind, input, counter), as many as asked. */
class Keyed {
  private buf: Buffer;
  private pos = 0;
  private counter = 0;
  constructor(
    private readonly secret: Buffer,
    private readonly label: string,
  ) {
    this.buf = this.block();
  }
  private block(): Buffer {
    return createHmac('sha256', this.secret).update(`${this.label}\u0000${this.counter++}`).digest();
  }
  byte(): number {
    if (this.pos >= this.buf.length) {
      this.buf = this.block();
      this.pos = 0;
    }
    return this.buf[this.pos++] as number;
  }
  /** Uniform in [0, n) for n ≤ 65536 (rejection sampling keeps it unbiased). */
  int(n: number): number {
    const limit = 65536 - (65536 % n);
    for (;;) {
      const v = this.byte() * 256 + this.byte();
      if (v < limit) return v % n;
    }
  }
  digits(count: number): string {
    let s = '';
    for (let i = 0; i < count; i++) s += String(this.int(10));
    return s;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
}

const titleCase = (s: string): string => s.toLowerCase().replace(/(^|[\s\-'’])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());

/** Same case style as the original: all upper, all lower, or as listed. */
function likeCase(original: string, replacement: string): string {
  const letters = original.replace(/[^\p{L}]/gu, '');
  if (letters && letters === letters.toUpperCase()) return replacement.toUpperCase();
  if (letters && letters === letters.toLowerCase()) return replacement.toLowerCase();
  return replacement;
}

/** Re-lays `compact` (no separators) into the separators of `original` where it has the same count of significant characters; else compact. */
function relayout(original: string, compact: string, significant: RegExp): string {
  const count = [...original].filter((c) => significant.test(c)).length;
  if (count !== compact.length) return compact;
  let k = 0;
  return [...original].map((c) => (significant.test(c) ? compact[k++] : c)).join('');
}

/**
 * Masked values remembered per (kind, person, input), at most this many at once (then forgotten all at once):
 * production repeats inputs — a person's e-mail, phone and name in every department's table, the same
 * surnames and first names thousands of times, the same call reasons and invoice labels — and each miss
 * costs one HMAC or more (≈ 3.6 µs). A fixed bound keeps memory flat whatever the extract's size: a few
 * hundred bytes an entry (key and output; inputs over MASK_MEMO_MAX_INPUT are not kept). 20 000 measured
 * (`npm run bench -- data`, 2026-12-02): the same rate as 50 000 (55 432 vs 56 958 rows/s) and a 1 M-row
 * peak of 218 MiB vs 212 and 228 in two runs at 50 000 — differences within the runs' spread; the smaller
 * bound kept.
 */
export const MASK_MEMO_ENTRIES = 20_000;
/** Inputs longer than this (free text) are masked without being remembered: they rarely repeat. */
const MASK_MEMO_MAX_INPUT = 120;
/** Masks whose output depends on the person as well as the input. */
const PERSON_KEYED: ReadonlySet<MaskKind> = new Set(['postcode', 'city']);

export class Masker {
  private readonly blobKey: Buffer;
  private readonly memo = new Map<string, string>();
  /**
   * `avoid(normalised)`: true when an output would equal some original value (the extract passes its
   * Bloom filter of originals); identifiers then take the next attempt, so that a random phone number
   * never happens to be another person's real one. Same source data → same outputs.
   */
  constructor(
    private readonly secret: Buffer,
    private readonly avoid?: (normalised: string) => boolean,
  ) {
    this.blobKey = createHmac('sha256', secret).update('blob-key').digest();
  }

  private keyed(kind: string, input: string, attempt = 0): Keyed {
    return new Keyed(this.secret, `${kind}\u0000${attempt}\u0000${input}`);
  }

  /**
   * Masks one non-null value. `person` keys per-person constants (date shift, postcode + city pair).
   * Deterministic, so remembered (MASK_MEMO_ENTRIES): the same call gives the same output either way.
   */
  mask(kind: MaskKind, value: string, person?: string | null): string {
    // Shifted dates (often unique timestamps) are cheap once the person's shift is known: that is remembered.
    if (kind === 'blob' || kind === 'date_shift' || value.length > MASK_MEMO_MAX_INPUT) return this.compute(kind, value, person);
    const key = PERSON_KEYED.has(kind) ? `${kind}\u0000${person ?? ''}\u0000${value}` : `${kind}\u0000${value}`;
    let out = this.memo.get(key);
    if (out === undefined) {
      out = this.compute(kind, value, person);
      if (this.memo.size >= MASK_MEMO_ENTRIES) this.memo.clear();
      this.memo.set(key, out);
    }
    return out;
  }

  private compute(kind: MaskKind, value: string, person?: string | null): string {
    switch (kind) {
      case 'last_name':
        return this.distinct(value, (a) => likeCase(value, titleCase(this.keyed('last_name', normalizeValue(value), a).pick(MASK_LAST_NAMES))), normalizeValue);
      case 'first_name':
        return this.distinct(value, (a) => likeCase(value, this.keyed('first_name', normalizeValue(value), a).pick(MASK_FIRST_NAMES)), normalizeValue);
      case 'last_name_norm':
        return normalizeName(this.mask('last_name', value));
      case 'first_name_norm':
        return normalizeName(this.mask('first_name', value));
      case 'email':
        return this.distinct(value, (a) => this.email(value, a), (s) => s.trim().toLowerCase());
      case 'phone':
        return this.distinct(value, (a) => this.phone(value, a), normalizeValue);
      case 'iban':
        return this.distinct(value, (a) => this.iban(value, a), normalizeValue);
      case 'nir':
        return this.distinct(value, (a) => this.nir(value, a), normalizeValue);
      case 'siren':
        return this.distinct(value, (a) => this.siren(value.replace(/\D/g, ''), a, value), normalizeValue);
      case 'siret':
        return this.distinct(value, (a) => this.siret(value, a), normalizeValue);
      case 'address': {
        return this.distinct(value, (a) => {
          const k = this.keyed('address', normalizeValue(value), a);
          return `${1 + k.int(199)} ${k.pick(MASK_STREET_TYPES)} ${k.pick(MASK_STREET_NAMES)}`;
        }, normalizeValue);
      }
      case 'postcode':
        return this.distinct(value, (a) => (this.keyed('place', person ?? value, a).pick(MASK_CITIES))[0], normalizeValue);
      case 'city':
        return this.distinct(value, (a) => likeCase(value, (this.keyed('place', person ?? value, a).pick(MASK_CITIES))[1]), normalizeValue);
      case 'date_shift':
        return shiftDate(value, this.shiftDays(person ?? ''));
      case 'scrub':
        return this.scrub(value);
      case 'token':
        return this.distinct(value, (a) => this.token(value, a), (s) => s);
      case 'blob':
        return this.blob(value);
    }
  }

  /** The person's constant shift in days: ±1…MAX_SHIFT_DAYS, never 0. */
  shiftDays(person: string): number {
    const key = `shift\u0000${person}`;
    const known = this.memo.get(key);
    if (known !== undefined) return Number(known);
    const k = this.keyed('date_shift', person);
    const magnitude = 1 + k.int(MAX_SHIFT_DAYS);
    const days = k.int(2) === 0 ? -magnitude : magnitude;
    if (this.memo.size >= MASK_MEMO_ENTRIES) this.memo.clear();
    this.memo.set(key, String(days));
    return days;
  }

  /** Tries attempts 0, 1, … until the output differs from the input once both are normalised. */
  private distinct(value: string, make: (attempt: number) => string, norm: (s: string) => string): string {
    const original = norm(value);
    for (let a = 0; a < 32; a++) {
      const out = make(a);
      if (original !== '' && norm(out) === original) continue;
      if (this.avoid && a < 31 && this.avoid(normalizeValue(out))) continue;
      return out;
    }
    throw new Error('masker could not find a value different from its input in 32 attempts');
  }

  private email(value: string, attempt: number): string {
    const k = this.keyed('email', value.trim().toLowerCase(), attempt);
    const first = normalizeValue(k.pick(MASK_FIRST_NAMES)).toLowerCase();
    const last = normalizeValue(k.pick(MASK_LAST_NAMES)).toLowerCase();
    const tag = k.digits(6);
    return `${first}.${last}.${tag}@${k.pick(MASK_EMAIL_DOMAINS)}`;
  }

  /** Keeps separators, a leading "+33"/"0" and the next digit (mobile/landline kind); the rest keyed. */
  private phone(value: string, attempt: number): string {
    const k = this.keyed('phone', value.replace(/\D/g, ''), attempt);
    const keep = value.trim().startsWith('+') ? 3 : 2;
    let seen = 0;
    return [...value].map((c) => (/\d/.test(c) ? (seen++ < keep ? c : String(k.int(10))) : c)).join('');
  }

  private iban(value: string, attempt: number): string {
    const compact = value.replace(/\s+/g, '').toUpperCase();
    const country = /^[A-Z]{2}/.test(compact) ? compact.slice(0, 2) : 'FR';
    const k = this.keyed('iban', compact, attempt);
    let bban: string;
    if (country === 'FR' && compact.length === 27) {
      const bank = k.digits(5);
      const branch = k.digits(5);
      const account = k.digits(11);
      // < 3.1e11: exact in a double.
      const ribKey = 97 - ((89 * Number(bank) + 15 * Number(branch) + 3 * Number(account)) % 97);
      bban = `${bank}${branch}${account}${String(ribKey).padStart(2, '0')}`;
    } else {
      bban = [...compact.slice(4)].map((c) => (/[A-Z]/.test(c) ? String.fromCharCode(65 + k.int(26)) : String(k.int(10)))).join('');
    }
    const check = 98 - ibanMod97(`${country}00${bban}`);
    const out = `${country}${String(check).padStart(2, '0')}${bban}`;
    return relayout(value.toUpperCase(), out, /[A-Z0-9]/);
  }

  private nir(value: string, attempt: number): string {
    const k = this.keyed('nir', value.replace(/\s+/g, '').toUpperCase(), attempt);
    const sex = value.trim().startsWith('2') ? '2' : '1';
    const yy = k.digits(2);
    const mm = String(1 + k.int(12)).padStart(2, '0');
    let dept = String(1 + k.int(95)).padStart(2, '0');
    if (dept === '20') dept = '21'; // 20 is Corsica's 2A/2B, never a number
    const commune = String(1 + k.int(990)).padStart(3, '0');
    const order = String(1 + k.int(999)).padStart(3, '0');
    const body = `${sex}${yy}${mm}${dept}${commune}${order}`;
    const digitsIn = value.replace(/[^0-9AB]/gi, '');
    const out = digitsIn.length === 13 ? body : `${body}${String(nirKey(body)).padStart(2, '0')}`;
    return relayout(value, out, /[0-9ABab]/);
  }

  private siren(digits9: string, attempt: number, layout: string): string {
    const k = this.keyed('siren', digits9, attempt);
    const payload = k.digits(8);
    return relayout(layout, payload + luhnCheckDigit(payload), /\d/);
  }

  /** The establishment's SIREN is masked as the company's SIREN would be, so both still match. */
  private siret(value: string, attempt: number): string {
    const digits = value.replace(/\D/g, '');
    const siren = this.siren(digits.slice(0, 9), attempt, digits.slice(0, 9));
    const k = this.keyed('siret', digits, attempt);
    const payload = siren + k.digits(4);
    return relayout(value, payload + luhnCheckDigit(payload), /\d/);
  }

  /** Every word replaced by a neutral one, every digit by a keyed digit; punctuation and layout kept. */
  private scrub(value: string): string {
    const k = this.keyed('scrub', value);
    return value.replace(/\p{L}+/gu, (w) => likeCase(w, k.pick(SCRUB_WORDS))).replace(/\d/g, () => String(k.int(10)));
  }

  /** Same shape: digits → digits, letters → letters of the same case, the rest kept. */
  private token(value: string, attempt: number): string {
    const k = this.keyed('token', value, attempt);
    return [...value]
      .map((c) => {
        if (c >= '0' && c <= '9') return String(k.int(10));
        if (c >= 'a' && c <= 'z') return String.fromCharCode(97 + k.int(26));
        if (c >= 'A' && c <= 'Z') return String.fromCharCode(65 + k.int(26));
        return c;
      })
      .join('');
  }

  /** bytea (`\x…` hex): same length of keyed bytes (AES-CTR keystream, IV from the content's HMAC). */
  private blob(value: string): string {
    const hex = value.startsWith('\\x') ? value.slice(2) : Buffer.from(value, 'utf8').toString('hex');
    const bytes = hex.length / 2;
    const iv = createHmac('sha256', this.secret).update(`blob\u0000${hex.length}\u0000`).update(hex).digest().subarray(0, 16);
    const c = createCipheriv('aes-256-ctr', this.blobKey, iv);
    return `\\x${c.update(Buffer.alloc(bytes)).toString('hex')}`;
  }
}

/** Shifts a date or timestamp text (YYYY-MM-DD at its start) by `days`, keeping the time part as written. */
export function shiftDate(value: string, days: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10) + value.slice(10);
}
