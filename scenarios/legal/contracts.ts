// Département Légal transactions: contracts, their digital copy, the health declaration (legal role).
import http from 'k6/http';
import { check } from 'k6';
import { named, row, target } from 'perfcell/k6';

export function readContract(): void {
  const p = row('persons');
  const res = http.get(`${target('legal')}/contracts/${p.contract_id}`, named('GET /contracts/{id}'));
  check(res, { 'contract 200': (r) => r.status === 200 });
}

export function readContractDocument(): void {
  const p = row('persons');
  const res = http.get(`${target('legal')}/contracts/${p.contract_id}/document`, named('GET /contracts/{id}/document'));
  check(res, { 'document 200': (r) => r.status === 200 });
}

export function readHealthDeclaration(): void {
  const p = row('persons');
  const res = http.get(`${target('legal')}/persons/${p.person_id}/health-declaration`, named('GET /persons/{id}/health-declaration', { headers: { 'x-role': 'legal' } }));
  check(res, { 'health 200': (r) => r.status === 200 });
}

export function recordContract(): void {
  const p = row('persons');
  const res = http.post(`${target('legal')}/persons/${p.person_id}/contracts`, JSON.stringify({ product: 'habitation' }), named('POST /persons/{id}/contracts', { headers: { 'content-type': 'application/json' } }));
  check(res, { 'contract 201': (r) => r.status === 201 });
}
