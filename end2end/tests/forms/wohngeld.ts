// Housing benefit (forms/definitions/wohngeld.json): Erika Mustermann,
// widowed pensioner with a severe disability, lives with her grandson (an
// apprentice) in a cooperative flat in Erfurt. Branches taken: the severe
// disability (degree, care question, and then the required proof), a
// household member added with the group's button (so the household
// members' consent is asked), heating costs paid to the landlord, income
// proofs required because both have income.
import { pdf, png, type Journey } from './driver';

export const wohngeld: Journey = {
  form: 'wohngeld',
  login: 'citizen-substanziell',
  steps: {
    antragsteller: {
      familienname: 'Mustermann',
      vorname: 'Erika',
      geburtsdatum: '12.08.1964',
      geschlecht: 'weiblich',
      familienstand: 'verwitwet',
      staatsangehoerigkeit: 'deutsch',
      anschrift: { street: 'Juri-Gagarin-Ring', house_number: '12', postal_code: '99084', city: 'Erfurt' },
      email: 'erika.mustermann@example.org',
      schwerbehinderung: true,
      gdb: '60',
      haeusliche_pflege: false,
    },
    einkommen: {
      as_einkommensarten: ['rente'],
      as_einkommen_rente: '1.150,00',
      as_abzug_steuern: false,
      as_abzug_kv_pv: true,
      as_abzug_rv: false,
      unterhaltspflicht: false,
    },
    haushalt: {
      haushaltsmitglieder: [
        {
          hm_familienname: 'Mustermann',
          hm_vorname: 'Lena',
          hm_geburtsdatum: '03.04.2007',
          hm_verhaeltnis: 'enkel',
          hm_schwerbehinderung: false,
          hm_einkommensarten: ['nichtselbstaendig'],
          hm_einkommen_nichtselbstaendig: '950,00',
          hm_abzug_steuern: false,
          hm_abzug_kv_pv: true,
          hm_abzug_rv: true,
        },
      ],
    },
    leistungen: {
      transferleistungen: false,
      vermoegen_erheblich: false,
    },
    wohnung: {
      wohnverhaeltnis: 'genossenschaft',
      einzugsdatum: '01.09.2015',
      wohnflaeche: '62,5',
      anzahl_raeume: '3',
      teilweise_anders_genutzt: false,
      vermieter_name: 'Wohnungsgenossenschaft Erfurt-Nord eG',
      vermieter_anschrift: { street: 'Magdeburger Allee', house_number: '34', postal_code: '99086', city: 'Erfurt' },
      vermieter_verwandt: false,
    },
    miete: {
      kaltmiete: '410,00',
      nebenkosten: '120,00',
      heizkosten_enthalten: true,
      heizkosten: '85,00',
      warmwasser_enthalten: true,
      stellplatz_enthalten: false,
      moebliert: false,
    },
    bankverbindung: {
      zahlungsempfaenger: 'antragsteller',
      kontoinhaber: 'Erika Mustermann',
      iban: 'DE59 8205 1000 0163 0147 50',
      bic: 'HELADEF1WEM',
      kreditinstitut: 'Sparkasse Mittelthüringen',
    },
    unterlagen: {
      datei_mietvertrag: [pdf('mietvertrag.pdf')],
      datei_mietbescheinigung: [pdf('mietbescheinigung.pdf')],
      datei_einkommensnachweise: [pdf('rentenbescheid.pdf'), pdf('ausbildungsverguetung.pdf')],
      datei_schwerbehindertenausweis: [png('schwerbehindertenausweis.png')],
    },
    erklaerungen: {
      erkl_richtigkeit: true,
      erkl_mitteilungspflicht: true,
      erkl_datenabgleich: true,
      erkl_haushaltsmitglieder: true,
    },
  },
  branch: { step: 'antragsteller', trigger: 'schwerbehinderung', reveals: 'gdb' },
  check: [
    ['Familienname', 'Mustermann'],
    ['Familienstand', 'verwitwet'],
    ['Grad der Behinderung', '60'],
    ['Rente – monatlich brutto', '1.150,00 €'],
    ['Haushaltsmitglied 1: Vorname', 'Lena'],
    ['Haushaltsmitglied 1: Verhältnis zu Ihnen', 'Enkelkind'],
    ['Gesamtwohnfläche', '62,5 m²'],
    ['Vorauszahlung für Heizkosten', '85,00 €'],
    ['IBAN', /DE59 ?8205 ?1000 ?0163 ?0147 ?50/],
    ['Einkommensnachweise', /rentenbescheid\.pdf.*ausbildungsverguetung\.pdf/s],
    ['Schwerbehindertenausweis oder Bescheid', 'schwerbehindertenausweis.png'],
  ],
};
