// Runs only with JavaScript on (the js-off project ignores this file):
// the hydration bundle loads and the pages run without errors.
import { test, expect, type Page } from '@playwright/test';
import { loadDefinitions, text } from './definitions';
import { expectNoAxeViolations } from './a11y';

const definitions = loadDefinitions();

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return errors;
}

test('the start page hydrates: /pkg/amtsweg.wasm loads, no errors', async ({ page }) => {
  const errors = collectErrors(page);
  const wasm: number[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/pkg/amtsweg.wasm') wasm.push(r.status());
  });
  await page.goto('/');
  // The app marks <html data-hydrated="true"> once hydrate() has run.
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.waitForLoadState('networkidle');
  expect(wasm.length, 'requests of /pkg/amtsweg.wasm').toBeGreaterThan(0);
  expect(wasm.filter((status) => status !== 200), 'responses to /pkg/amtsweg.wasm other than 200').toEqual([]);
  expect(errors).toEqual([]);
});

test("a form's page hydrates without errors", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  await page.getByRole('link', { name: text(definitions[0].title, 'de'), exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
});

// Live checks (app/src/live.rs): the form engine runs in the browser on
// step pages. The form carries data-live="on" once it listens.

async function startDogTax(page: Page) {
  await page.goto('/forms/hundesteuer');
  await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Halterin oder Halter' })).toBeVisible();
}

const live = (page: Page) => expect(page.locator('form.step-form')).toHaveAttribute('data-live', 'on');

test.describe('live checks on a step page', () => {
  test('a wrong postal code shows its error when the field is left, not while typing; the right one clears it', async ({ page, browser }) => {
    const errors = collectErrors(page);
    await startDogTax(page);
    await live(page);
    const address = page.getByRole('group', { name: /^Anschrift/ });
    const postal = address.getByLabel('Postleitzahl');
    const message = page.locator('[id="halter_anschrift.postal_code-error"]');

    await postal.fill('9942');
    await expect(message).toHaveCount(0);
    await postal.press('Tab');
    // The message as the server renders it, next to the field, named by
    // the input's description; focus stays where the citizen went.
    await expect(message).toHaveText('Fehler: Anschrift: „Postleitzahl“ muss eine Postleitzahl mit 5 Ziffern sein.');
    await expect(postal).toHaveAttribute('aria-invalid', 'true');
    await expect(postal).toHaveAttribute('aria-describedby', 'halter_anschrift.postal_code-error');
    await expect(postal).toHaveAccessibleDescription(/„Postleitzahl“ muss eine Postleitzahl mit 5 Ziffern sein/);
    await expect(address.getByLabel('Ort', { exact: true })).toBeFocused();
    await expectNoAxeViolations(page, browser, true);

    // Once shown, the message follows every keystroke: it goes as soon as the value is right.
    await postal.fill('99423');
    await expect(message).toHaveCount(0);
    await expect(postal).not.toHaveAttribute('aria-invalid', /.*/);
    await expect(postal).not.toHaveAttribute('aria-describedby', /.*/);
    // Nothing blocks submitting: the server still checks everything.
    await page.getByRole('button', { name: 'Weiter', exact: true }).last().click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.getByRole('alert').getByRole('link', { name: 'Geben Sie „Familienname“ an.' })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('an impossible date is an error next to the date field, keeping the format hint', async ({ page }) => {
    const errors = collectErrors(page);
    await startDogTax(page);
    await live(page);
    const birth = page.getByLabel('Geburtsdatum', { exact: true });
    await birth.fill('31.02.1985');
    await birth.blur();
    const message = page.locator('#halter_geburtsdatum-error');
    await expect(message).toContainText('Geburtsdatum');
    await expect(birth).toHaveAttribute('aria-describedby', 'halter_geburtsdatum-error halter_geburtsdatum-format');
    await birth.fill('28.02.1985');
    await expect(message).toHaveCount(0);
    await expect(birth).toHaveAttribute('aria-describedby', 'halter_geburtsdatum-format');
    expect(errors).toEqual([]);
  });

  test("the server's error goes as soon as the answer is there; the summary stays until the next save", async ({ page }) => {
    const errors = collectErrors(page);
    await startDogTax(page);
    await page.getByRole('button', { name: 'Weiter', exact: true }).last().click();
    const family = page.getByLabel('Familienname', { exact: true });
    await expect(family).toHaveAttribute('aria-invalid', 'true');
    await live(page);
    await family.fill('Mustermann');
    await expect(page.locator('#halter_familienname-error')).toHaveCount(0);
    await expect(family).not.toHaveAttribute('aria-invalid', /.*/);
    await expect(page.getByRole('alert').getByRole('link', { name: 'Geben Sie „Familienname“ an.' })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('a question of the same step is hidden from the first paint, appears with "Ja" and goes with "Nein"', async ({ page, browser }) => {
    const errors = collectErrors(page);
    // Hold the definition back: until the live checks run, the server's
    // class hides the question (no layout shift when they start).
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/definitions/**', async (route) => {
      await held;
      await route.continue();
    });
    await startDogTax(page);
    const previous = page.getByLabel('Bisherige Gemeinde', { exact: true });
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(previous).toBeHidden();
    release();
    await live(page);
    await expect(previous).toBeHidden();
    // Hidden with the attribute: out of the accessibility tree, not focusable.
    await expect(page.locator('[data-condition="vorherige_gemeinde"]')).toHaveAttribute('hidden', '');
    await expect(page.getByRole('textbox', { name: 'Bisherige Gemeinde' })).toHaveCount(0);

    const moved = page.getByRole('group', { name: /aus einer anderen Gemeinde zugezogen/ });
    await moved.getByRole('radio', { name: 'Ja' }).check();
    await expect(previous).toBeVisible();
    await expect(page.getByLabel('Zuzug am', { exact: true })).toBeVisible();
    await expect(previous).toHaveAccessibleDescription(/Nur ausfüllen, wenn Sie bei „Sind Sie mit dem Hund aus einer anderen Gemeinde zugezogen\?“ „Ja“ angegeben haben/);
    await previous.fill('Erfurt');
    await expectNoAxeViolations(page, browser, true);

    await moved.getByRole('radio', { name: 'Nein' }).check();
    await expect(previous).toBeHidden();
    await expect(page.getByLabel('Zuzug am', { exact: true })).toBeHidden();
    // Tab from "Nein" skips the hidden questions.
    await moved.getByRole('radio', { name: 'Nein' }).press('Tab');
    await expect(previous).not.toBeFocused();
    await moved.getByRole('radio', { name: 'Ja' }).check();
    await expect(previous).toHaveValue('Erfurt');
    expect(errors).toEqual([]);
  });

  test('a question inside a dog entry follows that entry\'s answer', async ({ page }) => {
    const errors = collectErrors(page);
    await startDogTax(page);
    await page.getByLabel('Familienname', { exact: true }).fill('Mustermann');
    await page.getByLabel('Vorname', { exact: true }).fill('Erika');
    await page.getByLabel('Geburtsdatum', { exact: true }).fill('17.03.1985');
    const address = page.getByRole('group', { name: /^Anschrift/ });
    await address.getByLabel('Straße').fill('Marktstraße');
    await address.getByLabel('Hausnummer').fill('12');
    await address.getByLabel('Postleitzahl').fill('99423');
    await address.getByLabel('Ort', { exact: true }).fill('Weimar');
    await page.getByRole('group', { name: /aus einer anderen Gemeinde zugezogen/ }).getByRole('radio', { name: 'Nein' }).check();
    await page.getByRole('button', { name: 'Weiter', exact: true }).last().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Hunde' })).toBeVisible();
    await live(page);
    const permit = page.getByRole('group', { name: /Erlaubnis zum Halten/ });
    await expect(permit).toBeHidden();
    await page.getByRole('group', { name: /gefährlicher Hund/ }).getByRole('radio', { name: 'Ja' }).check();
    await expect(permit).toBeVisible();
    await page.getByRole('group', { name: /gefährlicher Hund/ }).getByRole('radio', { name: 'Nein' }).check();
    await expect(permit).toBeHidden();

    // Back to the first step (the router renders it in the browser): the
    // live checks start again there.
    await page.getByRole('link', { name: 'Zurück' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Halterin oder Halter' })).toBeVisible();
    await live(page);
    const previous = page.getByLabel('Bisherige Gemeinde', { exact: true });
    await expect(previous).toBeHidden();
    await page.getByRole('group', { name: /aus einer anderen Gemeinde zugezogen/ }).getByRole('radio', { name: 'Ja' }).check();
    await expect(previous).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('the large form loads its definition once and toggles a question of its first step', async ({ page }) => {
    const errors = collectErrors(page);
    const definitionRequests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/definitions/')) definitionRequests.push(r.url());
    });
    await page.goto('/forms/grosser-testantrag');
    await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
    await live(page);
    const detail = page.getByLabel('Abschnitt 1, Feld 24: Weitere Angabe', { exact: true });
    await expect(detail).toBeHidden();
    await page
      .getByRole('group', { name: 'Abschnitt 1, Feld 1: Weitere Angaben machen?' })
      .getByRole('radio', { name: 'Ja' })
      .check();
    await expect(detail).toBeVisible();
    expect(definitionRequests).toEqual([expect.stringMatching(/\/definitions\/grosser-testantrag\/v\d+\.json$/)]);
    expect(errors).toEqual([]);
  });

  test('without the definition every question shows, as without JavaScript', async ({ page }) => {
    await page.route('**/definitions/**', (route) => route.fulfill({ status: 503, body: 'nicht erreichbar' }));
    await startDogTax(page);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.locator('html')).not.toHaveClass(/enhanced/);
    await expect(page.getByLabel('Bisherige Gemeinde', { exact: true })).toBeVisible();
    await expect(page.locator('form.step-form')).not.toHaveAttribute('data-live', /.*/);
  });
});

// No layout shift (issue 3: "no layout shift"): the browser's own
// Layout Instability API adds up every shift that no input caused, while
// a step page loads, hydrates and its live checks start, and while the
// start page does. Error messages shown after the citizen leaves a field
// follow an input and do not count, as for Core Web Vitals.
async function watchLayoutShifts(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __shifts: { value: number; sources: string[] }[] };
    w.__shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; sources?: { node?: Node }[] }[]) {
        if (entry.hadRecentInput) continue;
        w.__shifts.push({
          value: entry.value,
          sources: (entry.sources ?? []).map((s) => (s.node instanceof Element ? s.node.outerHTML.slice(0, 120) : String(s.node?.nodeName))),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

const shifts = (page: Page) =>
  page.evaluate(() => (window as unknown as { __shifts: { value: number; sources: string[] }[] }).__shifts);

test('pages do not shift while they load and hydrate', async ({ page }) => {
  await watchLayoutShifts(page);
  await page.goto('/forms/hundesteuer');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.waitForLoadState('networkidle');
  expect(await shifts(page), 'layout shifts on the start page').toEqual([]);
  await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Halterin oder Halter' })).toBeVisible();
  await live(page);
  await page.waitForLoadState('networkidle');
  // Give late work (fonts, the live checks' first pass) a moment to show.
  await page.waitForTimeout(500);
  expect(await shifts(page), 'layout shifts on the first step').toEqual([]);
});
