// The customer-service operator's journey on the front (seed 000's "response time felt by users"): open
// the page, search a person, open the 360° view, log the call. Runs in the end-to-end phase as a k6
// browser scenario (Chromium) beside the protocol load. k6 records the Web Vitals (LCP, FCP, CLS, INP,
// TTFB) itself; each step's time, from the operator's action to the page showing the result, goes to the
// journey_step trend, one `name` per step.
import { browser } from 'k6/browser';
import { check } from 'k6';
import { Trend } from 'k6/metrics';
import { row, target } from 'perfcell/k6';

const stepDuration = new Trend('journey_step', true);

async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const result = await step();
  stepDuration.add(Date.now() - t0, { name });
  return result;
}

export async function operatorJourney(): Promise<void> {
  const p = row('persons');
  const page = await browser.newPage();
  try {
    await timed('journey: open page', async () => {
      await page.goto(`${target('front')}/`, { waitUntil: 'load' });
      await page.locator('[data-testid=search-form]').waitFor();
    });

    await timed('journey: search', async () => {
      await page.locator('[data-testid=search-input]').fill(p.search ?? '');
      await page.locator('[data-testid=search-submit]').click();
      await page.locator('[data-testid=search-status][data-state=ready]').waitFor({ timeout: 10_000 });
    });
    const found = await page.locator('[data-testid=search-result]').count();
    check(found, { 'journey: search finds the person': (n) => n > 0 });
    if (found === 0) return;

    await timed('journey: 360 view', async () => {
      // The searched person when listed (the search may return homonyms first), else the first result.
      const mine = page.locator(`[data-testid=open-360][data-person-id="${p.person_id}"]`);
      await ((await mine.count()) > 0 ? mine : page.locator('[data-testid=open-360]').first()).click();
      await page.locator('[data-testid=person-360][data-state=ready]').waitFor({ timeout: 10_000 });
    });

    await timed('journey: log call', async () => {
      await page.locator('[data-testid=call-actions]').fill('Renseignement donné sur les garanties.');
      await page.locator('[data-testid=call-submit]').click();
      await page.locator('[data-testid=call-result][data-state=saved]').waitFor({ timeout: 10_000 });
    });
    check(await page.locator('[data-testid=call-result]').getAttribute('data-ticket-id'), { 'journey: call logged with a ticket': (id) => Boolean(id) });
  } finally {
    // Closing the page reports the last Web Vitals (INP, CLS) of the visit.
    await page.close();
  }
}
