// "Save and continue later" end to end, with JavaScript on and off: part of
// the dog tax registration (anonymous) is saved, the resume link is read from
// the page and opened in a fresh browser context (no cookies: another
// device), the answers are there, the application is completed and
// submitted. Also: the e-mail form, a wrong link, and axe-core on the saved
// page and on the wrong-link page. Elements are found by role and label.
import { test, expect, type Browser, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectNoAxeViolations } from './a11y';

const group = (page: Page, name: string | RegExp) => page.getByRole('group', { name });
const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name });
/** The visible "Weiter" button (the form also holds a hidden one for Enter). */
const next = (page: Page) => page.getByRole('button', { name: 'Weiter', exact: true }).last();
const saveForLater = (page: Page) => page.getByRole('button', { name: 'Speichern und später fortsetzen' });

/** Starts a new draft in `page` and answers part of step 1. */
async function startAndAnswerSome(page: Page) {
  await page.goto('/forms/hundesteuer');
  await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
  await expect(heading(page, 'Halterin oder Halter')).toBeVisible();
  await page.getByLabel('Familienname', { exact: true }).fill('Mustermann');
  await page.getByLabel('Vorname', { exact: true }).fill('Erika');
  // Not a date: saved as entered all the same.
  await page.getByLabel('Geburtsdatum', { exact: true }).fill('17.03.');
}

/** Saves for later; returns the resume link shown on the saved page. */
async function saveAndReadLink(page: Page): Promise<string> {
  await saveForLater(page).click();
  await expect(heading(page, 'Ihre Angaben sind gespeichert')).toBeVisible();
  await expect(page).toHaveURL(/\/forms\/hundesteuer\/gespeichert$/);
  const link = page.getByRole('link', { name: /\/resume\// });
  const href = await link.getAttribute('href');
  expect(href).toMatch(/^https?:\/\/[^/]+\/resume\/[A-Za-z0-9_-]{43}$/);
  // The link is also its own text, to copy or write down.
  await expect(link).toHaveText(href!);
  return href!;
}

/** The one mail to `address` that the server wrote into AMTSWEG_E2E_MAIL_DIR
 * (scripts/e2e.sh), with soft line breaks and quoted-printable undone. */
function readMailTo(address: string): string {
  const dir = process.env.AMTSWEG_E2E_MAIL_DIR;
  expect(dir, 'AMTSWEG_E2E_MAIL_DIR (set by scripts/e2e.sh)').toBeTruthy();
  const mails = fs
    .readdirSync(dir!)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => fs.readFileSync(path.join(dir!, name), 'utf8'))
    .filter((text) => text.includes(`To: ${address}`));
  expect(mails).toHaveLength(1);
  return mails[0]
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** A context like the test's own (JavaScript on or off), without cookies. */
async function freshContext(browser: Browser, javaScriptEnabled: boolean) {
  return browser.newContext({ javaScriptEnabled, locale: 'de-DE' });
}

test.describe('save and continue later', () => {
  test('a saved draft opens from its link in a fresh browser and is submitted there', async ({ page, browser, javaScriptEnabled }) => {
    await startAndAnswerSome(page);
    const link = await saveAndReadLink(page);
    await expect(page.getByText(/Halten Sie den Link geheim/)).toBeVisible();
    await expect(page.getByText(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr$/)).toBeVisible();

    const context = await freshContext(browser, javaScriptEnabled);
    try {
      const other = await context.newPage();
      await other.goto(link);
      // Back on the step that still needs answers, with what was entered.
      await expect(heading(other, 'Halterin oder Halter')).toBeVisible();
      await expect(other.getByLabel('Familienname', { exact: true })).toHaveValue('Mustermann');
      await expect(other.getByLabel('Vorname', { exact: true })).toHaveValue('Erika');
      await expect(other.getByLabel('Geburtsdatum', { exact: true })).toHaveValue('17.03.');
      // Saved, not checked: no errors yet.
      await expect(other.getByRole('alert')).toHaveCount(0);

      await other.getByLabel('Geburtsdatum', { exact: true }).fill('17.03.1985');
      const address = group(other, /^Anschrift/);
      await address.getByLabel('Straße').fill('Marktstraße');
      await address.getByLabel('Hausnummer').fill('12');
      await address.getByLabel('Postleitzahl').fill('99423');
      await address.getByLabel('Ort', { exact: true }).fill('Weimar');
      await group(other, /aus einer anderen Gemeinde zugezogen/).getByRole('radio', { name: 'Nein' }).check();
      await next(other).click();

      await expect(heading(other, 'Hunde')).toBeVisible();
      const dog = group(other, 'Hund 1');
      await dog.getByLabel('Name des Hundes').fill('Bello');
      await dog.getByLabel('Rasse', { exact: true }).selectOption({ label: 'Beagle' });
      await group(other, 'Geschlecht').getByRole('radio', { name: 'Rüde', exact: true }).check();
      await dog.getByLabel('Farbe', { exact: true }).fill('braun');
      await dog.getByLabel('Gehalten seit').fill('01.01.2024');
      await group(other, 'Woher stammt der Hund?').getByRole('radio', { name: 'Privatperson' }).check();
      await group(other, /gefährlicher Hund/).getByRole('radio', { name: 'Nein' }).check();
      await next(other).click();

      await expect(heading(other, 'Steuerermäßigung oder -befreiung')).toBeVisible();
      await group(other, /Steuerermäßigung oder Steuerbefreiung/).getByRole('radio', { name: 'Nein' }).check();
      await next(other).click();
      await expect(heading(other, 'Zahlung')).toBeVisible();
      await group(other, /SEPA-Lastschriftmandat erteilen/).getByRole('radio', { name: 'Nein' }).check();
      await next(other).click();
      await expect(heading(other, 'Erklärung')).toBeVisible();
      await group(other, 'Richtigkeit der Angaben').getByRole('checkbox').check();
      await next(other).click();

      await expect(heading(other, 'Prüfen Sie Ihre Angaben')).toBeVisible();
      await expect(other.getByText('Mustermann')).toBeVisible();
      await other.getByRole('button', { name: 'Antrag verbindlich absenden' }).click();
      await expect(heading(other, 'Antrag eingegangen')).toBeVisible();
      await expect(other.locator('.reference')).toHaveText(/^AW-\d{4}-\d{6}$/);

      // Submitted: the link opens nothing any more.
      const again = await other.goto(link);
      expect(again?.status()).toBe(404);
      await expect(heading(other, 'Dieser Link ist ungültig oder abgelaufen')).toBeVisible();
    } finally {
      await context.close();
    }
  });

  test('the saved page mails the link and has no axe-core violations', async ({ page, browser, javaScriptEnabled }) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await startAndAnswerSome(page);
    const link = await saveAndReadLink(page);
    if (javaScriptEnabled) {
      // The saved page hydrates like the others.
      await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    }
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    const email = page.getByLabel('E-Mail-Adresse', { exact: true });
    await email.fill('erika@');
    await page.getByRole('button', { name: 'Link per E-Mail senden' }).click();
    const summary = page.getByRole('alert');
    const error = summary.getByRole('link', { name: /muss eine E-Mail-Adresse sein/ });
    await expect(error).toBeVisible();
    await expect(error).toHaveAttribute('href', '#email');
    await expect(email).toHaveValue('erika@');
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveTitle(/^Fehler: /);
    // The same link is still on the page.
    await expect(page.getByRole('link', { name: link })).toBeVisible();

    // A unique address, to find this test's mail among the others.
    const address = `erika-${Date.now()}-${javaScriptEnabled ? 'js' : 'nojs'}@example.org`;
    await email.fill(address);
    await page.getByRole('button', { name: 'Link per E-Mail senden' }).click();
    await expect(page.getByRole('status')).toHaveText(new RegExp(`Wir haben den Link an ${address.replace(/\./g, '\\.')} geschickt\\.`));
    await expect(page.getByLabel('E-Mail-Adresse', { exact: true })).toHaveValue(address);
    await expect(page.getByRole('link', { name: link })).toBeVisible();
    // The mail (a file of lettre's file transport here) holds that link.
    const mail = readMailTo(address);
    expect(mail).toContain(link);
    expect(mail).not.toContain('Mustermann');
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    // A reload no longer shows the link, but offers a new one.
    await page.reload();
    await expect(page.getByRole('link', { name: /\/resume\// })).toHaveCount(0);
    await page.getByRole('button', { name: 'Neuen Link erstellen' }).click();
    const newLink = page.getByRole('link', { name: /\/resume\// });
    await expect(newLink).toBeVisible();
    expect(await newLink.getAttribute('href')).not.toBe(link);

    // "Continue now" leads back to the step that still needs answers.
    await page.getByRole('link', { name: 'Antrag jetzt weiter ausfüllen' }).click();
    await expect(heading(page, 'Halterin oder Halter')).toBeVisible();
    await expect(page.getByLabel('Familienname', { exact: true })).toHaveValue('Mustermann');
    expect(errors).toEqual([]);
  });

  test('a wrong link says so in German and English and has no axe-core violations', async ({ page, browser, javaScriptEnabled }) => {
    const response = await page.goto(`/resume/${'A'.repeat(43)}`);
    expect(response?.status()).toBe(404);
    await expect(heading(page, 'Dieser Link ist ungültig oder abgelaufen')).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: 'This link is not valid or has expired' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Zur Übersicht der Online-Dienste' })).toHaveAttribute('href', '/');
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });
});
