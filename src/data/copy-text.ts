/**
 * PostgreSQL's COPY text format, one field at a time: tab-separated, \N for NULL, backslash escapes. Rows
 * end with a newline byte, which never occurs inside a field (it is escaped), so rows can be cut on raw
 * bytes before decoding. Pure, but for the stream sink at the end.
 */
import { Writable } from 'node:stream';

export const NULL_FIELD = '\\N';

const DECODE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** A COPY text field → its value (null for \N). */
export function decodeField(field: string): string | null {
  if (field === NULL_FIELD) return null;
  if (!field.includes('\\')) return field;
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const c = field[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = field[i + 1] ?? '';
    if (n in DECODE) {
      out += DECODE[n];
      i++;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(field.slice(i + 1)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(m[0], 8));
      i += m[0].length;
    } else if (n === 'x' && /[0-9a-fA-F]/.test(field[i + 2] ?? '')) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(field.slice(i + 2)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(m[0], 16));
      i += 1 + m[0].length;
    } else {
      out += n;
      i++;
    }
  }
  return out;
}

/** A value → its COPY text field. */
export function encodeField(value: string | null): string {
  if (value === null) return NULL_FIELD;
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : value;
}

/** Splits a buffer stream into complete lines (without the newline), keeping the tail for the next chunk. */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);
  push(chunk: Buffer, onLine: (line: Buffer) => void): void {
    let buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      onLine(buf.subarray(start, nl));
      start = nl + 1;
    }
    buf = buf.subarray(start);
    this.rest = Buffer.from(buf);
  }
  /** Whatever is left (a last line without its newline). */
  end(onLine: (line: Buffer) => void): void {
    if (this.rest.length) onLine(this.rest);
    this.rest = Buffer.alloc(0);
  }
}

/** A stream sink that cuts COPY text into lines and hands each to `onLine` (the extract's three readers). */
export function lineSink(onLine: (line: Buffer) => void): Writable {
  const splitter = new LineSplitter();
  return new Writable({
    write(chunk: Buffer, _e, done) {
      splitter.push(chunk, onLine);
      done();
    },
    final(done) {
      splitter.end(onLine);
      done();
    },
  });
}
