/**
 * The generated k6 entry for one run: imports each transaction's scenario module, registers the data sets,
 * and exports one exec function per transaction plus the compiled options. Pure: text in, text out.
 */
import { resolve } from 'node:path';
import type { CompiledRun } from '../model/compile.js';

export interface EntryInput {
  compiled: CompiledRun;
  /** Folder relative scenario and data paths resolve from. */
  root: string;
  data: Record<string, string>;
  /**
   * Open each data set as `data-<name>.csv` beside the bundle instead of at its path here: the bundle then runs
   * on another host (an SSH injector) with its data files copied next to it.
   */
  dataBesideBundle?: boolean;
}

/** A data set's file name beside the bundle (SSH injectors, k6-operator's ConfigMap). */
export function dataFileName(name: string): string {
  return `data-${name}.csv`;
}

export function generateEntry({ compiled, root, data, dataBesideBundle }: EntryInput): string {
  const modules = new Map<string, string>();
  const lines: string[] = [
    `import { SharedArray } from 'k6/data';`,
    `import { registerData, parseCsv, transaction } from 'perfcell/k6';`,
  ];
  for (const t of compiled.transactions) {
    const file = resolve(root, t.scenario.split('#')[0] as string);
    if (!modules.has(file)) {
      const alias = `scenario${modules.size}`;
      modules.set(file, alias);
      lines.push(`import * as ${alias} from ${JSON.stringify(file)};`);
    }
  }
  lines.push(`export const options = ${JSON.stringify(compiled.options, null, 2)};`);
  for (const [name, path] of Object.entries(data)) {
    // k6 resolves a relative open() from the script's folder, whatever the working directory.
    const abs = dataBesideBundle ? `./${dataFileName(name)}` : resolve(root, path);
    lines.push(`registerData(${JSON.stringify(name)}, new SharedArray(${JSON.stringify(name)}, () => parseCsv(open(${JSON.stringify(abs)}))));`);
  }
  for (const t of compiled.transactions) {
    const file = resolve(root, t.scenario.split('#')[0] as string);
    const fn = t.scenario.split('#')[1] as string;
    const alias = modules.get(file) as string;
    // Dot access on the namespace lets esbuild report a missing export at bundle time (import-is-undefined).
    lines.push(`export const ${t.exec} = transaction(${alias}.${fn}, ${t.thinkTimeMs});`);
  }
  return lines.join('\n') + '\n';
}
