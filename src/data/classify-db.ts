/** `perfcell data classify` against a database: introspect, sample each table, propose the rules file. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PerfcellError } from '../errors.js';
import { proposeRules } from './classify.js';
import { connect, introspect, redactUrl, sampleRows } from './pg.js';
import { qualifiedName } from './rules.js';

/** Rows sampled per table: enough to recognise a format or a code column, cheap on a large table. */
export const SAMPLE_ROWS = 200;

export async function classifyDatabase(url: string, outFile: string, o: { force?: boolean } = {}): Promise<{ tables: number; columns: number; unsure: number }> {
  if (existsSync(outFile) && !o.force) throw new PerfcellError(`-o ${outFile}: the file exists (a reviewed rules file is not overwritten; --force to replace it)`, 'input');
  const client = await connect(url, '--from');
  try {
    const catalog = await introspect(client);
    const samples = new Map<string, (string | null)[][]>();
    for (const t of catalog.tables) samples.set(qualifiedName(t), await sampleRows(client, t, SAMPLE_ROWS));
    const r = proposeRules(catalog, samples, redactUrl(url));
    mkdirSync(dirname(outFile) || '.', { recursive: true });
    writeFileSync(outFile, r.text);
    return { tables: catalog.tables.length, columns: r.columns, unsure: r.unsure };
  } finally {
    await client.end().catch(() => undefined);
  }
}
