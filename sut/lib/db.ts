/**
 * The one database interface the services use, over PostgreSQL (`pg` pool) or an embedded PGlite instance
 * (real PostgreSQL compiled to WebAssembly, in-process). Both speak the same SQL; every query names its
 * schema explicitly (`billing.invoices`) so that one PGlite instance can hold every department's schema.
 */
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';

export type SqlValue = string | number | boolean | null | Date | readonly (string | number | boolean | null)[];

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Called with the seconds a query spent executing, its wait for a connection left out. */
export type OnExecuted = (seconds: number) => void;

export interface Db {
  readonly kind: 'postgres' | 'embedded';
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly SqlValue[], onExecuted?: OnExecuted): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  poolStats(): PoolStats;
  /** Queries sent so far (the N+1 trap shows as many more queries per request). */
  queryCount(): number;
  close(): Promise<void>;
}

/** Errors that mean "the database is unreachable", as opposed to a bad query. */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003', '53300'].includes(code)) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(error.message);
}

export class DbUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DbUnavailableError';
  }
}

export function createPgDb(url: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 2000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the service: the pool drops it and reconnects later.
  pool.on('error', () => undefined);
  let queries = 0;
  return {
    kind: 'postgres',
    async query<T extends object>(sql: string, params: readonly SqlValue[] = [], onExecuted?: OnExecuted) {
      queries++;
      try {
        if (!onExecuted) return (await pool.query(sql, params as unknown[])).rows as T[];
        // A client of its own, so that the pool's wait is not counted as the query's execution. As pool.query
        // does: a connection lost while checked out fails the query (not the process), and a client released
        // with an error is discarded.
        const client = await pool.connect();
        const lost = () => undefined;
        client.on('error', lost);
        let failure: Error | undefined;
        const t0 = process.hrtime.bigint();
        try {
          return (await client.query(sql, params as unknown[])).rows as T[];
        } catch (error) {
          failure = error as Error;
          throw error;
        } finally {
          onExecuted(Number(process.hrtime.bigint() - t0) / 1e9);
          client.off('error', lost);
          client.release(failure);
        }
      } catch (error) {
        if (isUnavailableError(error)) throw new DbUnavailableError(error);
        throw error;
      }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    queryCount: () => queries,
    close: () => pool.end(),
  };
}

/**
 * The end of each PGlite instance's queue of queries (services share one instance in embedded mode). PGlite
 * runs one query at a time behind a lock of its own; queueing here first tells when a query starts executing,
 * so its execution time can be told from its wait (a slow scan delays every other query behind it: their
 * client-side times then measure the queue, not their own cost).
 */
const queueTails = new WeakMap<PGlite, Promise<void>>();

async function inTurn<T>(instance: PGlite, fn: () => Promise<T>): Promise<T> {
  const before = queueTails.get(instance) ?? Promise.resolve();
  let release = () => {};
  const mine = new Promise<void>((resolve) => (release = resolve));
  queueTails.set(instance, before.then(() => mine));
  await before;
  try {
    return await fn();
  } finally {
    release();
  }
}

/** PGlite runs one query at a time: "pool" figures describe that single connection and its queue. */
export function wrapPglite(instance: PGlite, ownsInstance: boolean): Db {
  let inFlight = 0;
  let queries = 0;
  return {
    kind: 'embedded',
    async query<T extends object>(sql: string, params: readonly SqlValue[] = [], onExecuted?: OnExecuted) {
      inFlight++;
      queries++;
      try {
        return await inTurn(instance, async () => {
          const t0 = process.hrtime.bigint();
          try {
            return (await instance.query<T>(sql, params as unknown[])).rows;
          } finally {
            onExecuted?.(Number(process.hrtime.bigint() - t0) / 1e9);
          }
        });
      } finally {
        inFlight--;
      }
    },
    async exec(sql: string) {
      await instance.exec(sql);
    },
    poolStats: () => ({ total: 1, idle: inFlight === 0 ? 1 : 0, waiting: Math.max(0, inFlight - 1) }),
    queryCount: () => queries,
    close: async () => {
      if (ownsInstance) await instance.close();
    },
  };
}

/**
 * One embedded PostgreSQL. `sharedBuffersMb` trims the default 128 MB when several instances run (one per
 * service process in isolated mode): each instance costs ≈ 600–700 MB resident whatever the data.
 */
export async function createPgliteInstance(sharedBuffersMb?: number): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(sharedBuffersMb ? { postgresqlconf: `shared_buffers = ${sharedBuffersMb}MB` } : {});
}
