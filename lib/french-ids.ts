/**
 * French identifiers' checks and the name normalisation search compares, written once for the reference
 * target (which generates and validates them) and perfcell's masking (which must keep them valid).
 */

/** Upper case without accents: what search compares. */
export function normalizeName(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9 -]/g, '').trim();
}

/** ISO 13616 check: rearranged, letters as numbers, mod 97 = 1. */
export function ibanMod97(iban: string): number {
  const s = iban.replace(/\s+/g, '').toUpperCase();
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem;
}

export function isValidIban(iban: string): boolean {
  return /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban.replace(/\s+/g, '')) && ibanMod97(iban) === 1;
}
