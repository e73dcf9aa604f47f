/** Before any load: every target answers HTTP, and what its /health says is recorded (versions). */
import { PerfcellError } from '../errors.js';

export interface TargetCheck {
  name: string;
  url: string;
  health: unknown;
}

async function get(url: string, timeoutMs: number): Promise<Response> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    return await fetch(url, { signal: ac.signal });
  } finally {
    clearTimeout(timer);
  }
}

export async function checkTargets(targets: Record<string, string>, where: string, timeoutMs = 3000): Promise<TargetCheck[]> {
  const out: TargetCheck[] = [];
  for (const [name, url] of Object.entries(targets)) {
    try {
      await (await get(url, timeoutMs)).arrayBuffer();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const cause = err.cause?.code ?? err.cause?.message ?? err.message;
      throw new PerfcellError(`${where}: targets.${name}: a reachable HTTP server at ${url} (${cause}); start it first (reference target: \`perfcell sut start\`)`, 'environment');
    }
    let health: unknown = null;
    try {
      const r = await get(new URL('health', url.endsWith('/') ? url : `${url}/`).href, timeoutMs);
      if (r.ok && (r.headers.get('content-type') ?? '').includes('json')) health = await r.json();
    } catch {
      // /health is optional for targets that are not ours.
    }
    out.push({ name, url, health });
  }
  return out;
}
