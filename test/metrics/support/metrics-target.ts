/**
 * An HTTP target for the metrics, monitor and APM tests: /hello (fast), /slow (200 ms), anything else 404,
 * and a real Prometheus /metrics from prom-client (process CPU, event-loop lag). It keeps the headers of
 * the last requests so that tests can check what k6 sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

export interface MetricsTarget {
  url: string;
  port: number;
  hits: () => number;
  /** Headers of the requests received (the last 1000). */
  headers: () => IncomingHttpHeaders[];
  close: () => Promise<void>;
}

export async function startMetricsTarget(): Promise<MetricsTarget> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const requests = new Counter({ name: 'target_requests_total', help: 'requests served', labelNames: ['route'], registers: [registry] });
  const seen: IncomingHttpHeaders[] = [];
  let hits = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    hits++;
    seen.push(req.headers);
    if (seen.length > 1000) seen.shift();
    const route = req.url?.split('?')[0] ?? '/';
    requests.inc({ route });
    if (route === '/hello') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello\n');
    } else if (route === '/slow') {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('slow\n');
      }, 200);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no\n');
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: () => hits,
    headers: () => seen,
    close: () => new Promise((res) => { server.closeAllConnections(); server.close(() => res()); }),
  };
}
