// Département Vente transactions: profile, offers, accepting an offer (asks legal and billing by events).
import http from 'k6/http';
import { check } from 'k6';
import { named, row, target } from 'perfcell/k6';

const JSON_HEADERS = { 'content-type': 'application/json' };

export function readSalesProfile(): void {
  const p = row('persons');
  const res = http.get(`${target('sales')}/persons/${p.person_id}/summary`, named('GET /persons/{id}/summary'));
  check(res, { 'profile 200': (r) => r.status === 200 });
}

export function proposeOffer(): void {
  const p = row('persons');
  const res = http.post(`${target('sales')}/persons/${p.person_id}/offers`, JSON.stringify({ product: 'auto', monthlyPremiumCents: 4500 }), named('POST /persons/{id}/offers', { headers: JSON_HEADERS }));
  check(res, { 'offer 201': (r) => r.status === 201 });
}

/** Proposes then accepts an offer: the accept publishes a contract request and an invoice request. */
export function acceptOffer(): void {
  const p = row('persons');
  const offer = http.post(`${target('sales')}/persons/${p.person_id}/offers`, JSON.stringify({ product: 'habitation', monthlyPremiumCents: 2900 }), named('POST /persons/{id}/offers', { headers: JSON_HEADERS }));
  if (!check(offer, { 'offer 201': (r) => r.status === 201 })) return;
  const res = http.post(`${target('sales')}/offers/${offer.json('id') as number}/accept`, null, named('POST /offers/{id}/accept'));
  check(res, { 'accept 200': (r) => r.status === 200 });
}
