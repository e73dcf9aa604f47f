// The operator's page in a real headless Chromium: search a person, open the 360° view, log a call — by the
// stable ids / data-testid that sut/README.md documents for the browser scenario. No external request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { startSut, type RunningSut } from '../start.js';
import { seedSut } from '../seed.js';
import { personAt } from '../lib/french-data.js';
import { NO_TRAPS } from '../lib/traps.js';
import { ANY_PORTS, http } from './support.js';

let sut: RunningSut;
let browser: Browser;

before(async () => {
  sut = await startSut({ ports: ANY_PORTS, traps: NO_TRAPS });
  await seedSut(sut.urls, { persons: 100, seed: 'front' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'] });
});
after(async () => {
  await browser?.close();
  await sut?.stop();
});

test('search → 360° view → log a call, driven by data-testid', async () => {
  const p = personAt('front', 4);
  const page = await browser.newPage();
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.hostname !== '127.0.0.1') foreign.push(r.url());
  });
  await page.goto(sut.urls.front!);
  await page.getByTestId('search-input').fill(`${p.lastName} ${p.firstName}`);
  await page.getByTestId('search-submit').click();
  await page.locator('[data-testid="search-status"][data-state="ready"]').waitFor();
  const row = page.locator(`[data-testid="search-result"][data-person-id="${p.id}"]`);
  await row.getByTestId('open-360').click();
  await page.locator('[data-testid="person-360"][data-state="ready"]').waitFor();
  assert.match(await page.getByTestId('person-name').innerText(), new RegExp(p.lastName));
  assert.equal(await page.getByTestId('contact-email').innerText(), p.email);
  assert.equal(await page.getByTestId('contracts-count').innerText(), '1');
  assert.doesNotMatch(await page.getByTestId('iban').innerText(), new RegExp(p.iban.slice(4, 20)), 'IBAN masked for the operator');

  await page.getByTestId('call-reason').selectOption('question sur une facture');
  await page.getByTestId('call-actions').fill('Explication de la dernière échéance.');
  await page.getByTestId('call-redirect').selectOption('billing');
  await page.getByTestId('call-submit').click();
  await page.locator('[data-testid="call-result"][data-state="saved"]').waitFor();
  const ticketId = await page.getByTestId('call-result').getAttribute('data-ticket-id');
  assert.ok(ticketId);
  const calls = await http<{ items: { ticketId: string; redirectedTo: string }[] }>('GET', `${sut.urls['customer-service']}/contacts/${p.id}/calls?limit=1`);
  assert.equal(calls.body.items[0]?.ticketId, ticketId);
  assert.equal(calls.body.items[0]?.redirectedTo, 'billing');
  assert.deepEqual(foreign, []);

  await page.getByTestId('search-input').fill('ZZZZNOBODY');
  await page.getByTestId('search-submit').click();
  await page.locator('[data-testid="search-status"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('search-result').count(), 0);
  await page.close();
});
