//! The package of one submission, as a file: the receipt PDF, the
//! machine-readable data (JSON) and every attachment in the xdomea ZIP
//! `{UUID}_FVDaten.SGOAblegen.0605.zip`, written atomically into
//! `$AMTSWEG_DATA_DIR/packages/` (temporary file, fsync, rename).
//!
//! Everything in it is a pure function of what was stored at submit time:
//! the message's creation time is the submission time and every document's
//! UUID is derived from the submission's (UUID v5), so a package built
//! again after a crash is byte for byte the one built before. A package
//! that is already there with the recorded hash is used as it is.
//!
//! Building reads files and renders a PDF, so it runs on a blocking
//! thread ([`build`] is `async` around it).

use std::{
    fs::{self, File},
    io::{self, Read, Write},
    path::{Path, PathBuf},
};

use amtsweg_forms::{FieldType, FormDefinition, Lang};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{DeliveryError, authorities::Authority, authorities::Sender};
use crate::{
    receipt::{self, Receipt, ReceiptAttachment},
    resume::german_time,
    store::DeliveryRecord,
    uploads::{UploadRecord, UploadStorage},
    xdomea::{self, DocumentKind, Filing, FormInfo, PrimaryDocument},
};

/// The package on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPackage {
    /// `{UUID}_FVDaten.SGOAblegen.0605.zip`.
    pub name: String,
    pub path: PathBuf,
    /// SHA-256 of the ZIP, hex.
    pub sha256: String,
    pub size: u64,
    /// What the database keeps as the audit of the delivery.
    pub hashes: Value,
}

/// One attachment: its upload and where its bytes are.
#[derive(Debug, Clone)]
struct Attachment {
    record: UploadRecord,
    path: PathBuf,
    /// The label of the field it was uploaded to (German).
    field_label: String,
}

/// `$AMTSWEG_DATA_DIR/packages`.
pub fn packages_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("packages")
}

/// A document's UUID, the same each time for the same submission.
fn document_id(submission: Uuid, what: &str) -> Uuid {
    Uuid::new_v5(&submission, what.as_bytes())
}

fn sha256_of_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// The upload ids the submitted answers refer to, in field order (only
/// top-level fields can be file fields).
fn attachment_ids(definition: &FormDefinition, answers: &Value) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    for step in &definition.steps {
        for field in step.fields.iter().filter(|f| f.kind == FieldType::File) {
            let files = match answers.get(&field.id) {
                Some(Value::Array(list)) => list.clone(),
                Some(one @ Value::Object(_)) => vec![one.clone()],
                _ => continue,
            };
            for file in files {
                if let Some(id) = file.get("id").and_then(Value::as_str) {
                    ids.push((id.to_owned(), field.label.de.clone()));
                }
            }
        }
    }
    ids
}

/// The uploads the submission's answers refer to.
async fn attachments(
    definition: &FormDefinition,
    record: &DeliveryRecord,
    uploads: &UploadStorage,
) -> Result<Vec<Attachment>, DeliveryError> {
    let mut list = Vec::new();
    for (upload_id, field_label) in attachment_ids(definition, &record.submission.answers) {
        let stored = uploads
            .record(&upload_id)
            .await
            .map_err(|e| DeliveryError::retry(format!("upload record: {e}")))?;
        let (Some(upload), Some(file)) = (stored, uploads.file_path(&upload_id)) else {
            return Err(DeliveryError::permanent(format!(
                "attachment {upload_id} of the submission is missing from the upload store"
            )));
        };
        list.push(Attachment {
            record: upload,
            path: file,
            field_label,
        });
    }
    Ok(list)
}

/// The receipt of `record` in `lang`: the rows the citizen checked.
fn receipt_of(
    record: &DeliveryRecord,
    definition: &FormDefinition,
    authority: &str,
    attachments: &[Attachment],
    lang: Lang,
) -> Receipt {
    Receipt {
        lang,
        form_title: definition.title.get(lang).to_owned(),
        reference: record.submission.reference,
        authority: authority.to_owned(),
        submitted_at: record.submission.submitted_at,
        submission_id: record.submission.id,
        sections: match lang {
            Lang::En if !record.details.summary_en.is_empty() => record.details.summary_en.clone(),
            _ => record.details.summary_de.clone(),
        },
        attachments: attachments
            .iter()
            .map(|a| ReceiptAttachment {
                file_name: a.record.original_name.clone(),
                size_bytes: a.record.size,
                media_type: a.record.content_type.clone(),
                sha256: a.record.sha256.clone(),
            })
            .collect(),
        payment: paid(record).map(|(p, paid_at)| receipt::ReceiptPayment {
            amount_cents: p.amount_cents,
            purpose: p.purpose.clone(),
            transaction_id: p.transaction_id.clone().unwrap_or_default(),
            paid_at,
        }),
    }
}

/// The paid attempt of the record's fee with its time of payment.
fn paid(
    record: &DeliveryRecord,
) -> Option<(
    &crate::store::payments::PaymentAttempt,
    time::OffsetDateTime,
)> {
    let p = record.payment.as_ref()?;
    Some((p, p.paid_at?))
}

/// The receipt PDF for the citizen, in their language (the package's
/// copy is German, for the authority).
pub async fn citizen_receipt(
    record: &DeliveryRecord,
    definition: &FormDefinition,
    authority: &str,
    uploads: &UploadStorage,
    lang: Lang,
) -> Result<Vec<u8>, DeliveryError> {
    let attachments = attachments(definition, record, uploads).await?;
    let receipt = receipt_of(record, definition, authority, &attachments, lang);
    tokio::task::spawn_blocking(move || receipt::render(&receipt))
        .await
        .map_err(DeliveryError::internal)?
        .map_err(|e| DeliveryError::permanent(format!("receipt PDF: {e}")))
}

/// Everything [`build`] needs, gathered before the blocking part.
pub struct PackageInput<'a> {
    pub record: &'a DeliveryRecord,
    pub definition: &'a FormDefinition,
    pub authority: &'a Authority,
    pub sender: &'a Sender,
    pub uploads: &'a UploadStorage,
    pub data_dir: &'a Path,
}

/// Builds (or finds) the package of `input.record`.
pub async fn build(input: PackageInput<'_>) -> Result<BuiltPackage, DeliveryError> {
    let record = input.record;
    let id = record.submission.id;
    let name = xdomea::package_file_name(id);
    let dir = packages_dir(input.data_dir);
    let path = dir.join(&name);

    // Built before (a crash after building, or a retry of the transport):
    // use it when it is the package that was recorded.
    if record.package_name.as_deref() == Some(name.as_str())
        && let Some(recorded) = record
            .delivered_hashes
            .as_ref()
            .and_then(|h| h.get("package"))
            .and_then(Value::as_str)
    {
        let existing = path.clone();
        let found = tokio::task::spawn_blocking(move || sha256_of_file(&existing))
            .await
            .map_err(DeliveryError::internal)?;
        if let Ok((sha256, size)) = found
            && sha256 == recorded
        {
            return Ok(BuiltPackage {
                name,
                path,
                sha256,
                size,
                hashes: record.delivered_hashes.clone().unwrap_or(Value::Null),
            });
        }
    }

    let attachments = attachments(input.definition, record, input.uploads).await?;
    let receipt = receipt_of(
        record,
        input.definition,
        &input.authority.party.name,
        &attachments,
        Lang::De,
    );
    let data = machine_readable(record, &attachments);
    let filing = Filing {
        id,
        created_at: record.submission.submitted_at,
        submitted_at: german_time(record.submission.submitted_at),
        sender: input.sender.party.clone(),
        receiver: input.authority.party.clone(),
        creator_id: input.sender.creator_id.clone(),
        software_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        container_id: input.authority.container_id.clone(),
        location: None,
        form: FormInfo {
            id: record.submission.form_id.clone(),
            version: Some(record.submission.form_version.to_string()),
            title: input.definition.title.de.clone(),
        },
        reference: record.submission.reference.to_string(),
        retention: input.authority.retention,
        payment: paid(record).map(|(p, paid_at)| xdomea::Payment {
            amount_cents: p.amount_cents,
            purpose: p.purpose.clone(),
            transaction_id: p.transaction_id.clone().unwrap_or_default(),
            paid_at,
        }),
        documents: Vec::new(),
    };
    let job = BlockingBuild {
        receipt,
        data,
        filing,
        attachments,
        dir,
        name,
    };
    tokio::task::spawn_blocking(move || job.run())
        .await
        .map_err(DeliveryError::internal)?
}

/// The machine-readable data: the normalized answers with field ids, the
/// definition's id and version, the fee, and what each attachment is.
fn machine_readable(record: &DeliveryRecord, attachments: &[Attachment]) -> Vec<u8> {
    let s = &record.submission;
    let value = json!({
        "submission_id": s.id,
        "reference": s.reference.to_string(),
        "form": {"id": s.form_id, "version": s.form_version},
        "submitted_at": s.submitted_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        "answers": s.answers,
        "fee_cents": s.fee_cents,
        "fees": record.details.fees,
        "payment": paid(record).map(|(p, paid_at)| json!({
            "amount_cents": p.amount_cents,
            "purpose": p.purpose,
            "provider": p.provider,
            "transaction_id": p.transaction_id,
            "payment_method": p.payment_method,
            "paid_at": paid_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        })),
        "attachments": attachments.iter().map(|a| json!({
            "document_id": document_id(s.id, &a.record.id),
            "upload_id": a.record.id,
            "field": a.record.field_id,
            "name": a.record.original_name,
            "content_type": a.record.content_type,
            "size": a.record.size,
            "sha256": a.record.sha256,
        })).collect::<Vec<_>>(),
    });
    let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

struct BlockingBuild {
    receipt: Receipt,
    data: Vec<u8>,
    filing: Filing,
    attachments: Vec<Attachment>,
    dir: PathBuf,
    name: String,
}

fn sha256_bytes(hex_text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_text).ok()?;
    bytes.try_into().ok()
}

impl BlockingBuild {
    fn run(mut self) -> Result<BuiltPackage, DeliveryError> {
        let id = self.filing.id;
        let pdf = receipt::render(&self.receipt)
            .map_err(|e| DeliveryError::permanent(format!("receipt PDF: {e}")))?;
        let mut documents = vec![
            PrimaryDocument {
                id: document_id(id, "receipt"),
                kind: DocumentKind::Receipt,
                title: "Antrag (Eingangsbestätigung, PDF/A)".to_owned(),
                original_name: format!("Antrag_{}.pdf", self.receipt.reference),
                mime_type: "application/pdf".to_owned(),
                format_version: Some("2b".to_owned()),
                size: pdf.len() as u64,
                sha256: Sha256::digest(&pdf).into(),
                created_at: None,
            },
            PrimaryDocument {
                id: document_id(id, "data"),
                kind: DocumentKind::Data,
                title: "Antragsdaten (JSON)".to_owned(),
                original_name: format!("Antragsdaten_{}.json", self.receipt.reference),
                mime_type: "application/json".to_owned(),
                format_version: None,
                size: self.data.len() as u64,
                sha256: Sha256::digest(&self.data).into(),
                created_at: None,
            },
        ];
        for a in &self.attachments {
            let sha256 = sha256_bytes(&a.record.sha256).ok_or_else(|| {
                DeliveryError::permanent(format!("upload {} has no valid SHA-256", a.record.id))
            })?;
            documents.push(PrimaryDocument {
                id: document_id(id, &a.record.id),
                kind: DocumentKind::Attachment,
                title: format!("Anlage: {}", a.field_label),
                original_name: a.record.original_name.clone(),
                mime_type: a.record.content_type.clone(),
                format_version: None,
                size: a.record.size,
                sha256,
                created_at: None,
            });
        }
        self.filing.documents = documents;

        fs::create_dir_all(&self.dir)
            .map_err(|e| DeliveryError::retry(format!("packages folder: {e}")))?;
        let final_path = self.dir.join(&self.name);
        super::transport::remove_stale_parts(&self.dir, &self.name);
        let temp_path = self
            .dir
            .join(format!(".{}.{}.part", self.name, Uuid::new_v4()));
        let written = self.write(&temp_path, &pdf);
        if let Err(e) = written {
            let _ = fs::remove_file(&temp_path);
            return Err(e);
        }
        fs::rename(&temp_path, &final_path)
            .map_err(|e| DeliveryError::retry(format!("renaming the package: {e}")))?;
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        let (sha256, size) = sha256_of_file(&final_path)
            .map_err(|e| DeliveryError::retry(format!("reading the package back: {e}")))?;
        let files: Vec<Value> = self
            .filing
            .documents
            .iter()
            .map(|d| {
                json!({
                    "kind": match d.kind {
                        DocumentKind::Receipt => "receipt",
                        DocumentKind::Data => "data",
                        DocumentKind::Attachment => "attachment",
                    },
                    "document_id": d.id,
                    "sha256": d.sha256_hex(),
                    "size": d.size,
                })
            })
            .collect();
        Ok(BuiltPackage {
            hashes: json!({"package": sha256, "package_size": size, "files": files}),
            name: self.name,
            path: final_path,
            sha256,
            size,
        })
    }

    fn write(&self, temp_path: &Path, pdf: &[u8]) -> Result<(), DeliveryError> {
        let file = File::create(temp_path)
            .map_err(|e| DeliveryError::retry(format!("creating the package: {e}")))?;
        let attachments = &self.attachments;
        let data = &self.data;
        let file = xdomea::write_package(&self.filing, file, |doc| -> io::Result<Box<dyn Read>> {
            match doc.kind {
                DocumentKind::Receipt => Ok(Box::new(io::Cursor::new(pdf.to_vec()))),
                DocumentKind::Data => Ok(Box::new(io::Cursor::new(data.clone()))),
                DocumentKind::Attachment => {
                    let a = attachments
                        .iter()
                        .find(|a| document_id(self.filing.id, &a.record.id) == doc.id)
                        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "attachment"))?;
                    Ok(Box::new(File::open(&a.path)?))
                }
            }
        })
        .map_err(|e| DeliveryError::permanent(format!("xdomea package: {e}")))?;
        let mut file = file;
        file.flush()
            .and_then(|()| file.sync_all())
            .map_err(|e| DeliveryError::retry(format!("writing the package: {e}")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_are_stable_and_distinct() {
        let s = Uuid::new_v4();
        assert_eq!(document_id(s, "receipt"), document_id(s, "receipt"));
        assert_ne!(document_id(s, "receipt"), document_id(s, "data"));
        assert_ne!(
            document_id(s, "receipt"),
            document_id(Uuid::new_v4(), "receipt")
        );
    }
}
