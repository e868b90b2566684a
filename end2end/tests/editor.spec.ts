// The form editor end to end, with JavaScript on and off: an editor logs in
// (staff-redaktion, role amtsweg-editor), creates a two-step form with a
// conditional field and a fee through the JSON view, previews it with the
// citizen's step pages (an error, the conditional field, the fee, a test
// submission that goes nowhere), publishes it, a citizen completes it, and
// the editor retires it. axe-core checks every editor page on the way.
import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { signInAtProvider } from './login';
import { payWithDemo } from './forms/driver';

const group = (page: Page, name: string | RegExp) => page.getByRole('group', { name });
const next = (page: Page) => page.getByRole('button', { name: 'Weiter', exact: true }).last();

function definition(id: string) {
  return JSON.stringify(
    {
      id,
      version: 1,
      title: { de: 'Hundeanmeldung (Redaktionstest)', en: 'Dog registration (editor test)' },
      summary: { de: 'Einen Hund anmelden', en: 'Register a dog' },
      authority: { id: 'stadt-erfurt', name: { de: 'Stadt Erfurt', en: 'City of Erfurt' } },
      steps: [
        {
          id: 'halter',
          title: { de: 'Halterin oder Halter', en: 'Owner' },
          fields: [{ id: 'name', type: 'text', label: { de: 'Ihr Name', en: 'Your name' }, required: true }],
        },
        {
          id: 'hund',
          title: { de: 'Der Hund', en: 'The dog' },
          fields: [
            {
              id: 'gefaehrlich',
              type: 'yes_no',
              label: { de: 'Ist der Hund als gefährlich eingestuft?', en: 'Is the dog classed as dangerous?' },
              required: true,
            },
            {
              id: 'gutachten',
              type: 'text',
              label: { de: 'Nummer des Gutachtens', en: 'Number of the expert report' },
              required: true,
              visible_if: { '==': [{ var: 'gefaehrlich' }, true] },
            },
          ],
        },
      ],
      fees: [{ id: 'gebuehr', purpose: { de: 'Anmeldegebühr', en: 'Registration fee' }, amount_cents: 1500 }],
    },
    null,
    2,
  );
}

test.describe('form editor', () => {
  // One long journey (editor, preview, publish, citizen, retire): on 2
  // busy cores it takes close to Playwright's default 30 s.
  test.describe.configure({ timeout: 120_000 });
  test('an editor creates, previews and publishes a form; a citizen completes it', async ({
    page,
    browser,
    javaScriptEnabled,
  }) => {
    const id = `redaktionstest-${javaScriptEnabled ? 'js' : 'nojs'}-${Date.now()}`;

    // Not logged in: the editor area sends to the login and comes back.
    await page.goto('/redaktion');
    await signInAtProvider(page, 'staff-redaktion');
    await expect(page).toHaveURL((url) => url.pathname === '/redaktion');
    await expect(page.getByRole('heading', { level: 1, name: 'Formular-Redaktion' })).toBeVisible();
    await expect(page.getByRole('table', { name: /Alle Formulare/ })).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    // A new form.
    await page.getByLabel('Kennung (in der Adresse)').fill(id);
    await page.getByLabel('Titel (Deutsch)').fill('Hund anmelden');
    await page.getByLabel('Titel (Englisch)').fill('Register a dog');
    await page.getByLabel('Kennung der empfangenden Behörde').fill('stadt-erfurt');
    await page.getByLabel('Name der Behörde (Deutsch)').fill('Stadt Erfurt');
    await page.getByLabel('Name der Behörde (Englisch)').fill('City of Erfurt');
    await page.getByRole('button', { name: /Formular anlegen/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Entwurf bearbeiten/ })).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    // The JSON view: an invalid text is refused and kept, a valid one saved.
    const json = page.getByLabel('Definition (JSON)');
    await json.fill('{"title": ');
    await page.getByRole('button', { name: /Prüfen und speichern/ }).click();
    await expect(page.getByRole('alert')).toContainText('Nicht gespeichert');
    await expect(page.getByLabel('Definition (JSON)')).toHaveValue('{"title": ');
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.getByLabel('Definition (JSON)').fill(definition(id));
    await page.getByRole('button', { name: /Prüfen und speichern/ }).click();
    await expect(page.getByRole('status')).toContainText('Gespeichert.');

    // The preview: the citizen's pages, clearly labelled.
    await page.getByRole('link', { name: /Vorschau/ }).first().click();
    await expect(page.getByText('Vorschau – wird nicht übermittelt')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Halterin oder Halter' })).toBeVisible();
    await expect(page.getByText(/Schritt 1 von 2/)).toBeVisible();
    await next(page).click();
    await expect(page.getByRole('alert').getByRole('link', { name: /Ihr Name/ })).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.getByLabel('Ihr Name').fill('Erika Probe');
    await next(page).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Der Hund' })).toBeVisible();
    await group(page, /gefährlich eingestuft/).getByRole('radio', { name: 'Ja' }).check();
    await page.getByLabel('Nummer des Gutachtens').fill('G-42');
    await next(page).click();
    // The citizen's check page, its submit button the test submission.
    await expect(page.getByRole('heading', { level: 1, name: 'Prüfen Sie Ihre Angaben' })).toBeVisible();
    await expect(page.getByText('Erika Probe')).toBeVisible();
    await expect(page.getByText('G-42')).toBeVisible();
    // The fee's row (and the total, the same amount).
    await expect(page.getByText('Anmeldegebühr')).toBeVisible();
    await expect(page.getByText(/15,00 €/).first()).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.getByRole('button', { name: 'Antrag verbindlich absenden' }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Testantrag abgeschlossen/ })).toBeVisible();

    // Publish.
    await page.goto(`/redaktion/${id}`);
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.getByRole('button', { name: /Version 1 veröffentlichen/ }).click();
    await expect(page.getByRole('status')).toContainText('Veröffentlicht');
    await expect(page.getByRole('table', { name: /Änderungen/ })).toContainText('Rita Redakteurin');

    // A citizen (another browser, no login) completes the new form.
    const context = await browser.newContext({ javaScriptEnabled, locale: 'de-DE' });
    try {
      const citizen = await context.newPage();
      await citizen.goto('/');
      await citizen.getByRole('link', { name: 'Hundeanmeldung (Redaktionstest)' }).first().click();
      await citizen.goto(`/forms/${id}`);
      await citizen.getByRole('button', { name: /Jetzt starten/ }).click();
      await citizen.getByLabel('Ihr Name').fill('Max Bürger');
      await next(citizen).click();
      await group(citizen, /gefährlich eingestuft/).getByRole('radio', { name: 'Nein' }).check();
      await next(citizen).click();
      await expect(citizen.getByRole('heading', { level: 1, name: 'Prüfen Sie Ihre Angaben' })).toBeVisible();
      await expect(citizen.getByText('Max Bürger')).toBeVisible();
      await citizen.getByRole('button', { name: 'Antrag verbindlich absenden' }).click();
      // The fee is paid online (the demo provider), then the application is in.
      await payWithDemo(citizen, browser, javaScriptEnabled, '15,00 €', { cancelFirst: false });
      await expect(citizen.getByRole('heading', { level: 1, name: 'Antrag eingegangen' })).toBeVisible();
      await expect(citizen.locator('.reference')).toHaveText(/^AW-\d{4}-\d{6}$/);
    } finally {
      await context.close();
    }

    // Retire it again: off the start page (and the start page as the
    // other specs expect it).
    await page.goto(`/redaktion/${id}`);
    await page.getByRole('button', { name: /Formular zurückziehen/ }).click();
    await expect(page.getByRole('status')).toContainText('Zurückgezogen');
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Hundeanmeldung (Redaktionstest)' })).toHaveCount(0);
  });
});
