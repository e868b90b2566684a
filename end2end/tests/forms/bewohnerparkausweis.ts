// Residents' parking permit (forms/definitions/bewohnerparkausweis.json):
// Erika Mustermann, living in Weimar's old town, applies for a first permit
// for two years for her company car. Branches taken: the car is not
// registered to her (the keeper, why she uses it, and the proof to
// upload); the fee follows from the period chosen (2 years: 60,00 €).
import { day, pdf, png, type Journey } from './driver';

export const bewohnerparkausweis: Journey = {
  form: 'bewohnerparkausweis',
  login: 'citizen-substanziell',
  steps: {
    antrag: {
      antragsart: 'neu',
    },
    antragsteller: {
      familienname: 'Mustermann',
      vorname: 'Erika',
      geburtsdatum: '12.08.1964',
      anschrift: { street: 'Schillerstraße', house_number: '18', postal_code: '99423', city: 'Weimar' },
      email: 'erika.mustermann@example.org',
    },
    wohnsitz: {
      parkzone: 'A',
      wohnsitz_art: 'haupt',
      gemeldet_seit: '01.04.2012',
      privater_stellplatz: false,
    },
    fahrzeug: {
      kennzeichen: 'WE-EM 264',
      fahrzeugart: 'pkw',
      fahrzeug_marke: 'VW Golf',
      ist_halter: false,
      halter_name: 'Musterbau GmbH',
      nutzungsverhaeltnis: 'firmenwagen',
      nachweis_nutzung: [pdf('ueberlassungsvertrag.pdf')],
      zulassungsbescheinigung: [png('fahrzeugschein-vorne.png'), png('fahrzeugschein-hinten.png')],
    },
    gueltigkeit: {
      gueltigkeit: '24',
      gueltig_ab: day({ days: 7 }),
    },
    erklaerungen: {
      erkl_nutzung: true,
      erkl_aenderungen: true,
      erkl_richtigkeit: true,
    },
  },
  branch: { step: 'fahrzeug', trigger: 'ist_halter', reveals: 'halter_name' },
  check: [
    ['Was beantragen Sie?', 'Erstmalige Ausstellung'],
    ['Anschrift (Hauptwohnung)', /Schillerstraße 18.*99423 Weimar/],
    ['Bewohnerparkzone', 'Zone A – Altstadt'],
    ['Amtliches Kennzeichen', 'WE-EM 264'],
    ['Name der Halterin, des Halters oder der Firma', 'Musterbau GmbH'],
    ['Nachweis der Nutzungsberechtigung', 'ueberlassungsvertrag.pdf'],
    ['Zulassungsbescheinigung Teil I (Fahrzeugschein)', /fahrzeugschein-vorne\.png.*fahrzeugschein-hinten\.png/s],
    ['Gültigkeitsdauer', '2 Jahre – 60,00 Euro'],
  ],
  fees: [
    ['Gebühr für den Bewohnerparkausweis', '60,00 €'],
    ['Gesamt', '60,00 €'],
  ],
};
