/**
 * Opt-in access log in nginx's `combined` format plus `$request_time` (seconds), so that a campaign's own
 * traffic can be derived back into a load model (`perfcell model derive`, issue 16). Off unless
 * SUT_ACCESS_LOG names a file; `{service}` in the name is replaced by the service's name (embedded mode runs
 * several services in one process: one file each). Lines are appended through one stream per file.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const streams = new Map<string, WriteStream>();
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** nginx escapes `"`, `\` and control characters in logged strings as \xNN. */
function esc(s: string): string {
  // Control characters are exactly what this escapes.
  // eslint-disable-next-line no-control-regex
  return s.replace(/["\\\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `$time_local` in UTC: `02/Dec/2026:09:15:02 +0000`. */
export function clfTimeUtc(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

export function combinedLine(request: FastifyRequest, reply: FastifyReply, nowMs: number): string {
  const length = reply.getHeader('content-length');
  const bytes = length === undefined ? '-' : String(length);
  const ua = request.headers['user-agent'] ?? '-';
  const referer = request.headers.referer ?? '-';
  return `${request.ip} - - [${clfTimeUtc(nowMs)}] "${request.method} ${esc(request.url)} HTTP/${request.raw.httpVersion}" ${reply.statusCode} ${bytes} "${esc(String(referer))}" "${esc(String(ua))}" ${(reply.elapsedTime / 1000).toFixed(3)}\n`;
}

/** The onResponse hook for a service, or undefined when SUT_ACCESS_LOG is not set. */
export function accessLogHook(service: string, file = process.env.SUT_ACCESS_LOG): ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined {
  if (!file) return undefined;
  const path = file.replace(/\{service\}/g, service);
  let stream = streams.get(path);
  if (!stream) {
    stream = createWriteStream(path, { flags: 'a' });
    streams.set(path, stream);
  }
  const s = stream;
  return async (request, reply) => {
    s.write(combinedLine(request, reply, Date.now()));
  };
}

/** Ends every access-log stream (flushes them); for a clean stop and for tests. */
export async function closeAccessLogs(): Promise<void> {
  const all = [...streams.values()];
  streams.clear();
  await Promise.all(all.map((s) => new Promise<void>((r) => s.end(() => r()))));
}
