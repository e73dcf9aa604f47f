/**
 * Reads a stub server's request journal while load runs. The journal is bounded (memory stays flat over
 * long runs), so a single read at the end would miss early requests: the collector reads new events every
 * second (`since` the newest seen) and tallies them as they come.
 */
import { emptyTally, tallyServeEvents, verification, type JournalTally, type ServeEvent, type StubVerification } from './verify.js';
import type { StubServer } from './wiremock.js';

const PAGE_LIMIT = 5000;

async function readPage(url: string, sinceMs: number): Promise<ServeEvent[]> {
  // `since` is inclusive to the millisecond in practice; duplicates are dropped by id in the tally.
  const since = sinceMs > 0 ? `&since=${encodeURIComponent(new Date(sinceMs).toISOString())}` : '';
  const r = await fetch(`${url}/__admin/requests?limit=${PAGE_LIMIT}${since}`, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`GET ${url}/__admin/requests: HTTP ${r.status}`);
  return ((await r.json()) as { requests: ServeEvent[] }).requests;
}

export interface JournalCollector {
  /** Reads what is left, stops polling and returns the verification. */
  finish: () => Promise<StubVerification>;
}

export function collectJournal(server: Pick<StubServer, 'name' | 'url' | 'mappings'>, intervalMs = 1000): JournalCollector {
  const tally: JournalTally = emptyTally();
  let busy: Promise<void> = Promise.resolve();
  let failures = 0;
  const poll = () => {
    busy = busy.then(async () => {
      try {
        tallyServeEvents(tally, await readPage(server.url, tally.lastLoggedMs), PAGE_LIMIT);
      } catch {
        failures++;
      }
    });
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    finish: async () => {
      clearInterval(timer);
      poll();
      await busy;
      const v = verification(server.name, server.url, server.mappings, tally);
      // A failed read may have let events leave the journal unseen: say the counts are lower bounds.
      if (failures > 0) v.journalOverflowed = true;
      return v;
    },
  };
}

/** One read of the current journal (for `perfcell stubs verify` outside a campaign): exact while the journal has not wrapped. */
export async function verifyNow(server: Pick<StubServer, 'name' | 'url' | 'mappings'>): Promise<StubVerification> {
  const tally = emptyTally();
  const page = await readPage(server.url, 0);
  tallyServeEvents(tally, page, PAGE_LIMIT);
  return verification(server.name, server.url, server.mappings, tally);
}
