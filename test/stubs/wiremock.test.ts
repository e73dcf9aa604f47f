import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadStubSet } from '../../src/stubs/stub-set.js';
import { startStubServer, startStubServers } from '../../src/stubs/wiremock.js';
import { collectJournal } from '../../src/stubs/journal.js';
import { liveChildren } from '../../lib/process/children.js';
import { isProcessAlive } from '../../lib/process/children.js';

const STUBS = fileURLToPath(new URL('./fixtures/stubs', import.meta.url));

const alive = isProcessAlive;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
};

test('WireMock serves a stub set with its lognormal delay, reports unmatched requests and unused mappings, and stops', async () => {
  const set = loadStubSet(STUBS, 'echo');
  const server = await startStubServer(set, { heapMb: 128 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.mappings.size, 3);
    const body = (await (await fetch(`${server.url}/persons/7`)).json()) as { lastName: string };
    assert.equal(body.lastName, 'Martin', 'the body comes from __files');
    // A cold JVM answers its first requests slowly (JIT): warm up, then measure.
    for (let wave = 0; wave < 6; wave++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${server.url}/persons/${i}`).then((r) => r.arrayBuffer())));
    }
    // Delayed responses are asynchronous: concurrent requests each get their own delay, none waits for a thread.
    const times: number[] = [];
    for (let wave = 0; wave < 2; wave++) {
      times.push(...(await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const t0 = performance.now();
        await (await fetch(`${server.url}/persons/${wave * 20 + i}`)).arrayBuffer();
        return performance.now() - t0;
      }))));
    }
    // WireMock draws each delay from the configured lognormal (median 100 ms, sigma 0.1)…
    const served = (await server.admin.getAllRequests()) as { request: { url: string }; timing: { addedDelay: number } }[];
    const delays = served.slice(0, 40).map((e) => e.timing.addedDelay);
    assert.ok(Math.abs(median(delays) - 100) <= 10, `median drawn delay ${median(delays)} ms`);
    // …and the client sees it plus WireMock's own overhead: a few ms when warm, tens of ms on a cold JVM
    // sharing two busy cores (the bound only catches a delay not applied, or applied twice).
    const m = median(times);
    assert.ok(m >= 95 && m <= 150, `client median ${m.toFixed(1)} ms for a 100 ms lognormal stub`);
    // The collector reads the journal from its start: it sees the requests sent before it existed too.
    const journal = collectJournal(server, 500);
    assert.equal((await fetch(`${server.url}/not-in-the-stub-set?x=1`)).status, 404);
    const v = await journal.finish();
    assert.equal(v.requests, 1 + 120 + 40 + 1);
    assert.deepEqual(v.unmatched.map((u) => `${u.count} ${u.method} ${u.url}`), ['1 GET /not-in-the-stub-set?x=1']);
    assert.equal(v.ok, false);
    assert.deepEqual(v.unused.map((u) => u.label).sort(), ['health', 'list contracts']);
    assert.equal(v.mappings.find((x) => x.label === 'get person')?.hits, 161);
  } finally {
    await server.stop();
  }
  assert.equal(alive(server.pid), false, 'the JVM is gone after stop');
});

test('a port in use is refused before a JVM starts', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const before = liveChildren().length;
  try {
    await assert.rejects(startStubServer(loadStubSet(STUBS, 'echo'), { port }), new RegExp(`port 127\\.0\\.0\\.1:${port} is in use`));
    assert.equal(liveChildren().length, before);
  } finally {
    blocker.close();
  }
});

test('Java missing is a clear environment error and nothing is started', async () => {
  const saved = process.env.PERFCELL_JAVA;
  process.env.PERFCELL_JAVA = '/nonexistent/java';
  try {
    await assert.rejects(startStubServer(loadStubSet(STUBS, 'echo')), (e: Error & { kind?: string }) => /Java not found/.test(e.message) && e.kind === 'environment');
    assert.equal(liveChildren().length, 0);
  } finally {
    if (saved === undefined) delete process.env.PERFCELL_JAVA;
    else process.env.PERFCELL_JAVA = saved;
  }
});

test('when one of several stub servers fails to start, the others are stopped', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const set = loadStubSet(STUBS, 'echo');
  try {
    await assert.rejects(startStubServers([set, { ...set, name: 'echo-2' }], (s) => (s.name === 'echo-2' ? { port } : { heapMb: 128 })), /in use/);
    assert.equal(liveChildren().length, 0, 'no JVM left running');
  } finally {
    blocker.close();
  }
});
