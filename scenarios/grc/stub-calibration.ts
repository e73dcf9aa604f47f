// Calls grc's dependencies directly, exactly as grc and customer-service call them, each request named
// after the endpoint its stub mapping names (metadata.endpoint): `perfcell stubs calibrate <run>` fits each
// stub's lognormal delay to these latencies (stubs/calibration.yaml, docs/stubs.md).
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { named, row, target } from 'perfcell/k6';

const ROLE = { 'x-role': 'customer-service' };
const JSON_HEADERS = { 'content-type': 'application/json' };

function summary(dependency: string): void {
  const p = row('persons');
  const res = http.get(`${target(dependency)}/persons/${p.person_id}/summary`, named(`${dependency} GET /persons/{id}/summary`, { headers: ROLE }));
  check(res, { 'summary 200': (r) => r.status === 200 });
}

export const customerServiceSummary = (): void => summary('customer-service');
export const legalSummary = (): void => summary('legal');
export const salesSummary = (): void => summary('sales');
export const billingSummary = (): void => summary('billing');

export function contactUpdate(): void {
  const p = row('persons');
  const body = { email: `calib.${exec.scenario.iterationInTest}@perf.lae.test`, phone: '06 12 34 56 78' };
  const res = http.put(`${target('customer-service')}/contacts/${p.person_id}`, JSON.stringify(body), named('customer-service PUT /contacts/{id}', { headers: JSON_HEADERS }));
  check(res, { 'contact 200': (r) => r.status === 200 });
}

export function callLog(): void {
  const p = row('persons');
  const body = { reason: 'question sur un contrat', operator: 'operateur-1', actions: 'Renseignement donné.' };
  const res = http.post(`${target('customer-service')}/contacts/${p.person_id}/calls`, JSON.stringify(body), named('customer-service POST /contacts/{id}/calls', { headers: { ...JSON_HEADERS, 'x-operator': 'operateur-1' } }));
  check(res, { 'call 201': (r) => r.status === 201 });
}
