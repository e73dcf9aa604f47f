/**
 * `perfcell --version`: perfcell's version and the versions of what it drives, as found on this machine.
 * Its own module, loaded only for --version: it reaches WireMock's and InfluxDB's adapters (start-up time).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateK6, PROJECT_ROOT } from '../k6/locate.js';
import { INFLUXD_PATH } from '../metrics/influx-instance.js';
import { WIREMOCK_JAR, WIREMOCK_VERSION } from '../stubs/wiremock.js';
import { displayPath } from './convention.js';

function firstLine(command: string, args: string[], pattern: RegExp): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) return undefined;
  return pattern.exec(`${r.stdout}\n${r.stderr}`)?.[1];
}

/** The report's lines: perfcell, k6, WireMock, InfluxDB, Node.js. */
export function versionReport(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  let k6: string;
  try {
    const found = locateK6();
    k6 = `${found.version} (${displayPath(found.path)})`;
  } catch {
    k6 = 'not found (npm run setup builds it)';
  }
  const influx = existsSync(INFLUXD_PATH) ? firstLine(INFLUXD_PATH, ['version'], /InfluxDB (v?[\w.~-]+)/) : undefined;
  const lines = [
    `perfcell ${pkg.version}`,
    `k6        ${k6}`,
    `WireMock  ${existsSync(WIREMOCK_JAR) ? WIREMOCK_VERSION : `not installed (${WIREMOCK_VERSION} expected; npm run setup)`}`,
    `InfluxDB  ${influx ?? `not found (${INFLUXD_PATH})`}`,
    `Node.js   ${process.version}`,
  ];
  return lines.join('\n') + '\n';
}
