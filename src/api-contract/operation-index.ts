/**
 * Which documented operation a request reaches: one route table per OpenAPI document, and the documents'
 * servers (origin and base path) that may have served the request. The dynamic drift check (drift.ts) and the
 * static check of bodies and queries (static-check.ts) both ask this question: one answer for both. Pure.
 */
import { RouteTable } from '../derive/routes.js';
import type { ApiOperation, ApiSpec } from './operations.js';

export interface SpecIndex {
  spec: ApiSpec;
  table: RouteTable;
  /** RouteTable index → operation index. */
  ops: number[];
}

export function indexSpecs(specs: readonly ApiSpec[]): SpecIndex[] {
  return specs.map((spec) => {
    const table = new RouteTable();
    const ops: number[] = [];
    spec.operations.forEach((o, i) => {
      ops[table.add({ method: o.method, template: o.path, name: o.key })] ??= i;
    });
    return { spec, table, ops };
  });
}

/**
 * The documents (and the path relative to their base path) that may have served a request to `origin` + `path`.
 * An empty origin (a relative URL, a request named by its path) matches every server's host. One document
 * whose servers name another host (a public API's document, a test environment) still says what the scripts
 * may call: it judges every host.
 */
export function candidateDocuments(indexes: readonly SpecIndex[], origin: string, path: string): { index: SpecIndex; rel: string }[] {
  const under = (basePath: string) => path === basePath || path.startsWith(`${basePath}/`);
  const out: { index: SpecIndex; rel: string }[] = [];
  for (const index of indexes) {
    for (const s of index.spec.servers) {
      const hostOk = s.origin === undefined || s.origin === origin || origin === '';
      if (hostOk && under(s.basePath)) out.push({ index, rel: path.slice(s.basePath.length) || '/' });
    }
  }
  if (out.length === 0 && indexes.length === 1) {
    const only = indexes[0] as SpecIndex;
    const base = only.spec.servers.find((s) => under(s.basePath))?.basePath ?? '';
    out.push({ index: only, rel: path.slice(base.length) || '/' });
  }
  return out;
}

/** The first candidate document's operation that `method` reaches, if any. */
export function operationIn(candidates: readonly { index: SpecIndex; rel: string }[], method: string): ApiOperation | undefined {
  for (const { index, rel } of candidates) {
    const at = index.table.match(method, rel);
    if (at >= 0) return index.spec.operations[index.ops[at] as number];
  }
  return undefined;
}
