/**
 * The masking secret: from a file (--secret-file) or PERFCELL_MASKING_SECRET, never from the command line
 * or the rules file, and never written anywhere (the audit holds its fingerprint).
 */
import { existsSync, readFileSync } from 'node:fs';
import { PerfcellError } from '../errors.js';

export const SECRET_ENV = 'PERFCELL_MASKING_SECRET';
/** Shorter secrets can be guessed by trying values against a masked output. */
export const MIN_SECRET_BYTES = 16;

export function loadSecret(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Buffer {
  let secret: Buffer;
  let origin: string;
  if (file) {
    if (!existsSync(file)) throw new PerfcellError(`--secret-file ${file}: the file does not exist`, 'input');
    secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
    origin = `--secret-file ${file}`;
  } else if (env[SECRET_ENV]) {
    secret = Buffer.from((env[SECRET_ENV] as string).trim(), 'utf8');
    origin = SECRET_ENV;
  } else {
    throw new PerfcellError(`no masking secret: give --secret-file <file> or set ${SECRET_ENV} (never on the command line)`, 'input');
  }
  if (secret.length < MIN_SECRET_BYTES) throw new PerfcellError(`${origin}: the masking secret must have at least ${MIN_SECRET_BYTES} characters (it has ${secret.length})`, 'input');
  return secret;
}
