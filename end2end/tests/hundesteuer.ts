// Shared steps through the dog tax registration (forms/definitions/
// hundesteuer.json) for the specs that need to reach a later step: start a
// draft, answer the owner and dog steps with the mouse-free Playwright
// helpers (`fill`, `check`), and small files to upload. Elements are found by
// role and label, as a screen reader would.
import { expect, type Page } from '@playwright/test';

export const group = (page: Page, name: string | RegExp) => page.getByRole('group', { name });
/** The visible "Weiter" button (the form also holds a hidden one for Enter). */
export const next = (page: Page) => page.getByRole('button', { name: 'Weiter', exact: true }).last();
export const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name });

/** Opens the start page and starts a new draft; ends on step 1. */
export async function start(page: Page) {
  await page.goto('/forms/hundesteuer');
  await expect(heading(page, 'Hund zur Hundesteuer anmelden')).toBeVisible();
  await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
  await expect(heading(page, 'Halterin oder Halter')).toBeVisible();
}

/** Answers step 1 (owner) and continues. */
export async function owner(page: Page, familyName = 'Mustermann') {
  await page.getByLabel('Familienname', { exact: true }).fill(familyName);
  await page.getByLabel('Vorname', { exact: true }).fill('Erika');
  await page.getByLabel('Geburtsdatum', { exact: true }).fill('17.03.1985');
  const address = group(page, /^Anschrift/);
  await address.getByLabel('Straße').fill('Marktstraße');
  await address.getByLabel('Hausnummer').fill('12');
  await address.getByLabel('Postleitzahl').fill('99423');
  await address.getByLabel('Ort', { exact: true }).fill('Weimar');
  await group(page, /aus einer anderen Gemeinde zugezogen/).getByRole('radio', { name: 'Nein' }).check();
  await next(page).click();
  await expect(heading(page, 'Hunde')).toBeVisible();
}

/** Answers step 2 (one dog, "Bello") and continues to the reduction step. */
export async function dogs(page: Page) {
  const dog = group(page, 'Hund 1');
  await dog.getByLabel('Name des Hundes').fill('Bello');
  await dog.getByLabel('Rasse', { exact: true }).selectOption({ label: 'Beagle' });
  await group(page, 'Geschlecht').getByRole('radio', { name: 'Rüde', exact: true }).check();
  await dog.getByLabel('Farbe', { exact: true }).fill('braun');
  await dog.getByLabel('Gehalten seit').fill('01.01.2024');
  await group(page, 'Woher stammt der Hund?').getByRole('radio', { name: 'Privatperson' }).check();
  await group(page, /gefährlicher Hund/).getByRole('radio', { name: 'Nein' }).check();
  await next(page).click();
  await expect(heading(page, 'Steuerermäßigung oder -befreiung')).toBeVisible();
}

/** Answers "Zahlung" (no direct debit) and "Erklärung"; ends on the check page. */
export async function paymentAndDeclaration(page: Page) {
  await expect(heading(page, 'Zahlung')).toBeVisible();
  await group(page, /SEPA-Lastschriftmandat erteilen/).getByRole('radio', { name: 'Nein' }).check();
  await next(page).click();
  await expect(heading(page, 'Erklärung')).toBeVisible();
  await group(page, 'Richtigkeit der Angaben').getByRole('checkbox').check();
  await next(page).click();
  await expect(heading(page, 'Prüfen Sie Ihre Angaben')).toBeVisible();
}

/** A small but complete PDF 1.4 (one empty A4 page, a correct xref table). */
export function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A 1×1 pixel PNG. */
export function minimalPng(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
}
