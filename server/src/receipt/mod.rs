//! The receipt PDF ("Eingangsbestätigung") that goes to the citizen and,
//! inside the xdomea package, into the authority's e-file with every
//! submitted application: [`render`] turns a [`Receipt`] into a PDF/A-2b
//! that is also tagged as PDF/UA-1 (docs/architecture.md, "The receipt
//! PDF").
//!
//! This module owns what the receipt shows and how: the texts (`texts`),
//! the font (`fonts`), line wrapping (`wrap`), page layout (`layout`) and
//! the PDF (`pdf`, with krilla). It is pure: no database, no network, no
//! clock: the outbox worker gathers the data and calls [`render`]; the
//! same input gives the same bytes, so a redelivered package is
//! identical. It must not hold the machine-readable data (that is the
//! package's JSON) nor decide what the answers are (that is
//! `amtsweg_forms::Form::summary`, shown exactly as on "check your
//! answers").

mod fonts;
mod layout;
mod pdf;
mod texts;
pub mod wrap;

#[cfg(test)]
mod tests;

use amtsweg_forms::{Lang, SummarySection};
use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::reference::ReferenceNumber;
use fonts::Fonts;
use layout::{Builder, Kind, Node};

/// Everything the receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The language of the receipt's own texts (the answers are shown as
    /// given).
    pub lang: Lang,
    /// The form's title, in `lang`.
    pub form_title: String,
    pub reference: ReferenceNumber,
    /// The receiving authority's name.
    pub authority: String,
    /// When the submission was stored; shown in German local time, and the
    /// PDF's creation date.
    pub submitted_at: OffsetDateTime,
    /// The submission's id (the delivery's idempotency key); the PDF's
    /// document id derives from it.
    pub submission_id: Uuid,
    /// The answers, as `Form::summary` gives them for "check your answers".
    pub sections: Vec<SummarySection>,
    pub attachments: Vec<ReceiptAttachment>,
    /// The fee paid, if the form has one.
    pub payment: Option<ReceiptPayment>,
}

/// One uploaded file as the receipt lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptAttachment {
    /// The original (sanitized) file name, as the citizen saw it.
    pub file_name: String,
    pub size_bytes: u64,
    /// The detected media type, e.g. `application/pdf`.
    pub media_type: String,
    /// SHA-256 of the content, lower-case hex (as stored with the upload).
    pub sha256: String,
}

/// The fee payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPayment {
    /// In euro cents: integer money, formatted only here (`12,50 €`).
    pub amount_cents: u64,
    /// The purpose as sent to the payment provider.
    pub purpose: String,
    /// The provider's transaction id.
    pub transaction_id: String,
    pub paid_at: OffsetDateTime,
}

/// Why a receipt could not be rendered. None of these carries the
/// citizen's answers, so they may be logged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptError {
    /// The font compiled into the binary could not be read (a broken
    /// build, not bad input).
    #[error("the receipt's embedded font cannot be read")]
    Font,
    /// The submission time is outside the years a PDF date can hold.
    #[error("the submission time is outside the years 0 to 9999")]
    SubmittedAt,
    /// krilla refused to write the document (e.g. a PDF/A rule broken).
    #[error("the receipt PDF cannot be written: {0}")]
    Pdf(String),
}

/// The receipt as PDF/A-2b (tagged, PDF/UA-1), A4, German or English.
pub fn render(receipt: &Receipt) -> Result<Vec<u8>, ReceiptError> {
    let fonts = Fonts::get().ok_or(ReceiptError::Font)?;
    if !(0..=9999).contains(&receipt.submitted_at.to_offset(time::UtcOffset::UTC).year()) {
        return Err(ReceiptError::SubmittedAt);
    }
    let t = texts::texts(receipt.lang);
    let reference = receipt.reference.to_string();
    let (layout, outline) = compose(receipt, fonts, &reference);
    let title = format!(
        "{} {reference}: {}",
        t.receipt,
        metadata_text(&receipt.form_title)
    );
    let info = pdf::Info {
        title: &title,
        subject: &format!("{} {reference}", t.receipt),
        lang: receipt.lang.tag(),
        created: receipt.submitted_at,
        document_id: format!("amtsweg-receipt-{}", receipt.submission_id),
    };
    pdf::paint(fonts, &layout, &outline, &info)
}

/// A step of the answers, sanitized for drawing.
struct Section {
    title: String,
    /// For the structure and the outline.
    heading_title: String,
    /// Label and value.
    rows: Vec<(String, String)>,
}

/// What is on the receipt, in reading order.
fn compose(
    receipt: &Receipt,
    fonts: &Fonts,
    reference: &str,
) -> (layout::Layout, Vec<layout::Bookmark>) {
    let lang = receipt.lang;
    let t = texts::texts(lang);
    let mut replaced = false;
    let mut clean = |s: &str| {
        let (text, r) = fonts.sanitize(s);
        replaced |= r;
        text
    };

    // Sanitize first, so that the note on replaced characters can stand
    // at the top.
    let form_title = clean(&receipt.form_title);
    let facts = [
        (t.reference, reference.to_string()),
        (t.authority, clean(&receipt.authority)),
        (t.submitted_at, texts::date_time(lang, receipt.submitted_at)),
        (t.submission_id, receipt.submission_id.to_string()),
    ];
    let sections: Vec<Section> = receipt
        .sections
        .iter()
        .map(|s| {
            let rows = s
                .rows
                .iter()
                .map(|r| (clean(&r.label), clean(&r.value)))
                .collect();
            Section {
                title: clean(&s.title),
                heading_title: heading_title(&s.title, t.answers),
                rows,
            }
        })
        .collect();
    let attachments: Vec<[String; 4]> = receipt
        .attachments
        .iter()
        .map(|a| {
            [
                clean(&a.file_name),
                texts::file_size(lang, a.size_bytes),
                clean(&a.media_type),
                clean(&a.sha256),
            ]
        })
        .collect();
    let payment = receipt.payment.as_ref().map(|p| {
        [
            (t.amount, texts::euro(lang, p.amount_cents)),
            (t.purpose, clean(&p.purpose)),
            (t.transaction, clean(&p.transaction_id)),
            (t.paid_at, texts::date_time(lang, p.paid_at)),
        ]
    });

    let mut b = Builder::new(fonts);
    let mut structure = Vec::new();
    structure.push(b.kicker(t.receipt));
    let (h1, mut top) = b.heading(
        1,
        &form_title,
        &heading_title(&receipt.form_title, t.receipt),
    );
    structure.push(h1);
    structure.push(b.body(t.intro));
    if replaced {
        structure.push(b.note(t.substitute_note));
    }
    structure.push(b.pairs(facts.iter().map(|(l, v)| (*l, v.as_str()))));

    // The answers: one section per step, each a table of label and value.
    let (h2, mut answers_mark) = b.heading(2, t.answers, t.answers);
    let mut answers = vec![h2];
    if sections.iter().all(|s| s.rows.is_empty()) {
        answers.push(b.body(t.nothing_answered));
    }
    for section in &sections {
        if section.rows.is_empty() {
            continue;
        }
        let (h3, mark) = b.heading(3, &section.title, &section.heading_title);
        answers_mark.children.push(mark);
        let table = b.pairs(section.rows.iter().map(|(l, v)| (l.as_str(), v.as_str())));
        answers.push(Node::Group(Kind::Section, vec![h3, table]));
    }
    top.children.push(answers_mark);
    structure.push(Node::Group(Kind::Section, answers));

    let (h2, mark) = b.heading(2, t.attachments, t.attachments);
    top.children.push(mark);
    let list = if attachments.is_empty() {
        b.body(t.no_attachments)
    } else {
        let rows: Vec<Vec<&str>> = attachments
            .iter()
            .map(|a| a.iter().map(String::as_str).collect())
            .collect();
        b.grid(
            &[3.0, 2.0, 1.8, 3.2],
            &[t.file_name, t.file_size, t.file_type, t.file_sha256],
            &rows,
        )
    };
    structure.push(Node::Group(Kind::Section, vec![h2, list]));

    if let Some(rows) = &payment {
        let (h2, mark) = b.heading(2, t.payment, t.payment);
        top.children.push(mark);
        let table = b.pairs(rows.iter().map(|(l, v)| (*l, v.as_str())));
        structure.push(Node::Group(Kind::Section, vec![h2, table]));
    }

    let footer_left = format!("{} {reference}", t.receipt);
    let layout = b.finish(structure, &footer_left, |page, pages| {
        texts::page_of(lang, page, pages)
    });
    (layout, vec![top])
}

/// A heading's title for the structure and the outline; PDF/UA wants one
/// that is not empty, so an empty heading is titled `fallback`.
fn heading_title(s: &str, fallback: &str) -> String {
    let title = metadata_text(s);
    if title.trim().is_empty() {
        fallback.to_string()
    } else {
        title
    }
}

/// A text for the PDF's metadata, a heading's title or a bookmark: no
/// font needed there, so it keeps every letter; only control characters
/// go, and it stays well below PDF's string limit.
fn metadata_text(s: &str) -> String {
    const MAX_CHARS: usize = 1000;
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_CHARS)
        .collect();
    if s.chars().count() > MAX_CHARS {
        out.push('…');
    }
    out
}
