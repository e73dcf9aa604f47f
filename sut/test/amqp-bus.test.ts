// The RabbitMQ bus on this machine's broker: a service stopping while one of its consumers is still handling
// an event (the handler finishes after the subscription's channel closed) must not throw an unhandled
// rejection from the late ack — the broker requeues the unacked message and consumers are idempotent. Seen as
// "IllegalOperationError: Channel closed" failing the PostgreSQL test file on a fresh clone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AmqpBus, deleteAmqpObjects } from '../lib/bus.js';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

test('a handler that finishes after its subscription closed: no unhandled rejection, the event is requeued', async () => {
  const exchange = `sut.test.bus.${process.pid}_${randomBytes(3).toString('hex')}`;
  const queue = `${exchange}.consumer`;
  const bus = await AmqpBus.connect({ url: AMQP_URL, exchange });
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  try {
    let release = () => {};
    const released = new Promise<void>((r) => (release = r));
    let started = () => {};
    const handling = new Promise<void>((r) => (started = r));
    const first = await bus.subscribe(queue, ['bus.check'], async () => {
      started();
      await released;
    });
    const sent = await bus.publish('bus.check', { n: 1 });
    await handling;
    await first.close();
    release();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(rejections.map(String), []);
    // The event was never acknowledged: the next consumer of the queue gets it again.
    let second: { close(): Promise<void> } | undefined;
    const again = new Promise<string>((resolve) => {
      void bus.subscribe(queue, ['bus.check'], async (e) => resolve(e.id)).then((s) => (second = s));
    });
    assert.equal(await again, sent.id);
    await second?.close();
  } finally {
    process.off('unhandledRejection', onRejection);
    await bus.close();
    await deleteAmqpObjects(AMQP_URL, exchange, [queue]).catch(() => undefined);
  }
});
