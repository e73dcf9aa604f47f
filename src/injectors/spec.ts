/**
 * Injector specs, pure: the text of `--injectors` (or an environment's `injectors:` in perfcell.config.yaml)
 * → the planned injectors, each with its name, where it runs and its execution segment.
 *
 *   local:N                       N k6 processes on this host, equal segments
 *   user@host[:port],user@host2   one k6 per SSH host (OpenSSH client), equal segments
 *   local=0:1/2,me@h2=1/2:1       explicit segments; then every entry has one and together they tile 0..1
 *
 * Every refusal is one line naming where the spec came from, the entry and what was expected.
 */
import { inputError } from '../errors.js';
import { equalSegments, formatSegment, parseFraction, segmentSequence, segmentsProblem, type ExecutionSegment } from './segments.js';

/** More k6 processes than this on one host only share its cores: a typo (local:100) rather than a plan. */
export const MAX_LOCAL_INJECTORS = 64;
const DEFAULT_SSH_PORT = 22;

export type InjectorHost = { kind: 'local' } | { kind: 'ssh'; user: string; host: string; port: number };

export interface PlannedInjector {
  /** Folder name under injectors/ and the name in run.json, reports and errors. */
  name: string;
  where: InjectorHost;
  /** `--execution-segment`. */
  segment: string;
  /** `--execution-segment-sequence`, the same for all. */
  sequence: string;
}

// POSIX-ish user names; host names (RFC 1123 labels) or IPv4 addresses; IPv6 in brackets.
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

interface Entry {
  where: InjectorHost;
  segment?: ExecutionSegment;
}

function parseSegment(text: string, where: string, entry: string): ExecutionSegment {
  const [a, b, ...rest] = text.split(':');
  const from = a === undefined ? undefined : parseFraction(a);
  const to = b === undefined ? undefined : parseFraction(b);
  if (!from || !to || rest.length > 0) throw inputError(where, entry, `a segment from:to with fractions in 0..1 (e.g. 0:1/3, 1/3:2/3), got "${text}"`);
  return { from, to };
}

function parseSsh(text: string, where: string): InjectorHost {
  const m = /^(?:ssh:\/\/)?([^@\s]+)@(\[[0-9a-f:]+\]|[^:\s]+)(?::(\d+))?$/i.exec(text);
  const expected = `an injector "local", "local:N" or "user@host[:port]", got "${text}"`;
  if (!m) throw inputError(where, text, expected);
  const [, user = '', host = '', portText] = m;
  if (!USER.test(user)) throw inputError(where, text, `a user name of letters, digits, _ . - (got "${user}")`);
  if (!(host.startsWith('[') || IPV4.test(host) || (HOSTNAME.test(host) && !/^[\d.]+$/.test(host)))) throw inputError(where, text, `a host name or IP address (got "${host}")`);
  const port = portText === undefined ? DEFAULT_SSH_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw inputError(where, text, `a port in 1..65535 (got "${portText}")`);
  return { kind: 'ssh', user, host, port };
}

function parseEntry(raw: string, where: string): Entry[] {
  const text = raw.trim();
  const eq = text.indexOf('=');
  const head = eq < 0 ? text : text.slice(0, eq);
  const segment = eq < 0 ? undefined : parseSegment(text.slice(eq + 1), where, text);
  const local = /^local(?::(.*))?$/.exec(head);
  if (local) {
    if (local[1] === undefined) return [{ where: { kind: 'local' }, segment }];
    const n = Number(local[1]);
    if (!/^-?\d+$/.test(local[1]) || n < 1) throw inputError(where, text, `local:N with N ≥ 1 k6 processes, got "${local[1]}"`);
    if (n > MAX_LOCAL_INJECTORS) throw inputError(where, text, `local:N with N ≤ ${MAX_LOCAL_INJECTORS}, got ${n}`);
    if (segment) throw inputError(where, text, 'a segment on a single injector ("local=0:1/2"), not on local:N (its N segments are equal)');
    return Array.from({ length: n }, () => ({ where: { kind: 'local' } as const }));
  }
  return [{ where: parseSsh(head, where), segment }];
}

function baseName(h: InjectorHost): string {
  if (h.kind === 'local') return 'local';
  const host = h.host.replace(/[^a-z0-9.-]/gi, '_');
  return h.port === DEFAULT_SSH_PORT ? host : `${host}-${h.port}`;
}

/** `local-1`, `local-2`, `10.0.0.2`, `10.0.0.2-2222`; a name met twice gets `-2`, `-3`. */
function names(entries: Entry[]): string[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(baseName(e.where), (counts.get(baseName(e.where)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return entries.map((e) => {
    const base = baseName(e.where);
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    if (e.where.kind === 'local') return `local-${k}`;
    return (counts.get(base) ?? 1) > 1 ? `${base}-${k}` : base;
  });
}

/** `where` names the source in errors (`--injectors`, `perfcell.config.yaml: environments.x.injectors`). */
export function parseInjectors(text: string, where: string): PlannedInjector[] {
  if (text.trim() === '') throw inputError(where, '', 'at least one injector ("local:N" or "user@host[:port]")');
  const entries = text.split(',').flatMap((e) => {
    if (e.trim() === '') throw inputError(where, text, 'injectors separated by single commas (an entry is empty)');
    return parseEntry(e, where);
  });
  const explicit = entries.filter((e) => e.segment).length;
  if (explicit > 0 && explicit < entries.length) throw inputError(where, text, 'a segment on every injector or on none (equal split)');
  const segments = explicit > 0 ? entries.map((e) => e.segment as ExecutionSegment) : equalSegments(entries.length);
  const problem = segmentsProblem(segments);
  if (problem) throw inputError(where, text, `segments that cover 0..1 once: ${problem}`);
  const sequence = segmentSequence(segments);
  const n = names(entries);
  return entries.map((e, i) => ({ name: n[i] as string, where: e.where, segment: formatSegment(segments[i] as ExecutionSegment), sequence }));
}

/** One local k6 with the whole test: the ordinary run, no segment arguments. */
export function isSingleLocal(injectors: PlannedInjector[]): boolean {
  return injectors.length === 1 && injectors[0]?.where.kind === 'local';
}
