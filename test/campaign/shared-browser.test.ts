import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devToolsUrl, sharedBrowserArgs, startSharedBrowser } from '../../src/campaign/shared-browser.js';
import { locateChromium } from '../../src/campaign/browser.js';
import { BROWSER_ENV } from '../../src/model/compile.js';
import { isProcessAlive } from '../../lib/process/children.js';

test('the DevTools endpoint is read from what Chromium prints', () => {
  const stderr = '[1:2:ERROR:foo] something\n\nDevTools listening on ws://127.0.0.1:40123/devtools/browser/5e1f-aa\n';
  assert.equal(devToolsUrl(stderr), 'ws://127.0.0.1:40123/devtools/browser/5e1f-aa');
  assert.equal(devToolsUrl('no endpoint yet'), undefined);
});

test("k6's browser switches are kept, on loopback, with a throw-away profile", () => {
  const args = sharedBrowserArgs('/tmp/p', 'no-sandbox,--disable-gpu, renderer-process-limit=1');
  for (const a of ['--no-sandbox', '--disable-gpu', '--renderer-process-limit=1', '--user-data-dir=/tmp/p', '--remote-debugging-address=127.0.0.1', '--headless']) assert.ok(args.includes(a), a);
  assert.equal(args.at(-1), 'about:blank');
});

test('a real Chromium answers on its DevTools endpoint, and is gone once stopped', { timeout: 60_000 }, async () => {
  const browser = await startSharedBrowser(locateChromium(), BROWSER_ENV.K6_BROWSER_ARGS);
  const port = new URL(browser.wsUrl).port;
  const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string; Browser: string };
  assert.equal(version.webSocketDebuggerUrl, browser.wsUrl);
  assert.match(version.Browser, /Chrom/);
  assert.ok(browser.pid && isProcessAlive(browser.pid));
  await browser.stop();
  assert.equal(isProcessAlive(browser.pid), false);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/json/version`));
});

test('a Chromium that cannot start is one clear environment error', { timeout: 30_000 }, async () => {
  await assert.rejects(startSharedBrowser('/bin/false', undefined), (e: Error & { kind?: string }) => e.kind === 'environment' && /Chromium \(\/bin\/false\) for the end-to-end phase: exited/.test(e.message));
});
