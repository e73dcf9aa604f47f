/**
 * Department events between processes when there is no RabbitMQ (isolated mode, embedded): the launching
 * process runs a relay — an in-process bus behind a small HTTP API — and each service process talks to it.
 * A service publishes with POST /publish; it subscribes by giving the relay a callback URL (a tiny HTTP
 * listener of its own), and the relay delivers each event there, retrying until the service answers 2xx:
 * a service that is down catches up when it comes back, like with a durable queue (as long as the relay
 * lives).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrokerUnavailableError, InProcessBus, type Bus, type DomainEvent, type EventHandler, type Subscription } from './bus.js';

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface EventRelay {
  url: string;
  close(): Promise<void>;
}

export async function startEventRelay(): Promise<EventRelay> {
  const bus = new InProcessBus();
  const subscribed = new Map<string, Subscription>();
  const server = createServer((req, res) => {
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    readJson(req)
      .then(async (body) => {
        if (req.method === 'POST' && req.url === '/publish') {
          const { type, payload } = body as { type: string; payload: Record<string, unknown> };
          return reply(200, await bus.publish(type, payload));
        }
        if (req.method === 'POST' && req.url === '/subscribe') {
          const { queue, keys, callbackUrl } = body as { queue: string; keys: string[]; callbackUrl: string };
          await subscribed.get(queue)?.close();
          subscribed.set(queue, await bus.subscribe(queue, keys, async (event) => {
            const r = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event), signal: AbortSignal.timeout(10_000) });
            if (r.status >= 300) throw new Error(`consumer answered ${r.status}`); // the in-process bus retries
          }));
          return reply(204);
        }
        if (req.method === 'POST' && req.url === '/unsubscribe') {
          const { queue } = body as { queue: string };
          await subscribed.get(queue)?.close();
          subscribed.delete(queue);
          return reply(204);
        }
        return reply(404, { error: 'Not Found' });
      })
      .catch(() => reply(400, { error: 'Bad Request' }));
  });
  const url = await listen(server);
  return {
    url,
    close: async () => {
      await bus.close();
      await close(server);
    },
  };
}

/** A service's side of the relay. */
export class RelayBus implements Bus {
  readonly kind = 'relay' as const;
  private listener: Server | undefined;
  private listenerUrl: Promise<string> | undefined;
  private readonly handlers = new Map<string, EventHandler>();
  private reachable = true;

  constructor(private readonly relayUrl: string) {}

  private async post(path: string, body: unknown): Promise<Response> {
    try {
      const r = await fetch(`${this.relayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
      this.reachable = true;
      return r;
    } catch (error) {
      this.reachable = false;
      throw new BrokerUnavailableError(error);
    }
  }

  async publish(type: string, payload: Record<string, unknown>): Promise<DomainEvent> {
    const r = await this.post('/publish', { type, payload });
    if (r.status !== 200) throw new BrokerUnavailableError(new Error(`relay answered ${r.status}`));
    return (await r.json()) as DomainEvent;
  }

  private callbackBase(): Promise<string> {
    this.listenerUrl ??= (async () => {
      this.listener = createServer((req, res) => {
        const queue = decodeURIComponent((req.url ?? '').replace(/^\/events\//, ''));
        const handler = this.handlers.get(queue);
        readJson(req)
          .then(async (event) => {
            if (!handler) throw new Error('no consumer');
            await handler(event as DomainEvent);
            res.writeHead(204).end();
          })
          .catch(() => res.writeHead(503).end());
      });
      return listen(this.listener);
    })();
    return this.listenerUrl;
  }

  async subscribe(queue: string, routingKeys: readonly string[], handler: EventHandler): Promise<Subscription> {
    this.handlers.set(queue, handler);
    const callbackUrl = `${await this.callbackBase()}/events/${encodeURIComponent(queue)}`;
    await this.post('/subscribe', { queue, keys: routingKeys, callbackUrl });
    return {
      close: async () => {
        this.handlers.delete(queue);
        await this.post('/unsubscribe', { queue }).catch(() => undefined);
      },
    };
  }

  healthy(): boolean {
    return this.reachable;
  }

  async close(): Promise<void> {
    if (this.listener) await close(this.listener);
  }
}
