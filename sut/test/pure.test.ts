// Pure parts of the reference target: data generator, masking, traps, topology, topic matching, search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageCategory, deterministicUuid, frenchIban, ibanMod97, isValidIban, mulberry32, normalizeName, personAt } from '../lib/french-data.js';
import { ibanFor, maskHealth, maskIban, MASKED, scrubFreeText } from '../lib/sensitive.js';
import { activeTraps, extraDelayMs, NO_TRAPS, trapsFromEnv, trapsToEnv } from '../lib/traps.js';
import { topicMatches } from '../lib/bus.js';
import { dependencyEnvVar, EVENT_CONSUMERS, SERVICES, startOrder, startWaves } from '../topology.js';
import { parseSearch, prefixRange, prospectsFor } from '../services/grc.js';
import { personsCsv } from '../seed.js';
import { startOptionsFromFlags } from '../../src/cli/sut-commands.js';

test('generated IBANs are valid French IBANs (ISO 13616 check digits and RIB key)', () => {
  const rand = mulberry32(42);
  for (let i = 0; i < 2000; i++) {
    const iban = frenchIban(rand);
    assert.match(iban, /^FR\d{25}$/);
    assert.ok(isValidIban(iban), iban);
    const [bank, branch, account, key] = [iban.slice(4, 9), iban.slice(9, 14), iban.slice(14, 25), iban.slice(25, 27)].map(BigInt);
    assert.equal((89n * bank! + 15n * branch! + 3n * account! + key!) % 97n, 0n, `RIB key of ${iban}`);
  }
  // A known-good published example, and the same with one digit changed.
  assert.equal(ibanMod97('FR1420041010050500013M02606'), 1);
  assert.equal(isValidIban('FR1420041010050500013M02607'), false);
});

test('person i of a seed is always the same person, and another seed gives other persons', () => {
  assert.deepEqual(personAt('s1', 17), personAt('s1', 17));
  assert.notDeepEqual(personAt('s1', 17), personAt('s2', 17));
  assert.notEqual(personAt('s1', 17).id, personAt('s1', 18).id);
  const p = personAt('lae-2026', 0);
  assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(p.phone, /^0[1-7]( \d{2}){4}$/);
  assert.match(p.email, /^[a-z.-]+\d+@[a-z.]+$/);
  assert.match(p.postcode, /^\d{5}$/);
  assert.equal(deterministicUuid('a', 'person', 1), deterministicUuid('a', 'person', 1));
  // 1000 persons: ids unique, emails unique, both sexes, several cities.
  const many = Array.from({ length: 1000 }, (_, i) => personAt('x', i));
  assert.equal(new Set(many.map((m) => m.id)).size, 1000);
  assert.equal(new Set(many.map((m) => m.email)).size, 1000);
  assert.ok(many.some((m) => m.sex === 'F') && many.some((m) => m.sex === 'M'));
  assert.ok(new Set(many.map((m) => m.city)).size > 20);
});

test('the scenario data file is deterministic and names existing persons', () => {
  const a = personsCsv(50, 'demo');
  assert.equal(a, personsCsv(50, 'demo'));
  assert.notEqual(a, personsCsv(50, 'other'));
  const lines = a.trim().split('\n');
  assert.equal(lines[0], 'person_id,last_name,first_name,search,postcode,contract_id');
  assert.equal(lines.length, 51);
  assert.ok(lines[1]!.startsWith(`${personAt('demo', 0).id},`));
});

test('names are compared upper-case without accents; search parses last then first name prefixes', () => {
  assert.equal(normalizeName('Lefèvre'), 'LEFEVRE');
  assert.equal(normalizeName('  Noël '), 'NOEL');
  assert.deepEqual(parseSearch('dupont ma'), { last: 'DUPONT', first: 'MA' });
  assert.deepEqual(prefixRange('DUP'), ['DUP', 'DUQ']);
  assert.equal(prospectsFor(3000), 27_000);
  assert.equal(prospectsFor(100_000), 100_000);
  assert.equal(ageCategory('2000-06-01', Date.UTC(2026, 0, 1)), '18-25');
  assert.equal(ageCategory('1950-06-01', Date.UTC(2026, 0, 1)), '61+');
});

test('IBAN and health declarations are masked unless the role allows them; free text is scrubbed', () => {
  assert.equal(maskIban('FR7630006000011234567890189'), 'FR76 **** **** **** **** ***0 189');
  assert.equal(ibanFor('FR7630006000011234567890189', 'billing'), 'FR7630006000011234567890189');
  assert.equal(ibanFor('FR7630006000011234567890189', 'customer-service'), 'FR76 **** **** **** **** ***0 189');
  const h = { tobacco: true, alcohol: 'regular', illnesses: ['asthme'] };
  assert.equal(maskHealth(h, ''), MASKED);
  assert.deepEqual(maskHealth(h, 'legal'), h);
  const scrubbed = scrubFreeText('Client donne son IBAN FR76 3000 6000 0112 3456 7890 189 et parle de son diabète et du tabac');
  assert.doesNotMatch(scrubbed, /3000|diab|tabac/);
  assert.match(scrubbed, /\[IBAN removed\]/);
});

test('traps are off by default and each one is switched by its own variable', () => {
  assert.deepEqual(trapsFromEnv({}), NO_TRAPS);
  const t = trapsFromEnv({ SUT_TRAP_N_PLUS_ONE: '1', SUT_TRAP_MISSING_INDEX: 'true', SUT_TRAP_SEQUENTIAL_360: '0', SUT_TRAP_LEAK: 'yes', SUT_TRAP_LEAK_KB: '16', SUT_SLOWDOWN_PCT: '25', SUT_TRAP_LATENCY_MS: 'abc' });
  assert.equal(t.nPlusOne, true);
  assert.equal(t.missingIndex, true);
  assert.equal(t.sequential360, false);
  assert.equal(t.leak, true);
  assert.equal(t.leakKb, 16);
  assert.equal(trapsFromEnv({ SUT_TRAP_LEAK: '1' }).leakKb, 64);
  assert.equal(t.slowdownPct, 25);
  assert.equal(t.latencyMs, 0);
  assert.deepEqual(trapsFromEnv(trapsToEnv(t)), t);
  const drifted = trapsFromEnv({ SUT_DRIFT: 'removed-route' });
  assert.equal(drifted.drift, 'removed-route');
  assert.deepEqual(trapsFromEnv(trapsToEnv(drifted)), drifted);
  assert.throws(() => trapsFromEnv({ SUT_DRIFT: 'bogus' }), /SUT_DRIFT: one of none, renamed-field, removed-route, changed-status \(got "bogus"\)/);
  assert.deepEqual(activeTraps(t), ['SUT_TRAP_N_PLUS_ONE', 'SUT_TRAP_MISSING_INDEX', 'SUT_TRAP_LEAK', 'SUT_SLOWDOWN_PCT']);
  // +25% of the route's own 80 ms, plus a fixed latency when one is set.
  assert.equal(extraDelayMs(t, 80), 20);
  assert.equal(extraDelayMs({ ...t, latencyMs: 5 }, 80), 25);
});

test('topology: dependency variables, start order, every event has consumers that exist', () => {
  assert.equal(dependencyEnvVar('legal'), 'LEGAL_URL');
  assert.equal(dependencyEnvVar('customer-service'), 'CUSTOMER_SERVICE_URL');
  assert.equal(dependencyEnvVar('ticketing'), 'TICKETING_URL');
  assert.deepEqual(SERVICES.grc.dependsOn, ['customer-service', 'legal', 'sales', 'billing']);
  const order = startOrder(['front', 'grc', 'customer-service', 'legal', 'sales', 'billing', 'ticketing']);
  for (const name of order) for (const d of SERVICES[name].dependsOn) assert.ok(order.indexOf(d) < order.indexOf(name), `${d} before ${name}`);
  assert.deepEqual(startOrder(['grc']), ['grc']);
  assert.deepEqual(startWaves(order), [['ticketing', 'legal', 'sales', 'billing'], ['customer-service'], ['grc'], ['front']]);
  assert.deepEqual(startWaves(['grc', 'front']), [['grc'], ['front']]);
  for (const consumers of Object.values(EVENT_CONSUMERS)) for (const c of consumers) assert.ok(SERVICES[c].schema, c);
});

test('AMQP topic matching', () => {
  assert.ok(topicMatches('contact.updated', 'contact.updated'));
  assert.ok(topicMatches('contact.*', 'contact.updated'));
  assert.ok(topicMatches('#', 'a.b.c'));
  assert.ok(topicMatches('a.#.c', 'a.c'));
  assert.ok(!topicMatches('contact.*', 'contact.updated.v2'));
  assert.ok(!topicMatches('person.created', 'contact.updated'));
});

test('sut start flags: embedded excludes a database URL, ports shift, dependencies are service=URL', () => {
  const base = { portOffset: '0', dependency: [] as string[], timeout: '90s', state: 'x' };
  assert.throws(() => startOptionsFromFlags({ ...base, embedded: true, databaseUrl: 'postgres://x' }), /--embedded/);
  assert.throws(() => startOptionsFromFlags({ ...base, only: 'grc,nope' }), /--only.*"nope"/);
  assert.throws(() => startOptionsFromFlags({ ...base, dependency: ['legal:http://x'] }), /--dependency/);
  const o = startOptionsFromFlags({ ...base, portOffset: '1000', only: 'grc', dependency: ['legal=http://127.0.0.1:9999'] }, { SUT_TRAP_LEAK: '1' });
  assert.equal(o.ports?.grc, 9080);
  assert.deepEqual(o.only, ['grc']);
  assert.equal(o.dependencyUrls?.legal, 'http://127.0.0.1:9999');
  assert.equal(o.traps?.leak, true);
});
