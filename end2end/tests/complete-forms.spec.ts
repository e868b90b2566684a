// Every example form completed end to end, with JavaScript on and off: log
// in with the Servicekonto where the form needs it, open the start page,
// answer every step (one conditional branch watched as it opens), check the
// answers and the fees, submit, and read the reference number. axe-core
// checks every page on the way. The answers are in tests/forms/<form>.ts,
// the driver that fills them in by label is tests/forms/driver.ts.
import { test, expect } from '@playwright/test';
import { loadDefinitions } from './definitions';
import { complete, type Journey } from './forms/driver';
import { bewohnerparkausweis } from './forms/bewohnerparkausweis';
import { gewerbeanmeldung } from './forms/gewerbeanmeldung';
import { hundesteuer } from './forms/hundesteuer';
import { kitaFachkraefteinitiative } from './forms/kita-fachkraefteinitiative';
import { wohngeld } from './forms/wohngeld';
import { grosserTestantrag } from './forms/grosser-testantrag';

const journeys: Journey[] = [
  hundesteuer,
  gewerbeanmeldung,
  wohngeld,
  kitaFachkraefteinitiative,
  bewohnerparkausweis,
  grosserTestantrag,
];

test.describe('complete every example form', () => {
  test('every definition in forms/definitions has a journey here', () => {
    const forms = loadDefinitions().map((d) => d.id).sort();
    expect(journeys.map((j) => j.form).sort()).toEqual(forms);
  });

  for (const journey of journeys) {
    test(`${journey.form}: start to reference number`, async ({ page, browser, javaScriptEnabled }) => {
      test.setTimeout(journey.timeout ?? 120_000);
      await complete(page, browser, javaScriptEnabled, journey);
    });
  }
});
