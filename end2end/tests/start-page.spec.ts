import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { loadDefinitions, text, escapeRegExp } from './definitions';

const definitions = loadDefinitions();

function formLink(page: Page, title: string) {
  return page.getByRole('link', { name: title, exact: true });
}

test.describe('start page', () => {
  test('shows the portal name and lists every example form with its authority', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Amtsweg', exact: true })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    for (const def of definitions) {
      const link = formLink(page, text(def.title, 'de'));
      await expect(link, `link to ${def.id}`).toBeVisible();
      const entry = page.getByRole('listitem').filter({ has: link });
      await expect(entry, `authority of ${def.id}`).toContainText(text(def.authority.name, 'de'));
    }
  });

  for (const def of definitions) {
    test(`link to "${def.id}" leads to the form's page`, async ({ page }) => {
      await page.goto('/');
      const title = text(def.title, 'de');
      await formLink(page, title).click();
      await expect(page).toHaveURL(new RegExp(`/${escapeRegExp(def.id)}(?:[/?#]|$)`));
      await expect(page.getByRole('heading', { level: 1, name: title, exact: true })).toBeVisible();
    });
  }

  test('switches to English', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveTitle('Amtsweg – Online-Dienste');
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    // With JavaScript the router switches in place: the title follows too.
    await expect(page).toHaveTitle('Amtsweg – Online services');
    for (const def of definitions) {
      await expect(formLink(page, text(def.title, 'en')), `English title of ${def.id}`).toBeVisible();
    }
    // A form opened from the English list is in English, too.
    const first = definitions[0];
    await formLink(page, text(first.title, 'en')).click();
    await expect(page.getByRole('heading', { level: 1, name: text(first.title, 'en'), exact: true })).toBeVisible();
  });

  test('has no axe-core violations (WCAG 2.1 A/AA)', async ({ page, browser, javaScriptEnabled }) => {
    await page.goto('/');
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });

  test("a form's page has no axe-core violations (WCAG 2.1 A/AA)", async ({ page, browser, javaScriptEnabled }) => {
    await page.goto('/');
    await formLink(page, text(definitions[0].title, 'de')).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });

  test('the keyboard reaches the first form with a visible focus', async ({ page }) => {
    await page.goto('/');
    const titles = new Set(definitions.map((d) => text(d.title, 'de')));
    // The first form link in reading order.
    const linkNames = await page.getByRole('link').allInnerTexts();
    const firstTitle = linkNames.map((n) => n.trim()).find((n) => titles.has(n));
    expect(firstTitle, 'a form link on the start page').toBeDefined();
    const link = formLink(page, firstTitle!);

    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await link.evaluate((el) => el === document.activeElement);
    }
    expect(reached, `Tab reaches "${firstTitle}"`).toBe(true);

    // Visible focus: the link and its surroundings look different with and
    // without focus (outline, underline, background …).
    const box = await link.boundingBox();
    expect(box).not.toBeNull();
    const margin = 8;
    const clip = {
      x: Math.max(0, box!.x - margin),
      y: Math.max(0, box!.y - margin),
      width: box!.width + 2 * margin,
      height: box!.height + 2 * margin,
    };
    const focused = await page.screenshot({ clip, animations: 'disabled' });
    await link.evaluate((el) => (el as HTMLElement).blur());
    await page.mouse.move(0, 0);
    const unfocused = await page.screenshot({ clip, animations: 'disabled' });
    expect(focused.equals(unfocused), 'the focused link looks different from the unfocused one').toBe(false);
  });
});
