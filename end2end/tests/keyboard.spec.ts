// The dog tax registration with the keyboard alone, with JavaScript on and
// off: after opening the start page, only Tab, Shift+Tab, Space, Enter, the
// arrow keys and typing. At every stop the test checks which element has
// the focus and that the focus can be seen (WCAG 2.1.1 Keyboard, 2.4.3
// Focus Order, 2.4.7 Focus Visible): the skip link is the first stop and
// jumps to the content; after a failed POST the error summary has the
// focus, and its links move the focus to the field.
//
// Conditional fields (shown with their condition when JavaScript is off,
// possibly hidden by hydration) and buttons that other features add (such
// as "Speichern und später fortsetzen") are allowed stops on the way, named
// in `through`; every other stop must be the expected one.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { group, heading } from './hundesteuer';

/** The focused element, described for a failure message. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing (body)';
    const label = el.getAttribute('aria-label') ?? (el as HTMLElement).innerText?.slice(0, 60) ?? '';
    return `<${el.tagName.toLowerCase()} id="${el.id}" name="${el.getAttribute('name') ?? ''}"> ${label}`.trim();
  });
}

async function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluateAll((els) => els.some((el) => el === document.activeElement));
}

/**
 * The focused element shows a focus indicator: an outline of at least 2px
 * (more than Chromium's default ring, so the portal's own style is checked)
 * or a box shadow, and it lies in the viewport.
 */
async function expectVisibleFocus(page: Page) {
  const style = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
      shadow: s.boxShadow !== 'none',
      inViewport: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight,
      css: `outline: ${s.outlineStyle} ${s.outlineWidth}; box-shadow: ${s.boxShadow}`,
    };
  });
  expect(style, 'an element has the focus').not.toBeNull();
  const description = await focused(page);
  expect(style!.outline || style!.shadow, `visible focus on ${description} (${style!.css})`).toBe(true);
  expect(style!.inViewport, `${description} is scrolled into view`).toBe(true);
}

/** Presses `key` and expects `target` to have the (visible) focus. */
async function press(page: Page, key: string, target: Locator) {
  await page.keyboard.press(key);
  await expect(target, `focus after ${key} is on ${await focused(page)}`).toBeFocused();
  await expectVisibleFocus(page);
}

/**
 * Presses Tab until `target` has the focus. Each stop on the way must be
 * one of `through`, in this order (a locator may match several elements,
 * e.g. all checkboxes of a group), and must show its focus.
 */
async function tabTo(page: Page, target: Locator, through: Locator[] = []) {
  let remaining = through;
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    if (await hasFocus(target)) {
      await expectVisibleFocus(page);
      return;
    }
    let index = -1;
    for (let i = 0; i < remaining.length && index < 0; i++) {
      if (await hasFocus(remaining[i])) index = i;
    }
    expect(index, `Tab stopped at ${await focused(page)} on the way to ${target}`).toBeGreaterThanOrEqual(0);
    await expectVisibleFocus(page);
    remaining = remaining.slice(index);
  }
  throw new Error(`${target} not reached with 40 presses of Tab`);
}

/** Waits for a page that a keyboard action opened (and for hydration). */
async function arrived(page: Page, title: string, javaScriptEnabled: boolean) {
  await expect(heading(page, title)).toBeVisible();
  if (javaScriptEnabled) await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

const skipLink = (page: Page) => page.getByRole('link', { name: 'Zum Inhalt springen' });
const weiter = (page: Page) => page.getByRole('button', { name: 'Weiter', exact: true }).last();
/** Buttons beside "Weiter" that this journey does not use; allowed stops before it. */
const laterButtons = (page: Page) => [page.getByRole('button', { name: 'Speichern und später fortsetzen' })];

/** The first stops of every page: skip link, site name, language switch, back link. */
async function tabIntoPage(page: Page) {
  await press(page, 'Tab', skipLink(page));
  await press(page, 'Tab', page.getByRole('link', { name: 'Amtsweg', exact: true }));
  await press(page, 'Tab', page.getByRole('navigation', { name: 'Sprache / Language' }).getByRole('link'));
  await press(page, 'Tab', page.getByRole('link', { name: 'Zurück', exact: true }));
}

test('completes the dog tax registration with the keyboard alone', async ({ page, javaScriptEnabled }) => {
  test.setTimeout(90_000);
  await page.goto('/forms/hundesteuer');
  await arrived(page, 'Hund zur Hundesteuer anmelden', javaScriptEnabled);

  // The skip link is the first stop, visible when focused, and jumps to <main>.
  await press(page, 'Tab', skipLink(page));
  await expect(skipLink(page)).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
  await tabTo(page, page.getByRole('button', { name: 'Jetzt starten' }));
  await page.keyboard.press('Enter');

  // Step 1: leave the family name out, then fix it from the error summary.
  await arrived(page, 'Halterin oder Halter', javaScriptEnabled);
  await tabIntoPage(page);
  const familyName = page.getByLabel('Familienname', { exact: true });
  const firstName = page.getByLabel('Vorname', { exact: true });
  await press(page, 'Tab', familyName);
  await press(page, 'Tab', firstName);
  await page.keyboard.type('Erika');
  await press(page, 'Shift+Tab', familyName);
  await press(page, 'Tab', firstName);
  await press(page, 'Tab', page.getByLabel('Geburtsdatum', { exact: true }));
  await page.keyboard.type('17.03.1985');
  const address = group(page, /^Anschrift/);
  for (const [label, value] of [
    ['Straße', 'Marktstraße'],
    ['Hausnummer', '12'],
    [/^Adresszusatz/, ''],
    ['Postleitzahl', '99423'],
    ['Ort', 'Weimar'],
  ] as const) {
    await press(page, 'Tab', address.getByLabel(label, { exact: typeof label === 'string' }));
    if (value) await page.keyboard.type(value);
  }
  await press(page, 'Tab', page.getByLabel(/^Telefon/));
  await press(page, 'Tab', page.getByLabel(/^E-Mail-Adresse/));
  await page.keyboard.type('erika@example.org');
  // A radio group is one stop; the arrow keys choose.
  const moved = group(page, /aus einer anderen Gemeinde zugezogen/);
  await press(page, 'Tab', moved.getByRole('radio', { name: 'Ja' }));
  await press(page, 'ArrowRight', moved.getByRole('radio', { name: 'Nein' }));
  await expect(moved.getByRole('radio', { name: 'Nein' })).toBeChecked();
  await tabTo(page, weiter(page), [page.getByLabel(/^Bisherige Gemeinde/), page.getByLabel(/^Zuzug am/), ...laterButtons(page)]);
  await page.keyboard.press('Enter');

  // The error summary has the focus when the page opens.
  await arrived(page, 'Halterin oder Halter', javaScriptEnabled);
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('heading', { name: 'Es gibt ein Problem' })).toBeVisible();
  await expect(summary).toBeFocused();
  await expectVisibleFocus(page);
  const link = summary.getByRole('link', { name: 'Geben Sie „Familienname“ an.' });
  await press(page, 'Tab', link);
  // Its link moves the focus to the field, which keeps nothing but the error.
  await press(page, 'Enter', familyName);
  await expect(familyName).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.type('Mustermann');
  await press(page, 'Tab', firstName);
  await expect(firstName).toHaveValue('Erika');
  await tabTo(page, weiter(page), [
    page.getByLabel('Geburtsdatum', { exact: true }),
    address.getByRole('textbox'),
    page.getByLabel(/^Telefon/),
    page.getByLabel(/^E-Mail-Adresse/),
    moved.getByRole('radio', { name: 'Nein' }),
    page.getByLabel(/^Bisherige Gemeinde/),
    page.getByLabel(/^Zuzug am/),
    ...laterButtons(page),
  ]);
  await page.keyboard.press('Enter');

  // Step 2: one dog; a select takes typed letters, radios the arrow keys.
  await arrived(page, 'Hunde', javaScriptEnabled);
  await tabIntoPage(page);
  const dog = group(page, 'Hund 1');
  await press(page, 'Tab', dog.getByLabel('Name des Hundes'));
  await page.keyboard.type('Bello');
  const breed = dog.getByLabel('Rasse', { exact: true });
  await press(page, 'Tab', breed);
  await page.keyboard.type('Beagle');
  await expect(breed.locator('option:checked')).toHaveText('Beagle');
  const sex = group(page, 'Geschlecht');
  await tabTo(page, sex.getByRole('radio', { name: 'Rüde', exact: true }), [dog.getByLabel(/^Rasse bzw\. Kreuzung/)]);
  await page.keyboard.press('Space');
  await expect(sex.getByRole('radio', { name: 'Rüde', exact: true })).toBeChecked();
  await press(page, 'Tab', dog.getByLabel('Farbe', { exact: true }));
  await page.keyboard.type('braun');
  await press(page, 'Tab', dog.getByLabel(/^Geburtsdatum \(Wurftag\)/));
  await press(page, 'Tab', dog.getByLabel('Gehalten seit'));
  await page.keyboard.type('01.01.2024');
  const origin = group(page, 'Woher stammt der Hund?');
  await press(page, 'Tab', origin.getByRole('radio', { name: 'Züchterin oder Züchter' }));
  await press(page, 'ArrowDown', origin.getByRole('radio', { name: 'Tierheim oder Tierschutzverein' }));
  await press(page, 'ArrowDown', origin.getByRole('radio', { name: 'Privatperson' }));
  await expect(origin.getByRole('radio', { name: 'Privatperson' })).toBeChecked();
  const dangerous = group(page, /gefährlicher Hund/);
  await tabTo(page, dangerous.getByRole('radio', { name: 'Ja' }), [dog.getByLabel(/^Name und Anschrift der Vorbesitzerin/)]);
  await press(page, 'ArrowRight', dangerous.getByRole('radio', { name: 'Nein' }));
  await expect(dangerous.getByRole('radio', { name: 'Nein' })).toBeChecked();
  await tabTo(page, dog.getByLabel(/^Nummer des Mikrochips/), [group(page, /Erlaubnis zum Halten/).getByRole('radio')]);
  await press(page, 'Tab', page.getByRole('button', { name: /^Weitere Hund hinzufügen/ }));
  await tabTo(page, weiter(page), laterButtons(page));
  await page.keyboard.press('Enter');

  // Step 3: no reduction; the fields that depend on it are passed by.
  await arrived(page, 'Steuerermäßigung oder -befreiung', javaScriptEnabled);
  await tabIntoPage(page);
  const reduction = group(page, /Steuerermäßigung oder Steuerbefreiung/);
  await press(page, 'Tab', reduction.getByRole('radio', { name: 'Ja' }));
  await press(page, 'ArrowRight', reduction.getByRole('radio', { name: 'Nein' }));
  await tabTo(page, weiter(page), [
    page.getByLabel(/^Für welchen Hund/),
    group(page, /^Grund/).getByRole('checkbox'),
    group(page, /^Merkzeichen/).getByRole('checkbox'),
    page.getByLabel(/^Entfernung zum nächsten/),
    page.getByLabel(/^Name des Tierheims/),
    group(page, /^Welche Leistung/).getByRole('radio'),
    page.getByLabel(/^Nachweise/),
    page.getByLabel(/^Erläuterung/),
    ...laterButtons(page),
  ]);
  await page.keyboard.press('Enter');

  // Step 4: no direct debit.
  await arrived(page, 'Zahlung', javaScriptEnabled);
  await tabIntoPage(page);
  const sepa = group(page, /SEPA-Lastschriftmandat erteilen/);
  await press(page, 'Tab', sepa.getByRole('radio', { name: 'Ja' }));
  await press(page, 'ArrowRight', sepa.getByRole('radio', { name: 'Nein' }));
  await tabTo(page, weiter(page), [
    page.getByLabel(/^Kontoinhaberin oder Kontoinhaber/),
    page.getByLabel(/^IBAN/),
    page.getByLabel(/^Kreditinstitut/),
    group(page, /^SEPA-Lastschriftmandat$/).getByRole('checkbox'),
    ...laterButtons(page),
  ]);
  await page.keyboard.press('Enter');

  // Step 5: the declaration, ticked with Space.
  await arrived(page, 'Erklärung', javaScriptEnabled);
  await tabIntoPage(page);
  const declaration = group(page, 'Richtigkeit der Angaben').getByRole('checkbox');
  await press(page, 'Tab', declaration);
  await page.keyboard.press('Space');
  await expect(declaration).toBeChecked();
  await tabTo(page, weiter(page), laterButtons(page));
  await page.keyboard.press('Enter');

  // Check your answers: past the change links to the submit button.
  await arrived(page, 'Prüfen Sie Ihre Angaben', javaScriptEnabled);
  await expect(page.getByText('Mustermann')).toBeVisible();
  await tabIntoPage(page);
  const submit = page.getByRole('button', { name: 'Antrag verbindlich absenden' });
  await tabTo(page, submit, [page.getByRole('link', { name: /^Ändern / })]);
  await page.keyboard.press('Enter');

  // The confirmation with the reference number; its first stop is the skip link too.
  await arrived(page, 'Antrag eingegangen', javaScriptEnabled);
  await expect(page.locator('.reference')).toHaveText(/^AW-\d{4}-\d{6}$/);
  await press(page, 'Tab', skipLink(page));
});

test('Shift+Tab from the first field goes back through the page header to the skip link', async ({ page, javaScriptEnabled }) => {
  await page.goto('/forms/hundesteuer');
  await arrived(page, 'Hund zur Hundesteuer anmelden', javaScriptEnabled);
  await press(page, 'Tab', skipLink(page));
  await tabTo(page, page.getByRole('button', { name: 'Jetzt starten' }), [page.getByRole('banner').getByRole('link')]);
  await page.keyboard.press('Enter');
  await arrived(page, 'Halterin oder Halter', javaScriptEnabled);
  await tabIntoPage(page);
  await press(page, 'Tab', page.getByLabel('Familienname', { exact: true }));
  await press(page, 'Shift+Tab', page.getByRole('link', { name: 'Zurück', exact: true }));
  await press(page, 'Shift+Tab', page.getByRole('navigation', { name: 'Sprache / Language' }).getByRole('link'));
  await press(page, 'Shift+Tab', page.getByRole('link', { name: 'Amtsweg', exact: true }));
  await press(page, 'Shift+Tab', skipLink(page));
  // Enter on the skip link, then Tab: the first stop inside <main>.
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
  await press(page, 'Tab', page.getByRole('link', { name: 'Zurück', exact: true }));
});
