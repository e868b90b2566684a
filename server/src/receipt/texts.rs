//! Every fixed text of the receipt, German and English, in one place,
//! and the formats of numbers, money, sizes and times per language.
//!
//! Pure functions of the language; no layout and no PDF here.

use amtsweg_forms::Lang;
use time::OffsetDateTime;

use crate::resume::german_time;

/// The receipt's texts in one language.
pub(super) struct Texts {
    /// Above the form's title, and the start of the document title.
    pub receipt: &'static str,
    pub intro: &'static str,
    pub reference: &'static str,
    pub authority: &'static str,
    pub submitted_at: &'static str,
    pub submission_id: &'static str,
    pub answers: &'static str,
    pub nothing_answered: &'static str,
    pub attachments: &'static str,
    pub no_attachments: &'static str,
    pub file_name: &'static str,
    pub file_size: &'static str,
    pub file_type: &'static str,
    pub file_sha256: &'static str,
    pub payment: &'static str,
    pub amount: &'static str,
    pub purpose: &'static str,
    pub transaction: &'static str,
    pub paid_at: &'static str,
    /// `{0}` is the page, `{1}` the number of pages.
    pub page_of: &'static str,
    /// Shown where the embedded font has no glyph for a character.
    pub substitute_note: &'static str,
}

const DE: Texts = Texts {
    receipt: "Eingangsbestätigung",
    intro: "Ihr Antrag ist eingegangen. Diese Bestätigung enthält alle Angaben, die Sie \
            gemacht haben, und die Dateien, die Sie mitgeschickt haben. Geben Sie bei \
            Rückfragen bitte Ihre Vorgangsnummer an.",
    reference: "Vorgangsnummer",
    authority: "Empfangende Behörde",
    submitted_at: "Eingegangen am",
    submission_id: "Technische Kennung",
    answers: "Ihre Angaben",
    nothing_answered: "Keine Angaben",
    attachments: "Anlagen",
    no_attachments: "Keine Anlagen",
    file_name: "Datei",
    file_size: "Größe",
    file_type: "Typ",
    file_sha256: "Prüfsumme (SHA-256)",
    payment: "Zahlung",
    amount: "Betrag",
    purpose: "Verwendungszweck",
    transaction: "Transaktionsnummer",
    paid_at: "Bezahlt am",
    page_of: "Seite {0} von {1}",
    substitute_note: "Zeichen, die diese Bestätigung nicht darstellen kann, sind durch \
                      \u{FFFD} ersetzt. Ihre Angaben sind vollständig bei der Behörde \
                      eingegangen.",
};

const EN: Texts = Texts {
    receipt: "Confirmation of receipt",
    intro: "Your application has been received. This confirmation contains all the answers \
            you gave and the files you sent. Please quote your reference number if you \
            have any questions.",
    reference: "Reference number",
    authority: "Receiving authority",
    submitted_at: "Received on",
    submission_id: "Technical ID",
    answers: "Your answers",
    nothing_answered: "No answers",
    attachments: "Attachments",
    no_attachments: "No attachments",
    file_name: "File",
    file_size: "Size",
    file_type: "Type",
    file_sha256: "Checksum (SHA-256)",
    payment: "Payment",
    amount: "Amount",
    purpose: "Purpose",
    transaction: "Transaction number",
    paid_at: "Paid on",
    page_of: "Page {0} of {1}",
    substitute_note: "Characters this confirmation cannot show are replaced by \u{FFFD}. \
                      Your answers reached the authority in full.",
};

pub(super) fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

/// "Seite 2 von 3".
pub(super) fn page_of(lang: Lang, page: usize, pages: usize) -> String {
    texts(lang)
        .page_of
        .replace("{0}", &page.to_string())
        .replace("{1}", &pages.to_string())
}

/// `t` in German local time: `01.12.2026, 14:03 Uhr` and
/// `1 December 2026, 14:03 (German time)`, as on the confirmation page and
/// in the mails (one rule for Germany's time: [`german_time`]).
pub(super) fn date_time(lang: Lang, t: OffsetDateTime) -> String {
    let t = german_time(t);
    match lang {
        Lang::De => format!(
            "{:02}.{:02}.{}, {:02}:{:02} Uhr",
            t.day(),
            u8::from(t.month()),
            t.year(),
            t.hour(),
            t.minute()
        ),
        Lang::En => format!(
            "{} {} {}, {:02}:{:02} (German time)",
            t.day(),
            t.month(),
            t.year(),
            t.hour(),
            t.minute()
        ),
    }
}

/// `1234567` → `1.234.567` (German) / `1,234,567` (English).
pub(super) fn grouped(lang: Lang, n: u64) -> String {
    let sep = match lang {
        Lang::De => '.',
        Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

/// A no-break space: an amount and its unit stay on one line.
const NBSP: char = '\u{00A0}';

/// Euro from cents: `12,50 €`, `1.234,00 €` / `€12.50`, `€1,234.00`
/// (with a no-break space before `€`).
pub(super) fn euro(lang: Lang, cents: u64) -> String {
    let (euros, cents) = (cents / 100, cents % 100);
    match lang {
        Lang::De => format!("{},{cents:02}{NBSP}€", grouped(lang, euros)),
        Lang::En => format!("€{}.{cents:02}", grouped(lang, euros)),
    }
}

/// A file size as the upload page shows it (`15 KB`, `1,5 MB`) and the
/// exact number of bytes, which a case worker can compare:
/// `1,5 MB (1.572.864 Bytes)`.
pub(super) fn file_size(lang: Lang, bytes: u64) -> String {
    const KB: u128 = 1024;
    const MB: u128 = 1024 * 1024;
    let b = u128::from(bytes);
    let short = if b < MB {
        format!("{}{NBSP}KB", b.div_ceil(KB).max(1))
    } else {
        // u128: no overflow for any u64.
        let tenths = (b * 10).div_ceil(MB);
        let sep = match lang {
            Lang::De => ',',
            Lang::En => '.',
        };
        format!("{}{sep}{}{NBSP}MB", tenths / 10, tenths % 10)
    };
    let unit = match (lang, bytes) {
        (Lang::De, 1) => "Byte",
        (Lang::De, _) => "Bytes",
        (Lang::En, 1) => "byte",
        (Lang::En, _) => "bytes",
    };
    format!("{short} ({}{NBSP}{unit})", grouped(lang, bytes))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    /// The texts with their no-break spaces shown as plain ones.
    fn plain(s: String) -> String {
        s.replace(NBSP, " ")
    }

    #[test]
    fn receipt_money_in_german_and_english() {
        assert_eq!(euro(Lang::De, 1250), "12,50\u{A0}€");
        assert_eq!(plain(euro(Lang::De, 1250)), "12,50 €");
        assert_eq!(plain(euro(Lang::De, 5)), "0,05 €");
        assert_eq!(plain(euro(Lang::De, 123_456_700)), "1.234.567,00 €");
        assert_eq!(plain(euro(Lang::En, 1250)), "€12.50");
        assert_eq!(plain(euro(Lang::En, 100_000)), "€1,000.00");
        assert_eq!(
            plain(euro(Lang::De, u64::MAX)),
            "184.467.440.737.095.516,15 €"
        );
    }

    #[test]
    fn receipt_sizes_show_the_exact_bytes() {
        assert_eq!(plain(file_size(Lang::De, 1)), "1 KB (1 Byte)");
        assert_eq!(plain(file_size(Lang::De, 15_000)), "15 KB (15.000 Bytes)");
        assert_eq!(
            plain(file_size(Lang::De, 1_572_864)),
            "1,5 MB (1.572.864 Bytes)"
        );
        assert_eq!(
            plain(file_size(Lang::En, 1_572_864)),
            "1.5 MB (1,572,864 bytes)"
        );
        // No overflow at the end of the range.
        assert!(plain(file_size(Lang::De, u64::MAX)).ends_with(" Bytes)"));
    }

    #[test]
    fn receipt_times_are_german_local_time() {
        // Winter: CET (UTC+1).
        assert_eq!(
            date_time(Lang::De, datetime!(2026-12-01 13:03:59 UTC)),
            "01.12.2026, 14:03 Uhr"
        );
        // Summer: CEST (UTC+2), also from another offset.
        assert_eq!(
            date_time(Lang::De, datetime!(2026-07-01 08:30 -04:00)),
            "01.07.2026, 14:30 Uhr"
        );
        assert_eq!(
            date_time(Lang::En, datetime!(2026-12-01 13:03 UTC)),
            "1 December 2026, 14:03 (German time)"
        );
        // The switch on the last Sunday of March, 01:00 UTC.
        assert_eq!(
            date_time(Lang::De, datetime!(2026-03-29 00:59 UTC)),
            "29.03.2026, 01:59 Uhr"
        );
        assert_eq!(
            date_time(Lang::De, datetime!(2026-03-29 01:00 UTC)),
            "29.03.2026, 03:00 Uhr"
        );
        // New Year's Eve in UTC is already the new year in Germany.
        assert_eq!(
            date_time(Lang::De, datetime!(2026-12-31 23:30 UTC)),
            "01.01.2027, 00:30 Uhr"
        );
    }

    #[test]
    fn receipt_page_numbers() {
        assert_eq!(page_of(Lang::De, 1, 3), "Seite 1 von 3");
        assert_eq!(page_of(Lang::En, 2, 3), "Page 2 of 3");
    }
}
