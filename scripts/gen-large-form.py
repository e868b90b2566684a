#!/usr/bin/env python3
"""Generates the large benchmark form and a complete, valid set of answers.

    python3 scripts/gen-large-form.py

writes

    forms/definitions/grosser-testantrag.json   the definition (20 steps, > 700 fields)
    forms/benches/large-form-answers.json       raw answers as a browser posts them

Both files are committed; run the script again after changing it. It uses
the Python standard library only and is deterministic: the same script
always writes the same bytes.

Every step has the same 36 slots, so that every field type, visibility and
requirement rules, cross-field validations, code lists, a repeatable group,
computed values and a computed fee are exercised. The answers make every
step applicable and leave a few fields hidden on purpose (their rules are
still evaluated).
"""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFINITION = os.path.join(ROOT, "forms", "definitions", "grosser-testantrag.json")
ANSWERS = os.path.join(ROOT, "forms", "benches", "large-form-answers.json")

STEPS = 20
GROUP_STEP = 10  # the step that holds the repeatable group
GROUP_ENTRIES = 3  # entries in the answers
PDF_IMG = ["application/pdf", "image/jpeg", "image/png"]
MB = 1024 * 1024


def T(de, en):
    return {"de": de, "en": en}


def var(name, default=None):
    return {"var": name} if default is None else {"var": [name, default]}


def is_true(name):
    return {"==": [var(name), True]}


def opts(prefix, n, de, en):
    return [
        {"value": f"{prefix}{i}", "label": T(f"{de} {i}", f"{en} {i}")}
        for i in range(1, n + 1)
    ]


KREISE = [
    ("16051", "Erfurt"), ("16052", "Gera"), ("16053", "Jena"), ("16054", "Suhl"),
    ("16055", "Weimar"), ("16061", "Eichsfeld"), ("16062", "Nordhausen"),
    ("16063", "Wartburgkreis"), ("16064", "Unstrut-Hainich-Kreis"),
    ("16065", "Kyffhäuserkreis"), ("16066", "Schmalkalden-Meiningen"),
    ("16067", "Gotha"), ("16068", "Sömmerda"), ("16069", "Hildburghausen"),
    ("16070", "Ilm-Kreis"), ("16071", "Weimarer Land"), ("16072", "Sonneberg"),
    ("16073", "Saalfeld-Rudolstadt"), ("16074", "Saale-Holzland-Kreis"),
    ("16075", "Saale-Orla-Kreis"), ("16076", "Greiz"), ("16077", "Altenburger Land"),
]

def german_iban(blz, account):
    """A German IBAN with correct check digits (ISO 13616, mod 97), grouped by four."""
    bban = f"{blz:08d}{account:010d}"
    check = 98 - int(bban + "131400") % 97  # "DE" = 13 14, then "00"
    iban = f"DE{check:02d}{bban}"
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


STREETS = ["Fischmarkt", "Anger", "Marktstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße"]
CITIES = [("99084", "Erfurt"), ("07743", "Jena"), ("99423", "Weimar"), ("07545", "Gera"), ("98527", "Suhl")]


def field(fid, kind, de, en, **kw):
    f = {"id": fid, "type": kind, "label": T(de, en)}
    f.update(kw)
    return f


def step_fields(s):
    """The fields of step s (1-based) and their raw answers."""
    p = f"s{s:02d}"
    n = lambda slot, kind: f"{p}_{kind}_{slot:02d}"  # noqa: E731
    lab = lambda slot, de, en: (f"Abschnitt {s}, Feld {slot}: {de}", f"Section {s}, field {slot}: {en}")  # noqa: E731
    fields, answers = [], {}

    def add(slot, kind, de, en, answer=None, **kw):
        fid = n(slot, kind)
        fields.append(field(fid, kind, *lab(slot, de, en), **kw))
        if answer is not None:
            answers[fid] = answer
        return fid

    zeigen = add(1, "yes_no", "Weitere Angaben machen?", "Give further details?", "ja", required=True)
    add(2, "text", "Name", "Name", f"Erika Mustermann {s}", required=True, min_length=2, max_length=100,
        autocomplete="name")
    add(3, "text", "Aktenzeichen", "File reference", f"AZ-{1000 + s}", required=True,
        pattern="[A-Z]{2}-[0-9]{4}",
        pattern_message=T("Aktenzeichen: zwei Großbuchstaben, Bindestrich, vier Ziffern.", "File reference: two capitals, hyphen, four digits."))
    add(4, "textarea", "Begründung", "Reasons", f"Erste Zeile für Abschnitt {s}.\r\nZweite Zeile.", max_length=2000)
    add(5, "number", "Anzahl", "Count", str(10 + s), required=True, min=0, max=1000)
    add(6, "number", "Fläche", "Area", f"{40 + s},25", decimals=2, min=0, max=10000, unit=T("m²", "m²"))
    betrag = add(7, "money", "Betrag", "Amount", f"{100 + s},50", required=True, min_cents=0, max_cents=100000000)
    add(8, "money", "Zusatzbetrag", "Additional amount", "1.234,56", required_if=is_true(zeigen), min_cents=0)
    datum_von = add(9, "date", "Datum von", "Date from", f"{1980 + s}-03-{10 + s:02d}", required=True,
                    min_date="1900-01-01", max_date="today")
    add(10, "date", "Geburtsdatum", "Date of birth", f"{1960 + s}-0{1 + s % 9}-15", autocomplete="bday",
        min_date="today-120y", max_date="today-18y")
    add(11, "email", "E-Mail-Adresse", "E-mail address", f"person{s}@example.org", required=True, autocomplete="email")
    add(12, "phone", "Telefon", "Telephone", f"+49 361 55{s:02d}{s:02d}", autocomplete="tel")
    add(13, "iban", "IBAN", "IBAN", german_iban(12030000, 202051 + 1000 * s), required=True)
    plz, ort = CITIES[s % len(CITIES)]
    add(14, "postal_code", "Postleitzahl", "Postal code", plz, autocomplete="postal-code")
    add(15, "address", "Anschrift", "Address",
        {"street": STREETS[s % len(STREETS)], "house_number": str(s), "addition": "", "postal_code": plz, "city": ort},
        required=True)
    art = add(16, "radio", "Art", "Kind", "b", required=True, options=[
        {"value": "a", "label": T("Erste Art", "First kind")},
        {"value": "b", "label": T("Zweite Art", "Second kind")},
        {"value": "c", "label": T("Dritte Art", "Third kind")},
    ])
    add(17, "select", "Landkreis", "District", KREISE[s % len(KREISE)][0], required=True, code_list="kreise")
    add(18, "select", "Kategorie", "Category", f"k{1 + s % 10}", options=opts("k", 10, "Kategorie", "Category"))
    auswahl = add(19, "checkboxes", "Merkmale", "Features", ["m1", "m2"] if s % 2 else ["m2", "m4", "m5"],
                  required=True, min_selected=1, options=opts("m", 6, "Merkmal", "Feature"))
    schalter = add(20, "yes_no", "Zutreffend?", "Applicable?", True, required=True)
    add(21, "info", "Hinweis", "Note",
        text=T(f"Hinweis zu Abschnitt {s}: Bitte prüfen Sie Ihre Angaben.",
               f"Note on section {s}: please check your information."))
    add(22, "declaration", "Bestätigung", "Confirmation", "on", required=True,
        text=T("Ich bestätige die Angaben in diesem Abschnitt.", "I confirm the information in this section."))
    add(23, "file", "Nachweis", "Proof",
        [{"id": f"datei-{s:02d}-23", "name": f"nachweis-{s:02d}.pdf", "size": 120000 + s,
          "content_type": "application/pdf"}],
        required=True, accept=PDF_IMG, max_size_bytes=10 * MB, max_files=3)
    add(24, "text", "Weitere Angabe", "Further detail", f"Weitere Angabe {s}", required=True,
        visible_if=is_true(zeigen), max_length=200)
    add(25, "number", "Weitere Anzahl", "Further count", "3", visible_if=is_true(zeigen), min=0, max=99)
    add(26, "radio", "Unterart", "Subkind", "a", required_if={"==": [var(art), "b"]},
        options=[{"value": "a", "label": T("Unterart A", "Subkind A")},
                 {"value": "b", "label": T("Unterart B", "Subkind B")}])
    add(27, "text", "Erläuterung zu Merkmal 2", "Explanation of feature 2", "Merkmal 2 trifft zu",
        required=True, visible_if={"in": ["m2", var(auswahl)]}, max_length=500)
    datum_bis = add(28, "date", "Datum bis", "Date until", f"{1990 + s}-06-30", required=True,
                    min_date="1900-01-01", max_date="today+5y")
    teilbetrag = add(29, "money", "Teilbetrag", "Partial amount", f"{50 + s},00", min_cents=0)
    # hidden by the answers (field 20 is "yes"): its rule is still evaluated
    add(30, "textarea", "Warum nicht zutreffend?", "Why not applicable?", None,
        required=True, visible_if={"==": [var(schalter), False]}, max_length=1000)
    add(31, "email", "Zweite E-Mail-Adresse", "Second e-mail address", f"buero{s}@example.org")
    add(32, "phone", "Mobiltelefon", "Mobile phone", f"0171 {1000000 + s}")
    add(33, "checkboxes", "Höchstens zwei", "At most two", ["z1"], max_selected=2,
        options=opts("z", 4, "Option", "Option"))
    add(34, "number", "Jahr", "Year", str(2000 + s), min=1900, max=2100)
    add(35, "text", "Bemerkung", "Remark", f"Bemerkung {s}", max_length=300)
    add(36, "yes_no", "Rückruf erwünscht?", "Call back wanted?", "nein")

    if s == GROUP_STEP:
        group_children = [
            field("gp_familienname", "text", "Familienname", "Surname", required=True, max_length=100),
            field("gp_vorname", "text", "Vorname", "Given name", required=True, max_length=100),
            field("gp_geburtsdatum", "date", "Geburtsdatum", "Date of birth", required=True,
                  min_date="1900-01-01", max_date="today"),
            field("gp_verhaeltnis", "select", "Verhältnis", "Relationship", required=True,
                  options=opts("v", 5, "Verhältnis", "Relationship")),
            field("gp_einkommen_ja", "yes_no", "Hat Einkommen?", "Has income?", required=True),
            field("gp_einkommen", "money", "Einkommen monatlich", "Monthly income", required=True,
                  visible_if=is_true("gp_einkommen_ja"), min_cents=0),
            field("gp_arten", "checkboxes", "Einkommensarten", "Kinds of income",
                  visible_if=is_true("gp_einkommen_ja"), options=opts("e", 5, "Art", "Kind")),
            field("gp_stunden", "number", "Wochenstunden", "Hours per week", decimals=1, min=0, max=60),
            field("gp_bemerkung", "textarea", "Bemerkung", "Remark", max_length=500),
        ]
        fields.append(field("personen", "group", "Personen im Haushalt", "Persons in the household",
                            required=True, min_items=1, max_items=10,
                            item_label=T("Person", "Person"), fields=group_children))
        answers["personen"] = [
            {
                "gp_familienname": f"Beispiel{i}",
                "gp_vorname": ["Anna", "Ben", "Clara", "David"][i % 4],
                "gp_geburtsdatum": f"{1950 + 10 * i}-0{1 + i}-1{i}",
                "gp_verhaeltnis": f"v{1 + i % 5}",
                "gp_einkommen_ja": "ja" if i % 2 == 0 else "nein",
                **({"gp_einkommen": f"{1500 + 100 * i},00", "gp_arten": ["e1", "e3"]} if i % 2 == 0 else {}),
                "gp_stunden": f"{20 + i},5",
                "gp_bemerkung": f"Person {i + 1}",
            }
            for i in range(GROUP_ENTRIES)
        ]
    return fields, answers, {"datum_von": datum_von, "datum_bis": datum_bis, "betrag": betrag,
                             "teilbetrag": teilbetrag, "art": art}


def build():
    steps, answers, keys = [], {}, []
    for s in range(1, STEPS + 1):
        fields, a, k = step_fields(s)
        step = {
            "id": f"abschnitt_{s:02d}",
            "title": T(f"Abschnitt {s}", f"Section {s}"),
            "description": T(f"Angaben zu Abschnitt {s} des Testantrags.", f"Details for section {s} of the test application."),
        }
        # Some steps apply only when an answer of an earlier step says so.
        if s in (7, 14, 19):
            step["visible_if"] = {"==": [var(f"s{s - 1:02d}_yes_no_01"), True]}
        step["fields"] = fields
        steps.append(step)
        answers.update(a)
        keys.append(k)

    validations = []
    for s, k in enumerate(keys, start=1):
        if s % 4 == 1:
            validations.append({
                "id": f"datum_reihenfolge_{s:02d}",
                "rule": {"<=": [var(k["datum_von"]), var(k["datum_bis"])]},
                "message": T(f"Abschnitt {s}: „Datum bis“ darf nicht vor „Datum von“ liegen.",
                             f"Section {s}: 'Date until' must not be before 'Date from'."),
                "fields": [k["datum_bis"], k["datum_von"]],
            })
        if s % 5 == 2:
            validations.append({
                "id": f"teilbetrag_{s:02d}",
                "rule": {"<=": [var(k["teilbetrag"]), var(k["betrag"])]},
                "message": T(f"Abschnitt {s}: Der Teilbetrag darf den Betrag nicht übersteigen.",
                             f"Section {s}: the partial amount must not exceed the amount."),
                "fields": [k["teilbetrag"], k["betrag"]],
            })
    # Inside "some" a var reads the entry, so the rule compares fields of one entry.
    validations.append({
        "id": "personen_einkommen_positiv",
        "rule": {"!": {"some": [var("personen"),
                                {"and": [is_true("gp_einkommen_ja"), {"<=": [var("gp_einkommen"), 0]}]}]}},
        "message": T("Geben Sie bei Personen mit Einkommen einen Betrag über 0 Euro an.",
                     "For persons with income, give an amount above EUR 0."),
        "fields": ["personen"],
    })
    validations.append({
        "id": "summe_begrenzt",
        "rule": {"<=": [var("summe_betraege_cents"), 100000000]},
        "message": T("Die Summe aller Beträge darf 1 000 000 Euro nicht übersteigen.",
                     "The sum of all amounts must not exceed EUR 1,000,000."),
        "fields": ["s01_money_07"],
    })

    computed = [
        {"id": "anzahl_personen",
         "expression": {"reduce": [var("personen"), {"+": [var("accumulator"), 1]}, 0]},
         "label": T("Anzahl der Personen", "Number of persons")},
        {"id": "summe_betraege_cents",
         "expression": {"+": [var(k["betrag"], 0) for k in keys]}},
        {"id": "einkommen_personen_cents",
         "expression": {"reduce": [var("personen"),
                                   {"+": [var("accumulator"), var("current.gp_einkommen", 0)]}, 0]}},
        {"id": "gebuehr_cents",
         "expression": {"+": [2500,
                              {"*": [500, var("anzahl_personen", 0)]},
                              {"if": [{"==": [var("s02_radio_16"), "c"]}, 1000, 0]}]}},
    ]

    fees = [
        {"id": "grundgebuehr", "purpose": T("Grundgebühr", "Basic fee"), "amount_cents": 1500},
        {"id": "bearbeitungsgebuehr", "purpose": T("Bearbeitungsgebühr nach Personen", "Processing fee by persons"),
         "amount_rule": var("gebuehr_cents"),
         "applies_if": {">": [var("anzahl_personen", 0), 0]}},
    ]

    definition = {
        "$schema": "../schema/form-definition.schema.json",
        "id": "grosser-testantrag",
        "version": 1,
        "title": T("Großer Testantrag (Benchmark)", "Large test application (benchmark)"),
        "summary": T("Ein erzeugter Antrag mit über 700 Feldern zum Messen der Formular-Engine.",
                     "A generated application with more than 700 fields to measure the form engine."),
        "description": T("Erzeugt von scripts/gen-large-form.py. Er enthält jeden Feldtyp, Regeln für Sichtbarkeit und "
                         "Pflichtangaben, eine wiederholbare Gruppe, feldübergreifende Prüfungen und eine berechnete Gebühr.",
                         "Generated by scripts/gen-large-form.py. It contains every field type, visibility and "
                         "requirement rules, a repeatable group, cross-field checks and a computed fee."),
        "requirements": [T("Geduld", "Patience")],
        "duration_minutes": 120,
        "privacy_notice": T("Testformular: Verantwortlich ist die Testbehörde Amtsweg. Die Angaben werden nur zum Test "
                            "verarbeitet (Art. 6 Abs. 1 Buchst. e DSGVO) und nach sieben Tagen gelöscht.",
                            "Test form: the controller is the Amtsweg test authority. The data is only processed for "
                            "testing (Art. 6(1)(e) GDPR) and deleted after seven days."),
        "authority": {"id": "test-behoerde", "name": T("Testbehörde Amtsweg", "Amtsweg test authority")},
        "access": {"kind": "anonymous"},
        "retention_days": 7,
        "draft_expiry_days": 7,
        "code_lists": {
            "kreise": {
                "version": "2021-07-01",
                "options": [{"value": v, "label": T(l, l)} for v, l in KREISE],
            }
        },
        "steps": steps,
        "computed": computed,
        "validations": validations,
        "fees": fees,
    }
    return definition, answers


def count_fields(fields):
    return sum(1 + count_fields(f.get("fields", [])) for f in fields)


def write(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main():
    definition, answers = build()
    write(DEFINITION, definition)
    write(ANSWERS, answers)
    n = sum(count_fields(s["fields"]) for s in definition["steps"])
    print(f"{os.path.relpath(DEFINITION, ROOT)}: {len(definition['steps'])} steps, {n} fields")
    print(f"{os.path.relpath(ANSWERS, ROOT)}: {len(answers)} answers")


if __name__ == "__main__":
    main()
