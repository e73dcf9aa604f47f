/**
 * Stub verification, pure part: WireMock serve events → traffic per mapping, requests that matched no
 * mapping (a test defect: the target called something the stub set does not describe), mappings that got
 * no traffic (a stub set wider than the test, or a path the test never took).
 */
import { z } from 'zod';
import { inputError } from '../errors.js';
import { zodToError } from '../model/zod-errors.js';

/** The fields of a WireMock serve event (GET /__admin/requests) perfcell reads. */
export interface ServeEvent {
  id: string;
  request: { url: string; method: string; loggedDate: number };
  wasMatched: boolean;
  stubMapping?: { id?: string };
}

export interface UnmatchedRequest {
  method: string;
  url: string;
  count: number;
  firstAtMs: number;
}

export interface JournalTally {
  /** Serve event ids already counted (the collector reads overlapping pages). */
  seen: Set<string>;
  hitsByMapping: Map<string, number>;
  unmatched: Map<string, UnmatchedRequest>;
  total: number;
  /** Newest loggedDate seen, for the next `since`. */
  lastLoggedMs: number;
  /** A page came back full with nothing already seen: some events may have left the bounded journal. */
  overflowed: boolean;
}

export function emptyTally(): JournalTally {
  return { seen: new Set(), hitsByMapping: new Map(), unmatched: new Map(), total: 0, lastLoggedMs: 0, overflowed: false };
}

/** Adds one journal page (newest first, as WireMock returns it) to the tally. */
export function tallyServeEvents(t: JournalTally, events: readonly ServeEvent[], pageLimit: number): JournalTally {
  let overlap = false;
  for (const e of events) {
    if (t.seen.has(e.id)) {
      overlap = true;
      continue;
    }
    t.seen.add(e.id);
    t.total++;
    t.lastLoggedMs = Math.max(t.lastLoggedMs, e.request.loggedDate);
    if (e.wasMatched && e.stubMapping?.id) {
      t.hitsByMapping.set(e.stubMapping.id, (t.hitsByMapping.get(e.stubMapping.id) ?? 0) + 1);
    } else {
      const key = `${e.request.method} ${e.request.url}`;
      const u = t.unmatched.get(key);
      if (u) {
        u.count++;
        u.firstAtMs = Math.min(u.firstAtMs, e.request.loggedDate);
      } else t.unmatched.set(key, { method: e.request.method, url: e.request.url, count: 1, firstAtMs: e.request.loggedDate });
    }
  }
  if (events.length >= pageLimit && !overlap && t.total > events.length) t.overflowed = true;
  return t;
}

export interface MappingTraffic {
  id: string;
  label: string;
  hits: number;
}

export interface StubVerification {
  stubSet: string;
  url: string;
  requests: number;
  mappings: MappingTraffic[];
  unused: MappingTraffic[];
  unmatched: UnmatchedRequest[];
  /** Counts are lower bounds: the journal dropped events between two reads. */
  journalOverflowed: boolean;
  ok: boolean;
}

/** Most frequent unmatched call first; equal counts in order of first appearance. */
export function byFrequency(a: UnmatchedRequest, b: UnmatchedRequest): number {
  return b.count - a.count || a.firstAtMs - b.firstAtMs;
}

/** The verdict for one stub server: ok when no request went unmatched. Unused mappings are reported, not failed. */
export function verification(stubSet: string, url: string, loaded: ReadonlyMap<string, string>, t: JournalTally): StubVerification {
  const mappings = [...loaded].map(([id, label]) => ({ id, label, hits: t.hitsByMapping.get(id) ?? 0 }));
  const unmatched = [...t.unmatched.values()].sort(byFrequency);
  return {
    stubSet,
    url,
    requests: t.total,
    mappings,
    unused: mappings.filter((m) => m.hits === 0),
    unmatched,
    journalOverflowed: t.overflowed,
    ok: unmatched.length === 0,
  };
}

export function formatVerification(v: StubVerification): string {
  const lines = [`stubs ${v.stubSet} (${v.url}): ${v.requests} request(s), ${v.mappings.length - v.unused.length}/${v.mappings.length} mapping(s) used${v.journalOverflowed ? ' (journal overflowed: counts are lower bounds)' : ''}`];
  for (const m of v.mappings) lines.push(`  ${String(m.hits).padStart(8)}  ${m.label}${m.hits === 0 ? '   ← no traffic' : ''}`);
  for (const u of v.unmatched) lines.push(`  UNMATCHED ${u.count}× ${u.method} ${u.url}   ← no mapping: a test defect (the stub set misses this call)`);
  return lines.join('\n');
}

/** Requests that matched no mapping, over stub servers (each unmatched call counted as often as it came). */
export function unmatchedCount(verifications: readonly Pick<StubVerification, 'unmatched'>[]): number {
  return verifications.reduce((s, v) => s + v.unmatched.reduce((a, u) => a + u.count, 0), 0);
}

/** The unmatched requests the run folders of a phase declare in run.json (0 when none): what they say without their stubs.json. */
export function unmatchedOfRuns(runs: readonly { unmatchedStubRequests?: number }[]): number {
  return runs.reduce((s, r) => s + (r.unmatchedStubRequests ?? 0), 0);
}

/** A campaign phase's run folder stubs.json: the dependencies stubbed and each stub server's verification. */
export interface StubsFile {
  stubbed: string[];
  verifications: StubVerification[];
}

const unmatchedSchema = z.object({ method: z.string(), url: z.string(), count: z.number().int().min(1), firstAtMs: z.number() }).loose();
const stubsFileSchema = z
  .object({
    stubbed: z.array(z.string()),
    verifications: z.array(
      z.object({
        stubSet: z.string().min(1),
        url: z.string(),
        requests: z.number().int().min(0),
        mappings: z.array(z.object({ id: z.string(), label: z.string(), hits: z.number() }).loose()),
        unused: z.array(z.object({ id: z.string(), label: z.string(), hits: z.number() }).loose()),
        unmatched: z.array(unmatchedSchema),
        journalOverflowed: z.boolean(),
        ok: z.boolean(),
      }).loose(),
    ),
  })
  .loose();

/** Pure: a stubs.json's text → its content, or an input error naming the file, the field and what it expects. */
export function parseStubsFile(file: string, text: string): StubsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw inputError(file, '', `valid JSON (${(e as Error).message})`);
  }
  const parsed = stubsFileSchema.safeParse(json);
  if (!parsed.success) throw zodToError(file, parsed.error, json);
  return parsed.data as StubsFile;
}
