// Paying the fee online, with JavaScript on and off: the residents'
// parking permit, submitted, the payment cancelled once on the demo
// provider's page (back on the payment page with a message, a retry
// button and a way to leave), then paid; the confirmation no longer
// awaits the payment. The same journey without the cancellation runs for
// every form with a fee in complete-forms.spec.ts.
import { test, expect } from '@playwright/test';
import { complete } from './forms/driver';
import { bewohnerparkausweis } from './forms/bewohnerparkausweis';

test('parking permit: cancel the payment once, then pay', async ({ page, browser, javaScriptEnabled }) => {
  test.setTimeout(bewohnerparkausweis.timeout ?? 120_000);
  const reference = await complete(page, browser, javaScriptEnabled, bewohnerparkausweis, { cancelPaymentOnce: true });
  expect(reference).toMatch(/^AW-\d{4}-\d{6}$/);
  await expect(page.getByRole('link', { name: 'Gebühr jetzt bezahlen' })).toHaveCount(0);
});

test('leaving the payment page keeps the application, awaiting payment', async ({ page, browser, javaScriptEnabled }) => {
  test.setTimeout(bewohnerparkausweis.timeout ?? 120_000);
  // Complete up to the payment page, then leave without paying.
  const journey = { ...bewohnerparkausweis };
  await complete(page, browser, javaScriptEnabled, journey, { stopAtPayment: true });
  await page.getByRole('link', { name: /Jetzt nicht bezahlen/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Antrag eingegangen' })).toBeVisible();
  await expect(page.getByText('Zahlung ausstehend')).toBeVisible();
  // The way back to paying.
  await page.getByRole('link', { name: 'Gebühr jetzt bezahlen' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Gebühr bezahlen' })).toBeVisible();
});
