// The form editor without JSON, with JavaScript on and off: an editor
// (staff-redaktion) creates a form and builds it only with the structured
// forms of the edit page ("Bearbeiten ohne JSON"): the form's settings, a
// second step, a text, a yes/no, a choice and an information field, a
// visibility rule made of condition rows, a fixed fee, a field moved up.
// The preview shows the conditional field appear and disappear, an error on
// a required field and the fee; publishing is refused while an English
// label is missing and works once it is back; a citizen completes the form
// to the reference number. axe-core checks the edit page with every
// <details> section open, the quality check's refusal, the FIM import's
// report and the 403 page a citizen gets at /redaktion.
import path from 'node:path';
import { test, expect, type Browser, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { expectNoAxeViolations } from './a11y';
import { signInAtProvider } from './login';
import { payWithDemo } from './forms/driver';

const group = (scope: Page | Locator, name: string | RegExp) => scope.getByRole('group', { name });
const region = (scope: Page | Locator, name: string | RegExp) => scope.getByRole('region', { name });
const next = (page: Page) => page.getByRole('button', { name: 'Weiter', exact: true }).last();
const h1 = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** The structured editing on the edit page ("Bearbeiten ohne JSON"). */
const structure = (page: Page) => region(page, /Bearbeiten ohne JSON/);

/** A step's section of the structured editing ("Schritt 2: Der Hund"). */
const stepSection = (page: Page, n: number, title: string) => region(structure(page), `Schritt ${n}: ${title}`);

/** A `<details>` section in `scope` by the start of its summary ("Feld „Ihr Name“"). */
function details(page: Page, scope: Locator, summary: string) {
  return scope.locator('details').filter({ has: page.locator('summary').filter({ hasText: summary }) });
}

/** Opens the `<details>` of a field (if closed), as a user does: a click on its summary. */
async function openField(page: Page, label: string): Promise<Locator> {
  const section = details(page, structure(page), `Feld „${label}“`);
  if ((await section.getAttribute('open')) === null) await section.locator('summary').click();
  await expect(section).toHaveAttribute('open', '');
  return section;
}

/**
 * An input of a "new field" or "new step" form by its label. These forms
 * also hold a nested group for a repeatable group's first field with the
 * same labels ("Nur bei einer wiederholbaren Gruppe: ihr erstes Feld");
 * the form's own input comes before it.
 */
const own = (form: Locator, label: string | RegExp) =>
  form.getByLabel(label, { exact: typeof label === 'string' ? true : undefined }).first();

/** After a structured change: back on the edit page, saved. */
async function expectSaved(page: Page) {
  const alert = page.getByRole('alert');
  const status = page.getByRole('status');
  const refused = h1(page, /Nicht möglich/);
  await expect(status.or(alert).or(refused).first()).toBeVisible();
  if ((await alert.count()) > 0 || (await refused.count()) > 0) {
    throw new Error(`not saved: ${await page.getByRole('main').innerText()}`);
  }
  await expect(status).toContainText('Gespeichert.');
  await expect(h1(page, /Entwurf bearbeiten/)).toBeVisible();
}

/** Clicks every closed `<details>` summary of the page (axe skips closed ones). */
async function openAllDetails(page: Page) {
  const closed = page.locator('details:not([open]) > summary');
  for (let n = await closed.count(); n > 0; n = await closed.count()) {
    await closed.first().click();
    await expect(closed).toHaveCount(n - 1);
  }
  await expect(page.locator('details:not([open])')).toHaveCount(0);
}

const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core on the page exactly as this browser shows it now: with opened
 * `<details>`, or as the answer of a POST (which a new GET cannot fetch).
 * With JavaScript on, that is expectNoAxeViolations. Without it, axe cannot
 * run in this page (see a11y.ts); the HTML it shows (with the `open` state
 * of its sections) is loaded into a context where Playwright may run axe
 * but the page's own scripts are blocked by a Content-Security-Policy.
 */
async function expectNoAxeViolationsAsShown(page: Page, browser: Browser, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
    return;
  }
  const html = await page.content();
  const context = await browser.newContext({ javaScriptEnabled: true, locale: 'de-DE' });
  try {
    await context.addCookies(await page.context().cookies());
    const copy = await context.newPage();
    await copy.route('**/*', async (route) => {
      const request = route.request();
      if (request.resourceType() === 'document') {
        await route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: { 'content-security-policy': "script-src 'none'", 'cache-control': 'no-store' },
          body: html,
        });
      } else if (request.resourceType() === 'script' || new URL(request.url()).pathname.endsWith('.wasm')) {
        await route.abort();
      } else {
        await route.continue();
      }
    });
    await copy.goto(page.url());
    // The copy shows what this browser shows.
    await expect(copy.getByRole('heading', { level: 1 })).toHaveText(
      await page.getByRole('heading', { level: 1 }).innerText(),
    );
    await expect(copy.locator('details[open]')).toHaveCount(await page.locator('details[open]').count());
    const results = await new AxeBuilder({ page: copy }).withTags(wcag).analyze();
    const found = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    expect(found, `axe-core violations on ${page.url()} without JavaScript`).toEqual([]);
  } finally {
    await context.close();
  }
}

/** Creates a form with the "new form" form of /redaktion; ends on its edit page. */
async function createForm(page: Page, id: string, title: string) {
  await page.getByLabel('Kennung (in der Adresse)').fill(id);
  await page.getByLabel('Titel (Deutsch)').fill(title);
  await page.getByLabel('Titel (Englisch)').fill(`${title} (EN)`);
  await page.getByLabel('Kennung der empfangenden Behörde').fill('stadt-erfurt');
  await page.getByLabel('Name der Behörde (Deutsch)').fill('Stadt Erfurt');
  await page.getByLabel('Name der Behörde (Englisch)').fill('City of Erfurt');
  await page.getByRole('button', { name: /Formular anlegen/ }).click();
  await expect(h1(page, /Entwurf bearbeiten/)).toBeVisible();
}

test.describe('form editor without JSON', () => {
  test('an editor builds a two-step form with the structured forms, previews and publishes it; a citizen completes it', async ({
    page,
    browser,
    javaScriptEnabled,
  }) => {
    test.setTimeout(300_000);
    const js = javaScriptEnabled;
    const id = `ohne-json-${js ? 'js' : 'nojs'}-${Date.now()}`;
    const title = `Hund anmelden ohne JSON (${js ? 'js' : 'nojs'})`;

    await page.goto('/redaktion');
    await signInAtProvider(page, 'staff-redaktion');
    await expect(h1(page, 'Formular-Redaktion')).toBeVisible();
    await createForm(page, id, 'Vorläufiger Titel');
    await expect(structure(page)).toBeVisible();

    // The form's settings: titles, summary, authority, retention, access.
    const settings = group(structure(page), /^Formular \(form settings\)/);
    await settings.getByLabel('Titel (Deutsch)', { exact: true }).fill(title);
    await settings.getByLabel(/^Titel \(Englisch\)/).fill('Register a dog without JSON');
    await settings.getByLabel(/^Kurzbeschreibung für die Liste der Anträge \(Deutsch\)/).fill('Einen Hund anmelden');
    await settings.getByLabel(/^Kurzbeschreibung für die Liste der Anträge \(Englisch\)/).fill('Register a dog');
    await settings.getByLabel(/^Kennung der Behörde/).fill('stadt-weimar');
    await settings.getByLabel(/^Empfangende Behörde \(Deutsch\)/).fill('Stadt Weimar');
    await settings.getByLabel(/^Empfangende Behörde \(Englisch\)/).fill('City of Weimar');
    await settings.getByLabel(/^Aufbewahrung in Tagen/).fill('365');
    await group(settings, /^Zugang/).getByRole('radio', { name: /Ohne Anmeldung/ }).check();
    await settings.getByRole('button', { name: /Einstellungen speichern/ }).click();
    await expectSaved(page);
    await expect(settings.getByLabel('Titel (Deutsch)', { exact: true })).toHaveValue(title);
    await expect(settings.getByLabel(/^Empfangende Behörde \(Englisch\)/)).toHaveValue('City of Weimar');

    // Step 1 (the new form's "Angaben"): its title, the text field it
    // starts with relabelled, a yes/no field added and made required.
    let step1 = stepSection(page, 1, 'Angaben');
    await step1.getByLabel('Titel des Schritts (Deutsch)').fill('Halterin oder Halter');
    await step1.getByLabel(/^Titel des Schritts \(Englisch\)/).fill('Owner');
    await step1.getByRole('button', { name: /Titel und Text speichern/ }).click();
    await expectSaved(page);
    step1 = stepSection(page, 1, 'Halterin oder Halter');
    await expect(step1).toBeVisible();

    let field = await openField(page, 'Name');
    await field.getByLabel('Beschriftung (Deutsch)').fill('Ihr Name');
    await field.getByLabel(/^Beschriftung \(Englisch\)/).fill('Your name');
    await expect(field.getByRole('checkbox', { name: /Pflichtfeld/ })).toBeChecked();
    await field.getByRole('button', { name: /Feld speichern/ }).click();
    await expectSaved(page);

    let add = group(step1, /^Neues Feld in „Halterin oder Halter“/);
    await own(add, /^Kennung/).fill('gefaehrlich');
    await own(add, /^Feldtyp/).selectOption({ label: 'Ja/Nein (yes/no)' });
    await own(add, 'Beschriftung (Deutsch)').fill('Ist der Hund als gefährlich eingestuft?');
    await own(add, /^Beschriftung \(Englisch\)/).fill('Is the dog classed as dangerous?');
    await add.getByRole('button', { name: /Feld hinzufügen/ }).click();
    await expectSaved(page);
    field = await openField(page, 'Ist der Hund als gefährlich eingestuft?');
    await expect(field.getByRole('checkbox', { name: /Pflichtfeld/ })).not.toBeChecked();
    await field.getByRole('checkbox', { name: /Pflichtfeld/ }).check();
    await field.getByRole('button', { name: /Feld speichern/ }).click();
    await expectSaved(page);

    // Step 2, with an information field (and its text) as its first field.
    const newStep = group(structure(page), /^Neuer Schritt/);
    await own(newStep, 'Kennung (id)').fill('hund');
    await own(newStep, 'Titel (Deutsch)').fill('Der Hund');
    await own(newStep, /^Titel \(Englisch\)/).fill('The dog');
    await own(newStep, /^Kennung des ersten Felds/).fill('hinweis');
    await own(newStep, /^Feldtyp des ersten Felds/).selectOption({
      label: 'Information (keine Eingabe) (information (no input))',
    });
    await own(newStep, /^Beschriftung des ersten Felds \(Deutsch\)/).fill('Gut zu wissen');
    await own(newStep, /^Beschriftung des ersten Felds \(Englisch\)/).fill('Good to know');
    await own(newStep, /^Text des ersten Felds bei Information und Erklärung \(Deutsch\)/).fill(
      'Halten Sie den Heimtierausweis bereit.',
    );
    await own(newStep, /^Text des ersten Felds bei Information und Erklärung \(Englisch\)/).fill(
      'Have the pet passport ready.',
    );
    await newStep.getByRole('button', { name: /Schritt hinzufügen/ }).click();
    await expectSaved(page);
    const step2 = stepSection(page, 2, 'Der Hund');
    await expect(step2).toBeVisible();
    field = await openField(page, 'Gut zu wissen');
    await expect(field.getByLabel(/^Text \(Deutsch\)/)).toHaveValue('Halten Sie den Heimtierausweis bereit.');

    // A choice field with its options, then a text field.
    add = group(step2, /^Neues Feld in „Der Hund“/);
    await own(add, /^Kennung/).fill('groesse');
    await own(add, /^Feldtyp/).selectOption({ label: 'Auswahl (Optionsfelder) (choice (radio buttons))' });
    await own(add, 'Beschriftung (Deutsch)').fill('Größe des Hundes');
    await own(add, /^Beschriftung \(Englisch\)/).fill('Size of the dog');
    await own(add, /^Optionen bei Auswahlfeldern/).fill('klein|Kleiner Hund|Small dog\ngross|Großer Hund|Large dog');
    await add.getByRole('button', { name: /Feld hinzufügen/ }).click();
    await expectSaved(page);
    field = await openField(page, 'Größe des Hundes');
    await expect(field.getByLabel(/^Optionen, eine je Zeile/)).toHaveValue(
      'klein|Kleiner Hund|Small dog\ngross|Großer Hund|Large dog',
    );

    add = group(step2, /^Neues Feld in „Der Hund“/);
    await own(add, /^Kennung/).fill('gutachten');
    await own(add, /^Feldtyp/).selectOption({ label: 'Text, einzeilig (text, one line)' });
    await own(add, 'Beschriftung (Deutsch)').fill('Nummer des Gutachtens');
    await own(add, /^Beschriftung \(Englisch\)/).fill('Number of the expert report');
    await add.getByRole('button', { name: /Feld hinzufügen/ }).click();
    await expectSaved(page);
    field = await openField(page, 'Nummer des Gutachtens');
    await field.getByRole('checkbox', { name: /Pflichtfeld/ }).check();
    await field.getByRole('button', { name: /Feld speichern/ }).click();
    await expectSaved(page);

    // Its visibility: shown if the yes/no field of step 1 is "Ja", built
    // with the first condition row.
    field = await openField(page, 'Nummer des Gutachtens');
    let shownIf = group(field, /^Sichtbar, wenn/);
    await expect(shownIf.getByText(/Keine Regel: gilt immer/)).toBeVisible();
    await shownIf
      .getByLabel(/^Bedingung 1: Feld/)
      .selectOption({ label: 'Ist der Hund als gefährlich eingestuft? (gefaehrlich)' });
    await shownIf.getByLabel(/^Bedingung 1: Vergleich/).selectOption({ label: 'ist gleich (equals)' });
    await shownIf.getByLabel(/^Bedingung 1: Wert/).fill('Ja');
    await shownIf.getByRole('button', { name: /Regel speichern/ }).click();
    await expectSaved(page);
    // Read back into the rows, and stored as JSON Logic.
    field = await openField(page, 'Nummer des Gutachtens');
    shownIf = group(field, /^Sichtbar, wenn/);
    await expect(shownIf.getByLabel(/^Bedingung 1: Feld/)).toHaveValue('gefaehrlich');
    await expect(shownIf.getByLabel(/^Bedingung 1: Vergleich/)).toHaveValue('gleich');
    await expect(shownIf.getByLabel(/^Bedingung 1: Wert/)).toHaveValue('ja');
    await expect(shownIf.getByLabel(/^Bedingung 2: Feld/)).toHaveValue('');
    await expect(shownIf.getByLabel(/^JSON Logic/)).toHaveValue(/"==":\s*\[\s*\{\s*"var":\s*"gefaehrlich"\s*\},\s*true\s*\]/);

    // Moved up, above the choice field.
    const summaries = step2.locator('details > summary');
    await expect(summaries).toHaveText([
      /^Regel des Schritts/,
      /^Feld „Gut zu wissen“/,
      /^Feld „Größe des Hundes“/,
      /^Feld „Nummer des Gutachtens“/,
    ]);
    await field.getByRole('button', { name: /„Nummer des Gutachtens“ nach oben/ }).click();
    await expectSaved(page);
    await expect(summaries).toHaveText([
      /^Regel des Schritts/,
      /^Feld „Gut zu wissen“/,
      /^Feld „Nummer des Gutachtens“/,
      /^Feld „Größe des Hundes“/,
    ]);

    // A fixed fee with its purpose.
    const fees = region(structure(page), /^Gebühren/);
    await expect(fees.getByText('Keine Gebühren.')).toBeVisible();
    const newFee = group(fees, /^Neue Gebühr/);
    await newFee.getByLabel(/^Kennung/).fill('gebuehr');
    await newFee.getByLabel('Zweck (Deutsch)').fill('Anmeldegebühr');
    await newFee.getByLabel(/^Zweck \(Englisch\)/).fill('Registration fee');
    await newFee.getByLabel(/^Betrag in Euro/).fill('15,00');
    await newFee.getByRole('button', { name: /Gebühr hinzufügen/ }).click();
    await expectSaved(page);
    const fee = details(page, fees, 'Gebühr „Anmeldegebühr“');
    await fee.locator('summary').click();
    await expect(fee.getByLabel(/^Betrag in Euro/)).toHaveValue('15,00');

    // Nothing left to fix; axe-core on the edit page with every section open.
    await expect(page.getByRole('region', { name: /Vor dem Veröffentlichen zu beheben/ })).toHaveCount(0);
    await openAllDetails(page);
    await expectNoAxeViolationsAsShown(page, browser, js);

    // The preview: the citizen's pages with the draft.
    await page.getByRole('link', { name: /Vorschau/ }).first().click();
    await expect(page.getByText('Vorschau – wird nicht übermittelt')).toBeVisible();
    await expect(h1(page, 'Halterin oder Halter')).toBeVisible();
    await expect(page.getByText(/Schritt 1 von 2/)).toBeVisible();
    // Required fields left empty: errors.
    await next(page).click();
    const errors = page.getByRole('alert');
    await expect(errors.getByRole('link', { name: /Ihr Name/ })).toBeVisible();
    await expect(errors.getByRole('link', { name: /gefährlich eingestuft/ })).toBeVisible();
    await expectNoAxeViolations(page, browser, js);
    await page.getByLabel('Ihr Name').fill('Erika Probe');
    await group(page, /gefährlich eingestuft/).getByRole('radio', { name: 'Nein' }).check();
    await next(page).click();
    // "Nein": the conditional field is not there; the information is.
    await expect(h1(page, 'Der Hund')).toBeVisible();
    await expect(page.getByText('Halten Sie den Heimtierausweis bereit.')).toBeVisible();
    await expect(group(page, /Größe des Hundes/)).toBeVisible();
    await expect(page.getByLabel(/Nummer des Gutachtens/)).toHaveCount(0);
    // "Ja": it appears, above the choice field, and is required.
    await page.getByRole('link', { name: 'Zurück', exact: true }).click();
    await expect(h1(page, 'Halterin oder Halter')).toBeVisible();
    await group(page, /gefährlich eingestuft/).getByRole('radio', { name: 'Ja' }).check();
    await next(page).click();
    await expect(h1(page, 'Der Hund')).toBeVisible();
    const report = page.getByLabel('Nummer des Gutachtens');
    await expect(report).toBeVisible();
    const labels = await page.getByRole('main').locator('label, legend').allInnerTexts();
    const at = (text: string) => labels.findIndex((l) => l.includes(text));
    expect(at('Nummer des Gutachtens'), labels.join(' | ')).toBeGreaterThanOrEqual(0);
    expect(at('Nummer des Gutachtens'), labels.join(' | ')).toBeLessThan(at('Größe des Hundes'));
    await next(page).click();
    await expect(errors.getByRole('link', { name: /Nummer des Gutachtens/ })).toBeVisible();
    await expect(page.getByLabel('Nummer des Gutachtens')).toHaveAttribute('aria-invalid', 'true');
    await page.getByLabel('Nummer des Gutachtens').fill('G-42');
    await group(page, /Größe des Hundes/).getByRole('radio', { name: 'Großer Hund' }).check();
    await next(page).click();
    // The check page: the answers and the fee. (Its heading is the
    // preview's own "Angaben prüfen" or the citizen's "Prüfen Sie Ihre
    // Angaben", whose check page the preview is being moved to.)
    const check = h1(page, /Angaben prüfen|Prüfen Sie Ihre Angaben/);
    await expect(check).toBeVisible();
    await expect(page.getByText('Erika Probe')).toBeVisible();
    await expect(page.getByText('G-42')).toBeVisible();
    await expect(page.getByText('Großer Hund')).toBeVisible();
    await expect(page.getByRole('main')).toContainText('15,00 €');
    await expectNoAxeViolations(page, browser, js);
    // Back to "Nein": the conditional answer is gone from the check page.
    await page.getByRole('link', { name: /^Ändern/ }).first().click();
    await expect(h1(page, 'Halterin oder Halter')).toBeVisible();
    await group(page, /gefährlich eingestuft/).getByRole('radio', { name: 'Nein' }).check();
    // Coming from the check page the step's button leads back there, as
    // for citizens ("Speichern und zur Übersicht").
    await page.getByRole('button', { name: /^(Weiter|Speichern und zur Übersicht)$/ }).last().click();
    // On to step 2, or (coming from the check page) straight back there.
    const dog = h1(page, 'Der Hund');
    await expect(dog.or(check)).toBeVisible();
    if (await dog.isVisible()) {
      await expect(page.getByLabel(/Nummer des Gutachtens/)).toHaveCount(0);
      await page.getByRole('button', { name: /^(Weiter|Speichern und zur Übersicht)$/ }).last().click();
    }
    await expect(check).toBeVisible();
    await expect(page.getByText('Nein', { exact: true })).toBeVisible();
    await expect(page.getByText('G-42')).toHaveCount(0);
    await page.getByRole('button', { name: /Testweise absenden|Antrag verbindlich absenden/ }).click();
    await expect(h1(page, /Testantrag abgeschlossen/)).toBeVisible();

    // The quality check: an English label left empty is listed on the edit
    // page, and publishing is refused with a link to the place to fix.
    await page.goto(`/redaktion/${id}/bearbeiten`);
    field = await openField(page, 'Ihr Name');
    await field.getByLabel(/^Beschriftung \(Englisch\)/).fill('');
    await field.getByRole('button', { name: /Feld speichern/ }).click();
    await expectSaved(page);
    await expect(page.getByRole('region', { name: /Vor dem Veröffentlichen zu beheben/ })).toContainText(
      '/steps/0/fields/0/label/en',
    );
    await page.getByRole('link', { name: /Zurück zum Formular/ }).click();
    await expect(h1(page, title)).toBeVisible();
    await page.getByRole('button', { name: /Version 1 veröffentlichen/ }).click();
    await expect(h1(page, /Nicht veröffentlicht/)).toBeVisible();
    const refused = page.getByRole('alert');
    await expect(refused).toContainText('die Qualitätsprüfung fand Probleme');
    await expect(refused.getByRole('link', { name: '/steps/0/fields/0/label/en' })).toBeVisible();
    await expectNoAxeViolationsAsShown(page, browser, js);
    const fix = refused.getByRole('link', { name: '/steps/0/fields/0/label/en' });
    await expect(fix).toHaveAttribute('href', new RegExp(`^/redaktion/${id}/bearbeiten#`));
    await fix.click();
    await expect(h1(page, /Entwurf bearbeiten/)).toBeVisible();
    // The link's target: the JSON view, or the field's own input, whose
    // <details> the browser opens.
    const target = page.locator(`[id="${new URL(page.url()).hash.slice(1)}"]`);
    await expect(target).toBeVisible();
    if ((await target.getAttribute('id')) !== 'definition') {
      await expect(target).toHaveAccessibleName(/^Beschriftung \(Englisch\)/);
      await expect(target).toHaveValue('');
    }
    field = await openField(page, 'Ihr Name');
    await field.getByLabel(/^Beschriftung \(Englisch\)/).fill('Your name');
    await field.getByRole('button', { name: /Feld speichern/ }).click();
    await expectSaved(page);
    await expect(page.getByRole('region', { name: /Vor dem Veröffentlichen zu beheben/ })).toHaveCount(0);

    // Publish.
    await page.getByRole('link', { name: /Zurück zum Formular/ }).click();
    await page.getByRole('button', { name: /Version 1 veröffentlichen/ }).click();
    await expect(page.getByRole('status')).toContainText('Veröffentlicht');
    await expect(page.getByRole('table', { name: /Änderungen/ })).toContainText('Rita Redakteurin');

    // A citizen (another browser, no login) completes the form.
    const context = await browser.newContext({ javaScriptEnabled: js, locale: 'de-DE' });
    try {
      const citizen = await context.newPage();
      await citizen.goto('/');
      await citizen.getByRole('link', { name: title }).and(citizen.locator(`[href="/forms/${id}"]`)).click();
      await expect(h1(citizen, title)).toBeVisible();
      await expect(citizen.getByText('Anmeldegebühr').first()).toBeVisible();
      await citizen.getByRole('button', { name: /Jetzt starten/ }).click();
      await expect(h1(citizen, 'Halterin oder Halter')).toBeVisible();
      await citizen.getByLabel('Ihr Name').fill('Max Bürger');
      await group(citizen, /gefährlich eingestuft/).getByRole('radio', { name: 'Ja' }).check();
      await next(citizen).click();
      await expect(h1(citizen, 'Der Hund')).toBeVisible();
      await expect(citizen.getByText('Halten Sie den Heimtierausweis bereit.')).toBeVisible();
      await citizen.getByLabel('Nummer des Gutachtens').fill('G-7');
      await group(citizen, /Größe des Hundes/).getByRole('radio', { name: 'Kleiner Hund' }).check();
      await next(citizen).click();
      await expect(h1(citizen, 'Prüfen Sie Ihre Angaben')).toBeVisible();
      await expect(citizen.getByText('Max Bürger')).toBeVisible();
      await expect(citizen.getByText('G-7')).toBeVisible();
      await expect(citizen.getByText('Kleiner Hund')).toBeVisible();
      await citizen.getByRole('button', { name: 'Antrag verbindlich absenden' }).click();
      await payWithDemo(citizen, browser, js, '15,00 €', { cancelFirst: false });
      await expect(h1(citizen, 'Antrag eingegangen')).toBeVisible();
      await expect(citizen.locator('.reference')).toHaveText(/^AW-\d{4}-\d{6}$/);
    } finally {
      await context.close();
    }

    // Retired again, so the start page is as the other specs expect it.
    await page.goto(`/redaktion/${id}`);
    await page.getByRole('button', { name: /Formular zurückziehen/ }).click();
    await expect(page.getByRole('status')).toContainText('Zurückgezogen');
  });

  test('the FIM import reports what it did', async ({ page, browser, javaScriptEnabled }) => {
    const js = javaScriptEnabled;
    const id = `fim-import-${js ? 'js' : 'nojs'}-${Date.now()}`;
    await page.goto('/redaktion');
    await signInAtProvider(page, 'staff-redaktion');
    await expect(h1(page, 'Formular-Redaktion')).toBeVisible();
    await createForm(page, id, 'FIM-Import');

    // XDatenfelder 2.0, from ../shared/fim next to the repository.
    const simple = path.resolve(__dirname, '..', '..', '..', 'shared', 'fim', 'v2', 'simple.xml');
    await page.getByLabel(/FIM-Stammdatenschema/).setInputFiles(simple);
    await page.getByRole('button', { name: /^Importieren/ }).click();
    await expect(page.getByRole('status')).toContainText('Importiert und gespeichert.');
    const report = region(page, /^FIM-Import:/);
    await expect(report).toBeVisible();
    await expect(report).toContainText('XDatenfelder 2.0');
    await expect(page.getByLabel('Definition (JSON)')).toHaveValue(/"fim"/);
    await expectNoAxeViolationsAsShown(page, browser, js);
  });

  test('a citizen gets 403 in the editor', async ({ page, browser, javaScriptEnabled }) => {
    await page.goto('/redaktion');
    await signInAtProvider(page, 'citizen-basis');
    await expect(page).toHaveURL((url) => url.pathname === '/redaktion');
    await expect(h1(page, 'Kein Zugriff')).toBeVisible();
    expect((await page.reload())?.status()).toBe(403);
    await expect(h1(page, 'Kein Zugriff')).toBeVisible();
    await expect(page.getByText(/nur für Beschäftigte mit der Rolle „Formular-Redaktion“/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Mit einem anderen Konto anmelden' })).toBeVisible();
    await expectNoAxeViolations(page, browser, javaScriptEnabled);
  });
});
