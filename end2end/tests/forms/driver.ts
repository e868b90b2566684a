// The shared driver of the form journeys in complete-forms.spec.ts. Each
// example form has a file beside this one with a `Journey`: the test
// account (if the form needs the Servicekonto), the answers of every step by
// field id, one conditional branch to watch, and what the check page must
// show. The driver reads the form's definition (forms/definitions/*.json)
// for each field's type, label and options, and answers it as a person
// would: finds the control by its label (or the group by its legend), types,
// checks, selects, uploads. It then checks the answers, submits, pays the
// fee on the demo provider's page where the form has one, and reads the
// reference number; axe-core runs on every page on the way.
//
// Values in a journey, by field type:
//   text, textarea, email, phone, iban, number, money, date, postal_code:
//                      the text typed ('1.340,00', '17.03.1985', …)
//   radio, select:     the option's value; the driver picks the option by its label
//   checkboxes:        the values to tick
//   yes_no:            true ("Ja") or false ("Nein")
//   declaration:       true (ticked)
//   address:           { street, house_number, postal_code, city }
//   file:              the files to upload (see pdf(), png())
//   group:             one object of answers per entry ("Hund 1", "Hund 2", …)
// Fields are answered in the order of the definition, so that a follow-up
// question comes after the answer that reveals it.
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { expectNoAxeViolations } from '../a11y';
import { definitionsDir, escapeRegExp, type Text } from '../definitions';
import { minimalPdf, minimalPng } from '../hundesteuer';
import { loginAs, type TestAccount, type TrustLevel } from '../login';

export type Address = { street: string; house_number: string; postal_code: string; city: string };
export type Upload = { name: string; mimeType: string; buffer: Buffer };
export type Entry = { [field: string]: Answer };
export type Answer = string | boolean | string[] | Address | Upload[] | Entry[];

export type Journey = {
  /** The definition's id (file name without `.json`). */
  form: string;
  /** The Servicekonto test account to log in with; none for anonymous forms. */
  login?: TestAccount;
  /** Answers by step id and field id, the steps in the order they come. */
  steps: { [step: string]: { [field: string]: Answer } };
  /**
   * A follow-up question on the same step as the answer that reveals it:
   * with JavaScript on it appears only after `trigger` is answered; without
   * JavaScript it is there from the start, with a hint when to answer it.
   */
  branch: { step: string; trigger: string; reveals: string };
  /** [label, value] rows the check page must show ("Hund 1: Name des Hundes"). */
  check: Array<[string, string | RegExp]>;
  /** [purpose, amount] rows of the fees, the total last (["Gesamt", "26,00 €"]). */
  fees?: Array<[string, string]>;
  /** Run axe-core on every step (default: yes). */
  axeOnSteps?: boolean;
  /** The test's time limit in ms (default: 120 s). */
  timeout?: number;
};

type Option = { value: string; label: Text };
type Field = {
  id: string;
  type: string;
  label: Text;
  prefill?: { claim: string; editable?: boolean };
  options?: Option[];
  code_list?: string;
  fields?: Field[];
  item_label?: Text;
};
type Step = { id: string; title: Text; fields: Field[] };
type Definition = {
  id: string;
  title: Text;
  authority: { name: Text };
  access: { kind: string; min_trust_level?: TrustLevel };
  steps: Step[];
  code_lists?: { [name: string]: { options: Option[] } };
};

export function definition(id: string): Definition {
  return JSON.parse(fs.readFileSync(path.join(definitionsDir, `${id}.json`), 'utf8')) as Definition;
}

/** A small but complete PDF named `name`. */
export const pdf = (name: string): Upload => ({ name, mimeType: 'application/pdf', buffer: minimalPdf() });
/** A 1×1 PNG named `name`. */
export const png = (name: string): Upload => ({ name, mimeType: 'image/png', buffer: minimalPng() });

/** `TT.MM.JJJJ` of today plus an offset: fields limited relative to today need it. */
export function day(offset: { days?: number; months?: number; years?: number } = {}): string {
  return germanDate(shifted(new Date(), offset));
}

export function shifted(from: Date, { days = 0, months = 0, years = 0 }: { days?: number; months?: number; years?: number }): Date {
  return new Date(from.getFullYear() + years, from.getMonth() + months, from.getDate() + days);
}

export function germanDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()}`;
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
const CHECK_TITLE = 'Prüfen Sie Ihre Angaben';

/** The label as shown: optional fields carry " (freiwillig)". */
function labelled(label: Text): RegExp {
  return new RegExp(`^${escapeRegExp(label.de)}( \\(freiwillig\\))?$`);
}

function options(def: Definition, field: Field): Option[] {
  if (field.code_list) return def.code_lists?.[field.code_list]?.options ?? [];
  return field.options ?? [];
}

function optionLabel(def: Definition, field: Field, value: string): string {
  const option = options(def, field).find((o) => o.value === value);
  if (!option) throw new Error(`${field.id}: no option "${value}" in the definition`);
  return option.label.de;
}

const byName = (scope: Locator | Page, name: string) => scope.locator(`[name="${name}"]`);

/**
 * The element a person finds a field by: the input named by its label, or
 * for choices, declarations and addresses the group named by its legend.
 * The name attribute only tells apart two fields with the same label.
 */
function locate(scope: Locator, field: Field, path: string): Locator {
  switch (field.type) {
    case 'radio':
    case 'yes_no':
    case 'checkboxes':
    case 'declaration':
      return scope.getByRole('group', { name: labelled(field.label) }).filter({ has: byName(scope.page(), path) });
    case 'address':
      return scope.getByRole('group', { name: labelled(field.label) }).filter({ has: byName(scope.page(), `${path}.street`) });
    default:
      return scope.getByLabel(labelled(field.label)).and(byName(scope, path));
  }
}

async function answer(page: Page, def: Definition, scope: Locator, field: Field, path: string, value: Answer, js: boolean) {
  const where = `${def.id}: ${path}`;
  const control = locate(scope, field, path);
  switch (field.type) {
    case 'radio':
      await control.getByRole('radio', { name: optionLabel(def, field, value as string), exact: true }).check();
      return;
    case 'yes_no':
      await control.getByRole('radio', { name: value ? 'Ja' : 'Nein', exact: true }).check();
      return;
    case 'checkboxes':
      for (const v of value as string[]) {
        await control.getByRole('checkbox', { name: optionLabel(def, field, v), exact: true }).check();
      }
      return;
    case 'declaration':
      expect(value, where).toBe(true);
      await control.getByRole('checkbox').check();
      return;
    case 'select':
      await control.selectOption({ label: optionLabel(def, field, value as string) });
      return;
    case 'address': {
      const a = value as Address;
      if (field.prefill && !field.prefill.editable) {
        await expect(control.getByLabel('Straße', { exact: true }), where).toHaveValue(a.street);
        return;
      }
      await control.getByLabel('Straße', { exact: true }).fill(a.street);
      await control.getByLabel('Hausnummer', { exact: true }).fill(a.house_number);
      await control.getByLabel('Postleitzahl', { exact: true }).fill(a.postal_code);
      await control.getByLabel('Ort', { exact: true }).fill(a.city);
      return;
    }
    case 'file':
      await control.setInputFiles(value as Upload[]);
      return;
    case 'group':
      await answerGroup(page, def, scope, field, path, value as Entry[], js);
      return;
    case 'info':
      throw new Error(`${where} is an info text; it takes no answer`);
    default:
      if (typeof value !== 'string') throw new Error(`${where}: a ${field.type} field takes a string`);
      if (field.prefill && !field.prefill.editable) {
        // Filled from the service account and read-only: the person can
        // only check it (the journey's value must be the account's).
        await expect(control, where).toHaveValue(value);
        await expect(control, where).toHaveAttribute('readonly', '');
        return;
      }
      await control.fill(value);
  }
}

/** Adds entries with the group's button where needed and answers each one. */
async function answerGroup(page: Page, def: Definition, scope: Locator, field: Field, path: string, entries: Entry[], js: boolean) {
  const item = (field.item_label ?? field.label).de;
  for (const [i, entry] of entries.entries()) {
    const fieldset = scope.getByRole('group', { name: `${item} ${i + 1}`, exact: true });
    if ((await fieldset.count()) === 0) {
      // A submit button: the server saves the step and adds an entry.
      await page.getByRole('button', { name: new RegExp(`^(Weitere )?${escapeRegExp(item)} hinzufügen$`) }).click();
      await expect(fieldset).toBeVisible();
      if (js) await hydrated(page);
    }
    for (const child of field.fields ?? []) {
      if (child.id in entry) await answer(page, def, fieldset, child, `${path}.${i}.${child.id}`, entry[child.id], js);
    }
  }
}

async function hydrated(page: Page) {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

function fieldOf(step: Step, id: string): Field {
  const field = step.fields.find((f) => f.id === id);
  if (!field) throw new Error(`step ${step.id} has no field ${id}`);
  return field;
}

/** With JavaScript the follow-up shows once revealed; without, it is there with a hint. */
async function beforeTrigger(page: Page, step: Step, journey: Journey, js: boolean) {
  const reveals = locate(page.locator('main'), fieldOf(step, journey.branch.reveals), journey.branch.reveals);
  if (js) {
    await expect(reveals, `${journey.branch.reveals} waits for ${journey.branch.trigger}`).toBeHidden();
  } else {
    await expect(reveals).toBeVisible();
    await expect(reveals).toHaveAccessibleDescription(/Nur ausfüllen, wenn/);
  }
}

async function afterTrigger(page: Page, step: Step, journey: Journey) {
  const reveals = locate(page.locator('main'), fieldOf(step, journey.branch.reveals), journey.branch.reveals);
  await expect(reveals, `${journey.branch.trigger} reveals ${journey.branch.reveals}`).toBeVisible();
}

/** Clicks a button that posts the page and waits for `next`; fails with the error summary's text. */
async function postAndExpect(page: Page, button: Locator, next: Locator, where: string) {
  await button.click();
  const problem = page.getByRole('alert');
  await expect(next.or(problem).first()).toBeVisible();
  if (await problem.isVisible()) throw new Error(`${where}: the page shows errors: ${await problem.innerText()}`);
}

/** One row of the check page (or of the fees): its label and value. */
function summaryRow(page: Page, label: string): Locator {
  const term = page.getByRole('term').filter({ hasText: new RegExp(`^${escapeRegExp(label)}$`) });
  return page.locator('.summary__row').filter({ has: term });
}

/** The payment page's heading. */
export const PAYMENT_TITLE = 'Gebühr bezahlen';

/**
 * On the payment page: checks the amount, pays on the demo provider's page
 * (cancelling once first if asked, which leads back to the payment page
 * with a message and a retry button) and waits for the confirmation.
 * axe-core checks every page.
 */
export async function payWithDemo(
  page: Page,
  browser: Browser,
  js: boolean,
  total: string,
  { cancelFirst }: { cancelFirst: boolean },
) {
  const axe = () => expectNoAxeViolations(page, browser, js);
  await expect(heading(page, PAYMENT_TITLE)).toBeVisible();
  await expect(summaryRow(page, 'Zu zahlen').getByRole('definition')).toHaveText(total);
  await expect(page.getByText('Demo-Bezahldienst – es wird kein Geld bewegt')).toBeVisible();
  await axe();
  await page.getByRole('button', { name: 'Jetzt bezahlen' }).click();
  await expect(heading(page, 'Demo-Bezahlung')).toBeVisible();
  await expect(summaryRow(page, 'Betrag').getByRole('definition')).toHaveText(total);
  await axe();
  if (cancelFirst) {
    await page.getByRole('button', { name: 'Abbrechen' }).click();
    await expect(heading(page, PAYMENT_TITLE)).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('Sie haben die Zahlung abgebrochen');
    await expect(page.getByRole('link', { name: /Jetzt nicht bezahlen/ })).toBeVisible();
    await axe();
    await page.getByRole('button', { name: 'Erneut bezahlen' }).click();
    await expect(heading(page, 'Demo-Bezahlung')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Bezahlen (Demo)' }).click();
  await expect(heading(page, 'Antrag eingegangen')).toBeVisible();
  await expect(page.getByText('Zahlung ausstehend')).toHaveCount(0);
}

/**
 * Completes `journey` from the start page to the confirmation: logs in if
 * the form needs it, answers every step (declarations included), checks
 * the answers and the fees, submits, pays a fee with the demo provider
 * ([payWithDemo]; `cancelPaymentOnce`: cancel first; `stopAtPayment`: stay
 * on the payment page and return ''), and returns the reference number.
 * axe-core checks every page.
 */
export async function complete(
  page: Page,
  browser: Browser,
  javaScriptEnabled: boolean,
  journey: Journey,
  options: { cancelPaymentOnce?: boolean; stopAtPayment?: boolean } = {},
): Promise<string> {
  const def = definition(journey.form);
  const js = javaScriptEnabled;
  const axe = () => expectNoAxeViolations(page, browser, js);
  const start = `/forms/${def.id}`;

  if (journey.login) {
    expect(def.access.kind, `${def.id} needs no login`).toBe('service_account');
    await loginAs(page, journey.login, { next: start, acr: def.access.min_trust_level });
  } else {
    expect(def.access.kind).toBe('anonymous');
    await page.goto(start);
  }
  await expect(heading(page, def.title.de)).toBeVisible();
  await axe();

  const stepIds = Object.keys(journey.steps);
  const first = def.steps.find((s) => s.id === stepIds[0])!;
  // The branch is one the journey takes: both fields are answered on its step.
  const { step: branchStep, trigger, reveals } = journey.branch;
  expect(Object.keys(journey.steps[branchStep] ?? {}), `${def.id}: the branch's step answers`).toEqual(
    expect.arrayContaining([trigger, reveals]),
  );
  await postAndExpect(page, page.getByRole('button', { name: 'Jetzt starten' }), heading(page, first.title.de), `${def.id}: start`);

  for (const [n, stepId] of stepIds.entries()) {
    const step = def.steps.find((s) => s.id === stepId);
    if (!step) throw new Error(`${def.id} has no step ${stepId}`);
    const where = `${def.id}: step ${stepId}`;
    await expect(heading(page, step.title.de), where).toBeVisible();
    const last = n === stepIds.length - 1;
    // The total can still grow while answers make more steps apply.
    await expect(page.getByText(new RegExp(`Schritt ${n + 1} von ${last ? n + 1 : '\\d+'}`))).toBeVisible();
    if (js) await hydrated(page);

    const answers = journey.steps[stepId];
    const scope = page.locator('main');
    for (const id of Object.keys(answers)) fieldOf(step, id); // no answer for a field the step lacks
    for (const field of step.fields) {
      const isTrigger = stepId === branchStep && field.id === trigger;
      if (isTrigger) await beforeTrigger(page, step, journey, js);
      if (field.id in answers) await answer(page, def, scope, field, field.id, answers[field.id], js);
      if (isTrigger) await afterTrigger(page, step, journey);
    }
    if (journey.axeOnSteps !== false) await axe();

    const nextStep = last ? null : def.steps.find((s) => s.id === stepIds[n + 1]);
    const next = heading(page, nextStep ? nextStep.title.de : CHECK_TITLE);
    await postAndExpect(page, page.getByRole('button', { name: 'Weiter', exact: true }).last(), next, where);
  }

  await expect(heading(page, CHECK_TITLE)).toBeVisible();
  for (const [label, value] of journey.check) {
    await expect(summaryRow(page, label).getByRole('definition').first(), `check page: ${label}`).toContainText(value);
  }
  if (journey.fees) {
    await expect(page.getByRole('heading', { level: 2, name: 'Gebühren' })).toBeVisible();
    for (const [purpose, amount] of journey.fees) {
      await expect(summaryRow(page, purpose).getByRole('definition'), `fee: ${purpose}`).toHaveText(amount);
    }
  } else {
    await expect(page.getByRole('heading', { level: 2, name: 'Gebühren' })).toHaveCount(0);
  }
  await axe();

  if (journey.fees) {
    // A fee: the application is stored, then paid (the demo provider).
    await postAndExpect(
      page,
      page.getByRole('button', { name: 'Antrag verbindlich absenden' }),
      heading(page, PAYMENT_TITLE),
      `${def.id}: submit`,
    );
    const total = journey.fees[journey.fees.length - 1][1];
    // The caller goes on from the payment page (no reference read here).
    if (options.stopAtPayment) return '';
    await payWithDemo(page, browser, js, total, { cancelFirst: options.cancelPaymentOnce ?? false });
  } else {
    await postAndExpect(
      page,
      page.getByRole('button', { name: 'Antrag verbindlich absenden' }),
      heading(page, 'Antrag eingegangen'),
      `${def.id}: submit`,
    );
  }
  const reference = page.getByText(/^AW-\d{4}-\d{6}$/);
  await expect(reference).toHaveText(new RegExp(`^AW-${new Date().getFullYear()}-\\d{6}$`));
  await expect(summaryRow(page, 'Zuständig').getByRole('definition')).toHaveText(def.authority.name.de);
  await axe();
  return reference.innerText();
}
