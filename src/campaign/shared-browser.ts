/**
 * One Chromium for a whole end-to-end phase, which k6's browser module connects to (K6_BROWSER_WS_URL)
 * instead of launching its own. k6 launches a Chromium at the start of *every* browser iteration and closes
 * it at the end (k6 v2.2.0, browser/registry.go: IterStart → Launch, IterEnd → Close); on the demo's 2 cores
 * each launch took the host's CPU to 80–97 % for a few seconds, the embedded target's one thread queued
 * behind it, and the protocol transactions' p95 in the end-to-end phase came out 2–5× the unstubbed phase's
 * (one demo in three broke read-person's 100 ms SLO). Connected, k6 still opens a fresh browser context per
 * iteration (its own cookies and cache, as a new user has), so what the journey measures is unchanged; only
 * the process start is paid once.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnManaged, stopChild } from '../../lib/process/children.js';
import { PerfcellError } from '../errors.js';

/** Chromium prints its DevTools endpoint within a second on this machine; a cold disk cache takes longer. */
const START_TIMEOUT_MS = 20_000;
/** Below k6 and a local target (see belowLoadPriority in browser.ts): the browser samples, it must not disturb. */
const NICENESS = '10';

/**
 * Flags for a headless Chromium on a CI runner or a load injector: the switches k6 would give a browser it
 * launches (its `K6_BROWSER_ARGS`, passed here as `name` or `name=value`), plus what a shared, long-lived
 * browser needs — a DevTools port on loopback, a throw-away profile, no background traffic (this machine's
 * closed network refuses it, many connections at a time), no first-run UI.
 */
export function sharedBrowserArgs(userDataDir: string, k6BrowserArgs: string | undefined): string[] {
  const own = (k6BrowserArgs ?? '').split(',').map((a) => a.trim()).filter(Boolean).map((a) => `--${a.replace(/^--/, '')}`);
  return [
    '--headless',
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    `--user-data-dir=${userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--hide-scrollbars',
    ...own,
    'about:blank',
  ];
}

/** The DevTools WebSocket URL in Chromium's standard error, once it has printed it. */
export function devToolsUrl(stderr: string): string | undefined {
  return /DevTools listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}

export interface SharedBrowser {
  wsUrl: string;
  pid: number | undefined;
  stop: () => Promise<void>;
}

export async function startSharedBrowser(chromium: string, k6BrowserArgs: string | undefined): Promise<SharedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'perfcell-chromium-'));
  const args = sharedBrowserArgs(profile, k6BrowserArgs);
  const [cmd, argv] = process.platform === 'win32' ? [chromium, args] : ['nice', ['-n', NICENESS, chromium, ...args]];
  const child: ChildProcess = spawnManaged(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], deathSignal: 'KILL' });
  const cleanup = async () => {
    await stopChild(child, 'SIGTERM', 3000);
    // Chromium's helper processes may still be closing files in the profile for a moment after the main one
    // exits (ENOTEMPTY seen once in two runs): retry, and never fail the phase over a temporary folder.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      /* left in the temp folder */
    }
  };
  let err = '';
  try {
    const wsUrl = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DevTools endpoint within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.stderr?.on('data', (b: Buffer) => {
        if (err.length < 64_000) err += b.toString();
        const url = devToolsUrl(err);
        if (url) {
          clearTimeout(timer);
          resolveUrl(url);
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code ?? signal}) before listening`));
      });
    });
    // Keep draining stderr (a full pipe would block Chromium) without keeping it.
    child.stderr?.removeAllListeners('data');
    child.stderr?.resume();
    return { wsUrl, pid: child.pid, stop: cleanup };
  } catch (e) {
    await cleanup();
    const tail = err.trim().split('\n').slice(-3).join(' | ');
    throw new PerfcellError(`Chromium (${chromium}) for the end-to-end phase: ${(e as Error).message}${tail ? `: ${tail}` : ''}`, 'environment');
  }
}
