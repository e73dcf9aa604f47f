/**
 * Drift between load scripts and the API they claim to exercise (pure): a run's requests (method, URL,
 * status, request name, transaction) matched to the OpenAPI documents' operations. A fold — add() each
 * request, then report() — so a run of millions of requests needs memory per operation, not per request.
 *
 * Findings (each one means a script no longer speaks the API as documented):
 * - undocumented-path / undocumented-method: no operation has this path (or this method on it);
 * - undocumented-status: the operation answered a status its document does not list;
 * - rejected-request: a documented refusal of the request's shape (400, 415, 422…): what a renamed or
 *   newly required field gives — the script sends what the API no longer accepts;
 * - claimed-not-hit: a request name ("GET /persons/{id}" or an operationId) claims an operation the
 *   requests no longer reach, or that the documents no longer have;
 * - unknown-server: a request to a host no document describes;
 * - invalid-body / invalid-query (static-check.ts, given to report()): a recorded body or query string
 *   that the operation's schemas refuse.
 * Coverage is informational: which operations no request reached, weighted by volume when given.
 */
import { pathOf } from '../derive/routes.js';
import { candidateDocuments, indexSpecs, operationIn, type SpecIndex } from './operation-index.js';
import { HTTP_METHODS, statusDocumented, templateShape, type ApiOperation, type ApiSpec } from './operations.js';

/**
 * Statuses that say "your request does not have the right shape", not "this resource is not there":
 * malformed (400), method not allowed (405), not acceptable (406), too large (413), media type (415),
 * unprocessable (422). A smoke run's scripted requests should never get them from a healthy API; 404 and
 * 409 stay out (a data set or state problem, not the script's shape).
 */
export const REJECTED_STATUSES: ReadonlySet<string> = new Set(['400', '405', '406', '413', '415', '422']);

export interface ObservedRequest {
  method: string;
  url: string;
  /** "0" when no answer came (connection refused, timeout). */
  status: string;
  /** k6's `name` tag (the URL itself when the script gave none). */
  name: string;
  transaction: string;
}

export type FindingKind = 'undocumented-path' | 'undocumented-method' | 'undocumented-status' | 'rejected-request' | 'claimed-not-hit' | 'unknown-server' | 'invalid-body' | 'invalid-query';

/** Findings about one documented operation (its JUnit test case fails with them). */
export const OPERATION_FINDINGS: ReadonlySet<FindingKind> = new Set<FindingKind>(['undocumented-status', 'rejected-request', 'invalid-body', 'invalid-query']);

export interface Finding {
  kind: FindingKind;
  /** The operation ("GET /persons/{id}") or, for requests no operation takes, "METHOD name-or-path". */
  subject: string;
  status?: string;
  requests: number;
  transactions: string[];
  message: string;
}

export interface OperationUse {
  key: string;
  operationId?: string;
  source: string;
  requests: number;
  /** Status → requests. */
  statuses: Record<string, number>;
  transactions: string[];
  /** Production volume (per hour) when given. */
  weight?: number;
}

export interface DriftReport {
  specs: { source: string; title: string; version: string; operations: number }[];
  requests: number;
  /** Requests that got no answer (status 0): not judged. */
  unanswered: number;
  /** Requests with neither a URL nor a "METHOD /path" name (a free-form name in a run without URLs): not judged. */
  unjudged: number;
  findings: Finding[];
  operations: OperationUse[];
  coverage: { operations: number; covered: number; ratio: number; weighted?: { covered: number; total: number; ratio: number } };
  /**
   * The static check (static-check.ts): bodies and query strings of the requests the run recorded
   * (`--record-bodies`); `recorded: 0` with a note when the run recorded none.
   */
  static?: { recorded: number; judged: number; note?: string };
}

/** The static check's result (static-check.ts), merged into the report. */
export interface StaticFindings {
  recorded: number;
  judged: number;
  note?: string;
  findings: readonly Finding[];
}


interface Tally {
  requests: number;
  transactions: Set<string>;
}

const tally = (): Tally => ({ requests: 0, transactions: new Set() });
const METHODS_UPPER = HTTP_METHODS.map((m) => m.toUpperCase());

/** "GET /persons/{id}" or "GET /persons?q" → the method and path template a request name claims. */
export function claimedShape(name: string): string | undefined {
  const m = /^([A-Z]+)\s+(\/[^\s?#]*)/.exec(name);
  return m && METHODS_UPPER.includes(m[1] as string) ? templateShape(`${m[1] as string} ${m[2] as string}`) : undefined;
}

function splitUrl(url: string): { origin: string; path: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)?(.*)$/i.exec(url);
  const origin = (m?.[1] ?? '').toLowerCase();
  const path = pathOf(m?.[2] || '/') || '/';
  return { origin, path };
}

export class DriftCheck {
  private readonly indexes: SpecIndex[];
  private readonly uses = new Map<ApiOperation, { statuses: Map<string, number>; all: Tally }>();
  private readonly unmatched = new Map<string, Tally & { kind: FindingKind; message: string }>();
  /** name → operations its requests reached ("" for none). */
  private readonly claims = new Map<string, Map<string, number>>();
  private readonly claimTx = new Map<string, Set<string>>();
  private requests = 0;
  private unanswered = 0;
  private unjudged = 0;

  constructor(private readonly specs: readonly ApiSpec[]) {
    this.indexes = indexSpecs(specs);
  }

  add(r: ObservedRequest): void {
    this.requests++;
    if (r.status === '0' || r.status === '') {
      this.unanswered++;
      return;
    }
    // perfcell's runs leave k6's url tag out (src/model/compile.ts: series cardinality), so the request's
    // name is what is left: a "METHOD /path/{template}" name is matched as its path (a template segment
    // takes a parameter's place); an unnamed request's name is its URL.
    const url = r.url || (claimedShape(r.name) ? (/^[A-Z]+\s+(\S+)/.exec(r.name)?.[1] ?? '') : r.name);
    if (!/^(https?:\/\/|\/)/i.test(url)) {
      this.unjudged++;
      return;
    }
    const { origin, path } = splitUrl(url);
    // What the script calls it: its name when it claims an operation, else the method and the name or path.
    const label = r.name && r.name !== r.url ? (claimedShape(r.name) ? r.name : `${r.method} ${r.name}`) : `${r.method} ${path}`;
    const op = this.match(r.method, origin, path, label, r.transaction);
    if (op) {
      const use = this.uses.get(op) ?? { statuses: new Map<string, number>(), all: tally() };
      this.uses.set(op, use);
      use.statuses.set(r.status, (use.statuses.get(r.status) ?? 0) + 1);
      use.all.requests++;
      use.all.transactions.add(r.transaction);
    }
    if (r.name && r.name !== r.url) {
      const reached = this.claims.get(r.name) ?? new Map<string, number>();
      this.claims.set(r.name, reached);
      reached.set(op?.key ?? '', (reached.get(op?.key ?? '') ?? 0) + 1);
      const tx = this.claimTx.get(r.name) ?? new Set<string>();
      tx.add(r.transaction);
      this.claimTx.set(r.name, tx);
    }
  }

  /** The operation a request reaches, or undefined after recording why none does. */
  private match(method: string, origin: string, path: string, label: string, transaction: string): ApiOperation | undefined {
    const candidates = candidateDocuments(this.indexes, origin, path);
    if (candidates.length === 0) {
      this.record('unknown-server', `${method} ${origin || '(no host)'}`, transaction, `requests to ${origin || 'a relative URL'}, a server no OpenAPI document describes`);
      return undefined;
    }
    const op = operationIn(candidates, method);
    if (op) return op;
    const otherMethods = candidates.flatMap(({ index, rel }) => METHODS_UPPER.filter((m) => m !== method && index.table.match(m, rel) >= 0));
    if (otherMethods.length > 0) this.record('undocumented-method', label, transaction, `the path is documented for ${[...new Set(otherMethods)].join(', ')} only`);
    else this.record('undocumented-path', label, transaction, `no operation of ${candidates.map((c) => c.index.spec.source).filter((s, i, a) => a.indexOf(s) === i).join(', ')} has this path`);
    return undefined;
  }

  private record(kind: FindingKind, subject: string, transaction: string, message: string): void {
    const key = `${kind} ${subject}`;
    const t = this.unmatched.get(key) ?? { ...tally(), kind, message };
    this.unmatched.set(key, t);
    t.requests++;
    t.transactions.add(transaction);
  }

  /** `weights`: operation key → production volume per hour, when a derived model gives them. */
  report(weights?: ReadonlyMap<string, number>, staticCheck?: StaticFindings): DriftReport {
    const findings: Finding[] = [...(staticCheck?.findings ?? [])];
    for (const [key, t] of this.unmatched) findings.push({ kind: t.kind, subject: key.slice(t.kind.length + 1), requests: t.requests, transactions: [...t.transactions].sort(), message: t.message });
    const operations: OperationUse[] = [];
    for (const spec of this.specs) {
      for (const op of spec.operations) {
        const use = this.uses.get(op);
        const statuses = Object.fromEntries([...(use?.statuses ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)));
        const transactions = [...(use?.all.transactions ?? [])].sort();
        const weight = weights?.get(op.key);
        operations.push({ key: op.key, operationId: op.operationId, source: spec.source, requests: use?.all.requests ?? 0, statuses, transactions, ...(weight !== undefined ? { weight } : {}) });
        for (const [status, n] of Object.entries(statuses)) {
          if (!statusDocumented(op, status)) findings.push({ kind: 'undocumented-status', subject: op.key, status, requests: n, transactions, message: `answered ${status}; the document lists ${op.statuses.join(', ') || 'no status'}` });
          else if (REJECTED_STATUSES.has(status)) findings.push({ kind: 'rejected-request', subject: op.key, status, requests: n, transactions, message: `the API refused the request's shape (${status}): the script sends what the operation no longer accepts` });
        }
      }
    }
    findings.push(...this.claimFindings());
    const order: FindingKind[] = ['unknown-server', 'undocumented-path', 'undocumented-method', 'claimed-not-hit', 'undocumented-status', 'rejected-request', 'invalid-body', 'invalid-query'];
    findings.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
    return { specs: this.specs.map((s) => ({ source: s.source, title: s.title, version: s.version, operations: s.operations.length })), requests: this.requests, unanswered: this.unanswered, unjudged: this.unjudged, findings, operations, coverage: coverageOf(operations), ...(staticCheck ? { static: { recorded: staticCheck.recorded, judged: staticCheck.judged, ...(staticCheck.note ? { note: staticCheck.note } : {}) } } : {}) };
  }

  private claimFindings(): Finding[] {
    const all = this.specs.flatMap((s) => s.operations);
    const findings: Finding[] = [];
    for (const [name, reached] of this.claims) {
      const shape = claimedShape(name);
      const claimed = all.find((o) => o.operationId === name) ?? (shape ? all.find((o) => templateShape(o.key) === shape || templateShape(`${o.method} ${o.path}`) === shape) : undefined);
      if (!claimed && !shape) continue; // a free-form name claims nothing
      const requests = [...reached.values()].reduce((a, b) => a + b, 0);
      const transactions = [...(this.claimTx.get(name) ?? [])].sort();
      if (!claimed) {
        findings.push({ kind: 'claimed-not-hit', subject: name, requests, transactions, message: 'the name claims an operation no OpenAPI document has (any more)' });
        continue;
      }
      if (reached.has(claimed.key)) continue;
      const went = [...reached.keys()].map((k) => k || 'no operation').join(', ');
      findings.push({ kind: 'claimed-not-hit', subject: name, requests, transactions, message: `claims ${claimed.key} but its requests reached ${went}` });
    }
    return findings;
  }
}

export function coverageOf(operations: readonly OperationUse[]): DriftReport['coverage'] {
  const covered = operations.filter((o) => o.requests > 0);
  const weighted = operations.filter((o) => o.weight !== undefined);
  const total = weighted.reduce((s, o) => s + (o.weight ?? 0), 0);
  const hit = weighted.filter((o) => o.requests > 0).reduce((s, o) => s + (o.weight ?? 0), 0);
  return {
    operations: operations.length,
    covered: covered.length,
    ratio: operations.length > 0 ? covered.length / operations.length : 0,
    ...(weighted.length > 0 ? { weighted: { covered: hit, total, ratio: total > 0 ? hit / total : 0 } } : {}),
  };
}

/** Checks a list of requests at once (tests, small runs). */
export function checkDrift(specs: readonly ApiSpec[], requests: Iterable<ObservedRequest>, weights?: ReadonlyMap<string, number>, staticCheck?: StaticFindings): DriftReport {
  const check = new DriftCheck(specs);
  for (const r of requests) check.add(r);
  return check.report(weights, staticCheck);
}
