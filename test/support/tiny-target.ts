/** A small HTTP target for tests of perfcell itself: /hello answers after a configurable delay. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TinyTarget {
  url: string;
  port: number;
  hits: () => number;
  setDelayMs: (ms: number) => void;
  close: () => Promise<void>;
}

/** `host`: where it listens (loopback by default; a namespace test host's veth address for SSH injectors). */
export async function startTinyTarget(port = 0, delayMs = 0, host = '127.0.0.1'): Promise<TinyTarget> {
  let delay = delayMs;
  let hits = 0;
  const server: Server = createServer((req, res) => {
    // perfcell's monitor asks for /metrics once (404 here): not load, not counted.
    if (req.url !== '/metrics') hits++;
    const reply = () => {
      res.writeHead(req.url?.startsWith('/hello') || req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' });
      res.end('hello\n');
    };
    if (delay > 0) setTimeout(reply, delay);
    else reply();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((res) => server.listen(port, host, res));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    hits: () => hits,
    setDelayMs: (ms) => (delay = ms),
    close: () => new Promise((res) => { server.closeAllConnections(); server.close(() => res()); }),
  };
}
