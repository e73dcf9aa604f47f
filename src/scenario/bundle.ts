/** esbuild adapter: the generated entry + scenario TypeScript → one k6 script with a source map. */
import { build, type Message, type Plugin } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { PerfcellError } from '../errors.js';

const K6_API = fileURLToPath(new URL('./k6-api.ts', import.meta.url));

export interface Bundle {
  /** bundle.js, ending with a sourceMappingURL comment naming bundle.js.map beside it. */
  script: Uint8Array;
  map: Uint8Array;
}

function describe(m: Message): string {
  const loc = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
  return `${loc}${m.text}`;
}

/**
 * Bundles in memory (nothing is written until the bundle is known good). k6 and k6/* stay external (k6 provides them); `perfcell/k6` resolves to
 * the helper. The map is linked by a sourceMappingURL comment, which k6 reads so that script errors point
 * at the TypeScript line.
 */
export async function bundleScenarios(entrySource: string, root: string, plugins: Plugin[] = []): Promise<Bundle> {
  try {
    const result = await build({
      stdin: { contents: entrySource, resolveDir: root, sourcefile: 'perfcell-entry.js', loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2020',
      external: ['k6', 'k6/*'],
      alias: { 'perfcell/k6': K6_API },
      // e.g. the APM shim that stands in for k6/http (src/apm/bundle-plugin.ts).
      plugins,
      sourcemap: 'linked',
      sourcesContent: true,
      // Absolute sources: a k6 stack trace names the real scenario file, wherever the run folder is.
      sourceRoot: root.endsWith('/') ? root : `${root}/`,
      outfile: join(root, 'bundle.js'),
      write: false,
      logLevel: 'silent',
    });
    const missing = result.warnings.filter((w) => w.id === 'import-is-undefined');
    if (missing.length > 0) {
      throw new PerfcellError(`scenario bundle failed: ${missing.map((w) => w.text.replace(/ because the file .*$/, '')).join('; ')} (check the "file#function" of each transaction)`);
    }
    const script = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (!script || !map) throw new Error('esbuild returned no bundle');
    return { script: script.contents, map: map.contents };
  } catch (err) {
    if (err instanceof PerfcellError) throw err;
    const errors = (err as { errors?: Message[] }).errors;
    if (errors?.length) throw new PerfcellError(`scenario bundle failed: ${errors.map(describe).join('; ')}`);
    throw err;
  }
}

/** Writes bundle.js and bundle.js.map into a folder; returns the script's path. */
export function writeBundle(dir: string, bundle: Bundle): string {
  const scriptPath = join(dir, 'bundle.js');
  writeFileSync(scriptPath, bundle.script);
  writeFileSync(`${scriptPath}.map`, bundle.map);
  return scriptPath;
}
