// Runs only with JavaScript on (the js-off project ignores this file):
// the hydration bundle loads and the pages run without errors.
import { test, expect, type Page } from '@playwright/test';
import { loadDefinitions, text } from './definitions';

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
