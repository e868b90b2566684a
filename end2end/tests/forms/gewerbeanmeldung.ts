// Business registration (forms/definitions/gewerbeanmeldung.json): Erika
// Mustermann, managing director of a hairdresser's GmbH that is in the
// commercial register, registers its main branch. Branches taken: a legal
// person with two legal representatives (adds the step "Weitere gesetzliche
// Vertreter"), in the register (register details and the extract to
// upload), a craft that needs the register of craftsmen (craft card, its
// date before the start, its upload). Fee: 26,00 €.
import { day, pdf, png, type Journey } from './driver';

const home = { street: 'Juri-Gagarin-Ring', house_number: '12', postal_code: '99084', city: 'Erfurt' };

export const gewerbeanmeldung: Journey = {
  form: 'gewerbeanmeldung',
  login: 'citizen-substanziell',
  steps: {
    betriebsinhaber: {
      inhaber_art: 'juristische_person',
      rechtsform: 'gmbh',
      im_register: true,
      firmenname: 'Salon Mustermann GmbH',
      registerart: 'HRB',
      registergericht: 'Amtsgericht Jena',
      registernummer: '512345',
      anzahl_vertreter: '2',
    },
    person: {
      familienname: 'Mustermann',
      vornamen: 'Erika',
      geschlecht: 'weiblich',
      geburtsdatum: '12.08.1964',
      geburtsort: 'Erfurt',
      geburtsland: 'Deutschland',
      staatsangehoerigkeit: 'deutsch',
      wohnanschrift: home,
      telefon: '0361 5550147',
      email: 'erika.mustermann@example.org',
    },
    weitere_vertreter: {
      weitere_vertreter: [
        {
          vertreter_familienname: 'Beispiel',
          vertreter_vornamen: 'Jonas',
          vertreter_geschlecht: 'maennlich',
          vertreter_geburtsdatum: '30.01.1985',
          vertreter_geburtsort: 'Jena, Deutschland',
          vertreter_staatsangehoerigkeit: 'deutsch',
          vertreter_anschrift: { street: 'Löbdergraben', house_number: '7', postal_code: '07743', city: 'Jena' },
        },
      ],
    },
    betrieb: {
      anmeldung_fuer: 'hauptniederlassung',
      betriebsstaette: { street: 'Anger', house_number: '5', postal_code: '99084', city: 'Erfurt' },
      betriebsstaette_email: 'salon@mustermann.example',
      betriebsstaette_internet: 'www.salon-mustermann.example',
    },
    taetigkeit: {
      taetigkeit: 'Friseurhandwerk (Damen- und Herrenfriseur), Verkauf von Haarpflegeprodukten',
      nebenerwerb: false,
      betriebsart: ['handwerk', 'handel'],
      beschaeftigte_vollzeit: '2',
      beschaeftigte_teilzeit: '1',
    },
    anmeldung: {
      grund: 'neuerrichtung',
      beginn: day({ days: 14 }),
    },
    erlaubnisse: {
      erlaubnispflichtig: false,
      handwerksrolle: true,
      handwerkskarte_liegt_vor: true,
      handwerkskarte_datum: '14.06.2019',
      handwerkskammer: 'Handwerkskammer Erfurt',
    },
    unterlagen: {
      datei_registerauszug: [pdf('handelsregisterauszug.pdf')],
      datei_handwerkskarte: [png('handwerkskarte.png')],
      erkl_richtigkeit: true,
    },
  },
  branch: { step: 'erlaubnisse', trigger: 'handwerksrolle', reveals: 'handwerkskarte_liegt_vor' },
  check: [
    ['Wer betreibt das Gewerbe?', 'Eine juristische Person (z. B. GmbH, UG, AG, eG, e. V.)'],
    ['Name des Betriebs mit Rechtsform, wie im Register eingetragen', 'Salon Mustermann GmbH'],
    ['Registernummer', '512345'],
    ['Familienname', 'Mustermann'],
    ['Gesetzliche Vertreterin / gesetzlicher Vertreter 1: Familienname', 'Beispiel'],
    ['Anschrift der Betriebsstätte', /Anger 5.*99084 Erfurt/],
    ['Art des angemeldeten Betriebs', /Handwerk.*Handel/],
    ['Handwerkskammer', 'Handwerkskammer Erfurt'],
    ['Auszug aus dem Register', 'handelsregisterauszug.pdf'],
    ['Handwerkskarte', 'handwerkskarte.png'],
  ],
  fees: [
    ['Gebühr für die Gewerbeanmeldung', '26,00 €'],
    ['Gesamt', '26,00 €'],
  ],
};
