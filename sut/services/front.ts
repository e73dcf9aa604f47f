/** front — serves the operator's static page (sut/front/) and tells it where grc is (GET /config.js). */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext, ServiceModule } from '../lib/app.js';

const FILES: Record<string, string> = { '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/style.css': 'style.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

function routes(app: FastifyInstance, ctx: ServiceContext): void {
  const dir = new URL('../front/', import.meta.url);
  const content = Object.fromEntries(Object.values(FILES).map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]));
  for (const [path, file] of Object.entries(FILES)) {
    app.get(path, async (_request, reply) => reply.header('content-type', TYPES[file.split('.').pop() as string]).header('cache-control', 'no-cache').send(content[file]));
  }
  app.get('/config.js', async (_request, reply) =>
    reply.header('content-type', TYPES.js).header('cache-control', 'no-store').send(`window.SUT_CONFIG = ${JSON.stringify({ grcUrl: ctx.deps.grc ?? '' })};\n`),
  );
}

export const front: ServiceModule = { name: 'front', routes };
