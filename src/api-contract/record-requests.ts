/**
 * `--record-bodies`: a run keeps a sample of the requests its scenarios send (bodies and query strings,
 * which k6's metrics never hold), for the static part of `scenarios check`. The bundle's `k6/http` is
 * replaced by a recording shim (k6-request-recorder.ts) that logs the first requests of each name per VU;
 * the run folder says so by its `requests-recorded` flag; readRecordedRequests() reads them back from
 * k6.log (every injector's for a distributed run).
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { K6_HTTP_SHIM } from '../apm/bundle-plugin.js';
import type { SideChannel, SideChannelFactory } from '../run/side-channel.js';
import { rawOutputs, type RunMeta } from '../store/folder.js';
import { RECORD_MARKER, type RecordedRequest } from './recorded-request.js';

export const K6_REQUEST_RECORDER = fileURLToPath(new URL('./k6-request-recorder.ts', import.meta.url));

/** run.json's flag for a run whose k6.log holds recorded requests. */
export const REQUESTS_RECORDED_FLAG = 'requests-recorded';

/**
 * Scenario code's `k6/http` → the recorder; the recorder's own `k6/http` goes on to the next plugin (the
 * APM shim when one is configured) or to k6 itself (external), and so does the APM shim's (no cycle).
 */
export function requestRecorderPlugin(): Plugin {
  return {
    name: 'perfcell-record-requests',
    setup(build) {
      build.onResolve({ filter: /^k6\/http$/ }, (args) => (args.importer === K6_REQUEST_RECORDER || args.importer === K6_HTTP_SHIM ? undefined : { path: K6_REQUEST_RECORDER }));
    },
  };
}

const flagChannel: SideChannel = {
  name: 'record-bodies',
  start: async (ctx) => {
    ctx.flags.add(REQUESTS_RECORDED_FLAG);
    return undefined;
  },
  stop: async () => undefined,
};

/** The run's side channels plus the recording (its plugin first, so that it wraps the APM shim). */
export function withRequestRecording(factory: SideChannelFactory): SideChannelFactory {
  return () => {
    const prepared = factory();
    return { ...prepared, channels: [...prepared.channels, flagChannel], bundlePlugins: [requestRecorderPlugin(), ...prepared.bundlePlugins] };
  };
}

/** The recorded request in one k6 log line, or undefined when the line is something else. */
export function recordedRequestOf(line: string): RecordedRequest | undefined {
  const at = line.indexOf(`${RECORD_MARKER} `);
  if (at < 0) return undefined;
  const b64 = /^[A-Za-z0-9+/=]+/.exec(line.slice(at + RECORD_MARKER.length + 1))?.[0];
  if (!b64) return undefined;
  try {
    const r = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as RecordedRequest;
    return typeof r.method === 'string' && typeof r.url === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded requests of a run folder; undefined when the run was not made with --record-bodies. */
export async function readRecordedRequests(dir: string, meta: RunMeta): Promise<RecordedRequest[] | undefined> {
  if (!meta.flags.includes(REQUESTS_RECORDED_FLAG)) return undefined;
  const out: RecordedRequest[] = [];
  for (const o of rawOutputs(dir, meta)) {
    if (!existsSync(o.k6Log)) continue;
    const lines = createInterface({ input: createReadStream(o.k6Log, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      const r = recordedRequestOf(line);
      if (r) out.push(r);
    }
  }
  return out;
}
