/**
 * A target with dependencies, for campaign tests: GET /hello calls LEGAL_URL/hello/persons/42, then posts a
 * ticket to TICKETING_URL, then answers. /health answers 200. Port from PORT.
 */
import { createServer } from 'node:http';

const legal = process.env.LEGAL_URL;
const ticketing = process.env.TICKETING_URL;
if (!legal || !ticketing) throw new Error('relay-target: LEGAL_URL and TICKETING_URL are required');

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', service: 'relay', version: '1.2.3' }));
    return;
  }
  if (req.url?.startsWith('/hello')) {
    const extra = req.url.includes('extra=1');
    void (async () => {
      try {
        const person = await fetch(`${legal}/hello/persons/42`);
        await person.arrayBuffer();
        const ticket = await fetch(`${ticketing}/api/v2/tickets${extra ? '/unknown' : ''}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
        await ticket.arrayBuffer();
        res.writeHead(person.ok ? 200 : 502, { 'content-type': 'text/plain' });
        res.end('hello\n');
      } catch (e) {
        res.writeHead(503);
        res.end(String(e));
      }
    })();
    return;
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
