/**
 * The InfluxDB adapter: where perfcell's metrics go (configuration), and the few operations perfcell
 * needs on it through node-influx (ensure the database, write points in batches, count and delete a run).
 */
import { InfluxDB, type IPoint } from 'influx';
import { PerfcellError } from '../errors.js';
import { readInstanceState } from './influx-instance.js';
import type { Point } from './points.js';

export interface InfluxTarget {
  /** Base URL, e.g. http://127.0.0.1:8086 (no database in it). */
  url: string;
  database: string;
  username?: string;
  password?: string;
}

export const DEFAULT_DATABASE = 'perfcell';
export const WRITE_BATCH = 5000;

/**
 * Where metrics go, first match wins: an explicit `--influx <url>` (flag), PERFCELL_INFLUX_URL (env), the
 * private instance started by `perfcell influx start` in `instanceDir` (state file). Database and
 * credentials: PERFCELL_INFLUX_DB (default "perfcell"), PERFCELL_INFLUX_USER, PERFCELL_INFLUX_PASSWORD.
 * PERFCELL_INFLUX=off disables InfluxDB even when an instance runs. Undefined: metrics stay in the run folder.
 */
export function resolveInfluxTarget(
  options: { url?: string; database?: string; instanceDir?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): InfluxTarget | undefined {
  if (env.PERFCELL_INFLUX === 'off' && !options.url) return undefined;
  // An empty variable counts as unset (a shell `VAR=` line).
  const url = options.url || env.PERFCELL_INFLUX_URL || readInstanceState(options.instanceDir)?.url;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PerfcellError(`InfluxDB URL "${url}": an http(s) URL such as http://127.0.0.1:8086`, 'input');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new PerfcellError(`InfluxDB URL "${url}": an http(s) URL`, 'input');
  const database = options.database || env.PERFCELL_INFLUX_DB || (parsed.pathname.replace(/^\//, '') || DEFAULT_DATABASE);
  const target: InfluxTarget = { url: `${parsed.protocol}//${parsed.host}`, database };
  const username = env.PERFCELL_INFLUX_USER || (parsed.username ? decodeURIComponent(parsed.username) : undefined);
  const password = env.PERFCELL_INFLUX_PASSWORD || (parsed.password ? decodeURIComponent(parsed.password) : undefined);
  if (username) target.username = username;
  if (password) target.password = password;
  return target;
}

/** k6's InfluxDB v1 output for this target: the `--out` value and the environment bounding its series. */
export function k6InfluxOutput(target: InfluxTarget): { out: string; env: Record<string, string> } {
  const env: Record<string, string> = {
    // vu and iter would make one series per VU/iteration; url one per entity id: fields, not tags.
    K6_INFLUXDB_TAGS_AS_FIELDS: 'vu:int,iter:int,url',
    K6_INFLUXDB_PUSH_INTERVAL: '1s',
    K6_INFLUXDB_CONCURRENT_WRITES: '4',
  };
  if (target.username) env.K6_INFLUXDB_USERNAME = target.username;
  if (target.password) env.K6_INFLUXDB_PASSWORD = target.password;
  return { out: `influxdb=${target.url}/${target.database}`, env };
}

/** The URL without credentials, for messages. */
export function describeTarget(target: InfluxTarget): string {
  return `${target.url}/${target.database}`;
}

export class InfluxClient {
  readonly target: InfluxTarget;
  private readonly db: InfluxDB;

  constructor(target: InfluxTarget) {
    this.target = target;
    const u = new URL(target.url);
    this.db = new InfluxDB({
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
      protocol: u.protocol === 'https:' ? 'https' : 'http',
      database: target.database,
      ...(target.username ? { username: target.username, password: target.password ?? '' } : {}),
      // One attempt per host: perfcell decides itself what a failure means (warn, flag, backfill).
      pool: { maxRetries: 0, requestTimeout: 30_000 },
    });
  }

  /** InfluxDB's failures (unreachable, 401, bad query) as environment errors naming the instance. */
  private async guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw new PerfcellError(`InfluxDB ${describeTarget(this.target)}: ${what}: ${(e as Error).message}`, 'environment');
    }
  }

  async ensureDatabase(): Promise<void> {
    // CREATE DATABASE is idempotent in InfluxDB 1.x.
    await this.guard('create database', () => this.db.createDatabase(this.target.database));
  }

  /** Writes in batches of WRITE_BATCH; resolves with the number of points written. */
  async write(points: readonly Point[]): Promise<number> {
    for (let i = 0; i < points.length; i += WRITE_BATCH) {
      await this.guard('write', () => this.db.writePoints(points.slice(i, i + WRITE_BATCH) as IPoint[], { precision: 'n' }));
    }
    return points.length;
  }

  /** Points of `measurement` for a run (optionally with an extra InfluxQL condition). */
  async count(measurement: string, runId: string, where = ''): Promise<number> {
    const rows = await this.query<{ count: number }>(
      `SELECT count("value") AS "count" FROM "${measurement}" WHERE "run_id" = ${quote(runId)}${where ? ` AND ${where}` : ''}`,
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * Removes every point of a run, in every measurement: every series tagged with its run_id. `::tag` because
   * InfluxDB 1.x refuses a delete whose WHERE names a key that any measurement it spans holds as a field
   * ("fields not supported in WHERE clause during deletion"), and a shared database may hold run_id as a
   * field (another tool's points); with the cast, only tags are compared and such points are left alone.
   */
  async deleteRun(runId: string): Promise<void> {
    await this.guard('drop the run', () => this.db.query(`DROP SERIES FROM /.*/ WHERE "run_id"::tag = ${quote(runId)}`));
  }

  async query<T>(influxql: string): Promise<T[]> {
    return (await this.guard('query', () => this.db.query<T>(influxql))) as unknown as T[];
  }
}

/** An InfluxQL string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
