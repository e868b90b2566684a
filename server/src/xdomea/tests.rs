//! Tests of the xdomea module as its callers use it: messages valid
//! against the schema (xmllint), confirmations in both directions, the
//! package, and properties over arbitrary text and bytes. The unit tests of
//! single helpers live beside them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};

use proptest::{prelude::*, strategy::ValueTree};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, macros::datetime};
use uuid::Uuid;

use super::{
    schema_check,
    text::xml_text,
    xml::{self, Element, Limits},
    *,
};

// --- fixtures ---------------------------------------------------------------

const SUBMISSION: Uuid = Uuid::from_u128(0x4f1d3a6e_2b7c_4d8e_9f01_23456789abcd);

fn doc_id(n: u128) -> Uuid {
    Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 + n)
}

fn portal() -> Party {
    Party {
        name: "Amtsweg Thüringen".to_owned(),
        short_name: Some("Amtsweg".to_owned()),
        authority_id: Some(AuthorityId {
            key: Code {
                code: "amtsweg-th".to_owned(),
                list_uri: Some("urn:de:example:portale".to_owned()),
                list_version: Some("1".to_owned()),
            },
            prefix: None,
        }),
        unit: None,
        address: None,
    }
}

fn authority() -> Party {
    Party {
        name: "Stadtverwaltung Erfurt".to_owned(),
        short_name: None,
        authority_id: Some(AuthorityId {
            key: Code::new("160510000000"),
            prefix: Some(Code::new("ars:")),
        }),
        unit: Some("Wohngeldstelle".to_owned()),
        address: Some(Address {
            street: Some("Fischmarkt".to_owned()),
            house_number: Some("1".to_owned()),
            po_box: None,
            postal_code: Some("99084".to_owned()),
            city: Some("Erfurt".to_owned()),
            addition: None,
        }),
    }
}

fn document(
    n: u128,
    kind: DocumentKind,
    title: &str,
    name: &str,
    mime: &str,
    content: &[u8],
) -> PrimaryDocument {
    PrimaryDocument {
        id: doc_id(n),
        kind,
        title: title.to_owned(),
        original_name: name.to_owned(),
        mime_type: mime.to_owned(),
        format_version: (kind == DocumentKind::Receipt).then(|| "1.7".to_owned()),
        size: content.len() as u64,
        sha256: Sha256::digest(content).into(),
        created_at: None,
    }
}

/// A filing with the receipt, the data and the given attachments, and the
/// contents to go with it.
fn filing_with(attachments: &[(&str, &str, &[u8])]) -> (Filing, Vec<(Uuid, Vec<u8>)>) {
    let receipt = b"%PDF-1.7 receipt".to_vec();
    let data = br#"{"name":"Erika Mustermann"}"#.to_vec();
    let mut documents = vec![
        document(
            1,
            DocumentKind::Receipt,
            "Antrag (PDF)",
            "Antrag-AW-2026-000123.pdf",
            "application/pdf",
            &receipt,
        ),
        document(
            2,
            DocumentKind::Data,
            "Antragsdaten (JSON)",
            "Antragsdaten-AW-2026-000123.json",
            "application/json",
            &data,
        ),
    ];
    let mut contents = vec![(doc_id(1), receipt), (doc_id(2), data)];
    for (i, (name, mime, content)) in attachments.iter().enumerate() {
        let n = 10 + i as u128;
        let mut doc = document(n, DocumentKind::Attachment, "Nachweis", name, mime, content);
        doc.created_at = Some(datetime!(2026-03-01 09:00 +01:00));
        documents.push(doc);
        contents.push((doc_id(n), content.to_vec()));
    }
    let filing = Filing {
        id: SUBMISSION,
        created_at: datetime!(2026-03-01 10:00:05 +01:00),
        submitted_at: datetime!(2026-03-01 09:59:58 +01:00),
        sender: portal(),
        receiver: authority(),
        creator_id: "amtsweg".to_owned(),
        software_version: Some("0.1.0".to_owned()),
        container_id: None,
        location: None,
        form: FormInfo {
            id: "wohngeld".to_owned(),
            version: Some("2".to_owned()),
            title: "Antrag auf Wohngeld".to_owned(),
        },
        reference: "AW-2026-000123".to_owned(),
        retention: None,
        payment: None,
        documents,
    };
    (filing, contents)
}

fn borrowed(contents: &[(Uuid, Vec<u8>)]) -> Vec<(Uuid, &[u8])> {
    contents.iter().map(|(id, b)| (*id, b.as_slice())).collect()
}

fn payment() -> Payment {
    Payment {
        amount_cents: 2550,
        purpose: "Gebühr Wohngeld AW-2026-000123".to_owned(),
        transaction_id: "TX-42".to_owned(),
        paid_at: datetime!(2026-03-01 09:58 +01:00),
    }
}

/// Every kind of text a citizen or a configuration can put in.
const NASTY: &str =
    "Grüße <b>&amp;</b> \"x\" 'y' ]]> 🦀 \u{0}\u{7}\u{1b}\u{FFFE}\u{FFFF} a\r\nb\rc\td";

/// The variants every schema test covers.
fn variants() -> Vec<(&'static str, Filing)> {
    let mut out = Vec::new();
    out.push(("no-attachments", filing_with(&[]).0));
    out.push((
        "attachments",
        filing_with(&[
            ("Lohnnachweis März.pdf", "application/pdf", b"%PDF lohn"),
            ("Foto.JPEG", "image/jpeg", b"\xff\xd8jpeg"),
            (
                "Mietvertrag.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK docx",
            ),
            ("notiz", "application/octet-stream", b"?"),
            ("leer.txt", "text/plain", b""),
        ])
        .0,
    ));
    let mut paid = filing_with(&[("Beleg.png", "image/png", b"\x89PNG")]).0;
    paid.payment = Some(payment());
    paid.retention = Some(Retention::Years(10));
    paid.container_id = Some("AKTE-4711".to_owned());
    paid.location = Some("\\\\eakte\\eingang".to_owned());
    out.push(("payment", paid));
    let mut nasty = filing_with(&[(NASTY, NASTY, b"x")]).0;
    nasty.form.title = NASTY.to_owned();
    nasty.reference = format!("AW-2026-000123{NASTY}");
    nasty.sender.name = NASTY.to_owned();
    nasty.receiver.unit = Some(NASTY.to_owned());
    nasty.creator_id = NASTY.to_owned();
    nasty.documents[0].title = NASTY.to_owned();
    nasty.documents[0].format_version = Some(NASTY.to_owned());
    nasty.payment = Some(Payment {
        purpose: NASTY.to_owned(),
        transaction_id: NASTY.to_owned(),
        ..payment()
    });
    nasty.retention = Some(Retention::Unlimited);
    out.push(("nasty-text", nasty));
    let mut long = filing_with(&[(&"ä".repeat(2000), "application/pdf", b"p")]).0;
    long.form.title = "Ü".repeat(10_000);
    long.sender = Party {
        name: String::new(),
        ..Party::default()
    };
    long.software_version = None;
    long.form.version = None;
    out.push(("long-title", long));
    out
}

fn parse_tree(bytes: &[u8]) -> Element {
    xml::parse(
        bytes,
        Limits {
            max_bytes: 1 << 26,
            max_depth: 64,
            max_elements: 1 << 20,
        },
    )
    .expect("well-formed")
}

/// The element at `path` below `root` (first match at each step).
fn at<'a>(root: &'a Element, path: &[&str]) -> &'a Element {
    let mut current = root;
    for name in path {
        current = current
            .child(name)
            .unwrap_or_else(|| panic!("{name} missing in {path:?}"));
    }
    current
}

fn text_at(root: &Element, path: &[&str]) -> String {
    at(root, path).text.clone()
}

fn confirmation_fixture(name: &str) -> &'static [u8] {
    match name {
        "filed" => include_bytes!("fixtures/confirmation-filed.xml"),
        "rejected" => include_bytes!("fixtures/confirmation-rejected.xml"),
        _ => panic!("no fixture {name}"),
    }
}

fn sample_confirmations() -> Vec<(&'static str, ImportConfirmation)> {
    let message = parse_filing_message(&build_filing_message(&filing_with(&[]).0).unwrap())
        .expect("reads back");
    let at = datetime!(2026-03-02 08:00 +01:00);
    let mut long_text = ImportConfirmation::rejected(
        &message,
        at,
        vec![Feedback::Text(format!("{NASTY}{}", "x".repeat(5000)))],
    );
    long_text.fv_session_id = NASTY.to_owned();
    let mut batch = ImportConfirmation::filed(&message, at, None, None);
    batch.objects.push(ImportedObject {
        number_in_batch: Some(1),
        dms_id: Some(doc_id(99)),
        parameter: ReturnParameter::MarkedForDeletion(false),
        success: true,
        feedback: vec![],
    });
    batch.objects.push(ImportedObject {
        number_in_batch: Some(2),
        dms_id: None,
        parameter: ReturnParameter::Location("Eingang".to_owned()),
        success: true,
        feedback: vec![],
    });
    vec![
        (
            "filed",
            ImportConfirmation::filed(
                &message,
                at,
                Some(doc_id(77)),
                Some("51.10-0123/2026".to_owned()),
            ),
        ),
        ("filed-bare", batch),
        (
            "rejected",
            ImportConfirmation::rejected(
                &message,
                at,
                vec![
                    Feedback::General {
                        code: AllgemeineRueckmeldung::FILE_NOT_FOUND.to_owned(),
                    },
                    Feedback::Specific {
                        message_type: MESSAGE_TYPE_FILE.to_owned(),
                        code: SpezifischeFehlermeldung0605::FILE_NOT_FOUND.to_owned(),
                    },
                    Feedback::Specific {
                        message_type: "0612".to_owned(),
                        code: "0612001".to_owned(),
                    },
                    Feedback::OtherCode {
                        code: "E-17".to_owned(),
                        name: Some("Virenfund".to_owned()),
                        list_uri: "urn:de:example:dms-fehler".to_owned(),
                        list_version: "3".to_owned(),
                    },
                    Feedback::Text("Akte ist gesperrt".to_owned()),
                ],
            ),
        ),
        ("rejected-text", long_text),
    ]
}

// --- the schema -------------------------------------------------------------

#[test]
fn xdomea_every_message_is_valid_against_the_schema() {
    let mut documents: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, filing) in variants() {
        documents.push((
            format!("0605-{name}"),
            build_filing_message(&filing).unwrap(),
        ));
    }
    for (name, confirmation) in sample_confirmations() {
        documents.push((format!("0630-{name}"), confirmation.to_xml().unwrap()));
    }
    for name in ["filed", "rejected"] {
        documents.push((
            format!("0630-fixture-{name}"),
            confirmation_fixture(name).to_vec(),
        ));
    }
    // Random text too: 48 filings from the property test's generator.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for i in 0..48 {
        let texts = arbitrary_texts()
            .new_tree(&mut runner)
            .expect("generate")
            .current();
        documents.push((
            format!("0605-random-{i}"),
            build_filing_message(&filing_from_texts(&texts)).unwrap(),
        ));
    }
    schema_check::validate(&documents);
}

// --- the 0605 ---------------------------------------------------------------

#[test]
fn xdomea_filing_message_carries_identities_codes_and_metadata() {
    let (mut filing, _) = filing_with(&[("Foto.jpg", "image/jpeg", b"j")]);
    filing.payment = Some(payment());
    filing.retention = Some(Retention::Years(10));
    let bytes = build_filing_message(&filing).unwrap();
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let root = parse_tree(&bytes);
    assert_eq!(root.name, FILING_MESSAGE);
    assert!(root.in_xdomea);
    let id = SUBMISSION.hyphenated().to_string();
    assert_eq!(text_at(&root, &["Kopf", "ProzessID"]), id);
    assert_eq!(text_at(&root, &["Kopf", "Nachrichtentyp", "code"]), "0605");
    assert_eq!(
        at(&root, &["Kopf", "Nachrichtentyp"]).attribute("listURI"),
        Some("urn:xoev-de:xdomea:codeliste:nachrichtentyp")
    );
    assert_eq!(
        text_at(&root, &["Kopf", "Erstellungszeitpunkt"]),
        "2026-03-01T09:00:05Z"
    );
    assert_eq!(text_at(&root, &["Kopf", "Importbestaetigung"]), "1");
    assert_eq!(text_at(&root, &["Kopf", "Empfangsbestaetigung"]), "0");
    assert_eq!(text_at(&root, &["Kopf", "Stapel"]), "0");
    assert_eq!(
        text_at(
            &root,
            &["Kopf", "Empfaenger", "Behoerdenkennung", "Praefix", "code"]
        ),
        "ars:"
    );
    let sgo = at(&root, &["SchriftgutobjektZumAblegen"]);
    assert_eq!(text_at(sgo, &["FachverfahrenObjektID"]), id);
    let vorgang = at(sgo, &["Schriftgutobjekt", "Vorgang"]);
    assert_eq!(text_at(vorgang, &["Identifikation", "ID"]), id);
    assert_eq!(
        text_at(vorgang, &["AllgemeineMetadaten", "Betreff"]),
        "Antrag auf Wohngeld – AW-2026-000123"
    );
    let remark = text_at(vorgang, &["AllgemeineMetadaten", "Bemerkung"]);
    assert!(
        remark.contains("25,50 EUR") && remark.contains("TX-42"),
        "{remark}"
    );
    assert_eq!(
        text_at(
            vorgang,
            &[
                "ArchivspezifischeMetadaten",
                "Aufbewahrungsdauer",
                "AnzahlJahre"
            ]
        ),
        "10"
    );
    assert_eq!(text_at(vorgang, &["Laufzeit", "Beginn"]), "2026-03-01");

    let docs: Vec<&Element> = vorgang.children("Dokument").collect();
    assert_eq!(docs.len(), 3);
    let format = |d: &Element| text_at(d, &["Version", "Format", "Name", "code"]);
    assert_eq!(format(docs[0]), "044", "the receipt is PDF/A");
    assert_eq!(format(docs[1]), "100");
    assert_eq!(
        text_at(docs[1], &["Version", "Format", "SonstigerName"]),
        "json"
    );
    assert_eq!(format(docs[2]), "011");
    for (i, d) in docs.iter().enumerate() {
        assert_eq!(
            text_at(d, &["Identifikation", "NummerImUebergeordnetenContainer"]),
            (i + 1).to_string()
        );
        assert_eq!(text_at(d, &["FremdesGeschaeftszeichen"]), "AW-2026-000123");
        assert_eq!(text_at(d, &["Posteingangsdatum"]), "2026-03-01");
        assert_eq!(
            text_at(d, &["Identifikation", "ID"]),
            filing.documents[i].id.hyphenated().to_string()
        );
        assert_eq!(
            text_at(d, &["Version", "Format", "Primaerdokument", "Dateiname"]),
            filing.documents[i].file_name()
        );
    }
    assert_eq!(text_at(docs[0], &["Typ"]), "Antrag");
    assert_eq!(text_at(docs[2], &["Typ"]), "Anlage");
    // The citizen's upload has no author; the portal's files do.
    assert!(
        at(docs[2], &["Version", "Format", "Primaerdokument"])
            .child("Ersteller")
            .is_none()
    );

    let message = parse_filing_message(&bytes).unwrap();
    assert_eq!(message.process_id, SUBMISSION);
    assert_eq!(message.record_id, SUBMISSION);
    assert_eq!(message.object_id, id);
    assert_eq!(message.reference.as_deref(), Some("AW-2026-000123"));
    assert_eq!(message.receiver, filing.receiver);
    assert_eq!(message.sender, filing.sender);
    assert_eq!(
        message.created_at,
        filing.created_at.replace_nanosecond(0).unwrap()
    );
    for (read, doc) in message.documents.iter().zip(&filing.documents) {
        assert_eq!(read.id, doc.id);
        assert_eq!(read.file_name, doc.file_name());
        assert_eq!(read.size, Some(doc.size));
        assert_eq!(read.sha256, Some(doc.sha256));
        assert_eq!(read.mime_type.as_deref(), Some(doc.mime_type.as_str()));
        assert_eq!(
            read.original_name.as_deref(),
            Some(doc.original_name.as_str())
        );
    }
}

#[test]
fn xdomea_filing_message_escapes_and_cleans_user_text() {
    let (_, nasty) = variants()
        .into_iter()
        .find(|(n, _)| *n == "nasty-text")
        .unwrap();
    let bytes = build_filing_message(&nasty).unwrap();
    let xml = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(
        xml.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;"),
        "markup is escaped"
    );
    assert!(!xml.contains("<b>"));
    for c in xml.chars() {
        assert!(
            super::text::is_xml_char(c) && c != '\r',
            "XML 1.0 forbids {:?}",
            c
        );
    }
    let message = parse_filing_message(&bytes).unwrap();
    assert_eq!(
        message.subject.as_deref(),
        Some(xml_text(&nasty.subject()).as_ref())
    );
    let attachment = &message.documents[2];
    assert_eq!(
        attachment.original_name.as_deref(),
        Some(xml_text(NASTY).as_ref())
    );
    assert!(
        attachment
            .file_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
        "{}",
        attachment.file_name
    );
}

#[test]
fn xdomea_filing_message_refuses_what_it_cannot_carry() {
    let (mut filing, _) = filing_with(&[("a.pdf", "application/pdf", b"a")]);
    filing.documents[2].id = filing.documents[0].id;
    assert_eq!(
        build_filing_message(&filing),
        Err(Error::DuplicateDocument {
            id: filing.documents[0].id
        })
    );
    let (mut filing, _) = filing_with(&[]);
    filing.created_at = datetime!(-0100-01-01 00:00 UTC);
    assert!(matches!(
        build_filing_message(&filing),
        Err(Error::TimeOutOfRange { .. })
    ));
    let (mut filing, _) = filing_with(&[]);
    filing.payment = Some(Payment {
        paid_at: OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT),
        ..payment()
    });
    assert!(matches!(
        build_filing_message(&filing),
        Err(Error::TimeOutOfRange { .. })
    ));
}

#[test]
fn xdomea_filing_message_reader_rejects_bad_input() {
    let good = String::from_utf8(build_filing_message(&filing_with(&[]).0).unwrap()).unwrap();
    let confirmation = confirmation_fixture("filed");
    assert!(matches!(
        parse_filing_message(confirmation),
        Err(Error::WrongMessage { .. })
    ));
    let traversal = good.replacen(
        &format!("{}_Antrag", doc_id(1).hyphenated()),
        &format!("{}/../../Antrag", doc_id(1).hyphenated()),
        1,
    );
    assert!(matches!(
        parse_filing_message(traversal.as_bytes()),
        Err(Error::Invalid { .. })
    ));
    let akte = good
        .replace("<xdomea:Vorgang>", "<xdomea:Akte>")
        .replace("</xdomea:Vorgang>", "</xdomea:Akte>");
    assert!(matches!(
        parse_filing_message(akte.as_bytes()),
        Err(Error::Invalid { .. })
    ));
}

// --- the 0630 ---------------------------------------------------------------

#[test]
fn xdomea_confirmations_round_trip() {
    for (name, confirmation) in sample_confirmations() {
        let xml = confirmation.to_xml().unwrap();
        let read = ImportConfirmation::parse(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut expected = confirmation.clone();
        // Text reads back as the writer cleaned it.
        for f in expected.message_feedback.iter_mut().chain(
            expected
                .objects
                .iter_mut()
                .flat_map(|o| o.feedback.iter_mut()),
        ) {
            if let Feedback::Text(t) = f {
                *t = xml_text(t).into_owned();
            }
        }
        expected.fv_session_id = xml_text(&expected.fv_session_id).into_owned();
        assert_eq!(read, expected, "{name}");
    }
}

#[test]
fn xdomea_positive_confirmation_gives_the_e_file_ids() {
    let (_, filed) = sample_confirmations().remove(0);
    let read = ImportConfirmation::parse(&filed.to_xml().unwrap()).unwrap();
    assert_eq!(read.process_id, SUBMISSION);
    assert_eq!(
        read.file_name(),
        format!("{SUBMISSION}_FVDaten.ImportBestaetigen.0630.xml")
    );
    assert_eq!(
        read.outcome(),
        ImportOutcome::Filed {
            object_id: SUBMISSION,
            dms_id: Some(doc_id(77)),
            file_reference: Some("51.10-0123/2026".to_owned()),
            location: None,
        }
    );
    // The authority answers the portal.
    assert_eq!(read.sender.name, "Stadtverwaltung Erfurt");
    assert_eq!(read.receiver.name, "Amtsweg Thüringen");

    let fixture = ImportConfirmation::parse(confirmation_fixture("filed")).unwrap();
    assert_eq!(
        fixture.outcome(),
        ImportOutcome::Filed {
            object_id: SUBMISSION,
            dms_id: Some(Uuid::from_u128(0x9a8b7c6d_5e4f_4a3b_8c2d_1e0f9a8b7c6d)),
            file_reference: Some("51.10-0123/2026 & 2".to_owned()),
            location: Some("Wohngeld/2026/März".to_owned()),
        }
    );
    assert_eq!(fixture.created_at, datetime!(2026-03-02 08:15 +01:00));
    assert_eq!(fixture.outcome().reason_de(), None);
}

#[test]
fn xdomea_negative_confirmation_gives_the_reason() {
    let (_, rejected) = sample_confirmations().remove(2);
    let read = ImportConfirmation::parse(&rejected.to_xml().unwrap()).unwrap();
    let ImportOutcome::Rejected { object_id, reasons } = read.outcome() else {
        panic!("not rejected");
    };
    assert_eq!(object_id, SUBMISSION);
    // Message and object level say the same; each reason counts once.
    assert_eq!(reasons.len(), 5);
    let text = read.outcome().reason_de().unwrap();
    assert!(text.contains("Die Datei kann im Rahmen"), "{text}");
    assert!(
        text.contains("Datei kann nicht gefunden werden. (0605004)"),
        "{text}"
    );
    assert!(text.contains("Virenfund (E-17)"), "{text}");
    assert!(text.contains("Akte ist gesperrt"), "{text}");

    let fixture = ImportConfirmation::parse(confirmation_fixture("rejected")).unwrap();
    // An upper-case UUID is still the submission's.
    assert_eq!(fixture.process_id, SUBMISSION);
    let reason = fixture.outcome().reason_de().unwrap();
    assert!(reason.contains("Anlage 2 fehlt im Paket."), "{reason}");
    assert!(reason.contains("0605004"), "{reason}");
}

/// The positive fixture with `from` replaced by `to`.
fn filed_with(from: &str, to: &str) -> Vec<u8> {
    let fixture = std::str::from_utf8(confirmation_fixture("filed")).unwrap();
    assert!(fixture.contains(from), "{from}");
    fixture.replacen(from, to, 1).into_bytes()
}

#[test]
fn xdomea_bad_confirmations_give_precise_errors() {
    let parse = ImportConfirmation::parse;
    assert!(matches!(
        parse(b"not xml at all"),
        Err(Error::NotXml { .. })
    ));
    assert!(matches!(parse(b"\xc3\x28<a/>"), Err(Error::NotXml { .. })));
    assert!(matches!(parse(b""), Err(Error::NotXml { .. })));
    let message = build_filing_message(&filing_with(&[]).0).unwrap();
    assert_eq!(
        parse(&message).err(),
        Some(Error::WrongMessage {
            expected: CONFIRMATION_MESSAGE,
            found: FILING_MESSAGE.to_owned()
        })
    );
    assert!(matches!(
        parse(&filed_with(
            "xmlns:xdo=\"urn:xoev-de:xdomea:schema:3.0.0\"",
            "xmlns:xdo=\"urn:xoev-de:xdomea:schema:2.4.0\""
        )),
        Err(Error::WrongMessage { .. })
    ));
    assert_eq!(
        parse(&filed_with("<code>0630</code>", "<code>0629</code>")).err(),
        Some(Error::WrongMessageType {
            expected: "0630",
            found: "0629".to_owned()
        })
    );
    assert_eq!(
        parse(&filed_with(
            "<xdo:ProzessID>4f1d3a6e-2b7c-4d8e-9f01-23456789abcd</xdo:ProzessID>",
            ""
        ))
        .err(),
        Some(Error::Missing {
            path: "FVDaten.ImportBestaetigen.0630/Kopf/ProzessID".to_owned()
        })
    );
    let bad_uuid = parse(&filed_with(
        "4f1d3a6e-2b7c-4d8e-9f01-23456789abcd",
        "4f1d3a6e-2b7c",
    ));
    assert!(
        matches!(&bad_uuid, Err(Error::Invalid { path, .. }) if path.ends_with("Kopf/ProzessID")),
        "{bad_uuid:?}"
    );
    assert!(matches!(
        parse(&filed_with("2026-03-02T08:15:00+01:00", "morgen")),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        parse(&filed_with("<xdo:Erfolgreich>true</xdo:Erfolgreich>", "<xdo:Erfolgreich>ja</xdo:Erfolgreich>")),
        Err(Error::Invalid { path, .. }) if path.ends_with("Rueckgabeparameter[1]/Erfolgreich")
    ));
    assert!(matches!(
        parse(&filed_with("<xdo:Erfolgreich>true</xdo:Erfolgreich>", "")),
        Err(Error::Missing { path }) if path.ends_with("Rueckgabeparameter[1]/Erfolgreich")
    ));
    assert!(matches!(
        parse(&filed_with("<xdo:IDSGO>9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d</xdo:IDSGO>", "<xdo:IDSGO>x</xdo:IDSGO>")),
        Err(Error::Invalid { path, .. }) if path.ends_with("IDSGO")
    ));
    assert!(matches!(
        parse(&filed_with(
            "<xdo:AllgemeineRueckmeldung><code>0000000</code></xdo:AllgemeineRueckmeldung>",
            "<xdo:Unbekannt/>"
        )),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        parse(&filed_with(
            "<xdo:Rueckmeldung>\n      <xdo:AllgemeineRueckmeldung><code>0000000</code></xdo:AllgemeineRueckmeldung>\n    </xdo:Rueckmeldung>",
            ""
        )),
        Err(Error::Missing { path }) if path.ends_with("ErfolgOderMisserfolg/Rueckmeldung")
    ));
    // A failure without any reason.
    assert_eq!(
        parse(&filed_with(
            "<xdo:Erfolgreich>true</xdo:Erfolgreich>",
            "<xdo:Erfolgreich>false</xdo:Erfolgreich>"
        ))
        .err(),
        Some(Error::MissingReason)
    );
    assert_eq!(
        parse(&filed_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]>"
        ))
        .err(),
        Some(Error::DoctypeNotAllowed)
    );
    let huge = vec![b' '; MAX_CONFIRMATION_BYTES + 1];
    assert_eq!(
        parse(&huge).err(),
        Some(Error::TooLarge {
            size: MAX_CONFIRMATION_BYTES as u64 + 1,
            limit: MAX_CONFIRMATION_BYTES as u64
        })
    );
    let bomb = format!(
        "<xdomea:FVDaten.ImportBestaetigen.0630 xmlns:xdomea=\"{NAMESPACE}\">{}</xdomea:FVDaten.ImportBestaetigen.0630>",
        "<a>".repeat(100) + &"</a>".repeat(100)
    );
    assert!(matches!(parse(bomb.as_bytes()), Err(Error::TooDeep { .. })));
}

#[test]
fn xdomea_confirmation_builder_refuses_what_the_schema_cannot_carry() {
    let (_, mut confirmation) = sample_confirmations().remove(0);
    confirmation.objects[0].feedback.push(Feedback::success());
    assert!(matches!(confirmation.to_xml(), Err(Error::Invalid { .. })));
    let (_, mut confirmation) = sample_confirmations().remove(0);
    confirmation.message_feedback.clear();
    assert!(matches!(confirmation.to_xml(), Err(Error::Missing { .. })));
    let (_, mut confirmation) = sample_confirmations().remove(0);
    confirmation.message_feedback[0] = Feedback::Specific {
        message_type: "0630".to_owned(),
        code: "1".to_owned(),
    };
    assert!(matches!(confirmation.to_xml(), Err(Error::Invalid { .. })));
}

// --- the package ------------------------------------------------------------

fn sample_package() -> (Filing, Vec<(Uuid, Vec<u8>)>) {
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (mut filing, mut contents) = filing_with(&[
        ("Lohnnachweis März.pdf", "application/pdf", b"%PDF lohn"),
        ("Erklärung.txt", "text/plain", "Ich erkläre …".as_bytes()),
        ("../Bescheid..alt.pdf", "application/pdf", b"%PDF alt"),
    ]);
    let scan = document(
        20,
        DocumentKind::Attachment,
        "Scan",
        "scan.tiff",
        "image/tiff",
        &big,
    );
    filing.documents.push(scan);
    contents.push((doc_id(20), big));
    (filing, contents)
}

#[test]
fn xdomea_package_round_trips_with_prescribed_names() {
    let (filing, contents) = sample_package();
    let package = build_package(&filing, &borrowed(&contents)).unwrap();
    assert_eq!(
        package.file_name,
        "4f1d3a6e-2b7c-4d8e-9f01-23456789abcd_FVDaten.SGOAblegen.0605.zip"
    );
    let mut archive = zip::ZipArchive::new(Cursor::new(&package.bytes)).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    let mut expected =
        vec!["4f1d3a6e-2b7c-4d8e-9f01-23456789abcd_FVDaten.SGOAblegen.0605.xml".to_owned()];
    expected.extend(filing.documents.iter().map(PrimaryDocument::file_name));
    assert_eq!(
        names, expected,
        "the message first, then the documents in order"
    );
    assert_eq!(
        names[3],
        format!("{}_Lohnnachweis_Maerz.pdf", doc_id(10).hyphenated())
    );
    let first = archive.by_index(0).unwrap();
    assert_eq!(
        first
            .last_modified()
            .map(|t| (t.year(), t.month(), t.day(), t.hour(), t.minute())),
        Some((2026, 3, 1, 10, 0)),
        "ZIP times come from the filing"
    );
    drop(first);

    let read = read_package(&package.bytes).unwrap();
    assert_eq!(read.message_xml, build_filing_message(&filing).unwrap());
    assert_eq!(read.message.process_id, SUBMISSION);
    assert_eq!(read.files.len(), filing.documents.len());
    for (file, (doc, (_, content))) in read
        .files
        .iter()
        .zip(filing.documents.iter().zip(&contents))
    {
        assert_eq!(file.name, doc.file_name());
        assert_eq!(&file.bytes, content);
    }
}

#[test]
fn xdomea_package_is_deterministic_and_streams() {
    let (filing, contents) = sample_package();
    let once = build_package(&filing, &borrowed(&contents)).unwrap();
    // Files given in another order change nothing.
    let mut reversed = borrowed(&contents);
    reversed.reverse();
    let twice = build_package(&filing, &reversed).unwrap();
    assert_eq!(once, twice, "same filing, same bytes");

    // The streaming writer over a file-like sink gives the same bytes.
    let streamed = write_package(&filing, Cursor::new(Vec::new()), |doc| {
        let (_, content) = contents.iter().find(|(id, _)| *id == doc.id).unwrap();
        Ok(Cursor::new(content.clone()))
    })
    .unwrap()
    .into_inner();
    assert_eq!(streamed, once.bytes);

    let mut later = filing.clone();
    later.created_at = datetime!(2026-03-05 12:00 +01:00);
    assert_ne!(
        build_package(&later, &borrowed(&contents)).unwrap().bytes,
        once.bytes
    );
}

#[test]
fn xdomea_package_checks_the_contents_against_the_filing() {
    let (filing, contents) = sample_package();
    let mut files = borrowed(&contents);
    files.pop();
    assert!(matches!(
        build_package(&filing, &files),
        Err(Error::MissingContent { id, .. }) if id == doc_id(20)
    ));
    let mut files = borrowed(&contents);
    files.push((doc_id(500), b"x"));
    assert_eq!(
        build_package(&filing, &files).err(),
        Some(Error::UnknownContent { id: doc_id(500) })
    );
    let mut files = borrowed(&contents);
    files[0].1 = b"%PDF-1.7 receipX";
    assert!(matches!(
        build_package(&filing, &files),
        Err(Error::ContentMismatch { detail, .. }) if detail.contains("SHA-256")
    ));
    let mut files = borrowed(&contents);
    files[0].1 = b"short";
    assert!(matches!(
        build_package(&filing, &files),
        Err(Error::ContentMismatch { detail, .. }) if detail.contains("bytes")
    ));
    let failing = write_package(&filing, Cursor::new(Vec::new()), |_| {
        Err::<&[u8], _>(std::io::Error::other("disk gone"))
    });
    assert!(matches!(failing, Err(Error::Io { detail }) if detail.contains("disk gone")));
}

/// A ZIP with the given entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn xdomea_package_reader_rejects_bad_packages() {
    let (filing, contents) = filing_with(&[]);
    let message = build_filing_message(&filing).unwrap();
    let message_name = message_file_name(SUBMISSION);
    let receipt = filing.documents[0].file_name();
    let data = filing.documents[1].file_name();

    assert!(matches!(
        read_package(b"PK\x03\x04 no zip"),
        Err(Error::NotZip { .. })
    ));
    assert_eq!(
        read_package(&zip_of(&[("other.xml", &message)])).err(),
        Some(Error::MessageFile {
            expected: FILING_MESSAGE,
            found: 0
        })
    );
    assert_eq!(
        read_package(&zip_of(&[
            (&message_name, &message),
            (&receipt, &contents[0].1)
        ]))
        .err(),
        Some(Error::MissingFile {
            file_name: data.clone()
        })
    );
    assert_eq!(
        read_package(&zip_of(&[
            (&message_name, &message),
            (&receipt, &contents[0].1),
            (&data, &contents[1].1),
            ("extra.exe", b"MZ"),
        ]))
        .err(),
        Some(Error::UnexpectedFile {
            file_name: "extra.exe".to_owned()
        })
    );
    assert!(matches!(
        read_package(&zip_of(&[
            (&message_name, &message),
            (&receipt, b"tampered"),
            (&data, &contents[1].1),
        ])),
        Err(Error::ContentMismatch { .. })
    ));
    let other_id = message_file_name(doc_id(5));
    assert!(matches!(
        read_package(&zip_of(&[
            (&other_id, &message),
            (&receipt, &contents[0].1),
            (&data, &contents[1].1),
        ])),
        Err(Error::Invalid { .. })
    ));
}

// --- properties -------------------------------------------------------------

/// Texts for every user-controlled field of a filing.
#[derive(Debug, Clone)]
struct Texts {
    title: String,
    reference: String,
    names: Vec<String>,
    party: String,
    purpose: String,
}

fn arbitrary_texts() -> impl Strategy<Value = Texts> {
    (
        any::<String>(),
        any::<String>(),
        proptest::collection::vec(any::<String>(), 0..4),
        any::<String>(),
        any::<String>(),
    )
        .prop_map(|(title, reference, names, party, purpose)| Texts {
            title,
            reference,
            names,
            party,
            purpose,
        })
}

fn filing_from_texts(texts: &Texts) -> Filing {
    let (mut filing, _) = filing_with(&[]);
    filing.form.title = texts.title.clone();
    filing.reference = texts.reference.clone();
    filing.sender.name = texts.party.clone();
    filing.payment = Some(Payment {
        purpose: texts.purpose.clone(),
        ..payment()
    });
    for (i, name) in texts.names.iter().enumerate() {
        filing.documents.push(document(
            100 + i as u128,
            DocumentKind::Attachment,
            name,
            name,
            name,
            b"x",
        ));
    }
    filing
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn xdomea_arbitrary_text_always_reads_back(texts in arbitrary_texts()) {
        let filing = filing_from_texts(&texts);
        let bytes = build_filing_message(&filing).unwrap();
        let message = parse_filing_message(&bytes).unwrap();
        prop_assert_eq!(message.subject, Some(xml_text(&filing.subject()).into_owned()));
        prop_assert_eq!(message.sender.name, xml_text(&texts.party).into_owned());
        prop_assert_eq!(message.documents.len(), filing.documents.len());
        for (read, doc) in message.documents.iter().zip(&filing.documents) {
            let original = xml_text(&doc.original_name);
            prop_assert_eq!(read.original_name.as_deref(), Some(original.as_ref()));
            prop_assert_eq!(&read.file_name, &doc.file_name());
        }
    }

    #[test]
    fn xdomea_readers_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = ImportConfirmation::parse(&bytes);
        let _ = parse_filing_message(&bytes);
        let _ = read_package(&bytes);
    }

    #[test]
    fn xdomea_confirmation_reader_never_panics_on_damaged_messages(
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        // Damage a real confirmation: far more interesting than noise.
        let mut bytes = confirmation_fixture("rejected").to_vec();
        for (at, byte) in cuts {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Ok(confirmation) = ImportConfirmation::parse(&bytes) {
            // What parses keeps the promise: a rejection has a reason.
            if let ImportOutcome::Rejected { reasons, .. } = confirmation.outcome() {
                prop_assert!(!reasons.is_empty());
            }
        }
    }
}
