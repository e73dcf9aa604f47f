/** esbuild adapter: the generated entry + scenario TypeScript → one k6 script with a source map. */
import { build, type Message } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { PerfcellError } from '../errors.js';

const K6_API = fileURLToPath(new URL('./k6-api.ts', import.meta.url));

export interface BundleResult {
  scriptPath: string;
  mapPath: string;
}

function describe(m: Message): string {
  const loc = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
  return `${loc}${m.text}`;
}

/**
 * Bundles into `outDir/bundle.js`. k6 and k6/* stay external (k6 provides them); `perfcell/k6` resolves to
 * the helper. The map is linked by a sourceMappingURL comment, which k6 reads so that script errors point
 * at the TypeScript line.
 */
export async function bundleScenarios(entrySource: string, root: string, outDir: string): Promise<BundleResult> {
  const scriptPath = join(outDir, 'bundle.js');
  try {
    const result = await build({
      stdin: { contents: entrySource, resolveDir: root, sourcefile: 'perfcell-entry.js', loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2020',
      external: ['k6', 'k6/*'],
      alias: { 'perfcell/k6': K6_API },
      sourcemap: 'linked',
      sourcesContent: true,
      outfile: scriptPath,
      write: false,
      logLevel: 'silent',
    });
    for (const f of result.outputFiles) writeFileSync(f.path, f.contents);
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (errors?.length) throw new PerfcellError(`scenario bundle failed: ${errors.map(describe).join('; ')}`);
    throw err;
  }
  return { scriptPath, mapPath: `${scriptPath}.map` };
}
