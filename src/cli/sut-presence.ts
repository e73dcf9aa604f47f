/**
 * Whether the reference target (sut/) is here: in perfcell's checkout it is; in the package a service's
 * repository installs (`npm i -D perfcell-<v>.tgz`) it is not (package.json `files`), so nothing at run time
 * may import it there. The CLI asks this before loading sut-commands.ts or the campaign's reference
 * controller (the only modules that import sut/).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { PerfcellError } from '../errors.js';

export const SUT_DIR = fileURLToPath(new URL('../../sut/', import.meta.url));

export function referenceTargetPresent(dir: string = SUT_DIR): boolean {
  return existsSync(dir);
}

const ABSENT = 'the reference target (sut/) is not part of the installed package: it runs from perfcell\'s checkout (git clone, npm run demo)';

/** `perfcell sut …` where sut/ is absent: one clear error instead of a missing module. */
export function registerSutAbsent(program: Command): void {
  program
    .command('sut')
    .description('the reference target: only in perfcell\'s checkout, not in the installed package')
    .argument('[args...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(() => {
      throw new PerfcellError(ABSENT, 'environment');
    });
}
