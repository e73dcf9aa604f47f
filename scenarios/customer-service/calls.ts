// Service Client transactions, called directly on customer-service (department-level tests).
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { named, row, target } from 'perfcell/k6';

export function readContact(): void {
  const p = row('persons');
  const res = http.get(`${target('customer-service')}/contacts/${p.person_id}`, named('GET /contacts/{id}'));
  check(res, { 'contact 200': (r) => r.status === 200 });
}

export function callHistory(): void {
  const p = row('persons');
  const res = http.get(`${target('customer-service')}/contacts/${p.person_id}/calls?limit=20`, named('GET /contacts/{id}/calls'));
  check(res, { 'calls 200': (r) => r.status === 200 });
}

export function logCall(): void {
  const p = row('persons');
  const redirect = ['legal', 'sales', 'billing'][exec.scenario.iterationInTest % 5];
  const body = { reason: 'question sur une facture', operator: `operateur-${exec.vu.idInTest % 40}`, actions: 'Explication de la facture.', ...(redirect ? { redirectTo: redirect } : {}) };
  const res = http.post(`${target('customer-service')}/contacts/${p.person_id}/calls`, JSON.stringify(body), named('POST /contacts/{id}/calls', { headers: { 'content-type': 'application/json' } }));
  check(res, { 'call 201': (r) => r.status === 201 });
}
