/**
 * Sensitive data (health declarations, IBAN): masked in responses unless the caller's role allows it,
 * scrubbed from anything sent to the ticketing tool, and kept out of logs (see app.ts redaction). Pure.
 */
export const ROLE_HEADER = 'x-role';
/** Roles that may read health declarations (legal) and bank details (billing). */
export const HEALTH_ROLES = new Set(['legal', 'medical-officer']);
export const IBAN_ROLES = new Set(['billing']);

export function roleOf(headers: Record<string, string | string[] | undefined>): string {
  const v = headers[ROLE_HEADER];
  return (Array.isArray(v) ? v[0] : v)?.trim().toLowerCase() ?? '';
}

/** FR76 3000 6000 0112 3456 7890 189 → "FR76 **** **** **** **** ***0 189": country, check digits, last four. */
export function maskIban(iban: string | null): string | null {
  if (iban === null) return null;
  const compact = iban.replace(/\s+/g, '');
  const masked = compact.slice(0, 4) + '*'.repeat(Math.max(0, compact.length - 8)) + compact.slice(-4);
  return masked.replace(/(.{4})/g, '$1 ').trim();
}

export const MASKED = '***';

export interface HealthDeclaration {
  tobacco: boolean;
  alcohol: string;
  illnesses: string[];
}

export function maskHealth(h: HealthDeclaration, role: string): HealthDeclaration | typeof MASKED {
  return HEALTH_ROLES.has(role) ? h : MASKED;
}

export function ibanFor(iban: string | null, role: string): string | null {
  return IBAN_ROLES.has(role) ? iban : maskIban(iban);
}

const IBAN_IN_TEXT = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b/g;
const HEALTH_WORDS = /\b(tabac|tobacco|alcool|alcohol|maladie|maladies|illness(?:es)?|diab[eè]te|cancer|asthme|asthma|hypertension)\b/gi;

/** Free text an operator typed, made safe for a third party: IBAN-like strings and health words removed. */
export function scrubFreeText(text: string): string {
  return text.replace(IBAN_IN_TEXT, '[IBAN removed]').replace(HEALTH_WORDS, '[removed]');
}

/** Paths pino must censor if logging is switched on (SUT_LOG=1). */
export const LOG_REDACT_PATHS = ['req.body', 'res.body', '*.iban', '*.illnesses', '*.tobacco', '*.alcohol', '*.health', 'req.headers.authorization'];
