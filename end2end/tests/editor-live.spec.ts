// The form editor with its wasm enhancement (app/src/editor_live.rs), with
// JavaScript on only (the js-off project ignores this file; without
// JavaScript the same forms are plain POSTs, see editor.spec.ts and
// editor-structured.spec.ts): an editor (staff-redaktion) changes a field's
// label and sees it without a page load, moves a field with the keyboard
// ("nach unten") and by drag, and the live preview beside the forms follows
// every change. axe-core checks the enhanced page.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { signInAtProvider } from './login';

function definition(id: string) {
  const text = (fid: string, de: string, en: string) => ({ id: fid, type: 'text', label: { de, en }, required: true });
  return JSON.stringify(
    {
      id,
      version: 1,
      title: { de: 'Sofort bearbeiten (Test)', en: 'Instant editing (test)' },
      summary: { de: 'Ein Testformular', en: 'A test form' },
      authority: { id: 'stadt-erfurt', name: { de: 'Stadt Erfurt', en: 'City of Erfurt' } },
      steps: [
        {
          id: 'angaben',
          title: { de: 'Angaben', en: 'Details' },
          fields: [
            text('vorname', 'Vorname', 'First name'),
            text('nachname', 'Nachname', 'Family name'),
            text('wohnort', 'Wohnort', 'Place of residence'),
          ],
        },
      ],
    },
    null,
    2,
  );
}

const structure = (page: Page) => page.getByRole('region', { name: /Bearbeiten ohne JSON/ });
const step = (page: Page) => structure(page).getByRole('region', { name: 'Schritt 1: Angaben' });

/** The `<details>` of a field by its label ("Feld „Vorname“"). */
function field(page: Page, label: string): Locator {
  return step(page)
    .locator('details')
    .filter({ has: page.locator('summary').filter({ hasText: `Feld „${label}“` }) });
}

/** The labels of the step's fields, in their order on the page. */
const order = (page: Page) => step(page).locator('details.structure-field > summary').filter({ hasText: /^Feld „/ });

/**
 * Drags `source` onto `target` with the HTML drag-and-drop events the
 * browser sends (dragstart, dragenter, dragover, drop, dragend, one
 * DataTransfer). Not `locator.dragTo`: Debian's Chromium under Playwright
 * does not start a native drag from mouse input (checked: mousedown and
 * mouseup arrive, no dragstart), so the events are dispatched as the
 * browser would; the page's listeners cannot tell the difference.
 */
async function drag(page: Page, source: Locator, target: Locator) {
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  await source.scrollIntoViewIfNeeded();
  await source.dispatchEvent('dragstart', { dataTransfer });
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
  await source.dispatchEvent('dragend', { dataTransfer });
}

/** The live preview beside the forms. */
const preview = (page: Page) => page.frameLocator('iframe[title^="Vorschau"]');

test.describe('form editor with hydration', () => {
  test('changes are instant: a label, a move by keyboard and by drag, and the live preview', async ({
    page,
    browser,
    javaScriptEnabled,
  }) => {
    test.skip(!javaScriptEnabled, 'the enhancement needs JavaScript');
    const id = `sofort-${Date.now()}`;

    await page.goto('/redaktion');
    await signInAtProvider(page, 'staff-redaktion');
    await expect(page).toHaveURL((url) => url.pathname === '/redaktion');
    await page.getByLabel('Kennung (in der Adresse)').fill(id);
    await page.getByLabel('Titel (Deutsch)').fill('Sofort bearbeiten');
    await page.getByLabel('Titel (Englisch)').fill('Instant editing');
    await page.getByLabel('Kennung der empfangenden Behörde').fill('stadt-erfurt');
    await page.getByLabel('Name der Behörde (Deutsch)').fill('Stadt Erfurt');
    await page.getByLabel('Name der Behörde (Englisch)').fill('City of Erfurt');
    await page.getByRole('button', { name: /Formular anlegen/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Entwurf bearbeiten/ })).toBeVisible();
    // The JSON view is not enhanced: an ordinary POST and a new page.
    await page.getByLabel('Definition (JSON)').fill(definition(id));
    await page.getByRole('button', { name: /Prüfen und speichern/ }).click();
    await expect(page.getByRole('status')).toContainText('Gespeichert.');

    // The wasm listens; from here on, no page load of the main frame.
    await expect(page.locator('html')).toHaveAttribute('data-editor-live', 'on');
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
    });
    await expect(preview(page).getByRole('heading', { level: 1, name: 'Angaben' })).toBeVisible();
    await expect(preview(page).getByLabel(/Vorname/)).toBeVisible();
    await expect(order(page)).toHaveText([/„Vorname“/, /„Nachname“/, /„Wohnort“/]);

    // A label: saved in the background, the section stays open, focus
    // goes back to the button, and the preview shows the new label.
    await field(page, 'Vorname').locator('summary').click();
    await expect(field(page, 'Vorname')).toHaveAttribute('open', '');
    await field(page, 'Vorname').getByLabel('Beschriftung (Deutsch)').fill('Vorname(n)');
    await field(page, 'Vorname').getByRole('button', { name: /Feld speichern/ }).click();
    await expect(page.getByRole('status')).toContainText('Gespeichert.');
    const renamed = field(page, 'Vorname(n)');
    await expect(renamed).toHaveAttribute('open', '');
    await expect(renamed.getByRole('button', { name: /Feld speichern/ })).toBeFocused();
    await expect(preview(page).getByLabel(/Vorname\(n\)/)).toBeVisible();

    // The keyboard: "nach unten" with Enter moves the field at once, and
    // focus follows it to its new place.
    await renamed.getByRole('button', { name: /„Vorname\(n\)“ nach unten/ }).focus();
    await page.keyboard.press('Enter');
    await expect(order(page)).toHaveText([/„Nachname“/, /„Vorname\(n\)“/, /„Wohnort“/]);
    await expect(page.getByRole('button', { name: /„Vorname\(n\)“ nach unten/ })).toBeFocused();
    await expect(preview(page).getByRole('textbox').first()).toHaveAccessibleName(/Nachname/);

    // Drag: "Wohnort" onto the first field's place.
    await drag(page, page.getByTitle(/„Wohnort“.*ziehen/), page.getByTitle(/„Nachname“.*ziehen/));
    await expect(order(page)).toHaveText([/„Wohnort“/, /„Nachname“/, /„Vorname\(n\)“/]);
    await expect(page.getByRole('status')).toContainText('Gespeichert.');
    await expect(preview(page).getByRole('textbox').first()).toHaveAccessibleName(/Wohnort/);

    // A change the engine refuses: the problems, in place; nothing saved.
    const wohnort = field(page, 'Wohnort');
    if ((await wohnort.getAttribute('open')) === null) await wohnort.locator('summary').click();
    await wohnort.getByLabel(/Mindestlänge/).fill('zehn');
    await wohnort.getByRole('button', { name: /Feld speichern/ }).click();
    await expect(page.getByRole('alert')).toContainText('Mindestlänge');
    await expect(page.getByRole('status')).toContainText('Nicht gespeichert');

    // Stored as shown: a fresh load has the new order and label.
    expect(navigations).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    await page.reload();
    await expect(order(page)).toHaveText([/„Wohnort“/, /„Nachname“/, /„Vorname\(n\)“/]);
  });
});
