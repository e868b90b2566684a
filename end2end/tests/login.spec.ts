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
// Failed logins: an ID token with a bad signature, another audience, an
// expired one, another nonce or an unknown key (the test provider's fault-*
// accounts, see end2end/oidc/provider.mjs) gets the "not confirmed" page;
// a provider that drops the token request gets the "unreachable" page;
// cancelling at the provider gets the "cancelled" page; a callback whose
// `iss` names another issuer (RFC 9207) is refused. Each offers "Erneut
// anmelden" and leaves the visitor logged out, and a dog tax draft started
// before such a login keeps its answers.
// Elements are found by role and label.
import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import * as dogTax from './hundesteuer';
import { displayName, loginAs, logout, signInAtProvider, type FaultAccount, type TestAccount } from './login';

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

/**
 * Goes through a login at the provider with the page's cookies but without
 * the browser (the API request context, no redirects followed) and returns
 * the callback URL the provider sends back (code, state, iss), unvisited,
 * and the provider's issuer.
 */
async function callbackFromProvider(page: Page, name: TestAccount): Promise<{ callback: URL; issuer: string }> {
  const hop = async (url: URL, options: { method?: string; form?: Record<string, string> } = {}) => {
    const response = await page.request.fetch(url.toString(), { maxRedirects: 0, ...options });
    expect([302, 303], `${options.method ?? 'GET'} ${url.pathname}`).toContain(response.status());
    return new URL(response.headers()['location'], url);
  };
  const authorize = await authorizationUrl(page);
  const interaction = await hop(authorize);
  expect(interaction.pathname).toMatch(/^\/interaction\//);
  const resume = await hop(new URL(`${interaction.pathname}/login`, interaction), {
    method: 'POST',
    form: { username: name },
  });
  const callback = await hop(resume);
  expect(callback.pathname).toBe('/auth/callback');
  return { callback, issuer: authorize.origin };
}

/**
 * The portal's page for a failed login: `title` as its heading, `text`,
 * that nothing entered is lost, an "Erneut anmelden" link that starts a
 * login back to `next`, and no login.
 */
async function expectLoginProblem(page: Page, title: string, text: RegExp, next: string) {
  await expect(page).toHaveURL((url) => url.pathname === '/auth/callback');
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByText(text)).toBeVisible();
  await expect(page.getByText(/Was Sie bereits eingegeben haben, bleibt gespeichert/)).toBeVisible();
  const retry = page.getByRole('link', { name: 'Erneut anmelden', exact: true });
  await expect(retry).toBeVisible();
  const href = new URL((await retry.getAttribute('href')) ?? '', page.url());
  expect(href.pathname).toBe('/auth/login');
  expect(href.searchParams.get('next')).toBe(next);
  await expect(page.getByText(/Angemeldet als/)).toHaveCount(0);
}

/** Not logged in: a form that needs a login asks for one. */
async function expectLoggedOut(page: Page) {
  await page.goto(wohngeld);
  await expect(page.getByRole('link', { name: 'Mit Servicekonto anmelden', exact: true })).toBeVisible();
  await expect(page.getByText(/Angemeldet als/)).toHaveCount(0);
}

const notConfirmed = {
  title: 'Anmeldung nicht bestätigt',
  text: /Die Anmeldebestätigung des Servicekontos ist ungültig oder abgelaufen/,
};
const unreachable = {
  title: 'Login-Dienst nicht erreichbar',
  text: /Der Login-Dienst ist gerade nicht erreichbar/,
};

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

test.describe('failed logins', () => {
  // The provider's answer to the token request is broken on purpose for
  // these accounts (end2end/oidc/provider.mjs, "Fault injection").
  const tokenFaults: { account: FaultAccount; what: string }[] = [
    { account: 'fault-bad-signature', what: 'a payload changed after signing' },
    { account: 'fault-wrong-audience', what: 'another client as audience' },
    { account: 'fault-expired', what: 'an expiry in the past' },
    { account: 'fault-wrong-nonce', what: 'another nonce than the login' },
    { account: 'fault-unknown-key', what: 'a key the provider does not publish' },
  ];
  for (const { account, what } of tokenFaults) {
    test(`an ID token with ${what} is refused (${account})`, async ({ page }) => {
      await page.goto(wohngeld);
      await page.getByRole('link', { name: 'Mit Servicekonto anmelden', exact: true }).click();
      await signInAtProvider(page, account);
      await expectLoginProblem(page, notConfirmed.title, notConfirmed.text, wohngeld);
      await expectLoggedOut(page);
    });
  }

  test('a provider that drops the token request gets the unreachable page', async ({ page }) => {
    await page.goto(wohngeld);
    await page.getByRole('link', { name: 'Mit Servicekonto anmelden', exact: true }).click();
    await signInAtProvider(page, 'fault-token-unreachable');
    await expectLoginProblem(page, unreachable.title, unreachable.text, wohngeld);
    await expect(page.getByRole('heading', { level: 2, name: 'Login service unavailable' })).toBeVisible();
    await expectLoggedOut(page);
  });

  // "Nothing the citizen already entered is lost": an anonymous draft,
  // then a login that fails, then back to the draft.
  const keepsTheDraft: { account: FaultAccount; problem: { title: string; text: RegExp } }[] = [
    { account: 'fault-bad-signature', problem: notConfirmed },
    { account: 'fault-token-unreachable', problem: unreachable },
  ];
  for (const { account, problem } of keepsTheDraft) {
    test(`a draft started before a failed login keeps its answers (${account})`, async ({ page }) => {
      await dogTax.start(page);
      const firstStep = new URL(page.url()).pathname;
      await dogTax.owner(page, 'Fehlerfall');
      const secondStep = new URL(page.url()).pathname;
      expect(secondStep).not.toBe(firstStep);

      // The portal's login link, coming back to this step.
      await page.goto(`/auth/login?next=${encodeURIComponent(secondStep)}`);
      await signInAtProvider(page, account);
      await expectLoginProblem(page, problem.title, problem.text, secondStep);

      await page.getByRole('link', { name: 'Zurück', exact: true }).click();
      await expect(page).toHaveURL((url) => url.pathname === secondStep);
      await expect(dogTax.heading(page, 'Hunde')).toBeVisible();
      await expect(page.getByText(/Angemeldet als/)).toHaveCount(0);
      await page.goto(firstStep);
      await expect(dogTax.heading(page, 'Halterin oder Halter')).toBeVisible();
      await expect(page.getByLabel('Familienname', { exact: true })).toHaveValue('Fehlerfall');
      await expect(page.getByLabel('Vorname', { exact: true })).toHaveValue('Erika');
      await expect(page.getByLabel('Geburtsdatum', { exact: true })).toHaveValue('17.03.1985');
      await expect(dogTax.group(page, /^Anschrift/).getByLabel('Postleitzahl')).toHaveValue('99423');
      // The start page continues the same draft.
      await page.goto('/forms/hundesteuer');
      await expect(page.getByRole('button', { name: 'Weiter ausfüllen' })).toBeVisible();
    });
  }

  test('cancelling at the provider gets the cancelled page', async ({ page }) => {
    await page.goto(wohngeld);
    await page.getByRole('link', { name: 'Mit Servicekonto anmelden', exact: true }).click();
    await expect(page.getByLabel('Benutzername')).toBeVisible();
    await page.getByRole('button', { name: 'Abbrechen' }).click();
    await expectLoginProblem(
      page,
      'Anmeldung abgebrochen',
      /Sie haben die Anmeldung beim Servicekonto abgebrochen/,
      wohngeld,
    );
    await page.getByRole('link', { name: 'Zurück', exact: true }).click();
    await expect(page).toHaveURL((url) => url.pathname === wohngeld);
    await expect(page.getByRole('link', { name: 'Mit Servicekonto anmelden', exact: true })).toBeVisible();
  });

  test('a callback whose iss is another issuer is refused', async ({ page }) => {
    const { callback, issuer } = await callbackFromProvider(page, 'citizen-substanziell');
    // The provider names itself (RFC 9207) …
    expect(callback.searchParams.get('iss')).toBe(issuer);
    // … a mix-up brings another issuer's name with a valid state and code.
    callback.searchParams.set('iss', 'https://idp.example');
    await page.goto(callback.toString());
    await expectLoginProblem(
      page,
      'Anmeldung fehlgeschlagen',
      /Das Servicekonto hat die Anmeldung nicht bestätigt/,
      '/',
    );
    await expectLoggedOut(page);
  });
});
