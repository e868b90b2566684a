// Kita skilled-workers initiative (forms/definitions/kita-fachkraefteinitiative.json):
// the provider Kita Sonnenschein gGmbH (business account) applies for a
// grant for one training place. The trainee worked there before (branch:
// her previous job), the training is full-time and practice-integrated
// (so the third year's pay is required), it starts on the first of next
// month and the funding covers its first twelve months. The grant asked
// for (15.000,00 €) stays below pay plus employer's share over those
// months (12 × 1.620,00 €), as the definition's rule demands.
import { germanDate, pdf, shifted, type Journey } from './driver';

const now = new Date();
const trainingStart = new Date(now.getFullYear(), now.getMonth() + 1, 1);
const trainingEnd = shifted(trainingStart, { years: 3, days: -1 });
const fundingEnd = shifted(trainingStart, { months: 12, days: -1 });

export const kitaFachkraefteinitiative: Journey = {
  form: 'kita-fachkraefteinitiative',
  login: 'business-substanziell',
  steps: {
    traeger: {
      traeger_name: 'Kita Sonnenschein gGmbH',
      traeger_art: 'frei_gemeinnuetzig',
      traeger_rechtsform: 'ggmbh',
      traeger_anschrift: { street: 'Am Anger', house_number: '4', postal_code: '99084', city: 'Erfurt' },
      traeger_vertretung_name: 'Sabine Sonnig',
      traeger_vertretung_funktion: 'Geschäftsführerin',
      ansprechperson_name: 'Sabine Sonnig',
      ansprechperson_telefon: '0361 5550123',
      ansprechperson_email: 'verwaltung@kita-sonnenschein.example',
      vorsteuerabzug: false,
    },
    einrichtung: {
      einrichtung_name: 'Kindertagesstätte Sonnenschein',
      einrichtung_anschrift: { street: 'Blumenweg', house_number: '2', postal_code: '99085', city: 'Erfurt' },
      einrichtung_kreis: '16051',
      betriebserlaubnis_nummer: 'KJ-45-2019-0815',
      betriebserlaubnis_datum: '15.03.2019',
      plaetze_genehmigt: '85',
      paedagogisches_personal: '12,5',
      einrichtungsleitung: 'Petra Lindner',
    },
    auszubildende: {
      azubi_familienname: 'Neumann',
      azubi_vorname: 'Lea',
      azubi_geburtsdatum: '21.06.2003',
      azubi_anschrift: { street: 'Krämerbrücke', house_number: '9', postal_code: '99084', city: 'Erfurt' },
      azubi_schulabschluss: 'abitur',
      azubi_bereits_beschaeftigt: true,
      azubi_bisherige_taetigkeit: 'Helferin in der Krippengruppe',
      azubi_andere_leistungen: false,
    },
    ausbildung: {
      ausbildungsform: 'praxisintegriert',
      vertrag_datum: germanDate(shifted(now, { days: -30 })),
      ausbildungsbeginn: germanDate(trainingStart),
      ausbildungsende: germanDate(trainingEnd),
      fachschule_name: 'Staatliche Berufsbildende Schule für Gesundheit und Soziales Erfurt',
      fachschule_ort: 'Erfurt',
      fachschule_traegerschaft: 'staatlich',
      wochenstunden: '39',
      verguetung_grundlage: 'tvoed',
      verguetung_jahr1: '1.340,00',
      verguetung_jahr2: '1.390,00',
      verguetung_jahr3: '1.436,00',
      arbeitgeberanteil: '280,00',
      praxisanleitung_name: 'Maria Schmidt',
      praxisanleitung_qualifikation: 'erzieher',
      praxisanleitung_weiterbildung: true,
      praxisanleitung_stunden: '2,5',
    },
    foerderung: {
      foerderbeginn: germanDate(trainingStart),
      foerderende: germanDate(fundingEnd),
      foerdermonate: '12',
      beantragte_zuwendung: '15.000,00',
      andere_mittel: false,
      vorzeitiger_beginn: false,
    },
    bankverbindung: {
      kontoinhaber: 'Kita Sonnenschein gGmbH',
      iban: 'DE60 8205 1000 0300 1234 56',
      bic: 'HELADEF1WEM',
      kreditinstitut: 'Sparkasse Mittelthüringen',
    },
    anlagen: {
      anlage_ausbildungsvertrag: [pdf('ausbildungsvertrag.pdf')],
      anlage_schulbestaetigung: [pdf('aufnahmebestaetigung.pdf')],
      anlage_betriebserlaubnis: [pdf('betriebserlaubnis.pdf')],
    },
    erklaerungen: {
      erkl_richtlinie: true,
      erkl_subvention: true,
      erkl_doppelfoerderung: true,
      erkl_mitteilungspflicht: true,
      erkl_information_azubi: true,
      erkl_richtigkeit: true,
    },
  },
  branch: { step: 'auszubildende', trigger: 'azubi_bereits_beschaeftigt', reveals: 'azubi_bisherige_taetigkeit' },
  check: [
    ['Name des Trägers', 'Kita Sonnenschein gGmbH'],
    ['Landkreis oder kreisfreie Stadt', 'Erfurt, Stadt'],
    ['Pädagogisches Personal in Vollzeitäquivalenten', '12,5 VZÄ'],
    ['Familienname', 'Neumann'],
    ['Bisherige Tätigkeit', 'Helferin in der Krippengruppe'],
    ['Beginn der Ausbildung', germanDate(trainingStart)],
    ['Monatliche Ausbildungsvergütung im 3. Ausbildungsjahr (brutto)', '1.436,00 €'],
    ['Beantragte Zuwendung insgesamt', '15.000,00 €'],
    ['Ausbildungsvertrag', 'ausbildungsvertrag.pdf'],
  ],
};
