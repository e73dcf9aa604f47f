/**
 * What a campaign is for one service (docs/campaigns.md): the dependencies that can be stubbed, which are
 * stubbed in each phase (the ticketing SaaS in every phase), the profile and environment per phase, and how
 * the target is rewired to stub URLs. Declared under `campaigns.<service>` in perfcell.config.yaml, or in a
 * campaign file given with --campaign. Pure: YAML data in, a checked definition out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PerfcellError, inputError } from '../errors.js';
import { PHASES, type Phase } from '../model/compile.js';
import { zodToError } from '../model/zod-errors.js';

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and "-"');

const phaseSchema = z
  .object({
    /** Dependencies answered by their stub set in this phase. */
    stubbed: z.array(name).optional(),
    profile: name.optional(),
    environment: name.optional(),
    /** The phase's injectors (docs/distributed.md: "local:2", "perf@inj1,perf@inj2"); default: its environment's. */
    injectors: z.string().min(1).optional(),
  })
  .strict();

/**
 * How the target is pointed at stubs:
 * - reference: the reference target (sut/); perfcell starts the services the phase needs, each dependency
 *   URL given through its environment variable (LEGAL_URL …), stub or real.
 * - command: any target perfcell can start; it gets one environment variable per dependency (default
 *   <DEPENDENCY>_URL, or `dependencyEnv`) holding the stub's or the real dependency's URL.
 * - external: already running and configured by you to call the stubs on fixed ports (`stubPorts`).
 */
const referenceTarget = z
  .object({
    kind: z.literal('reference'),
    /** Persons seeded into every started department (the same deterministic persons in every phase). */
    persons: z.number().int().positive().default(1000),
    seed: z.string().optional(),
    /** PostgreSQL instead of the embedded database; RabbitMQ instead of the in-process bus. */
    databaseUrl: z.string().optional(),
    amqpUrl: z.string().optional(),
    /** One process per service instead of all inside perfcell. */
    isolated: z.boolean().default(false),
    /** The scenarios' data file for those persons, written before the campaign (relative to the project root). */
    dataFile: z.string().default('data/generated/persons.csv'),
    /**
     * false: `databaseUrl` already holds the data (a masked extract: `perfcell data extract --to …
     * --data-file …`, docs/data.md); perfcell neither seeds it nor writes `dataFile`, which must exist.
     */
    seeded: z.boolean().default(true),
  })
  .strict();
const commandTarget = z
  .object({
    kind: z.literal('command'),
    command: z.array(z.string()).min(1),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).default({}),
    /** URL polled until it answers 2xx before the phase starts. */
    health: z.url({ protocol: /^https?$/ }),
    dependencyEnv: z.record(name, z.string().regex(/^[A-Z_][A-Z0-9_]*$/)).default({}),
    startTimeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();
const externalTarget = z.object({ kind: z.literal('external') }).strict();

export const campaignSchema = z
  .object({
    target: z.discriminatedUnion('kind', [referenceTarget, commandTarget, externalTarget]).default({ kind: 'reference', persons: 1000, isolated: false, dataFile: 'data/generated/persons.csv', seeded: true }),
    /** Every dependency a phase may stub; each has a stub set stubs/<name>/. */
    dependencies: z.array(name).min(1),
    /** Stubbed in every phase whatever the phase says (a SaaS one may not load-test). */
    alwaysStubbed: z.array(name).default([]),
    /** Fixed stub ports (needed by external targets; otherwise free ports are chosen). */
    stubPorts: z.record(name, z.number().int().min(1).max(65535)).default({}),
    stubsDir: z.string().optional(),
    /** JVM heap of each stub server, MB. */
    stubHeapMb: z.number().int().min(64).default(256),
    phases: z.partialRecord(z.enum(PHASES), phaseSchema).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.target.kind === 'reference' && !c.target.seeded && !c.target.databaseUrl) {
      ctx.addIssue({ code: 'custom', path: ['target', 'seeded'], message: 'true, or false with target.databaseUrl: the PostgreSQL database that holds the data (e.g. a masked extract)' });
    }
    const known = new Set(c.dependencies);
    c.alwaysStubbed.forEach((d, i) => {
      if (!known.has(d)) ctx.addIssue({ code: 'custom', path: ['alwaysStubbed', i], message: `one of dependencies (${c.dependencies.join(', ')})` });
    });
    for (const [phase, p] of Object.entries(c.phases)) {
      p?.stubbed?.forEach((d, i) => {
        if (!known.has(d)) ctx.addIssue({ code: 'custom', path: ['phases', phase, 'stubbed', i], message: `one of dependencies (${c.dependencies.join(', ')})` });
      });
    }
    for (const d of Object.keys(c.stubPorts)) {
      if (!known.has(d)) ctx.addIssue({ code: 'custom', path: ['stubPorts', d], message: `one of dependencies (${c.dependencies.join(', ')})` });
    }
  });

export type CampaignDefinition = z.infer<typeof campaignSchema>;
export type CampaignTarget = CampaignDefinition['target'];
export type CommandTarget = Extract<CampaignTarget, { kind: 'command' }>;
export type ReferenceTarget = Extract<CampaignTarget, { kind: 'reference' }>;

export function parseCampaign(input: unknown, file: string, field: string): CampaignDefinition {
  const parsed = campaignSchema.safeParse(input);
  if (!parsed.success) {
    const e = zodToError(file, parsed.error, input);
    throw new PerfcellError(e.message.replace(`${file}: `, `${file}: ${field}.`).replace(/\.\(root\)/, ''), 'input');
  }
  return parsed.data;
}

/** The campaign of `service`: from --campaign <file> (the whole file), else from the config's campaigns section. */
export function campaignFor(service: string, config: { file: string; raw: Record<string, unknown> }, campaignFile?: string): { definition: CampaignDefinition; file: string } {
  if (campaignFile) {
    if (!existsSync(campaignFile)) throw inputError(campaignFile, '', 'a campaign YAML file (it does not exist)');
    const doc = parseDocument(readFileSync(campaignFile, 'utf8'));
    if (doc.errors.length > 0) throw inputError(campaignFile, '', `valid YAML (${doc.errors[0]?.message.split('\n')[0] ?? ''})`);
    return { definition: parseCampaign(doc.toJS(), campaignFile, 'campaign'), file: campaignFile };
  }
  const section = (config.raw.campaigns ?? {}) as Record<string, unknown>;
  const own = section[service];
  if (own === undefined) {
    throw inputError(config.file, `campaigns.${service}`, `a campaign for service "${service}" (dependencies, stubbed per phase; see docs/campaigns.md), or --campaign <file>`);
  }
  return { definition: parseCampaign(own, config.file, `campaigns.${service}`), file: config.file };
}

export interface PhasePlan {
  phase: Phase;
  /** Dependencies answered by stubs (sorted). */
  stubbed: string[];
  /** Dependencies answered by the real services (sorted). */
  real: string[];
  profile: string;
  environment: string | undefined;
  /**
   * The phase's injectors as written, and where (what errors name): `--injectors`, else the campaign's
   * `phases.<phase>.injectors`, else (filled by planCampaign) its environment's; undefined: one local k6.
   */
  injectors?: { spec: string; from: string };
}

/**
 * Phases to run, in order, with what each stubs. Defaults: stubbed → every dependency; unstubbed and e2e →
 * only the always-stubbed ones. Pure.
 */
export function planPhases(def: CampaignDefinition, phases: readonly Phase[], opts: { profile?: string; environment?: string; injectors?: string; file: string }): PhasePlan[] {
  return phases.map((phase) => {
    const p = def.phases[phase] ?? {};
    const chosen = p.stubbed ?? (phase === 'stubbed' ? def.dependencies : []);
    const stubbed = [...new Set([...chosen, ...def.alwaysStubbed])].sort();
    const profile = opts.profile ?? p.profile;
    if (!profile) throw inputError(opts.file, `phases.${phase}.profile`, 'a profile for this phase, or --profile');
    const injectors =
      opts.injectors !== undefined ? { spec: opts.injectors, from: '--injectors' } : p.injectors !== undefined ? { spec: p.injectors, from: `${opts.file}: phases.${phase}.injectors` } : undefined;
    return {
      phase,
      stubbed,
      real: def.dependencies.filter((d) => !stubbed.includes(d)).sort(),
      profile,
      environment: opts.environment ?? p.environment,
      ...(injectors ? { injectors } : {}),
    };
  });
}

export function parsePhases(text: string): Phase[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of list) if (!(PHASES as readonly string[]).includes(p)) throw inputError('--phases', '', `a comma-separated list of ${PHASES.join(', ')}, got "${p}"`);
  if (list.length === 0) throw inputError('--phases', '', `at least one of ${PHASES.join(', ')}`);
  return list as Phase[];
}
