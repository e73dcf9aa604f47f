/**
 * Reading an OpenAPI document from a file or a URL (the adapter): @readme/openapi-parser validates it
 * against the OpenAPI 3.0/3.1 schema and resolves its $refs; a malformed document is one line naming the
 * source, the first problem and its line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dereference, validate } from '@readme/openapi-parser';
import { parse as parseYaml } from 'yaml';
import { PerfcellError, inputError } from '../errors.js';
import { specFromDocument, type ApiSpec } from './operations.js';

/** A document that does not come within this time is an unreachable server, not a bad document. */
const FETCH_TIMEOUT_MS = 10_000;

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

async function readSource(source: string): Promise<string> {
  if (isUrl(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json, application/yaml;q=0.9' } });
    } catch (error) {
      throw new PerfcellError(`${source}: could not read the OpenAPI document (${(error as Error).message})`, 'environment');
    }
    if (!res.ok) throw new PerfcellError(`${source}: could not read the OpenAPI document (HTTP ${res.status})`, 'environment');
    return res.text();
  }
  const file = resolve(source);
  if (!existsSync(file)) throw inputError(file, '', 'an OpenAPI document, JSON or YAML (the file does not exist)');
  return readFileSync(file, 'utf8');
}

/**
 * "REQUIRED must have required property 'version'\n\n> 3 |   \"info\": {" → "must have required property
 * 'version' (in "info")". The validator quotes its own JSON rendering, whose line numbers are not the
 * file's (a YAML file): the key on the pointed line is what the user can find.
 */
export function oneLine(message: string): string {
  const [first = ''] = message.split('\n');
  const key = /^>\s*\d+\s*\|\s*"([^"]+)"/m.exec(message)?.[1];
  return `${first.replace(/^[A-Z]+ /, '')}${key ? ` (in "${key}")` : ''}`;
}

export async function loadSpec(source: string): Promise<ApiSpec> {
  const text = await readSource(source);
  let doc: unknown;
  try {
    doc = parseYaml(text); // JSON is YAML
  } catch (error) {
    throw inputError(source, '', `an OpenAPI document in JSON or YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || doc === null) throw inputError(source, '', 'an OpenAPI document (a JSON or YAML object)');
  // Swagger 2.0 and versions perfcell does not read are refused before the validator's longer message.
  specFromDocument({ ...(doc as object), paths: {} }, source);
  const result = await validate(structuredClone(doc) as never);
  if (!result.valid) {
    const errors = result.errors ?? [];
    const more = errors.length - 1 + (result.additionalErrors ?? 0);
    throw inputError(source, '', `a valid OpenAPI document: ${oneLine(errors[0]?.message ?? 'invalid')}${more > 0 ? ` (+${more} more)` : ''}`);
  }
  let resolved: unknown;
  try {
    resolved = await dereference(structuredClone(doc) as never);
  } catch (error) {
    throw inputError(source, '', `an OpenAPI document whose $refs resolve (${(error as Error).message.split('\n')[0]})`);
  }
  return specFromDocument(resolved, source, isUrl(source) ? source : undefined);
}
