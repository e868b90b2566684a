// The generated benchmark form (forms/definitions/grosser-testantrag.json,
// scripts/gen-large-form.py): 20 steps, 730 fields, anonymous. Its answers
// are the complete valid set the benchmarks post
// (forms/benches/large-form-answers.json), turned into a journey here: raw
// yes/no and declaration values become true/false, stored file records
// become small files of the same names to upload, the three persons of the
// repeatable group are added with its button. Each step is still answered
// through the page, field by field, by label.
import fs from 'node:fs';
import path from 'node:path';
import { definition, pdf, png, type Answer, type Entry, type Journey } from './driver';

type Raw = unknown;
type Field = { id: string; type: string; fields?: Field[] };

const answers: Record<string, Raw> = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'forms', 'benches', 'large-form-answers.json'), 'utf8'),
);

function convert(field: Field, raw: Raw): Answer {
  switch (field.type) {
    case 'yes_no':
    case 'declaration':
      return raw === true || raw === 'ja' || raw === 'true' || raw === 'on';
    case 'file':
      return (raw as Array<{ name: string; content_type: string }>).map((f) =>
        f.content_type === 'image/png' ? png(f.name) : pdf(f.name),
      );
    case 'group':
      return (raw as Array<Record<string, Raw>>).map((entry) => answersFor(field.fields ?? [], entry));
    case 'checkboxes':
      return raw as string[];
    case 'address': {
      const { street, house_number, postal_code, city } = raw as Record<string, string>;
      return { street, house_number, postal_code, city };
    }
    default:
      return String(raw);
  }
}

function answersFor(fields: Field[], raw: Record<string, Raw>): Entry {
  const entry: Entry = {};
  for (const field of fields) {
    if (field.id in raw) entry[field.id] = convert(field, raw[field.id]);
  }
  return entry;
}

const steps: Journey['steps'] = {};
for (const step of definition('grosser-testantrag').steps) {
  steps[step.id] = answersFor(step.fields as Field[], answers);
}

const persons = (answers.personen as unknown[]).length;
const processingFee = 2500 + 500 * persons + (answers.s02_radio_16 === 'c' ? 1000 : 0);
const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} €`;

export const grosserTestantrag: Journey = {
  form: 'grosser-testantrag',
  steps,
  branch: { step: 'abschnitt_01', trigger: 's01_yes_no_01', reveals: 's01_text_24' },
  check: [
    ['Abschnitt 1, Feld 2: Name', 'Erika Mustermann 1'],
    ['Abschnitt 1, Feld 24: Weitere Angabe', 'Weitere Angabe 1'],
    ['Person 3: Vorname', 'Clara'],
    ['Abschnitt 20, Feld 23: Nachweis', 'nachweis-20.pdf'],
  ],
  fees: [
    ['Grundgebühr', '15,00 €'],
    ['Bearbeitungsgebühr nach Personen', euro(processingFee)],
    ['Gesamt', euro(1500 + processingFee)],
  ],
  // Its 20 steps repeat the same 36 field types; axe-core on each would
  // double the time (about 1 s a page). Start, check and confirmation are
  // checked; the field markup is checked on the example forms' steps.
  axeOnSteps: false,
  timeout: 180_000,
};
