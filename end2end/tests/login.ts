// Logging in with the Servicekonto in end-to-end tests, through the real
// OpenID provider that scripts/e2e.sh starts (end2end/oidc/provider.mjs).
// Use it to fill in forms that need a login:
//
//   import { loginAs } from './login';
//   await loginAs(page, 'citizen-substanziell', { next: '/forms/wohngeld', acr: 'substanziell' });
//   // now on /forms/wohngeld, logged in; "Jetzt starten" is there
//
// Test accounts (end2end/oidc/accounts.json): citizen-basis,
// citizen-substanziell, citizen-hoch, business-basis, business-substanziell,
// business-hoch. Their acr is the eIDAS level in the name; businesses carry
// an organization name. staff-sachbearbeitung is a caseworker of
// weimar-strassenverkehrsbehoerde and a form editor (roles claim);
// staff-redaktion is a form editor only. The fault-* accounts
// (`FaultAccount`) log in at the provider like the others, but the provider
// then breaks its token endpoint's answer on purpose (an ID token with a bad
// signature, another audience, expired, another nonce, an unknown key, or
// no answer at all; see the header of end2end/oidc/provider.mjs): for the
// negative tests, never logged in.
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export type TestAccount =
  | 'citizen-basis'
  | 'citizen-substanziell'
  | 'citizen-hoch'
  | 'business-basis'
  | 'business-substanziell'
  | 'business-hoch'
  | 'staff-sachbearbeitung'
  | 'staff-redaktion';

/** Test-only accounts whose token response the provider breaks (`fault` in accounts.json). */
export type FaultAccount =
  | 'fault-bad-signature'
  | 'fault-wrong-audience'
  | 'fault-expired'
  | 'fault-wrong-nonce'
  | 'fault-unknown-key'
  | 'fault-token-unreachable';

export type TrustLevel = 'basis' | 'substanziell' | 'hoch';

type Account = {
  acr: string;
  /** Only the fault-* accounts: what the provider breaks. */
  fault?: string;
  claims: {
    account_type: 'citizen' | 'business';
    given_name: string;
    family_name: string;
    organization_name?: string;
    birthdate?: string;
    email?: string;
    address?: { street_address: string; postal_code: string; locality: string; country: string };
    roles?: string[];
  };
};

const accounts: Record<string, Account> = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '..', 'oidc', 'accounts.json'), 'utf8'),
);

/** The claims of a test account (name, birth date, address, …). */
export function account(name: TestAccount): Account {
  return accounts[name];
}

/** The name the portal's header shows after "Angemeldet als". */
export function displayName(name: TestAccount): string {
  const c = accounts[name].claims;
  const person = `${c.given_name} ${c.family_name}`;
  return c.account_type === 'business' && c.organization_name ? `${c.organization_name} (${person})` : person;
}

/**
 * On the provider's login page: types the user name and logs in. Returns
 * once the browser has left the provider.
 */
export async function signInAtProvider(page: Page, name: TestAccount | FaultAccount) {
  await expect(page.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
  const provider = new URL(page.url()).origin;
  await page.getByLabel('Benutzername').fill(name);
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
  // Another account than the provider's current one: the provider first
  // ends that session with a page that submits itself; without JavaScript
  // it shows a "Continue" button.
  const proceed = page.getByRole('button', { name: 'Continue' });
  await expect
    .poll(async () => new URL(page.url()).origin !== provider || (await proceed.isVisible()))
    .toBe(true);
  if (new URL(page.url()).origin === provider) {
    await proceed.click();
    await expect(page).toHaveURL((url) => url.origin !== provider);
  }
}

/**
 * Logs in with a test account through the portal's `/auth/login` and comes
 * back to `next` (default `/`), logged in ("Angemeldet als …" in the header).
 * `acr`: the trust level to ask for (a form's minimum). If the browser is
 * logged in to the portal already, the provider asks again (prompt=login).
 */
export async function loginAs(
  page: Page,
  name: TestAccount,
  options: { next?: string; acr?: TrustLevel } = {},
) {
  const next = options.next ?? '/';
  const query = new URLSearchParams({ next });
  if (options.acr) query.set('acr', options.acr);
  await page.goto(`/auth/login?${query}`);
  // The provider asks for the user name, or, when this browser is still
  // logged in there, sends it straight back (then it must be the same account).
  const userName = page.getByLabel('Benutzername');
  await expect(userName.or(page.getByText(/Angemeldet als/))).toBeVisible();
  if (await userName.isVisible()) await signInAtProvider(page, name);
  await expect(page).toHaveURL((url) => url.pathname + url.search === next);
  await expect(page.getByText(`Angemeldet als ${displayName(name)}`)).toBeVisible();
}

/**
 * Logs out with the header's button, confirms the provider's logout, and
 * waits for the portal's start page.
 */
export async function logout(page: Page) {
  await page.getByRole('button', { name: 'Abmelden', exact: true }).click();
  await page.getByRole('button', { name: 'Ja, abmelden' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByText(/Angemeldet als/)).toHaveCount(0);
}
