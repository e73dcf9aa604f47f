// `perfcell scenario new`: scenario exports scaffolded from an unseen document (bookshelf.yaml) and from
// the reference target's grc, type-checked with the scenarios' tsconfig and linted; the model gains the
// transactions with a placeholder volume and keeps its comments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startSut, type RunningSut } from '../../sut/start.js';
import { NO_TRAPS } from '../../sut/lib/traps.js';
import { loadModel } from '../../src/model/load.js';
import { scaffoldScenario } from '../../src/api-contract/new-scenario.js';
import { REPO, runCli } from '../support/cli.js';

// Inside the repository, so that eslint's flat config and tsc's type roots apply as to scenarios/.
const dir = join(REPO, `scaffold-test-${process.pid}`);
const model = join(dir, 'load-models', 'lae.yaml');
let sut: RunningSut;

before(async () => {
  mkdirSync(join(dir, 'scenarios', 'grc'), { recursive: true });
  mkdirSync(join(dir, 'load-models'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(join(REPO, 'scenarios/grc/person.ts'), join(dir, 'scenarios/grc/person.ts'));
  writeFileSync(join(dir, 'data/persons.csv'), 'person_id,last_name,first_name,search,postcode,contract_id,isbn\n');
  writeFileSync(
    model,
    `# LAE for the scaffold test: comments must survive the edit.
service: lae
environments:
  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:8080" } }
data: { persons: data/persons.csv }
transactions:
  - name: search-person
    scenario: scenarios/grc/person.ts#searchPerson
    peakPerHour: 1300   # measured
    targets: [grc]
profiles:
  smoke: { duration: 10s }
`,
  );
  sut = await startSut({ only: ['grc'], ports: { grc: 0 }, traps: NO_TRAPS, dependencyUrls: { 'customer-service': 'http://127.0.0.1:9', legal: 'http://127.0.0.1:9', sales: 'http://127.0.0.1:9', billing: 'http://127.0.0.1:9' }, healthTimeoutMs: 0 });
});
after(async () => {
  await sut?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('scaffolded exports from grc and from an unseen document pass type-check and lint; the model gains them', { timeout: 90_000 }, async () => {
  const grc = `${sut.urls.grc as string}/openapi.json`;
  const book = 'test/fixtures/api-contract/bookshelf.yaml';
  const calls: string[][] = [
    ['--openapi', grc, '--operation', 'getPerson'],
    ['--openapi', grc, '--operation', 'POST /persons', '--name', 'register-prospect'],
    ['--openapi', grc, '--operation', 'PATCH /persons/{id}/contact'],
    ['--openapi', book, '--operation', 'addBook', '--target', 'books'],
    ['--openapi', book, '--operation', 'GET /books/{isbn}', '--target', 'books'],
    ['--openapi', book, '--operation', 'lendBook', '--target', 'books'],
    ['--openapi', book, '--operation', 'listBooks', '--target', 'books'],
  ];
  // The first through the CLI as a user types it; the others through the use case (a CLI start costs ~1.5 s).
  const first = await runCli(['scenario', 'new', ...(calls[0] as string[]), '--model', model, '--file', join(dir, 'scenarios/grc/new.ts')]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /wrote .*scenarios\/grc\/new\.ts#getPerson \(GET \/persons\/\{id\}\)\nadded transaction get-person to .*lae\.yaml \(peakPerHour: 1, a placeholder\)/);
  const outputs: string[] = [first.stdout];
  for (const c of calls.slice(1)) {
    const flag = (name: string) => c[c.indexOf(name) + 1];
    const r = await scaffoldScenario({ openapi: flag('--openapi') as string, operation: flag('--operation') as string, name: c.includes('--name') ? flag('--name') : undefined, target: c.includes('--target') ? flag('--target') : undefined, model, file: join(dir, 'scenarios', c[1] === book ? 'books.ts' : 'grc/new.ts') });
    outputs.push(r.messages.join('\n'));
  }
  assert.match(outputs[5] ?? '', /note: path parameter \{memberId\}: no data column holds it/);

  const grcCode = readFileSync(join(dir, 'scenarios/grc/new.ts'), 'utf8');
  assert.match(grcCode, /^import http from 'k6\/http';\nimport \{ check \} from 'k6';\nimport \{ named, row, target \} from 'perfcell\/k6';/m);
  assert.match(grcCode, /export function getPerson\(\): void \{\n {2}const p = row\('persons'\);\n {2}const res = http\.get\(`\$\{target\('grc'\)\}\/persons\/\$\{p\.person_id\}`, named\('GET \/persons\/\{id\}'\)\);/);
  assert.match(grcCode, /'get-person 200': \(r\) => r\.status === 200,\n {4}'get-person answers id': \(r\) => r\.status === 200 && r\.json\('id'\) !== undefined,/);
  assert.match(grcCode, /export function registerProspect\(\): void \{\n {2}const body = \{\n {4}lastName: 'DUPONT',/);
  assert.match(grcCode, /http\.post\(`\$\{target\('grc'\)\}\/persons`, JSON\.stringify\(body\), named\('POST \/persons', \{ headers: \{ 'content-type': 'application\/json' \} \}\)\)/);
  assert.match(grcCode, /'register-prospect 201': \(r\) => r\.status === 201/);
  const bookCode = readFileSync(join(dir, 'scenarios/books.ts'), 'utf8');
  assert.match(bookCode, /\/books\/\$\{p\.isbn\}`/);
  assert.match(bookCode, /\/v2\/members\/1\/loans`/);
  assert.match(bookCode, /\/v2\/books\?page=1`/);
  assert.match(bookCode, /title: 'L\\'Étranger',/);
  assert.match(bookCode, /'add-book answers isbn'/); // allOf's required fields

  // The project's own checks, on the generated files.
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({ extends: '../tsconfig.scenarios.json', compilerOptions: { baseUrl: '..' }, include: ['scenarios/**/*.ts', '../src/scenario/k6-api.ts'] }));
  const npx = (args: string[]) => execFileSync('npx', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  npx(['tsc', '-p', tsconfig]);
  npx(['eslint', '--max-warnings', '0', join(dir, 'scenarios/grc/new.ts'), join(dir, 'scenarios/books.ts')]);

  const loaded = loadModel(model);
  assert.deepEqual(loaded.model.transactions.map((t) => [t.name, t.scenario, t.peakPerHour, t.targets?.join()]), [
    ['search-person', 'scenarios/grc/person.ts#searchPerson', 1300, 'grc'],
    ['get-person', 'scenarios/grc/new.ts#getPerson', 1, 'grc'],
    ['register-prospect', 'scenarios/grc/new.ts#registerProspect', 1, 'grc'],
    ['update-contact', 'scenarios/grc/new.ts#updateContact', 1, 'grc'],
    ['add-book', 'scenarios/books.ts#addBook', 1, 'books'],
    ['get-book', 'scenarios/books.ts#getBook', 1, 'books'],
    ['lend-book', 'scenarios/books.ts#lendBook', 1, 'books'],
    ['list-books', 'scenarios/books.ts#listBooks', 1, 'books'],
  ]);
  const yaml = readFileSync(model, 'utf8');
  assert.match(yaml, /# LAE for the scaffold test: comments must survive the edit\./);
  assert.match(yaml, /peakPerHour: 1300 # measured/);
  assert.match(yaml, /peakPerHour: 1 # placeholder: replace with the measured peak hour \(perfcell derive\)\n {4}targets: \[ grc \]/);
  assert.match(yaml, /peakPerHour: 1 # placeholder: replace with the measured peak hour/);

  const again = await runCli(['scenario', 'new', '--openapi', grc, '--operation', 'getPerson', '--model', model]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /a new transaction name \("get-person" is already there; give --name\)/);
  const unknown = await runCli(['scenario', 'new', '--openapi', book, '--operation', 'GET /nowhere']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
  assert.match(unknown.stderr, /bookshelf\.yaml: paths: an operation "GET \/nowhere" \(operationId or "METHOD \/path"; it has listBooks, addBook/);
});
