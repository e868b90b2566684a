// The back-office's delivery list, with JavaScript on and off: Erika
// Mustermann's residents' parking permit (received by
// weimar-strassenverkehrsbehoerde) is submitted and paid; the caseworker of
// that authority logs in through the Servicekonto test provider, follows
// "Eingereichte Anträge und ihre Zustellung" from /verwaltung, finds the
// application's reference number in the table with its form, its delivery
// status and when its personal data are deleted — and nowhere the
// applicant's name; once delivered, downloads its xdomea package (a ZIP
// with the 0605 message); filters by authority and by status; switches to
// English. A form editor without a caseworker role gets the 403 page.
// axe-core finds no violations on the list.
import fs from 'node:fs';
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { complete } from './forms/driver';
import { bewohnerparkausweis } from './forms/bewohnerparkausweis';
import { signInAtProvider } from './login';

test('a caseworker finds a submitted application in the delivery list', async ({ page, browser, javaScriptEnabled }) => {
  test.setTimeout((bewohnerparkausweis.timeout ?? 120_000) + 60_000);
  const reference = await complete(page, browser, javaScriptEnabled, bewohnerparkausweis);
  expect(reference).toMatch(/^AW-\d{4}-\d{6}$/);

  // The browser is logged in as the citizen: log in as the caseworker.
  await page.goto('/auth/login?next=%2Fverwaltung');
  await signInAtProvider(page, 'staff-sachbearbeitung');
  await expect(page).toHaveURL((url) => url.pathname === '/verwaltung');
  await page.getByRole('link', { name: 'Eingereichte Anträge und ihre Zustellung' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Eingereichte Anträge' })).toBeVisible();

  const table = page.getByRole('table', { name: /Eingereichte Anträge, neueste zuerst/ });
  await expect(table.getByRole('columnheader', { name: 'Vorgangsnummer' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'Zustellstatus' })).toBeVisible();
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: reference, exact: true }) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Bewohnerparkausweis');
  await expect(row).toContainText('Stadt Weimar – Straßenverkehrsbehörde');
  // Paid, so on its way: received, or already in the drop folder / filed.
  await expect(row).toContainText(/eingegangen|zugestellt|in der E-Akte abgelegt/);
  await expect(row).toContainText(/Tage nach der Ablage|\d\d\.\d\d\.\d{4}/);
  // Metadata only: not the applicant's name, address or car.
  const main = page.getByRole('main');
  for (const personal of ['Mustermann', 'Erika', 'Schillerstraße', 'WE-EM 264']) {
    await expect(main).not.toContainText(personal);
  }
  await expectNoAxeViolations(page, browser, javaScriptEnabled);

  // Once delivered, the package as it went to the E-Akte is downloadable.
  const downloadLink = row.getByRole('link', { name: `Paket herunterladen (ZIP) ${reference}` });
  await expect
    .poll(
      async () => {
        await page.goto('/verwaltung/antraege');
        return downloadLink.count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
  const [download] = await Promise.all([page.waitForEvent('download'), downloadLink.click()]);
  expect(download.suggestedFilename()).toMatch(/^[0-9a-f-]{36}_FVDaten\.SGOAblegen\.0605\.zip$/);
  const zip = fs.readFileSync(await download.path());
  expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  expect(zip.includes(Buffer.from('FVDaten.SGOAblegen.0605.xml'))).toBe(true);

  // Filters are a plain GET form.
  await page.getByLabel('Empfangende Behörde').selectOption('weimar-strassenverkehrsbehoerde');
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/behoerde=weimar-strassenverkehrsbehoerde/);
  await expect(page.getByRole('rowheader', { name: reference, exact: true })).toBeVisible();
  await page.getByLabel('Zustellstatus').selectOption({ label: 'Zustellung fehlgeschlagen' });
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/status=/);
  await expect(page.getByRole('rowheader', { name: reference, exact: true })).toHaveCount(0);

  // English.
  await page.goto('/verwaltung/antraege');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Submitted applications' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Reference number' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: reference, exact: true })).toBeVisible();
  await expectNoAxeViolations(page, browser, javaScriptEnabled);

  // A form editor without a caseworker role is refused.
  await page.goto('/auth/login?next=%2Fverwaltung%2Fantraege');
  await signInAtProvider(page, 'staff-redaktion');
  await expect(page).toHaveURL((url) => url.pathname === '/verwaltung/antraege');
  await expect(page.getByRole('heading', { level: 1, name: 'Kein Zugriff' })).toBeVisible();
});
