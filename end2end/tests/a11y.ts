// axe-core checks. axe runs inside the page, so with JavaScript switched off
// (the js-off project) it would hang: there the page is loaded again in a
// context where Playwright may run axe but the page's own scripts are blocked
// by a Content-Security-Policy, which is what a browser without JavaScript
// shows. That context gets the page's cookies, so it loads the page in the
// same session (a page that shows something only once, like the resume link,
// shows its second view there).
import { expect, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(wcag).analyze();
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

export async function expectNoAxeViolations(page: Page, browser: Browser, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    expect(await violations(page), `axe-core violations on ${page.url()}`).toEqual([]);
    return;
  }
  const context = await browser.newContext({ javaScriptEnabled: true, locale: 'de-DE' });
  try {
    // The same session, so a page that needs the draft shows it (not a
    // redirect to the start page).
    await context.addCookies(await page.context().cookies());
    const noScripts = await context.newPage();
    await noScripts.route('**/*', async (route) => {
      const request = route.request();
      if (request.resourceType() === 'document') {
        const response = await route.fetch();
        await route.fulfill({
          response,
          headers: { ...response.headers(), 'content-security-policy': "script-src 'none'" },
        });
      } else if (request.resourceType() === 'script' || new URL(request.url()).pathname.endsWith('.wasm')) {
        await route.abort();
      } else {
        await route.continue();
      }
    });
    await noScripts.goto(page.url());
    expect(await violations(noScripts), `axe-core violations on ${page.url()} without JavaScript`).toEqual([]);
  } finally {
    await context.close();
  }
}
