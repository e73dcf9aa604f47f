// Service Personne (grc) transactions, as the operator's front calls them. Ids come from the seeded data
// set (`perfcell sut seed` writes data/generated/persons.csv); URLs are grouped by route template.
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { named, row, target } from 'perfcell/k6';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-role': 'customer-service' };

/** A unique suffix per iteration of the whole test (k6 runs several VUs and instances). */
function uniq(): string {
  return `${exec.scenario.iterationInTest}-${exec.vu.idInTest}`;
}

function phoneFrom(n: number): string {
  const d = (k: number) => String(Math.floor(n / 100 ** k) % 100).padStart(2, '0');
  return `06 ${d(3)} ${d(2)} ${d(1)} ${d(0)}`;
}

export function searchPerson(): void {
  const p = row('persons');
  const res = http.get(`${target('grc')}/persons?q=${encodeURIComponent(p.search ?? '')}&limit=20`, named('GET /persons?q'));
  check(res, { 'search 200': (r) => r.status === 200, 'search finds someone': (r) => r.status === 200 && (r.json('count') as number) > 0 });
}

export function readPerson360(): void {
  const p = row('persons');
  const res = http.get(`${target('grc')}/persons/${p.person_id}/360`, named('GET /persons/{id}/360', { headers: { 'x-role': 'customer-service' } }));
  check(res, { '360 200': (r) => r.status === 200 });
}

export function readPerson(): void {
  const p = row('persons');
  const res = http.get(`${target('grc')}/persons/${p.person_id}`, named('GET /persons/{id}'));
  check(res, { 'person 200': (r) => r.status === 200 });
}

export function createPerson(): void {
  const u = uniq();
  const body = {
    lastName: 'PERF',
    firstName: `Prospect${u}`,
    birthDate: '1985-06-15',
    sex: exec.scenario.iterationInTest % 2 === 0 ? 'F' : 'M',
    email: `prospect.${u}@perf.lae.test`,
    phone: phoneFrom(exec.scenario.iterationInTest),
    postcode: '75011',
    city: 'Paris',
    profession: 'cadre',
  };
  const res = http.post(`${target('grc')}/persons`, JSON.stringify(body), named('POST /persons', { headers: JSON_HEADERS }));
  check(res, { 'create 201': (r) => r.status === 201 });
}

export function updateContact(): void {
  const p = row('persons');
  const body = { email: `${(p.first_name ?? 'x').toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${uniq()}@perf.lae.test`, phone: phoneFrom(exec.scenario.iterationInTest + 1000) };
  const res = http.patch(`${target('grc')}/persons/${p.person_id}/contact`, JSON.stringify(body), named('PATCH /persons/{id}/contact', { headers: JSON_HEADERS }));
  check(res, { 'update 200': (r) => r.status === 200 });
}

export function logCall(): void {
  const p = row('persons');
  const body = { reason: 'question sur un contrat', operator: `operateur-${exec.vu.idInTest % 40}`, actions: 'Renseignement donné sur les garanties.' };
  const res = http.post(`${target('grc')}/persons/${p.person_id}/calls`, JSON.stringify(body), named('POST /persons/{id}/calls', { headers: { ...JSON_HEADERS, 'x-operator': body.operator } }));
  check(res, { 'call 201': (r) => r.status === 201 });
}
