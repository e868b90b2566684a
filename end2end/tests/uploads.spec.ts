// File uploads in the citizen journey, with JavaScript on and off, on the
// dog tax registration's proof field ("Nachweise": PDF, JPEG or PNG, at
// most 10 MB per file, at most 5 files; asked when a tax reduction is
// applied for). The files are made here: a small but complete PDF, a 1×1
// PNG, and bad ones — HTML under a .pdf name, an empty file, and a file
// one byte over the limit.
import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import {
  dogs,
  group,
  heading,
  minimalPdf,
  minimalPng,
  next,
  owner,
  paymentAndDeclaration,
  start,
} from './hundesteuer';

const MAX_BYTES = 10 * 1024 * 1024; // max_size_bytes of ermaessigung_nachweis

const pdf = { name: 'nachweis.pdf', mimeType: 'application/pdf', buffer: minimalPdf() };
const png = { name: 'ausweis.png', mimeType: 'image/png', buffer: minimalPng() };

const proof = (page: Page) => page.getByLabel('Nachweise', { exact: true });
const uploaded = (page: Page) => page.getByRole('list', { name: 'Hochgeladene Dateien' });

/** Answers the reduction step up to the proof: yes, for Bello, guarding herds. */
async function applyForReduction(page: Page) {
  await group(page, /Steuerermäßigung oder Steuerbefreiung/).getByRole('radio', { name: 'Ja' }).check();
  await page.getByLabel(/Für welchen Hund/).fill('Bello');
  await group(page, /^Grund/).getByRole('checkbox', { name: 'Hund zur Bewachung von Herden' }).check();
  await page.getByLabel(/^Erläuterung/).fill('Die Herde steht am Ortsrand.');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test.describe('uploads', () => {
  test('a PDF and a PNG are listed on the step and the check page; the remove button removes one', async ({ page, browser, javaScriptEnabled }) => {
    test.setTimeout(60_000);
    await start(page);
    await owner(page);
    await dogs(page);
    await applyForReduction(page);
    await proof(page).setInputFiles([pdf, png]);
    await next(page).click();
    await expect(heading(page, 'Zahlung')).toBeVisible();

    // Back on the step: both files, each with its own remove button.
    await page.getByRole('link', { name: 'Zurück', exact: true }).click();
    await expect(heading(page, 'Steuerermäßigung oder -befreiung')).toBeVisible();
    await expect(uploaded(page).getByRole('listitem')).toHaveCount(2);
    await expect(uploaded(page).getByRole('listitem').filter({ hasText: 'nachweis.pdf' })).toBeVisible();
    await expect(uploaded(page).getByRole('listitem').filter({ hasText: 'ausweis.png' })).toBeVisible();
    await expect(uploaded(page).getByRole('button', { name: 'Datei entfernen nachweis.pdf' })).toBeVisible();
    await expect(uploaded(page).getByRole('button', { name: 'Datei entfernen ausweis.png' })).toBeVisible();
    // The field still takes more (5 at most), and the other answers are there.
    await expect(proof(page)).toBeVisible();
    await expect(page.getByLabel(/Für welchen Hund/)).toHaveValue('Bello');
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    await next(page).click();
    await paymentAndDeclaration(page);
    const files = page.getByRole('definition').filter({ hasText: 'nachweis.pdf' });
    await expect(files).toContainText('ausweis.png');
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    // Remove the PNG from the step the change link opens (a submit button,
    // so it works without JavaScript).
    await page.getByRole('link', { name: /^Ändern Nachweise/ }).click();
    await expect(heading(page, 'Steuerermäßigung oder -befreiung')).toBeVisible();
    await uploaded(page).getByRole('button', { name: 'Datei entfernen ausweis.png' }).click();
    await expect(uploaded(page).getByRole('listitem')).toHaveCount(1);
    await expect(uploaded(page).getByRole('listitem')).toContainText('nachweis.pdf');
    await expect(page.getByText('ausweis.png')).toHaveCount(0);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.getByRole('button', { name: 'Speichern und zur Übersicht' }).last().click();
    await expect(heading(page, 'Prüfen Sie Ihre Angaben')).toBeVisible();
    await expect(page.getByText('nachweis.pdf')).toBeVisible();
    await expect(page.getByText('ausweis.png')).toHaveCount(0);
  });

  test('HTML named .pdf, an empty file and a file over 10 MB are refused with a clear message; the answers stay', async ({ page, browser, javaScriptEnabled }) => {
    test.setTimeout(60_000);
    await start(page);
    await owner(page);
    await dogs(page);
    await applyForReduction(page);

    const bad = [
      {
        file: {
          name: 'bescheid.pdf',
          mimeType: 'application/pdf',
          buffer: Buffer.from('<!DOCTYPE html><html><body><p>Kein PDF</p></body></html>\n'),
        },
        message: new RegExp(
          `^Die Datei „bescheid\\.pdf“ bei „Nachweise“ hat ein nicht erlaubtes Format\\. Erlaubt: .*PDF.*JPEG.*PNG`,
        ),
      },
      {
        file: { name: 'leer.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) },
        message: /^Die Datei „leer\.pdf“ bei „Nachweise“ ist leer\.$/,
      },
      {
        file: {
          name: 'gross.pdf',
          mimeType: 'application/pdf',
          buffer: Buffer.concat([minimalPdf(), Buffer.alloc(MAX_BYTES + 1 - minimalPdf().length, 0x20)]),
        },
        message: /^Die Datei „gross\.pdf“ bei „Nachweise“ ist größer als 10 MB\.$/,
      },
    ];

    for (const { file, message } of bad) {
      await proof(page).setInputFiles(file);
      await next(page).click();

      await expect(heading(page, 'Steuerermäßigung oder -befreiung')).toBeVisible();
      await expect(page).toHaveTitle(/^Fehler: /);
      // In the error summary, linked to the file input …
      const summary = page.getByRole('alert');
      const link = summary.getByRole('link', { name: message });
      await expect(link, `summary names ${file.name}`).toBeVisible();
      await expect(link).toHaveAttribute('href', '#ermaessigung_nachweis');
      // … and next to the field, as part of its description.
      await expect(proof(page)).toHaveAttribute('aria-invalid', 'true');
      await expect(proof(page)).toHaveAccessibleDescription(new RegExp(escape(await link.innerText())));
      // Nothing was stored; everything else is kept.
      await expect(uploaded(page)).toHaveCount(0);
      await expect(group(page, /Steuerermäßigung oder Steuerbefreiung/).getByRole('radio', { name: 'Ja' })).toBeChecked();
      await expect(page.getByLabel(/Für welchen Hund/)).toHaveValue('Bello');
      await expect(group(page, /^Grund/).getByRole('checkbox', { name: 'Hund zur Bewachung von Herden' })).toBeChecked();
      await expect(page.getByLabel(/^Erläuterung/)).toHaveValue('Die Herde steht am Ortsrand.');
    }
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    // A good file after the bad ones goes through.
    await proof(page).setInputFiles(pdf);
    await next(page).click();
    await expect(heading(page, 'Zahlung')).toBeVisible();
  });
});
