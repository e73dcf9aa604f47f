// Département Facturation transactions: paged billing history, account (billing role), invoices.
import http from 'k6/http';
import { check } from 'k6';
import { named, row, target } from 'perfcell/k6';

export function billingHistory(): void {
  const p = row('persons');
  const res = http.get(`${target('billing')}/persons/${p.person_id}/invoices?page=1&pageSize=10`, named('GET /persons/{id}/invoices'));
  check(res, { 'history 200': (r) => r.status === 200 });
}

export function readAccount(): void {
  const p = row('persons');
  const res = http.get(`${target('billing')}/persons/${p.person_id}/account`, named('GET /persons/{id}/account', { headers: { 'x-role': 'billing' } }));
  check(res, { 'account 200': (r) => r.status === 200 });
}

export function recordInvoice(): void {
  const p = row('persons');
  const body = { period: '2026-02', lines: [{ label: 'Cotisation 2026-02', amountCents: 3200 }, { label: 'Frais de gestion', amountCents: 150 }] };
  const res = http.post(`${target('billing')}/persons/${p.person_id}/invoices`, JSON.stringify(body), named('POST /persons/{id}/invoices', { headers: { 'content-type': 'application/json' } }));
  check(res, { 'invoice 201': (r) => r.status === 201 });
}
