/**
 * Department events. Two transports behind one interface: a RabbitMQ topic exchange (durable queue per
 * consuming service, persistent messages, publisher confirms) when an AMQP URL is given, an in-process bus
 * otherwise. In both, a queue keeps its messages while its consumer is away and delivers them when it comes
 * back; consumers are idempotent (each event carries an id recorded in the consumer's processed_events).
 */
import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';

export interface DomainEvent<P = Record<string, unknown>> {
  id: string;
  type: string;
  occurredAt: string;
  payload: P;
}

export type EventHandler = (event: DomainEvent) => Promise<void>;

export interface Subscription {
  /** Stops consuming; the queue keeps collecting events. */
  close(): Promise<void>;
}

export interface Bus {
  readonly kind: 'amqp' | 'in-process' | 'relay';
  publish(type: string, payload: Record<string, unknown>): Promise<DomainEvent>;
  /** Consumes the named queue (created on first use) bound to these routing keys. */
  subscribe(queue: string, routingKeys: readonly string[], handler: EventHandler): Promise<Subscription>;
  healthy(): boolean;
  close(): Promise<void>;
}

export function newEvent(type: string, payload: Record<string, unknown>): DomainEvent {
  return { id: randomUUID(), type, occurredAt: new Date().toISOString(), payload };
}

/** AMQP topic matching: "*" is one word, "#" zero or more. */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

interface LocalQueue {
  keys: readonly string[];
  pending: DomainEvent[];
  handler?: EventHandler;
  draining: boolean;
}

export class InProcessBus implements Bus {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, LocalQueue>();

  async publish(type: string, payload: Record<string, unknown>): Promise<DomainEvent> {
    const event = newEvent(type, payload);
    for (const q of this.queues.values()) {
      if (q.keys.some((k) => topicMatches(k, type))) {
        q.pending.push(event);
        this.drain(q);
      }
    }
    return event;
  }

  async subscribe(queue: string, routingKeys: readonly string[], handler: EventHandler): Promise<Subscription> {
    const q = this.queues.get(queue) ?? { keys: routingKeys, pending: [], draining: false };
    this.queues.set(queue, q);
    q.handler = handler;
    this.drain(q);
    return {
      close: async () => {
        if (q.handler === handler) q.handler = undefined;
      },
    };
  }

  /** Delivers in order, one at a time; a failing handler gets the event again after a short pause. */
  private drain(q: LocalQueue): void {
    if (q.draining) return;
    q.draining = true;
    setImmediate(async () => {
      while (q.pending.length > 0 && q.handler) {
        const event = q.pending[0] as DomainEvent;
        try {
          await q.handler(event);
          q.pending.shift();
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      q.draining = false;
      if (q.pending.length > 0 && q.handler) this.drain(q);
    });
  }

  pendingCount(queue: string): number {
    return this.queues.get(queue)?.pending.length ?? 0;
  }

  healthy(): boolean {
    return true;
  }

  async close(): Promise<void> {
    for (const q of this.queues.values()) q.handler = undefined;
  }
}

export interface AmqpBusOptions {
  url: string;
  /** Topic exchange name; tests use a unique one per run. */
  exchange: string;
}

/**
 * RabbitMQ bus with reconnection: while the broker is unreachable, healthy() is false and publish fails
 * (the calling route answers 503); subscriptions are re-established when the connection comes back.
 */
export class AmqpBus implements Bus {
  readonly kind = 'amqp' as const;
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private readonly subscriptions = new Map<string, { keys: readonly string[]; handler: EventHandler; consumerTag?: string; channel?: ConfirmChannel }>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AmqpBusOptions) {}

  static async connect(options: AmqpBusOptions): Promise<AmqpBus> {
    const bus = new AmqpBus(options);
    await bus.ensureConnected();
    return bus;
  }

  private ensureConnected(): Promise<void> {
    if (this.channel) return Promise.resolve();
    this.connecting ??= this.doConnect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    const connection = await amqp.connect(this.options.url, { timeout: 2000 });
    connection.on('error', () => undefined);
    connection.on('close', () => this.lost(connection));
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
    this.connection = connection;
    this.channel = channel;
    for (const [queue, s] of this.subscriptions) await this.consume(queue, s);
  }

  private lost(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.channel = undefined;
    for (const s of this.subscriptions.values()) {
      s.consumerTag = undefined;
      s.channel = undefined;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureConnected().catch(() => this.scheduleReconnect());
    }, 500);
  }

  async publish(type: string, payload: Record<string, unknown>): Promise<DomainEvent> {
    const event = newEvent(type, payload);
    try {
      await this.ensureConnected();
    } catch (error) {
      this.scheduleReconnect();
      throw new BrokerUnavailableError(error);
    }
    const channel = this.channel;
    if (!channel) throw new BrokerUnavailableError(undefined);
    await new Promise<void>((resolve, reject) => {
      channel.publish(this.options.exchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id, contentType: 'application/json' }, (err) =>
        err ? reject(new BrokerUnavailableError(err)) : resolve(),
      );
    });
    return event;
  }

  async subscribe(queue: string, routingKeys: readonly string[], handler: EventHandler): Promise<Subscription> {
    const s: { keys: readonly string[]; handler: EventHandler; consumerTag?: string; channel?: ConfirmChannel } = { keys: routingKeys, handler };
    this.subscriptions.set(queue, s);
    await this.ensureConnected();
    if (!s.consumerTag) await this.consume(queue, s);
    return {
      close: async () => {
        this.subscriptions.delete(queue);
        if (s.consumerTag && s.channel) await s.channel.cancel(s.consumerTag).catch(() => undefined);
        if (s.channel) await s.channel.close().catch(() => undefined);
      },
    };
  }

  /**
   * One channel per consumer, ack after the handler succeeded, requeue after a failure. Prefetch 1: events
   * of a queue are handled one at a time, in order (a contact update never overtakes the person's
   * creation), like the in-process bus; a department's handlers take a millisecond or two.
   */
  private async consume(queue: string, s: { keys: readonly string[]; handler: EventHandler; consumerTag?: string; channel?: ConfirmChannel }): Promise<void> {
    if (!this.connection) return;
    const channel = await this.connection.createConfirmChannel();
    channel.on('error', () => undefined);
    await channel.assertQueue(queue, { durable: true });
    for (const k of s.keys) await channel.bindQueue(queue, this.options.exchange, k);
    await channel.prefetch(1);
    const { consumerTag } = await channel.consume(queue, (msg) => {
      if (!msg) return;
      let event: DomainEvent;
      try {
        event = JSON.parse(msg.content.toString('utf8')) as DomainEvent;
      } catch {
        settle(() => channel.nack(msg, false, false)); // not JSON: never deliverable
        return;
      }
      s.handler(event).then(
        () => settle(() => channel.ack(msg)),
        () => setTimeout(() => settle(() => channel.nack(msg, false, true)), 200),
      );
    });
    s.consumerTag = consumerTag;
    s.channel = channel;
  }

  healthy(): boolean {
    if (!this.channel) this.ensureConnected().catch(() => this.scheduleReconnect());
    return this.channel !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    if (c) await c.close().catch(() => undefined);
  }
}

/**
 * An ack or nack on a consumer's channel, which may have closed while the handler ran (the service stopping,
 * the broker going away): amqplib then throws "Channel closed". Nothing is lost — the broker requeues every
 * unacknowledged message and consumers are idempotent — so the late settlement is dropped.
 */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    /* channel gone: the broker redelivers */
  }
}

export class BrokerUnavailableError extends Error {
  constructor(cause: unknown) {
    super('message broker unavailable', { cause });
    this.name = 'BrokerUnavailableError';
  }
}

/** Deletes a run's exchange and queues (tests use unique names and clean up after themselves). */
export async function deleteAmqpObjects(url: string, exchange: string, queues: readonly string[]): Promise<void> {
  const c = await amqp.connect(url);
  try {
    const ch = await c.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
    await ch.deleteExchange(exchange);
    await ch.close();
  } finally {
    await c.close();
  }
}
