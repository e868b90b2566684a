//! Upload tests: storing, refusing (size, emptiness, type, declared type,
//! malware), name sanitization, the clamd hook (through a protocol double,
//! see `support/clamd.rs`) and failing closed. Everything that writes rows
//! runs against SQLite and PostgreSQL, each test with a fresh database.
//! Property tests: the type detector and the name sanitizer never panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/clamd.rs"]
mod clamd_double;
#[macro_use]
mod common;

use std::{
    convert::Infallible,
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime},
};

use amtsweg_forms::{Field, FieldType, Text};
use amtsweg_server::cleanup;
use amtsweg_server::uploads::{
    self, ClamdAddress, DEFAULT_SCAN_TIMEOUT, NewUpload, StoredFile, UploadError, UploadSettings,
    UploadStorage, delete_upload, store_upload, store_upload_reader,
};
use bytes::Bytes;
use clamd_double::{ClamdDouble, EICAR};
use common::TestDb;
use futures_util::{Stream, StreamExt, stream};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00";
const ZIP: &[u8] = b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x07\x00\x00\x00run.exeM";
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00This program cannot be run in DOS mode.";

/// Upload storage in its own temp dir.
struct Uploads {
    storage: UploadStorage,
    dir: TempDir,
}

impl Uploads {
    async fn new(test_db: &TestDb) -> Uploads {
        Uploads::with(test_db, settings(None)).await
    }

    async fn with(test_db: &TestDb, settings: UploadSettings) -> Uploads {
        let dir = tempfile::tempdir().unwrap();
        let storage = UploadStorage::open(test_db.db.clone(), dir.path().join("files"), settings)
            .await
            .unwrap();
        Uploads { storage, dir }
    }

    fn files(&self) -> PathBuf {
        self.dir.path().join("files")
    }

    /// Files under `files/`, temp files included.
    fn all_files(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        walk(&self.files(), &mut found);
        found
    }

    fn temp_files(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        walk(&self.storage.temp_dir(), &mut found);
        found
    }

    async fn store(
        &self,
        field: &Field,
        name: &str,
        declared: Option<&str>,
        bytes: &[u8],
    ) -> Result<StoredFile, UploadError> {
        let upload = NewUpload {
            file_name: name,
            declared_type: declared,
            draft_id: None,
        };
        store_upload(&self.storage, field, upload, chunks(bytes, 7)).await
    }

    /// Nothing was kept: no files, no temp files.
    fn assert_nothing_kept(&self) {
        assert_eq!(self.all_files(), Vec::<PathBuf>::new());
    }
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn settings(clamd: Option<ClamdAddress>) -> UploadSettings {
    UploadSettings {
        max_bytes: 20 * 1024 * 1024,
        clamd,
        scan_timeout: DEFAULT_SCAN_TIMEOUT,
    }
}

fn field(accept: &[&str], max_size_bytes: u64) -> Field {
    let mut field = Field::new(
        "nachweis",
        FieldType::File,
        Text::new("Nachweis über die Ausbildung", "Proof of training"),
    );
    field.accept = accept.iter().map(|a| (*a).to_owned()).collect();
    field.max_size_bytes = Some(max_size_bytes);
    field
}

fn pdf_field() -> Field {
    field(&["application/pdf", "image/jpeg"], 1024 * 1024)
}

/// `bytes` as a stream of chunks of `size` bytes.
fn chunks(bytes: &[u8], size: usize) -> impl Stream<Item = Result<Bytes, Infallible>> + use<> {
    let parts: Vec<Result<Bytes, Infallible>> = bytes
        .chunks(size)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(parts)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn pdf_and_jpeg_are_stored_with_type_and_hash(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let draft = uuid::Uuid::new_v4().to_string();
    let upload = NewUpload {
        file_name: "Ausbildungsvertrag.pdf",
        declared_type: Some("application/pdf"),
        draft_id: Some(&draft),
    };
    let pdf = store_upload(&uploads.storage, &pdf_field(), upload, chunks(PDF, 5))
        .await
        .unwrap();
    assert_eq!(pdf.name, "Ausbildungsvertrag.pdf");
    assert_eq!(pdf.size, PDF.len() as u64);
    assert_eq!(pdf.content_type, "application/pdf");
    // Exactly the engine's value of a file.
    let value = serde_json::to_value(&pdf).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["content_type", "id", "name", "size"]);

    let record = uploads.storage.record(&pdf.id).await.unwrap().unwrap();
    assert_eq!(record.sha256, sha256(PDF));
    assert_eq!(record.draft_id.as_deref(), Some(draft.as_str()));
    assert_eq!(record.field_id, "nachweis");
    assert_eq!(record.content_type, "application/pdf");
    let path = uploads.storage.file_path(&pdf.id).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), PDF);
    assert_eq!(
        path,
        uploads.files().join(&pdf.id[..2]).join(&pdf.id),
        "files/<2>/<uuid>"
    );

    // A reader works too; `image/jpg` is what some browsers call JPEG.
    let upload = NewUpload {
        file_name: "foto.jpg",
        declared_type: Some("image/jpg"),
        draft_id: None,
    };
    let jpeg = store_upload_reader(&uploads.storage, &pdf_field(), upload, JPEG)
        .await
        .unwrap();
    assert_eq!(jpeg.content_type, "image/jpeg");
    let record = uploads.storage.record(&jpeg.id).await.unwrap().unwrap();
    assert_eq!(record.sha256, sha256(JPEG));
    assert_eq!(record.draft_id, None);
    assert!(uploads.temp_files().is_empty());

    // Deleting removes row and file, once.
    assert!(delete_upload(&uploads.storage, &pdf.id).await.unwrap());
    assert!(!path.exists());
    assert!(uploads.storage.record(&pdf.id).await.unwrap().is_none());
    assert!(!delete_upload(&uploads.storage, &pdf.id).await.unwrap());
    assert!(
        !delete_upload(&uploads.storage, "../../etc/passwd")
            .await
            .unwrap()
    );
}

async fn a_png_declared_as_pdf_is_refused(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let only_pdf = field(&["application/pdf"], 1024 * 1024);
    let error = uploads
        .store(&only_pdf, "scan.pdf", Some("application/pdf"), PNG)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            UploadError::WrongType {
                detected: "image/png",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.message().de,
        "Die Datei „scan.pdf“ bei „Nachweis über die Ausbildung“ hat ein nicht erlaubtes Format. Erlaubt: PDF."
    );

    // When PNG is allowed, the false claim itself is the error.
    let pdf_or_png = field(&["application/pdf", "image/png"], 1024 * 1024);
    let error = uploads
        .store(&pdf_or_png, "scan.pdf", Some("application/pdf"), PNG)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::TypeMismatch { .. }),
        "{error:?}"
    );
    let message = error.message();
    assert!(
        message
            .de
            .contains("als PDF angegeben, ist aber eine PNG-Datei"),
        "{}",
        message.de
    );
    assert!(
        message
            .en
            .unwrap()
            .contains("claims to be PDF but is a PNG file")
    );
    uploads.assert_nothing_kept();
}

async fn a_pdf_that_is_a_zip_or_a_program_is_refused(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    for (content, detected) in [
        (ZIP, "application/zip"),
        (EXE, "application/vnd.microsoft.portable-executable"),
    ] {
        let error = uploads
            .store(&pdf_field(), "Antrag.pdf", Some("application/pdf"), content)
            .await
            .unwrap_err();
        assert!(
            matches!(error, UploadError::WrongType { detected: d, .. } if d == detected),
            "{error:?}"
        );
        assert!(error.message().de.ends_with("Erlaubt: PDF, JPEG."));
        assert_eq!(
            error.message().en.unwrap(),
            "The file “Antrag.pdf” for “Proof of training” is not an allowed type. Allowed: PDF, JPEG."
        );
    }
    uploads.assert_nothing_kept();
}

async fn a_too_large_file_is_refused_without_writing_past_the_limit(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let limit: u64 = 10 * 1024;
    let field = field(&["application/pdf"], limit);
    let temp_dir = uploads.storage.temp_dir();
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    // 1 MiB in 1 KiB chunks; each poll checks what is on disk so far.
    let body = stream::iter(0..1024).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        let on_disk: u64 = std::fs::read_dir(&temp_dir)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!(on_disk <= limit, "{on_disk} bytes on disk, limit {limit}");
        let mut chunk = vec![b'x'; 1024];
        if i == 0 {
            chunk[..PDF.len()].copy_from_slice(PDF);
        }
        Ok::<_, Infallible>(Bytes::from(chunk))
    });
    let upload = NewUpload {
        file_name: "riesig.pdf",
        declared_type: None,
        draft_id: None,
    };
    let error = store_upload(&uploads.storage, &field, upload, body)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::TooLarge { max: 10240, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.message().de,
        "Die Datei „riesig.pdf“ bei „Nachweis über die Ausbildung“ ist größer als 10 KB."
    );
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        11,
        "stops at the first chunk past the limit"
    );
    uploads.assert_nothing_kept();

    // The portal's cap wins over a field's larger limit.
    let mut small = settings(None);
    small.max_bytes = 4096;
    let capped = Uploads::with(test_db, small).await;
    let big = vec![b'x'; 5000];
    let mut content = PDF.to_vec();
    content.extend(big);
    let error = capped
        .store(&field, "a.pdf", None, &content)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::TooLarge { max: 4096, .. }),
        "{error:?}"
    );
    capped.assert_nothing_kept();
}

async fn an_empty_file_is_refused(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let error = uploads
        .store(&pdf_field(), "leer.pdf", Some("application/pdf"), b"")
        .await
        .unwrap_err();
    assert!(matches!(error, UploadError::Empty { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "Die Datei „leer.pdf“ bei „Nachweis über die Ausbildung“ ist leer."
    );
    uploads.assert_nothing_kept();
}

async fn file_names_are_sanitized(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let stored = uploads
        .store(&pdf_field(), "../../etc/passwd", None, PDF)
        .await
        .unwrap();
    assert_eq!(stored.name, "passwd");
    let path = uploads.storage.file_path(&stored.id).unwrap();
    assert!(path.starts_with(uploads.files()));

    let stored = uploads
        .store(
            &pdf_field(),
            "C:\\fakepath\\Zeug\u{0}nis\r\n\u{202E}fdp.exe",
            None,
            PDF,
        )
        .await
        .unwrap();
    assert_eq!(stored.name, "Zeugnisfdp.exe");
    let record = uploads.storage.record(&stored.id).await.unwrap().unwrap();
    assert_eq!(record.original_name, "Zeugnisfdp.exe");

    let stored = uploads.store(&pdf_field(), "..", None, PDF).await.unwrap();
    assert_eq!(stored.name, uploads::FALLBACK_NAME);
}

async fn eicar_is_refused_through_clamd(test_db: &TestDb) {
    let clamd = ClamdDouble::start().await;
    let address = clamd.url().parse().unwrap();
    let uploads = Uploads::with(test_db, settings(Some(address))).await;

    let mut infected = PDF.to_vec();
    infected.extend_from_slice(EICAR);
    let error = uploads
        .store(
            &pdf_field(),
            "rechnung.pdf",
            Some("application/pdf"),
            &infected,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, UploadError::Infected { .. }), "{error:?}");
    assert_eq!(
        error.message().de,
        "Die Datei „rechnung.pdf“ bei „Nachweis über die Ausbildung“ enthält Schadsoftware und wurde nicht gespeichert."
    );
    assert!(!error.is_internal());
    assert_eq!(clamd.scans(), 1);
    uploads.assert_nothing_kept();

    // A clean file passes the same scanner.
    let stored = uploads
        .store(&pdf_field(), "sauber.pdf", Some("application/pdf"), PDF)
        .await
        .unwrap();
    assert_eq!(clamd.scans(), 2);
    assert!(uploads.storage.record(&stored.id).await.unwrap().is_some());
}

async fn an_unreachable_scanner_fails_closed(test_db: &TestDb) {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("tcp://{}", listener.local_addr().unwrap());
    drop(listener);
    let uploads = Uploads::with(test_db, settings(Some(closed.parse().unwrap()))).await;
    let error = uploads
        .store(&pdf_field(), "a.pdf", None, PDF)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::ScannerUnavailable { .. }),
        "{error:?}"
    );
    assert!(error.is_internal());
    assert_eq!(
        error.to_string(),
        "Die Datei konnte gerade nicht geprüft werden. Bitte versuchen Sie es später erneut."
    );
    uploads.assert_nothing_kept();

    // A scanner that never answers: refused after the timeout.
    let silent = ClamdDouble::silent().await;
    let mut slow = settings(Some(silent.url().parse().unwrap()));
    slow.scan_timeout = Duration::from_millis(300);
    let uploads = Uploads::with(test_db, slow).await;
    let error = uploads
        .store(&pdf_field(), "a.pdf", None, PDF)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::ScannerUnavailable { .. }),
        "{error:?}"
    );
    uploads.assert_nothing_kept();
}

async fn image_wildcard_accepts_images_only(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let images = field(&["image/*"], 1024 * 1024);
    let png = uploads
        .store(&images, "foto.png", Some("image/png"), PNG)
        .await
        .unwrap();
    assert_eq!(png.content_type, "image/png");
    let jpeg = uploads
        .store(&images, "foto.jpeg", None, JPEG)
        .await
        .unwrap();
    assert_eq!(jpeg.content_type, "image/jpeg");
    let error = uploads
        .store(&images, "foto.pdf", None, PDF)
        .await
        .unwrap_err();
    assert!(error.message().de.ends_with("Erlaubt: Bilder."));
    assert!(error.message().en.unwrap().ends_with("Allowed: images."));
}

async fn a_broken_body_keeps_nothing(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let body = stream::iter(vec![
        Ok(Bytes::from_static(PDF)),
        Err("connection reset".to_owned()),
    ]);
    let upload = NewUpload {
        file_name: "a.pdf",
        ..NewUpload::default()
    };
    let error = store_upload(&uploads.storage, &pdf_field(), upload, body)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::Interrupted { .. }),
        "{error:?}"
    );
    uploads.assert_nothing_kept();

    // A field that is not a file field is the caller's bug: internal.
    let text = Field::new("name", FieldType::Text, Text::new("Name", "Name"));
    let error = uploads.store(&text, "a.pdf", None, PDF).await.unwrap_err();
    assert!(matches!(error, UploadError::Internal));
    assert!(error.message().de.contains("technischen Fehlers"));
}

async fn orphaned_temp_files_are_removed_at_start(test_db: &TestDb) {
    let uploads = Uploads::new(test_db).await;
    let temp = uploads.storage.temp_dir();
    let old = temp.join("old.part");
    let fresh = temp.join("fresh.part");
    std::fs::write(&old, b"half").unwrap();
    std::fs::write(&fresh, b"in flight").unwrap();
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let reopened = UploadStorage::open(test_db.db.clone(), uploads.files(), settings(None))
        .await
        .unwrap();
    assert!(!old.exists());
    assert!(fresh.exists(), "another instance may still be writing it");
    assert_eq!(reopened.cleanup_temp(Duration::ZERO).await.unwrap(), 1);
    assert!(!fresh.exists());
}

/// Stores a PDF for `draft`; returns its id.
async fn store_for(uploads: &Uploads, draft: uuid::Uuid) -> String {
    let draft = draft.to_string();
    let upload = NewUpload {
        file_name: "nachweis.pdf",
        declared_type: Some("application/pdf"),
        draft_id: Some(&draft),
    };
    store_upload(&uploads.storage, &pdf_field(), upload, chunks(PDF, 16))
        .await
        .unwrap()
        .id
}

async fn the_cleanup_deletes_an_expired_drafts_uploads_and_keeps_a_live_ones(test_db: &TestDb) {
    let db = &test_db.db;
    let definition: serde_json::Value = serde_json::from_str(common::TEST_DEFINITION).unwrap();
    db.publish_form_version("test-form", 1, "Testantrag", &definition)
        .await
        .unwrap();
    let uploads = Uploads::new(test_db).await;
    let now = time::OffsetDateTime::now_utc();
    let hour = time::Duration::hours(1);
    let (expiring, _) = db.create_draft("test-form", 1, now + hour).await.unwrap();
    let (live, _) = db
        .create_draft("test-form", 1, now + time::Duration::days(7))
        .await
        .unwrap();
    let (submitted, _) = db.create_draft("test-form", 1, now + hour).await.unwrap();
    let gone = [
        store_for(&uploads, expiring.id).await,
        store_for(&uploads, expiring.id).await,
    ];
    let kept = store_for(&uploads, live.id).await;
    let attachment = store_for(&uploads, submitted.id).await;
    db.submit(submitted.id, &serde_json::json!({"name": "Erika"}), 0, now)
        .await
        .unwrap();
    assert_eq!(
        uploads::draft_uploads(&uploads.storage, expiring.id)
            .await
            .unwrap()
            .len(),
        2
    );

    // Nothing has expired yet.
    let cleaned = cleanup::delete_expired(db, &uploads.storage, now)
        .await
        .unwrap();
    assert_eq!(cleaned, cleanup::Cleaned::default());
    assert_eq!(uploads.all_files().len(), 4);

    // Two hours later the expiring and the submitted draft are gone.
    let cleaned = cleanup::delete_expired(db, &uploads.storage, now + hour * 2)
        .await
        .unwrap();
    assert_eq!(
        cleaned,
        cleanup::Cleaned {
            drafts: 2,
            uploads: 2
        }
    );
    for id in &gone {
        assert!(
            !uploads.storage.file_path(id).unwrap().exists(),
            "the expired draft's file is deleted"
        );
        assert!(uploads.storage.record(id).await.unwrap().is_none());
    }
    assert!(
        uploads.storage.file_path(&kept).unwrap().exists(),
        "the live draft's file is kept"
    );
    assert!(uploads.storage.record(&kept).await.unwrap().is_some());
    assert!(
        uploads.storage.file_path(&attachment).unwrap().exists(),
        "a submission's attachment is kept"
    );
    assert_eq!(uploads.all_files().len(), 2);
    assert!(matches!(
        db.draft(expiring.id).await,
        Err(amtsweg_server::store::StoreError::NotFound)
    ));
    assert_eq!(db.draft(live.id).await.unwrap().id, live.id);
}

#[test]
fn the_upload_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    let db = amtsweg_server::db::Db::Sqlite(
        sqlx::sqlite::SqlitePool::connect_lazy("sqlite::memory:").unwrap(),
    );
    let storage_future = UploadStorage::open(db, "/nonexistent", settings(None));
    assert_send(&storage_future);
    let field = pdf_field();
    let run = async {
        let storage = storage_future.await.unwrap();
        store_upload(&storage, &field, NewUpload::default(), chunks(PDF, 3)).await
    };
    assert_send(&run);
}

on_both_backends!(
    pdf_and_jpeg_are_stored_with_type_and_hash,
    a_png_declared_as_pdf_is_refused,
    a_pdf_that_is_a_zip_or_a_program_is_refused,
    a_too_large_file_is_refused_without_writing_past_the_limit,
    an_empty_file_is_refused,
    file_names_are_sanitized,
    eicar_is_refused_through_clamd,
    an_unreachable_scanner_fails_closed,
    image_wildcard_accepts_images_only,
    a_broken_body_keeps_nothing,
    orphaned_temp_files_are_removed_at_start,
    the_cleanup_deletes_an_expired_drafts_uploads_and_keeps_a_live_ones,
);

mod properties {
    use amtsweg_server::uploads::{MAX_NAME_CHARS, detect, parse_reply, sanitize_file_name};
    use proptest::prelude::*;

    const KNOWN: &[&str] = &[
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/tiff",
        "image/webp",
        "image/heic",
        "image/heif",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.graphics",
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/octet-stream",
    ];

    /// Arbitrary bytes, often starting with a known magic number.
    fn file_heads() -> impl Strategy<Value = Vec<u8>> {
        let magic = prop_oneof![
            Just(b"".to_vec()),
            Just(b"PK\x03\x04".to_vec()),
            Just(b"%PDF-".to_vec()),
            Just(b"RIFF".to_vec()),
            Just(b"\0\0\0\x18ftyp".to_vec()),
            Just(b"\xFF\xD8\xFF".to_vec()),
        ];
        (magic, proptest::collection::vec(any::<u8>(), 0..2048)).prop_map(|(mut m, rest)| {
            m.extend(rest);
            m
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn detect_never_panics_and_names_a_known_type(head in file_heads()) {
            prop_assert!(KNOWN.contains(&detect(&head)));
        }

        #[test]
        fn zip_entries_with_any_names_are_detected(names in proptest::collection::vec(".{0,40}", 0..6)) {
            let mut zip = Vec::new();
            for name in &names {
                zip.extend(b"PK\x03\x04");
                zip.extend([0_u8; 22]);
                zip.extend(u16::try_from(name.len()).unwrap().to_le_bytes());
                zip.extend([0, 0]);
                zip.extend(name.as_bytes());
            }
            prop_assert!(KNOWN.contains(&detect(&zip)));
        }

        #[test]
        fn sanitized_names_are_safe(raw in any::<String>()) {
            let name = sanitize_file_name(&raw);
            prop_assert!(!name.is_empty());
            prop_assert!(name.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!name.contains(['/', '\\']));
            prop_assert!(!name.chars().any(char::is_control));
            prop_assert!(!name.starts_with('.'));
            prop_assert_eq!(sanitize_file_name(&name), name.clone());
        }

        #[test]
        fn path_like_names_lose_their_path(parts in proptest::collection::vec("[a-zA-Z0-9 ._\\-]{0,12}", 1..6), sep in "[/\\\\]") {
            let raw = parts.join(&sep);
            let name = sanitize_file_name(&raw);
            prop_assert!(!name.contains(['/', '\\']));
            prop_assert!(!name.starts_with('.'));
        }

        #[test]
        fn clamd_replies_never_panic(reply in any::<String>()) {
            let _ = parse_reply(&reply);
        }
    }
}
