// The citizen journey end to end, with JavaScript on and off: start a form,
// answer every step (with one error round-trip), check the answers, submit,
// and read the reference number. Elements are found by role and label, as a
// screen reader would.
//
// The form is the dog tax registration (hundesteuer): it is anonymous; its
// proof upload (asked only when a tax reduction is applied for) is tested
// with a wrong file and a minimal PDF generated here. The residents' parking permit needs the Servicekonto
// and two uploads; without a login its start page offers no start button
// (checked here; login itself: login.spec.ts).
import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';

const group = (page: Page, name: string | RegExp) => page.getByRole('group', { name });
const next = (page: Page) => page.getByRole('button', { name: 'Weiter', exact: true }).last();

async function start(page: Page) {
  await page.goto('/forms/hundesteuer');
  await expect(page.getByRole('heading', { level: 1, name: 'Hund zur Hundesteuer anmelden' })).toBeVisible();
  await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Halterin oder Halter' })).toBeVisible();
  await expect(page.getByText(/Schritt 1 von 5/)).toBeVisible();
}

async function owner(page: Page, familyName: string) {
  await page.getByLabel('Familienname', { exact: true }).fill(familyName);
  await page.getByLabel('Vorname', { exact: true }).fill('Erika');
  await page.getByLabel('Geburtsdatum', { exact: true }).fill('17.03.1985');
  const address = group(page, /^Anschrift/);
  await address.getByLabel('Straße').fill('Marktstraße');
  await address.getByLabel('Hausnummer').fill('12');
  await address.getByLabel('Postleitzahl').fill('99423');
  await address.getByLabel('Ort', { exact: true }).fill('Weimar');
  await page.getByLabel(/^E-Mail-Adresse/).fill('erika@example.org');
  await group(page, /aus einer anderen Gemeinde zugezogen/).getByRole('radio', { name: 'Nein' }).check();
  await next(page).click();
}

async function dogs(page: Page) {
  const dog = group(page, 'Hund 1');
  await dog.getByLabel('Name des Hundes').fill('Bello');
  await dog.getByLabel('Rasse', { exact: true }).selectOption({ label: 'Beagle' });
  await group(page, 'Geschlecht').getByRole('radio', { name: 'Rüde', exact: true }).check();
  await dog.getByLabel('Farbe', { exact: true }).fill('braun');
  await dog.getByLabel('Gehalten seit').fill('01.01.2024');
  await group(page, 'Woher stammt der Hund?').getByRole('radio', { name: 'Privatperson' }).check();
  await group(page, /gefährlicher Hund/).getByRole('radio', { name: 'Nein' }).check();
  await next(page).click();
}

const pdf = { name: 'nachweis.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') };
const text = { name: 'notiz.txt', mimeType: 'text/plain', buffer: Buffer.from('Kein Nachweis, nur Text.\n') };

test.describe('citizen journey', () => {
  test('uploads a proof: a wrong file is refused, a PDF is listed and shown on the check page', async ({ page }) => {
    await start(page);
    await owner(page, 'Mustermann');
    await dogs(page);

    await expect(page.getByRole('heading', { level: 1, name: 'Steuerermäßigung oder -befreiung' })).toBeVisible();
    await group(page, /Steuerermäßigung oder Steuerbefreiung/).getByRole('radio', { name: 'Ja' }).check();
    await page.getByLabel(/Für welchen Hund/).fill('Bello');
    await group(page, /^Grund/).getByRole('checkbox', { name: 'Hund zur Bewachung von Herden' }).check();
    const proof = page.getByLabel('Nachweise', { exact: true });
    await proof.setInputFiles(text);
    await next(page).click();

    // The wrong file: in the summary, linked to the input, and next to it; the rest is kept.
    const summary = page.getByRole('alert');
    const link = summary.getByRole('link', { name: /„notiz\.txt“ bei „Nachweise“ hat ein nicht erlaubtes Format/ });
    await expect(link).toBeVisible();
    await expect(link).toHaveAttribute('href', '#ermaessigung_nachweis');
    await expect(page.getByLabel(/Für welchen Hund/)).toHaveValue('Bello');
    await expect(group(page, /^Grund/).getByRole('checkbox', { name: 'Hund zur Bewachung von Herden' })).toBeChecked();

    await page.getByLabel('Nachweise', { exact: true }).setInputFiles(pdf);
    await next(page).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Zahlung' })).toBeVisible();

    // Back on the step, the file is listed with a remove button.
    await page.goto('/forms/hundesteuer/ermaessigung');
    await expect(page.locator('.file-list__name')).toHaveText('nachweis.pdf');
    await expect(page.getByRole('button', { name: /Datei entfernen/ })).toHaveCount(1);
    await next(page).click();

    await group(page, /SEPA-Lastschriftmandat erteilen/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();
    await group(page, 'Richtigkeit der Angaben').getByRole('checkbox').check();
    await next(page).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Prüfen Sie Ihre Angaben' })).toBeVisible();
    await expect(page.getByText('nachweis.pdf')).toBeVisible();
  });

  test('completes the dog tax registration through to the reference number', async ({ page }) => {
    await start(page);

    // One error round-trip: the family name is missing.
    await owner(page, '');
    await expect(page).toHaveTitle(/^Fehler: /);
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('heading', { name: 'Es gibt ein Problem' })).toBeVisible();
    const link = summary.getByRole('link', { name: 'Geben Sie „Familienname“ an.' });
    await expect(link).toBeVisible();
    await expect(page.getByLabel('Familienname', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    // What was entered is still there.
    await expect(page.getByLabel('Vorname', { exact: true })).toHaveValue('Erika');
    await link.click();
    await expect(page).toHaveURL(/#halter_familienname$/);
    await owner(page, 'Mustermann');

    await expect(page.getByRole('heading', { level: 1, name: 'Hunde' })).toBeVisible();
    await expect(page.getByText(/Schritt 2 von 5/)).toBeVisible();
    const dog = group(page, 'Hund 1');
    await dog.getByLabel('Name des Hundes').fill('Bello');
    await dog.getByLabel('Rasse', { exact: true }).selectOption({ label: 'Beagle' });
    await group(page, 'Geschlecht').getByRole('radio', { name: 'Rüde', exact: true }).check();
    await dog.getByLabel('Farbe', { exact: true }).fill('braun-weiß');
    await dog.getByLabel('Gehalten seit').fill('01.01.2024');
    await group(page, 'Woher stammt der Hund?').getByRole('radio', { name: 'Tierheim oder Tierschutzverein' }).check();
    await group(page, /gefährlicher Hund/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Steuerermäßigung oder -befreiung' })).toBeVisible();
    await group(page, /Steuerermäßigung oder Steuerbefreiung/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Zahlung' })).toBeVisible();
    await group(page, /SEPA-Lastschriftmandat erteilen/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Erklärung' })).toBeVisible();
    await expect(page.getByText(/Schritt 5 von 5/)).toBeVisible();
    await group(page, 'Richtigkeit der Angaben').getByRole('checkbox').check();
    await next(page).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Prüfen Sie Ihre Angaben' })).toBeVisible();
    await expect(page.getByText('Mustermann')).toBeVisible();
    await expect(page.getByText('Bello')).toBeVisible();
    await expect(page.getByRole('link', { name: /Ändern Familienname/ })).toBeVisible();
    await page.getByRole('button', { name: 'Antrag verbindlich absenden' }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'Antrag eingegangen' })).toBeVisible();
    const reference = page.locator('.reference');
    await expect(reference).toHaveText(/^AW-\d{4}-\d{6}$/);
    const status = page.locator('dt', { hasText: 'Stand der Übermittlung' }).locator('xpath=following-sibling::dd');
    await expect(status).toHaveText(/^(eingegangen|an die Behörde übermittelt)$/);

    // Reloading the confirmation and going back to submit again keeps the one reference.
    const number = await reference.innerText();
    await page.reload();
    await expect(page.locator('.reference')).toHaveText(number);

    // The server's worker drops the package into the authority's folder at
    // once: the page says so after a reload.
    await expect(async () => {
      await page.reload();
      await expect(status).toHaveText('an die Behörde übermittelt', { timeout: 500 });
    }).toPass({ timeout: 20_000 });
    await expect(page.locator('dt', { hasText: 'An die Behörde übermittelt am' }).locator('xpath=following-sibling::dd'))
      .toHaveText(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr$/);

    // The receipt with every answer, in this browser.
    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Eingangsbestätigung herunterladen (PDF)' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`Eingangsbestaetigung_${number}.pdf`);
    const pdf = readFileSync(await download.path());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test('a change link on the check page returns to the check page; the check page has no axe-core violations', async ({ page, browser, javaScriptEnabled }) => {
    await start(page);
    await owner(page, 'Mustermann');
    const dog = group(page, 'Hund 1');
    await dog.getByLabel('Name des Hundes').fill('Bello');
    await dog.getByLabel('Rasse', { exact: true }).selectOption({ label: 'Beagle' });
    await group(page, 'Geschlecht').getByRole('radio', { name: 'Hündin', exact: true }).check();
    await dog.getByLabel('Farbe', { exact: true }).fill('schwarz');
    await dog.getByLabel('Gehalten seit').fill('01.01.2024');
    await group(page, 'Woher stammt der Hund?').getByRole('radio', { name: 'Privatperson' }).check();
    await group(page, /gefährlicher Hund/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();
    await group(page, /Steuerermäßigung oder Steuerbefreiung/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();
    await group(page, /SEPA-Lastschriftmandat erteilen/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();
    await group(page, 'Richtigkeit der Angaben').getByRole('checkbox').check();
    await next(page).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Prüfen Sie Ihre Angaben' })).toBeVisible();

    await page.getByRole('link', { name: /Ändern Vorname$/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Halterin oder Halter' })).toBeVisible();
    await page.getByLabel('Vorname', { exact: true }).fill('Erik');
    await page.getByRole('button', { name: 'Speichern und zur Übersicht' }).last().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Prüfen Sie Ihre Angaben' })).toBeVisible();
    await expect(page.getByText('Erik', { exact: true })).toBeVisible();

    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });

  test('a step with errors has no axe-core violations', async ({ page, browser, javaScriptEnabled }) => {
    await start(page);
    await next(page).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });

  test('step and check pages hydrate without errors', async ({ page, javaScriptEnabled }) => {
    test.skip(!javaScriptEnabled, 'hydration needs JavaScript');
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
    await start(page);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await next(page).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
  });

  test('a form that needs the Servicekonto says so and offers no start', async ({ page }) => {
    await page.goto('/forms/bewohnerparkausweis');
    await expect(page.getByText(/Servicekonto/).first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Jetzt starten' })).toHaveCount(0);
  });

  test('English is kept through the journey, and its pages have no axe-core violations', async ({ page, browser, javaScriptEnabled }) => {
    await page.goto('/forms/hundesteuer?lang=en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.getByRole('button', { name: /Start now|Continue/ }).click();
    await expect(page).toHaveURL(/lang=en/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByText(/Step 1 of 5/)).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.getByRole('button', { name: 'Continue', exact: true }).last().click();
    await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
    await expect(page).toHaveTitle(/^Error: /);
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });
});

