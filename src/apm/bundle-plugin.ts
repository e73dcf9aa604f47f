/**
 * esbuild plugin that makes scenario code's `import http from 'k6/http'` load the APM shim instead; the shim
 * itself (and only it) gets the real, external `k6/http`.
 */
import type { Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const K6_HTTP_SHIM = fileURLToPath(new URL('./k6-http-shim.ts', import.meta.url));

export function apmHttpShimPlugin(): Plugin {
  return {
    name: 'perfcell-apm-k6-http',
    setup(build) {
      build.onResolve({ filter: /^k6\/http$/ }, (args) =>
        args.importer === K6_HTTP_SHIM ? { path: 'k6/http', external: true } : { path: K6_HTTP_SHIM },
      );
    },
  };
}
