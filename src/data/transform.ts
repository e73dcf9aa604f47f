/**
 * Masking a COPY text stream row by row, in bounded memory: rows are cut on newlines, only masked columns
 * are decoded, and each masked value is compared with its own original (the row half of the leak check).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { LineSplitter, decodeField, encodeField } from './copy-text.js';
import { GLOBALLY_CHECKED, type MaskKind, type Masker, normalizeValue } from './mask.js';
import type { TablePlan } from './rules.js';

/** Masks the row-checked outputs are compared on; shifted dates and replaced binaries are not. */
const ROW_CHECK_SKIPPED: ReadonlySet<string> = new Set(['date_shift', 'blob']);

export interface MaskStats {
  rows: number;
  /** Per column: rows whose masked value equals the row's original once normalised. */
  rowLeaks: Record<string, number>;
}

/**
 * `onChecked(column, output)` receives every masked output of the identifying masks (GLOBALLY_CHECKED) as
 * it is written: the global leak check tests them there instead of reading the output back afterwards.
 */
export function createRowMasker(plan: TablePlan, masker: Masker, onChecked?: (column: string, output: string) => void): { maskLine: (line: string) => string; stats: MaskStats } {
  const actions = plan.columns.map((c) => c.action);
  const checked = actions.map((a) => onChecked !== undefined && GLOBALLY_CHECKED.has(a as MaskKind));
  const masked = actions.some((a) => a !== 'keep');
  const stats: MaskStats = { rows: 0, rowLeaks: {} };
  const maskLine = (line: string): string => {
    stats.rows++;
    if (!masked) return line;
    const fields = line.split('\t');
    const person = plan.personIndex >= 0 ? decodeField(fields[plan.personIndex] as string) : null;
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i] as string;
      if (action === 'keep') continue;
      if (action === 'drop') {
        fields[i] = '\\N';
        continue;
      }
      const original = decodeField(fields[i] as string);
      if (original === null) continue;
      const out = masker.mask(action as MaskKind, original, person);
      if (!ROW_CHECK_SKIPPED.has(action)) {
        const n = normalizeValue(original);
        if (n !== '' && n === normalizeValue(out)) {
          const col = plan.columns[i]?.name as string;
          stats.rowLeaks[col] = (stats.rowLeaks[col] ?? 0) + 1;
        }
      }
      if (checked[i]) (onChecked as (column: string, output: string) => void)(plan.columns[i]?.name as string, out);
      fields[i] = encodeField(out);
    }
    return fields.join('\t');
  };
  return { maskLine, stats };
}

/** COPY text in → masked COPY text out, line by line. A table whose columns are all kept passes through. */
export class MaskTransform extends Transform {
  private readonly splitter = new LineSplitter();
  readonly stats: MaskStats;
  private readonly maskLine: (line: string) => string;
  /**
   * Every column kept: the bytes go through as they came, rows only counted (newline bytes). Cutting and
   * re-joining the lines of such tables — the invoices and their lines, most of an extract's rows — was
   * Node's work for nothing.
   */
  private readonly passThrough: boolean;
  private endsWithNewline = true;
  constructor(plan: TablePlan, masker: Masker, onChecked?: (column: string, output: string) => void) {
    super();
    const m = createRowMasker(plan, masker, onChecked);
    this.stats = m.stats;
    this.maskLine = m.maskLine;
    this.passThrough = plan.columns.every((c) => c.action === 'keep');
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.passThrough) {
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, nl + 1)) this.stats.rows++;
      if (chunk.length > 0) this.endsWithNewline = chunk[chunk.length - 1] === 10;
      this.push(chunk);
      done();
      return;
    }
    const out: string[] = [];
    try {
      this.splitter.push(chunk, (line) => out.push(this.maskLine(line.toString('utf8'))));
    } catch (error) {
      done(error as Error);
      return;
    }
    if (out.length) this.push(out.join('\n') + '\n');
    done();
  }
  override _flush(done: TransformCallback): void {
    if (this.passThrough) {
      // A last row without its newline (never from COPY): counted and ended, as the line path does.
      if (!this.endsWithNewline) {
        this.stats.rows++;
        this.push('\n');
      }
      done();
      return;
    }
    const out: string[] = [];
    this.splitter.end((line) => out.push(this.maskLine(line.toString('utf8'))));
    if (out.length) this.push(out.join('\n') + '\n');
    done();
  }
}
