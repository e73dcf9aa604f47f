/**
 * The helper scenarios import as `perfcell/k6`. It runs inside k6 (bundled by esbuild), so it may import
 * only k6 modules. Targets come from k6's environment (TARGET_<NAME>), data from CSV files the generated
 * entry registers in the init context.
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import { DUET_ENV, DUET_TAG, duetSide, type DuetRouting, type DuetSide } from './duet-side.js';

const targets: Record<string, string> = {};

/**
 * Duet mode (the gate's `--duet`): one run loads two builds, each iteration routed to side A or B
 * (src/scenario/duet-side.ts); target() answers the side's URL and every request is tagged with its side.
 */
const duet: DuetRouting | undefined = __ENV[DUET_ENV] ? (JSON.parse(__ENV[DUET_ENV] as string) as DuetRouting) : undefined;
let side: DuetSide = 'A';

/**
 * Base URL of a target of the environment, e.g. target('grc') → "http://127.0.0.1:8080". Called once per
 * iteration by most scenarios: the lookup is cached per VU (k6's JavaScript engine makes the string work
 * measurable at thousands of iterations per second).
 */
export function target(name: string): string {
  const cacheKey = duet ? `${side}:${name}` : name;
  const cached = targets[cacheKey];
  if (cached !== undefined) return cached;
  const key = `TARGET_${name.toUpperCase().replace(/-/g, '_')}`;
  const url = duet ? (side === 'A' ? duet.a : duet.b)[key] : __ENV[key];
  if (!url) throw new Error(`perfcell: no target "${name}" in this environment (k6 variable ${key} is not set)`);
  targets[cacheKey] = url;
  return url;
}

export type Row = Record<string, string>;
const datasets: Record<string, readonly Row[]> = {};

/** Called by the generated entry in k6's init context; scenarios use data() and row(). */
export function registerData(name: string, rows: readonly Row[]): void {
  datasets[name] = rows;
}

export function data(name: string): readonly Row[] {
  const rows = datasets[name];
  if (!rows) throw new Error(`perfcell: no data set "${name}" (declare it under data: in the load model)`);
  return rows;
}

/** A row chosen round-robin over the whole test, so that concurrent VUs spread over the data set. */
export function row(name: string): Row {
  const rows = data(name);
  if (rows.length === 0) throw new Error(`perfcell: data set "${name}" is empty`);
  return rows[exec.scenario.iterationInTest % rows.length] as Row;
}

/** Minimal RFC 4180 CSV (quoted fields, doubled quotes); first line is the header. */
export function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field); field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += c;
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record); }
  const [header, ...rest] = records;
  if (!header) return [];
  return rest.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Request params that group URLs under one name (bounded series cardinality in k6 and InfluxDB). */
export function named(name: string, params: { headers?: Record<string, string>; tags?: Record<string, string> } = {}) {
  return { ...params, tags: { ...(params.tags ?? {}), name } };
}

/** Wraps a scenario function as a transaction: think time after it, as the load model says. */
export function transaction(fn: () => void | Promise<void>, thinkTimeMs: number): () => void | Promise<void> {
  const timed = thinkTimeMs <= 0 ? fn : async () => {
    await fn();
    sleep(thinkTimeMs / 1000);
  };
  if (!duet) return timed;
  const routing = duet;
  return () => {
    side = duetSide(routing.order, routing.seed, exec.scenario.name, exec.scenario.iterationInTest);
    exec.vu.metrics.tags[DUET_TAG] = side;
    return timed();
  };
}
