/**
 * The load-model format (docs/load-model.md). Objects are strict so that a misspelled field is an error,
 * not a silently ignored setting.
 */
import { z } from 'zod';
import { DEFAULT_HEADROOM } from '../store/run-schema.js';
import { parseDurationMs } from './duration.js';

const duration = z
  .string()
  .refine((s) => (parseDurationMs(s) ?? 0) > 0, { message: 'a positive duration such as "90s", "2m" or "1h30m"' });

const positive = z.number().positive();

export const sloSchema = z
  .object({
    p50Ms: positive.optional(),
    p90Ms: positive.optional(),
    p95Ms: positive.optional(),
    p99Ms: positive.optional(),
    maxErrorRate: z.number().min(0).max(1).optional(),
  })
  .strict();

export const transactionSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-" (it becomes a k6 scenario name)'),
    scenario: z.string().regex(/^[^#]+#[A-Za-z_$][\w$]*$/, '"path/to/file.ts#exportedFunction"'),
    peakPerHour: positive,
    slo: sloSchema.default({}),
    thinkTimeMs: z.number().min(0).default(0),
    /** Expected response time used to size VUs (Little's law); defaults to the SLO's p95, else 500 ms. */
    expectedResponseMs: positive.optional(),
    maxVUs: z.number().int().positive().optional(),
    substitutes: z.string().optional(),
    /** Which targets this transaction calls: documents the dependency, used by campaigns and pre-flight. */
    targets: z.array(z.string()).optional(),
    /**
     * A k6 browser scenario (k6/browser, Chromium) rather than protocol requests. It runs only in the
     * end-to-end phase, beside the protocol load, to measure what users feel (Web Vitals, step timings).
     */
    browser: z.boolean().optional(),
  })
  .strict();

const constantProfile = z
  .object({ multiplier: positive.optional(), duration, rampUp: duration.optional() })
  .strict();
const stressProfile = z
  .object({ steps: z.array(positive).min(1), stepDuration: duration, rampUp: duration.optional() })
  .strict();
const spikeProfile = z.object({ base: positive, spike: positive, duration }).strict();
/**
 * Closed model (src/model/closed.ts): `vus` users in all, each pausing `thinkTimeMs` on average between two
 * requests. The rate is an outcome of the target's response time, not a setting.
 */
const closedProfile = z
  .object({ vus: z.number().int().positive(), thinkTimeMs: z.number().min(0), duration, rampUp: duration.optional() })
  .strict();

/**
 * A profile's shape is named by its keys (`vus` → closed, `steps` → stress, `spike` or `base` → spike, else
 * constant), and its errors are that shape's: a union would report the branch zod finds closest, and a
 * closed profile with `vus: 2.5` came back as "unknown fields vus, thinkTimeMs" of the constant shape.
 */
function profileShape(v: unknown): z.ZodType {
  const has = (k: string) => typeof v === 'object' && v !== null && k in v;
  if (has('vus')) return closedProfile;
  if (has('steps')) return stressProfile;
  if (has('spike') || has('base')) return spikeProfile;
  return constantProfile;
}

export const profileSchema = z.custom<z.infer<typeof stressProfile> | z.infer<typeof spikeProfile> | z.infer<typeof closedProfile> | z.infer<typeof constantProfile>>().superRefine((v, ctx) => {
  const r = profileShape(v).safeParse(v);
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
});

export const environmentSchema = z
  .object({
    loadTesting: z.enum(['allowed', 'forbidden']),
    targets: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.url({ protocol: /^https?$/ })),
    /** Load only ever goes to loopback unless an environment says so explicitly. */
    allowNonLoopback: z.boolean().default(false),
    /** The injectors a run in this environment uses (src/injectors/spec.ts: "local:4", "perf@inj1,perf@inj2"); `--injectors` overrides. */
    injectors: z.string().min(1).optional(),
  })
  .strict();

export const loadModelSchema = z
  .object({
    service: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-"'),
    description: z.string().optional(),
    headroom: z.number().min(0).max(10).default(DEFAULT_HEADROOM),
    environments: z.record(z.string(), environmentSchema).default({}),
    transactions: z.array(transactionSchema).min(1),
    profiles: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), profileSchema).refine((p) => Object.keys(p).length > 0, {
      message: 'at least one profile',
    }),
    data: z.record(z.string().regex(/^[A-Za-z_][\w-]*$/), z.string()).default({}),
    vus: z
      .object({ safetyFactor: z.number().min(1).default(2), maxFactor: z.number().min(1).default(4) })
      .strict()
      .default({ safetyFactor: 2, maxFactor: 4 }),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.transactions.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['transactions', i, 'name'], message: `unique names ("${t.name}" appears twice)` });
      seen.add(t.name);
    });
  });

export type Slo = z.infer<typeof sloSchema>;
export type Transaction = z.infer<typeof transactionSchema>;
export type Profile = z.infer<typeof profileSchema>;
export type ClosedProfile = z.infer<typeof closedProfile>;
export type Environment = z.infer<typeof environmentSchema>;
export type LoadModel = z.infer<typeof loadModelSchema>;
