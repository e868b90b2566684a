// Dog tax registration (forms/definitions/hundesteuer.json), anonymous:
// Jonas Beispiel moved to Jena with a mixed-breed dog from an animal
// shelter, asks for the shelter-dog reduction and pays by direct debit.
// Branches taken: moved from another municipality (previous municipality
// and date), mixed breed (breed details), from a shelter (previous
// keeper), the reduction (dog, reason, shelter, proof to upload), and the
// SEPA mandate (account holder, IBAN, mandate). journey.spec.ts completes
// the form on the shortest way.
import { day, pdf, type Journey } from './driver';

export const hundesteuer: Journey = {
  form: 'hundesteuer',
  steps: {
    halter: {
      halter_familienname: 'Beispiel',
      halter_vorname: 'Jonas',
      halter_geburtsdatum: '30.01.1985',
      halter_anschrift: { street: 'Löbdergraben', house_number: '7', postal_code: '07743', city: 'Jena' },
      halter_email: 'jonas.beispiel@example.org',
      zuzug: true,
      vorherige_gemeinde: 'Weimar',
      zuzug_datum: day({ days: -20 }),
    },
    hunde: {
      hunde: [
        {
          hund_name: 'Frieda',
          hund_rasse: 'mischling',
          hund_rasse_angabe: 'Labrador-Pudel-Mischling',
          hund_geschlecht: 'huendin',
          hund_farbe: 'schwarz',
          hund_geburtsdatum: '02.05.2021',
          hund_haltungsbeginn: '15.07.2023',
          hund_herkunft: 'tierheim',
          hund_vorbesitzer: 'Tierheim Weimar, Am Ettersberg 1, 99427 Weimar',
          hund_gefaehrlich: false,
        },
      ],
    },
    ermaessigung: {
      ermaessigung_beantragt: true,
      ermaessigung_hund: 'Frieda',
      ermaessigung_grund: ['tierheim'],
      tierheim_name: 'Tierheim Weimar',
      ermaessigung_nachweis: [pdf('uebernahmevertrag-tierheim.pdf')],
    },
    zahlung: {
      sepa: true,
      kontoinhaber: 'Jonas Beispiel',
      iban: 'DE98 8305 3030 0018 2736 45',
      kreditinstitut: 'Sparkasse Jena-Saale-Holzland',
      sepa_mandat: true,
    },
    abschluss: {
      erkl_richtigkeit: true,
    },
  },
  branch: { step: 'zahlung', trigger: 'sepa', reveals: 'iban' },
  check: [
    ['Familienname', 'Beispiel'],
    ['Bisherige Gemeinde', 'Weimar'],
    ['Hund 1: Name des Hundes', 'Frieda'],
    ['Hund 1: Rasse bzw. Kreuzung', 'Labrador-Pudel-Mischling'],
    ['Hund 1: Woher stammt der Hund?', 'Tierheim oder Tierschutzverein'],
    ['Grund', 'Hund aus einem Tierheim'],
    ['Nachweise', 'uebernahmevertrag-tierheim.pdf'],
    ['Kontoinhaberin oder Kontoinhaber', 'Jonas Beispiel'],
  ],
};
