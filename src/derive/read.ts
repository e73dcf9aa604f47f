/**
 * Streaming line reader over log files, plain or gzip (detected by its magic bytes, not its name), several
 * files in rotation order. A file is never loaded whole: chunks are cut at their last newline byte (so a
 * multi-byte UTF-8 character is never split), decoded, and split into lines.
 */
import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import { inputError } from '../errors.js';

/** 1 MiB reads: large enough that per-chunk costs vanish, small enough that memory stays flat. */
const CHUNK_BYTES = 1 << 20;
/**
 * A chunk is decoded in strings of at most 64 KiB (cut at a newline): V8 puts a larger string in its
 * large-object space, fresh pages mapped (and faulted in) for every 1 MiB chunk — 8 % of derive's time in a
 * profile — while small ones are young-generation objects whose pages are reused. (A chosen value below
 * V8's regular-object limit; lines are ~200 bytes, so a cut costs nothing.)
 */
const DECODE_BYTES = 64 * 1024;
/** A longer "line" is not a log line (a binary file given by mistake): cut and counted as unparseable. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Decodes bytes to a string. Access logs are ASCII nearly always (nginx escapes non-ASCII bytes in
 * `$request` and `$http_user_agent` as `\xHH`): an ASCII range is decoded as latin1, a byte-for-byte copy
 * that measured 30× faster than V8's UTF-8 decoder here (24 ms vs 800 ms per 200 MB, Node 20, the bench's
 * log) — that decoder was 29 % of `model derive`'s time. A range with any non-ASCII byte is decoded as UTF-8.
 */
export function decode(buf: Buffer, start = 0, end = buf.length): string {
  return isAscii(buf.subarray(start, end)) ? buf.toString('latin1', start, end) : buf.toString('utf8', start, end);
}

export function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Rotated sets in chronological order: `access.log.3.gz`, `access.log.2.gz`, `access.log.1`, `access.log`
 * (logrotate's numbering: higher is older); date suffixes (`access.log-20261201.gz`) sort as text. Files of
 * different bases keep the order they were given in.
 */
export function rotationOrder(files: string[]): string[] {
  const key = (f: string) => {
    const name = basename(f).replace(/\.gz$/, '');
    const m = /^(.*?)\.(\d{1,3})$/.exec(name);
    return m ? { base: m[1] as string, n: Number(m[2]) } : { base: name, n: 0 };
  };
  const firstIndex = new Map<string, number>();
  files.forEach((f, i) => {
    const k = key(f).base.replace(/-\d{8,10}$/, '');
    if (!firstIndex.has(k)) firstIndex.set(k, i);
  });
  return [...files].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const ga = firstIndex.get(ka.base.replace(/-\d{8,10}$/, '')) ?? 0;
    const gb = firstIndex.get(kb.base.replace(/-\d{8,10}$/, '')) ?? 0;
    if (ga !== gb) return ga - gb;
    if (ka.base !== kb.base) return ka.base < kb.base ? -1 : 1;
    return kb.n - ka.n;
  });
}

export interface FileSource {
  file: string;
  gzip: boolean;
  bytes: number;
}

export function openSources(files: string[]): FileSource[] {
  if (files.length === 0) throw inputError('--from', '', 'at least one access-log file');
  return rotationOrder(files).map((file) => {
    if (!existsSync(file)) throw inputError(file, '', 'an access-log file (it does not exist)');
    const st = statSync(file);
    if (!st.isFile()) throw inputError(file, '', 'an access-log file (it is a directory; give its files, e.g. dir/access.log*)');
    return { file, gzip: isGzip(file), bytes: st.size };
  });
}

/**
 * Calls `onLine(line, lineNo)` for each line of the file (1-based numbers, `\r\n` accepted). Returns the
 * number of lines. `onLine` returning false stops early.
 */
export async function readLines(source: FileSource, onLine: (line: string, lineNo: number) => boolean | void): Promise<number> {
  const raw = createReadStream(source.file, { highWaterMark: CHUNK_BYTES });
  const stream: Readable = source.gzip ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw;
  let carry: Buffer | undefined;
  let lineNo = 0;
  let stopped = false;
  const emit = (text: string): void => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const end = nl < 0 ? text.length : nl;
      let line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      if (line.length > MAX_LINE_CHARS) line = line.slice(0, MAX_LINE_CHARS);
      lineNo++;
      if (onLine(line, lineNo) === false) {
        stopped = true;
        return;
      }
      if (nl < 0) return;
      start = nl + 1;
    }
  };
  /** Emits the lines of `chunk[start, end)` (`end` at a newline or the data's end), decoded in small pieces. */
  const emitRange = (chunk: Buffer, start: number, end: number): void => {
    while (end - start > DECODE_BYTES) {
      let cut = chunk.lastIndexOf(10, start + DECODE_BYTES);
      // A line longer than a piece: up to its own end.
      if (cut < start) cut = chunk.indexOf(10, start + DECODE_BYTES);
      if (cut < 0 || cut >= end) break;
      emit(decode(chunk, start, cut));
      if (stopped) return;
      start = cut + 1;
    }
    emit(decode(chunk, start, end));
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const last = chunk.lastIndexOf(10);
      if (last < 0) {
        carry = carry ? Buffer.concat([carry, chunk]) : chunk;
        // A "line" longer than this is no log line: flush it so that memory stays bounded.
        if (carry.length > MAX_LINE_CHARS * 4) {
          emit(decode(carry));
          carry = undefined;
        }
        continue;
      }
      if (carry) {
        // The carried start of a line and this chunk's first line, decoded together (a small copy); the
        // rest of the chunk is decoded in place.
        const first = chunk.indexOf(10);
        emit(decode(Buffer.concat([carry, chunk.subarray(0, first)])));
        if (stopped) break;
        if (first < last) emitRange(chunk, first + 1, last);
      } else emitRange(chunk, 0, last);
      carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
      if (stopped) break;
    }
    if (!stopped && carry && carry.length > 0) emit(decode(carry));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (source.gzip && /^Z_|ERR_/.test(code)) throw inputError(source.file, `line ${lineNo + 1}`, `a complete gzip stream (${(error as Error).message})`);
    throw error;
  } finally {
    raw.destroy();
  }
  return lineNo;
}
