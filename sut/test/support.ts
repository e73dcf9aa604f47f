/** Helpers for the reference target's tests: ports, HTTP, polling, table digests, a TCP proxy, a slow stub. */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket, type AddressInfo } from 'node:net';
import { SERVICE_NAMES, type ServiceName } from '../topology.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import type { Db } from '../lib/db.js';

/** Every service on a free port: tests never collide with a target started on the default ports. */
export const ANY_PORTS = Object.fromEntries(SERVICE_NAMES.map((n) => [n, 0])) as Record<ServiceName, number>;

export async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
}

export async function http<T = Record<string, unknown>>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  const res = await fetch(url, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, body: body !== undefined ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, text };
}

/** Polls until `fn` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** md5 of a table's rows in primary-key order: equal digests mean equal data. */
export async function tableDigest(db: Db, table: string, orderBy: string): Promise<string> {
  const [r] = await db.query<{ d: string; n: number }>(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY ${orderBy}), '')) AS d, count(*)::int AS n FROM ${table} t`);
  return `${r?.n}:${r?.d}`;
}

/** A TCP proxy that can be cut (connections dropped, port closed) and restored on the same port. */
export class TcpProxy {
  private server: TcpServer | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  async start(): Promise<void> {
    const server = createTcpServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

/** A stand-in for the four departments: every /persons/:id/summary answers `{}` after `delayMs`. */
export async function startSlowDepartments(port: number, delayMs: number): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createHttpServer((req, res) => {
    hits++;
    setTimeout(() => {
      res.writeHead(req.url?.includes('/summary') || req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
      res.end('{}');
    }, req.url === '/health' ? 0 : delayMs);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement as postgres on this machine's server (CREATE / DROP DATABASE of a test or a bench). */
export async function pgAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A full garbage collection, so that heap figures count only what is still referenced. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
