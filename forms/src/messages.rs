//! The message catalogue: every error text the engine produces, in German
//! and English, each naming the field it is about (GOV.UK / KERN UX style:
//! say what is wrong and how to put it right).

use crate::model::Text;
use crate::values::{format_money, german_date};

fn t(de: String, en: String) -> Text {
    Text { de, en: Some(en) }
}

/// The label of a field in quotes, in both languages.
pub struct Name<'a> {
    de: &'a str,
    en: &'a str,
}

impl<'a> Name<'a> {
    /// Names a field by its label.
    pub fn of(label: &'a Text) -> Name<'a> {
        Name {
            de: &label.de,
            en: label.en.as_deref().unwrap_or(&label.de),
        }
    }
}

pub fn required(n: &Name) -> Text {
    t(
        format!("Geben Sie „{}“ an.", n.de),
        format!("Enter “{}”.", n.en),
    )
}

pub fn required_choice(n: &Name) -> Text {
    t(
        format!("Wählen Sie bei „{}“ eine Antwort aus.", n.de),
        format!("Select an answer for “{}”.", n.en),
    )
}

pub fn required_file(n: &Name) -> Text {
    t(
        format!("Laden Sie „{}“ hoch.", n.de),
        format!("Upload “{}”.", n.en),
    )
}

pub fn required_declaration(n: &Name) -> Text {
    t(
        format!("Bestätigen Sie „{}“, um fortzufahren.", n.de),
        format!("Confirm “{}” to continue.", n.en),
    )
}

pub fn too_short(n: &Name, min: u32) -> Text {
    t(
        format!("„{}“ muss mindestens {min} Zeichen lang sein.", n.de),
        format!("“{}” must be {min} characters or more.", n.en),
    )
}

pub fn too_long(n: &Name, max: u32) -> Text {
    t(
        format!("„{}“ darf höchstens {max} Zeichen lang sein.", n.de),
        format!("“{}” must be {max} characters or fewer.", n.en),
    )
}

pub fn pattern(n: &Name) -> Text {
    t(
        format!("„{}“ hat nicht das erwartete Format.", n.de),
        format!("“{}” is not in the expected format.", n.en),
    )
}

pub fn not_a_number(n: &Name, decimals: u8) -> Text {
    if decimals == 0 {
        t(
            format!("„{}“ muss eine ganze Zahl sein, z. B. 3.", n.de),
            format!("“{}” must be a whole number, like 3.", n.en),
        )
    } else {
        t(
            format!(
                "„{}“ muss eine Zahl mit höchstens {decimals} Nachkommastellen sein, z. B. 72,5.",
                n.de
            ),
            format!(
                "“{}” must be a number with at most {decimals} decimal places, like 72.5.",
                n.en
            ),
        )
    }
}

fn num(v: f64) -> (String, String) {
    let en = if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    };
    (en.replace('.', ","), en)
}

pub fn number_too_small(n: &Name, min: f64) -> Text {
    let (de, en) = num(min);
    t(
        format!("„{}“ muss mindestens {de} sein.", n.de),
        format!("“{}” must be {en} or more.", n.en),
    )
}

pub fn number_too_large(n: &Name, max: f64) -> Text {
    let (de, en) = num(max);
    t(
        format!("„{}“ darf höchstens {de} sein.", n.de),
        format!("“{}” must be {en} or less.", n.en),
    )
}

pub fn not_money(n: &Name) -> Text {
    t(
        format!("„{}“ muss ein Betrag in Euro sein, z. B. 12,50.", n.de),
        format!("“{}” must be an amount in euros, like 12.50.", n.en),
    )
}

pub fn money_too_small(n: &Name, min: i64) -> Text {
    let m = format_money(min);
    t(
        format!("„{}“ muss mindestens {m} betragen.", n.de),
        format!("“{}” must be {m} or more.", n.en),
    )
}

pub fn money_too_large(n: &Name, max: i64) -> Text {
    let m = format_money(max);
    t(
        format!("„{}“ darf höchstens {m} betragen.", n.de),
        format!("“{}” must be {m} or less.", n.en),
    )
}

pub fn not_a_date(n: &Name) -> Text {
    t(
        format!("„{}“ muss ein gültiges Datum sein, z. B. 31.12.2024.", n.de),
        format!("“{}” must be a real date, like 31.12.2024.", n.en),
    )
}

pub fn date_too_early(n: &Name, min: time::Date) -> Text {
    let d = german_date(min);
    t(
        format!("„{}“ muss am oder nach dem {d} liegen.", n.de),
        format!("“{}” must be the same as or after {d}.", n.en),
    )
}

pub fn date_too_late(n: &Name, max: time::Date) -> Text {
    let d = german_date(max);
    t(
        format!("„{}“ muss am oder vor dem {d} liegen.", n.de),
        format!("“{}” must be the same as or before {d}.", n.en),
    )
}

pub fn not_an_email(n: &Name) -> Text {
    t(
        format!(
            "„{}“ muss eine E-Mail-Adresse sein, z. B. name@beispiel.de.",
            n.de
        ),
        format!(
            "“{}” must be an email address, like name@example.com.",
            n.en
        ),
    )
}

pub fn not_a_phone(n: &Name) -> Text {
    t(
        format!(
            "„{}“ muss eine Telefonnummer sein, z. B. 0361 123456 oder +49 361 123456.",
            n.de
        ),
        format!(
            "“{}” must be a telephone number, like 0361 123456 or +49 361 123456.",
            n.en
        ),
    )
}

pub fn not_an_iban(n: &Name) -> Text {
    t(
        format!(
            "„{}“ ist keine gültige IBAN. Prüfen Sie die Eingabe, z. B. DE02 1203 0000 0000 2020 51.",
            n.de
        ),
        format!(
            "“{}” is not a valid IBAN. Check it, it looks like DE02 1203 0000 0000 2020 51.",
            n.en
        ),
    )
}

pub fn not_a_postal_code(n: &Name) -> Text {
    t(
        format!("„{}“ muss eine Postleitzahl mit 5 Ziffern sein.", n.de),
        format!("“{}” must be a postcode with 5 digits.", n.en),
    )
}

pub fn not_yes_no(n: &Name) -> Text {
    t(
        format!("Wählen Sie bei „{}“ Ja oder Nein.", n.de),
        format!("Select yes or no for “{}”.", n.en),
    )
}

pub fn unknown_option(n: &Name) -> Text {
    t(
        format!(
            "Wählen Sie bei „{}“ eine der angebotenen Möglichkeiten.",
            n.de
        ),
        format!("Select one of the options offered for “{}”.", n.en),
    )
}

pub fn too_few_selected(n: &Name, min: u32) -> Text {
    t(
        format!("Wählen Sie bei „{}“ mindestens {min} aus.", n.de),
        format!("Select at least {min} for “{}”.", n.en),
    )
}

pub fn too_many_selected(n: &Name, max: u32) -> Text {
    t(
        format!("Wählen Sie bei „{}“ höchstens {max} aus.", n.de),
        format!("Select no more than {max} for “{}”.", n.en),
    )
}

pub fn wrong_shape(n: &Name) -> Text {
    t(
        format!("Die Angabe bei „{}“ konnte nicht gelesen werden.", n.de),
        format!("The answer to “{}” could not be read.", n.en),
    )
}

pub fn file_too_large(n: &Name, file: &str, max: u64) -> Text {
    let mb = human_size(max);
    t(
        format!("Die Datei „{file}“ bei „{}“ ist größer als {mb}.", n.de),
        format!("The file “{file}” for “{}” is larger than {mb}.", n.en),
    )
}

pub fn file_empty(n: &Name, file: &str) -> Text {
    t(
        format!("Die Datei „{file}“ bei „{}“ ist leer.", n.de),
        format!("The file “{file}” for “{}” is empty.", n.en),
    )
}

pub fn file_wrong_type(n: &Name, file: &str, accept: &[String]) -> Text {
    let kinds = accept
        .iter()
        .map(|a| describe_media_type(a))
        .collect::<Vec<_>>()
        .join(", ");
    t(
        format!(
            "Die Datei „{file}“ bei „{}“ hat ein nicht erlaubtes Format. Erlaubt: {kinds}.",
            n.de
        ),
        format!(
            "The file “{file}” for “{}” is not an allowed type. Allowed: {kinds}.",
            n.en
        ),
    )
}

pub fn too_many_files(n: &Name, max: u32) -> Text {
    t(
        format!("Laden Sie bei „{}“ höchstens {max} Dateien hoch.", n.de),
        format!("Upload no more than {max} files for “{}”.", n.en),
    )
}

pub fn too_few_items(n: &Name, min: u32) -> Text {
    t(
        format!("Geben Sie bei „{}“ mindestens {min} Einträge an.", n.de),
        format!("Add at least {min} entries to “{}”.", n.en),
    )
}

pub fn too_many_items(n: &Name, max: u32) -> Text {
    t(
        format!("Geben Sie bei „{}“ höchstens {max} Einträge an.", n.de),
        format!("Add no more than {max} entries to “{}”.", n.en),
    )
}

/// Prefixes a message about a field in a group entry with the entry
/// ("Person 2: …").
pub fn in_item(item_label: &Text, index: usize, message: Text) -> Text {
    let n = Name::of(item_label);
    let en = message.en.clone().unwrap_or_else(|| message.de.clone());
    t(
        format!("{} {}: {}", n.de, index + 1, message.de),
        format!("{} {}: {}", n.en, index + 1, en),
    )
}

/// Labels of the parts of an address.
pub fn address_part_label(part: &str) -> Text {
    match part {
        "street" => Text::new("Straße", "Street"),
        "house_number" => Text::new("Hausnummer", "House number"),
        "addition" => Text::new("Adresszusatz", "Address line 2"),
        "postal_code" => Text::new("Postleitzahl", "Postcode"),
        _ => Text::new("Ort", "Town or city"),
    }
}

/// Message for a missing part of an address ("Anschrift: Geben Sie …").
pub fn address_part(field_label: &Text, message: Text) -> Text {
    let n = Name::of(field_label);
    let en = message.en.clone().unwrap_or_else(|| message.de.clone());
    t(
        format!("{}: {}", n.de, message.de),
        format!("{}: {}", n.en, en),
    )
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn describe_media_type(media_type: &str) -> String {
    match media_type {
        "application/pdf" => "PDF".into(),
        "image/jpeg" => "JPEG".into(),
        "image/png" => "PNG".into(),
        "image/tiff" => "TIFF".into(),
        "image/*" => "Bilder/images".into(),
        other => other.to_string(),
    }
}
