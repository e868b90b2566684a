// Login with the Servicekonto end to end, with JavaScript on and off,
// against the OpenID Connect test provider that scripts/e2e.sh starts: a
// citizen logs in at "substanziell" from a form's start page, sees their
// name, opens the form's first step and logs out (locally and at the
// provider); a login at "basis" gets the "trust level too low" page for a
// form that needs "substanziell"; a business account is told that a
// citizens' form is not for it; a tampered state, a replayed callback and
// an already used code each get their error page; a staff account with
// roles reaches the back-office (/verwaltung), a citizen gets its 403
// page; "Meine Anträge" lists a started form's draft and continues it.
// Elements are found by role and label.
import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { displayName, loginAs, logout, signInAtProvider } from './login';

const wohngeld = '/forms/wohngeld';

/**
 * Starts a login with the page's session, like the browser would, but
 * stops at the portal's answer: the provider's authorization URL (with the
 * `state` the session now waits for).
 */
async function authorizationUrl(page: Page, next = '/'): Promise<URL> {
  const response = await page.request.get(`/auth/login?next=${encodeURIComponent(next)}`, { maxRedirects: 0 });
  expect(response.status()).toBe(303);
  return new URL(response.headers()['location']);
}

test.describe('login with the Servicekonto', () => {
  test('a citizen logs in at substanziell, opens a step and logs out', async ({ page, browser, javaScriptEnabled, baseURL }) => {
    // Errors of the portal's pages (not of the provider's).
    const errors: string[] = [];
    const portal = new URL(baseURL ?? page.url()).origin;
    page.on('console', (msg) => {
      const where = msg.location().url;
      if (msg.type() === 'error' && where.startsWith(portal)) errors.push(`console: ${msg.text()} (${where})`);
    });
    page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
    await page.goto(wohngeld);
    await expect(page.getByRole('button', { name: 'Jetzt starten' })).toHaveCount(0);
    await expect(page.getByText(/mindestens das Vertrauensniveau „substanziell“/)).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.getByRole('link', { name: /Mit Servicekonto anmelden/ }).click();

    await signInAtProvider(page, 'citizen-substanziell');
    await expect(page).toHaveURL((url) => url.pathname === wohngeld);
    await expect(page.getByText(`Angemeldet als ${displayName('citizen-substanziell')}`)).toBeVisible();
    await expect(page.getByText('Sie sind mit Ihrem Servicekonto angemeldet.')).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    if (javaScriptEnabled) {
      // The header's account area hydrates like the rest of the page.
      await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
      await page.waitForLoadState('networkidle');
      expect(errors).toEqual([]);
    }

    await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Antragstellerin oder Antragsteller' })).toBeVisible();
    await expect(page.getByText(/Schritt 1 von/)).toBeVisible();

    await logout(page);
    // Logged out here and at the provider: the form asks for a login again,
    // and the provider asks for the user name again.
    await page.goto(wohngeld);
    await expect(page.getByRole('link', { name: /Mit Servicekonto anmelden/ })).toBeVisible();
    await page.goto(`${wohngeld}/antragsteller`);
    await expect(page).toHaveURL((url) => url.pathname === wohngeld);
    await page.getByRole('link', { name: /Mit Servicekonto anmelden/ }).click();
    await expect(page.getByLabel('Benutzername')).toBeVisible();
  });

  test('a login at basis is too low for a form that needs substanziell', async ({ page, browser, javaScriptEnabled }) => {
    await loginAs(page, 'citizen-basis', { next: wohngeld, acr: 'substanziell' });
    await expect(page.getByRole('heading', { name: 'Ihr Vertrauensniveau reicht für diesen Antrag nicht aus' })).toBeVisible();
    await expect(page.getByText(/Sie sind mit dem Vertrauensniveau „basis“ angemeldet/)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Jetzt starten' })).toHaveCount(0);
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    // A new login at the required level opens the form.
    await page.getByRole('link', { name: 'Erneut mit Servicekonto anmelden' }).click();
    await signInAtProvider(page, 'citizen-hoch');
    await expect(page).toHaveURL((url) => url.pathname === wohngeld);
    await expect(page.getByText(`Angemeldet als ${displayName('citizen-hoch')}`)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Jetzt starten' })).toBeVisible();
  });

  test('a business account is told that a citizens form is not for it', async ({ page }) => {
    await loginAs(page, 'business-substanziell', { next: wohngeld, acr: 'substanziell' });
    await expect(page.getByRole('heading', { name: 'Dieser Antrag ist nicht für Ihre Kontoart' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Mit einem anderen Konto anmelden' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Jetzt starten' })).toHaveCount(0);
  });

  test('a tampered or replayed callback gets an error page', async ({ page }) => {
    // The provider sends back whatever state it got: a changed one.
    const authorize = await authorizationUrl(page);
    authorize.searchParams.set('state', 'tampered');
    await page.goto(authorize.toString());
    await signInAtProvider(page, 'citizen-substanziell');
    await expect(page.getByRole('heading', { level: 1, name: 'Anmeldung abgelaufen' })).toBeVisible();
    await expect(page.getByText(/Was Sie bereits eingegeben haben, bleibt gespeichert/)).toBeVisible();
    await expect(page.getByText(/Angemeldet als/)).toHaveCount(0);

    // A good callback works once, and not a second time.
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/auth/callback') callbacks.push(r.url());
    });
    await loginAs(page, 'citizen-substanziell');
    expect(callbacks).toHaveLength(1);
    await page.goto(callbacks[0]);
    await expect(page.getByRole('heading', { level: 1, name: 'Anmeldung abgelaufen' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Erneut anmelden' })).toBeVisible();
  });

  test('a code that was already used is refused', async ({ page }) => {
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/auth/callback') callbacks.push(r.url());
    });
    await loginAs(page, 'citizen-substanziell');
    const used = new URL(callbacks[0]).searchParams.get('code') ?? '';
    // A second login is started (its state is valid), but the callback
    // brings the first login's code, which the provider has redeemed.
    const second = await authorizationUrl(page);
    const state = second.searchParams.get('state') ?? '';
    await page.goto(`/auth/callback?${new URLSearchParams({ code: used, state })}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Anmeldung ungültig' })).toBeVisible();
    await expect(page.getByText(/Der Anmeldecode ist ungültig oder wurde bereits verwendet/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Erneut anmelden' })).toBeVisible();
  });

  test('a caseworker reaches the back-office, a citizen is refused', async ({ page, browser, javaScriptEnabled }) => {
    // Not logged in: the back-office sends to the login and comes back.
    await page.goto('/verwaltung');
    await signInAtProvider(page, 'staff-sachbearbeitung');
    await expect(page).toHaveURL((url) => url.pathname === '/verwaltung');
    await expect(page.getByRole('heading', { level: 1, name: 'Verwaltung' })).toBeVisible();
    await expect(page.getByText('Angemeldet als Sven Sachbearbeiter.')).toBeVisible();
    await expect(page.getByText('Formular-Redaktion', { exact: true })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Zur Formular-Redaktion' })).toHaveAttribute('href', '/redaktion');
    await expect(page.getByText(/Stadt Weimar – Straßenverkehrsbehörde/).first()).toBeVisible();
    // The header of the portal links it for staff.
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Verwaltung', exact: true })).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);

    // A citizen logging in on this browser gets the 403 page.
    await page.goto('/auth/login?next=%2Fverwaltung');
    await signInAtProvider(page, 'citizen-substanziell');
    await expect(page).toHaveURL((url) => url.pathname === '/verwaltung');
    await expect(page.getByRole('heading', { level: 1, name: 'Kein Zugriff' })).toBeVisible();
    await expect(page.getByText(/nur für Beschäftigte/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Mit einem anderen Konto anmelden' })).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });

  test('Meine Anträge lists a started draft and continues it', async ({ page, browser, javaScriptEnabled }) => {
    await loginAs(page, 'citizen-substanziell', { next: wohngeld, acr: 'substanziell' });
    // Without JavaScript too, the header says until when the login lasts.
    await expect(page.getByText(/Ihre Anmeldung endet um \d\d:\d\d Uhr, wenn Sie nichts tun\./)).toBeVisible();
    await page.getByRole('button', { name: /Jetzt starten|Weiter ausfüllen/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Antragstellerin oder Antragsteller' })).toBeVisible();

    await page.getByRole('link', { name: 'Meine Anträge', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Meine Anträge' })).toBeVisible();
    const drafts = page.getByRole('region', { name: 'Entwürfe' });
    // The test account is shared by other specs, which start this form
    // too; the latest saved draft, this one, comes first.
    const row = drafts.getByRole('row', { name: /Wohngeld beantragen/ }).first();
    await expect(row).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await row.getByRole('button', { name: /^Fortsetzen/ }).click();
    await expect(page).toHaveURL((url) => url.pathname.startsWith(`${wohngeld}/`));
    await expect(page.getByRole('heading', { level: 1, name: 'Antragstellerin oder Antragsteller' })).toBeVisible();
  });

  test('the hydrated page warns before the login ends and extends it', async ({ page, javaScriptEnabled }) => {
    test.skip(!javaScriptEnabled, 'the warning needs JavaScript; without it the header states the end');
    // The browser's clock, moved by the test; the server's runs as usual.
    await page.clock.install();
    await loginAs(page, 'citizen-basis');
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const warning = page.getByText(/Ihre Anmeldung endet bald, um \d\d:\d\d Uhr, wenn Sie nichts tun/);
    await expect(warning).toHaveCount(0);
    // 26 of the 30 idle minutes later the live region warns.
    await page.clock.fastForward('26:00');
    await expect(warning).toBeVisible();
    await expect(page.getByRole('status').filter({ has: warning })).toHaveCount(1);
    await page.getByRole('button', { name: 'Angemeldet bleiben' }).click();
    // Sent in the background: the page stays, the warning goes.
    await expect(page.getByText(/Sie bleiben angemeldet, bis \d\d:\d\d Uhr, wenn Sie nichts tun/)).toBeVisible();
    await expect(warning).toHaveCount(0);
    await expect(page).toHaveURL((url) => url.pathname === '/');
  });
});
