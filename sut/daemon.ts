/**
 * The background process behind `perfcell sut start`: starts the reference target with the options given
 * as JSON in argv[2], records itself in the state file argv[3] once healthy (or the error if it could not
 * start), stops the target on SIGTERM/SIGINT. Isolated services are its children (spawnManaged): they die
 * with it.
 */
import { installExitHook } from '../lib/process/children.js';
import { startSut, type StartSutOptions } from './start.js';
import { writeSutState } from './state.js';

installExitHook();
const options = JSON.parse(process.argv[2] ?? '{}') as StartSutOptions;
const stateFile = process.argv[3] ?? '.perfcell/sut.json';
const startedAt = new Date().toISOString();
try {
  const sut = await startSut(options);
  writeSutState(stateFile, { status: 'ready', pid: process.pid, urls: sut.urls, mode: sut.mode, bus: sut.bus, isolated: sut.isolated, startedAt, options });
  process.stdout.write(`${new Date().toISOString()} reference target ready: ${JSON.stringify(sut.urls)}\n`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${new Date().toISOString()} ${signal}: stopping\n`);
    await sut.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${new Date().toISOString()} reference target failed to start: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
  writeSutState(stateFile, { status: 'failed', pid: process.pid, urls: {}, startedAt, options, error: message });
  process.exit(1);
}
