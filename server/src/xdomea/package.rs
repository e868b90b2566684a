//! The package: `{UUID}_FVDaten.SGOAblegen.0605.zip`, holding the message
//! `{UUID}_FVDaten.SGOAblegen.0605.xml` first and then every document's
//! file under the name the message gives it (`Primaerdokument/Dateiname`),
//! flat, no directories.
//!
//! Writing streams each file through once (hashing it on the way to check
//! it against the filing) and is deterministic: entries in filing order,
//! the filing's creation time as every entry's time, fixed permissions, so
//! the same filing gives the same bytes. Reading ([`read_package`], for the
//! tests and the E-Akte test double) checks the package as a DMS would.
//!
//! This module must not decide where a package goes or come from; the
//! caller hands it a writer and the documents' contents.

use std::io::{self, Cursor, Read, Seek, Write};

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;
use zip::{
    CompressionMethod, DateTime, ZipArchive, ZipWriter,
    write::{FileOptions, SimpleFileOptions},
};

use super::{
    FILING_MESSAGE,
    error::Error,
    filing::{
        Filing, FilingMessage, MAX_FILING_MESSAGE_BYTES, PrimaryDocument, build_filing_message,
        parse_filing_message, parse_uuid,
    },
    message_file_name, package_file_name,
};

/// The largest single file [`read_package`] reads (uploads are far
/// smaller; this only stops a ZIP bomb).
pub const MAX_PACKAGE_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The most [`read_package`] unpacks in total.
const MAX_PACKAGE_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// A package in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `{UUID}_FVDaten.SGOAblegen.0605.zip`.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Writes the package for `filing` to `out` and returns `out`.
///
/// `open` is asked for each document's content, in filing order, and the
/// content is streamed into the ZIP; its size and SHA-256 must be what the
/// filing says ([`Error::ContentMismatch`] otherwise: the package would
/// carry a wrong checksum). On an error `out` holds an incomplete ZIP and
/// must be discarded.
pub fn write_package<W, R, F>(filing: &Filing, out: W, mut open: F) -> Result<W, Error>
where
    W: Write + Seek,
    R: Read,
    F: FnMut(&PrimaryDocument) -> io::Result<R>,
{
    let message = build_filing_message(filing)?;
    let time = zip_time(filing.created_at);
    let mut zip = ZipWriter::new(out);
    zip.start_file(
        message_file_name(filing.id),
        entry_options(time, CompressionMethod::Deflated, 0),
    )
    .map_err(Error::io)?;
    zip.write_all(&message).map_err(Error::io)?;
    for doc in &filing.documents {
        let file_name = doc.file_name();
        let mut content = open(doc).map_err(|e| Error::Io {
            detail: format!("reading {file_name}: {e}"),
        })?;
        zip.start_file(
            file_name.as_str(),
            entry_options(time, compression_for(&doc.mime_type), doc.size),
        )
        .map_err(Error::io)?;
        let mut sink = Hashing {
            inner: &mut zip,
            hasher: Sha256::new(),
            written: 0,
        };
        io::copy(&mut content, &mut sink).map_err(|e| Error::Io {
            detail: format!("writing {file_name}: {e}"),
        })?;
        let (written, digest) = (sink.written, sink.hasher.finalize());
        if written != doc.size {
            return Err(Error::ContentMismatch {
                file_name,
                detail: format!("{written} bytes, the filing says {}", doc.size),
            });
        }
        if digest.as_slice() != doc.sha256 {
            return Err(Error::ContentMismatch {
                file_name,
                detail: "the SHA-256 differs from the filing's".to_owned(),
            });
        }
    }
    zip.finish().map_err(Error::io)
}

/// The package for `filing` in memory, with `files` as the documents'
/// contents (by document id; every document needs one, and no other may
/// be given).
pub fn build_package(filing: &Filing, files: &[(Uuid, &[u8])]) -> Result<Package, Error> {
    if let Some((id, _)) = files
        .iter()
        .find(|(id, _)| !filing.documents.iter().any(|d| d.id == *id))
    {
        return Err(Error::UnknownContent { id: *id });
    }
    let content = |doc: &PrimaryDocument| {
        files
            .iter()
            .find(|(id, _)| *id == doc.id)
            .map(|(_, bytes)| *bytes)
    };
    if let Some(doc) = filing.documents.iter().find(|d| content(d).is_none()) {
        return Err(Error::MissingContent {
            id: doc.id,
            file_name: doc.file_name(),
        });
    }
    let capacity = 16 * 1024 + files.iter().map(|(_, b)| b.len()).sum::<usize>();
    let out = write_package(filing, Cursor::new(Vec::with_capacity(capacity)), |doc| {
        content(doc).ok_or_else(|| io::Error::other("no content"))
    })?;
    Ok(Package {
        file_name: package_file_name(filing.id),
        bytes: out.into_inner(),
    })
}

/// A package as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPackage {
    pub message: FilingMessage,
    /// The message file's bytes.
    pub message_xml: Vec<u8>,
    /// Every referenced file, in message order.
    pub files: Vec<PackageFile>,
}

/// One file of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Opens a package: exactly one message file named after its `ProzessID`,
/// every file the message references present with the size and SHA-256
/// the message gives, and nothing else (no directories, no extra files).
pub fn read_package(bytes: &[u8]) -> Result<ReceivedPackage, Error> {
    let not_zip = |e: zip::result::ZipError| Error::NotZip {
        detail: e.to_string(),
    };
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(not_zip)?;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(not_zip)?;
        let name = entry.name().map_err(not_zip)?.into_owned();
        if entry.is_dir() || names.contains(&name) {
            return Err(Error::UnexpectedFile { file_name: name });
        }
        names.push(name);
    }
    let suffix = format!("_{FILING_MESSAGE}.xml");
    let messages: Vec<&String> = names
        .iter()
        .filter(|n| n.strip_suffix(&suffix).and_then(parse_uuid).is_some())
        .collect();
    let [message_name] = messages.as_slice() else {
        return Err(Error::MessageFile {
            expected: FILING_MESSAGE,
            found: messages.len(),
        });
    };
    let message_name = (*message_name).clone();
    let mut total = 0u64;
    let message_xml = read_entry(
        &mut archive,
        &message_name,
        MAX_FILING_MESSAGE_BYTES as u64,
        &mut total,
    )?;
    let message = parse_filing_message(&message_xml)?;
    if message_name != message_file_name(message.process_id) {
        return Err(Error::invalid(
            "ZIP entry of the message",
            &message_name,
            REASON_MESSAGE_NAME,
        ));
    }
    let mut files = Vec::with_capacity(message.documents.len());
    for doc in &message.documents {
        if !names.contains(&doc.file_name) {
            return Err(Error::MissingFile {
                file_name: doc.file_name.clone(),
            });
        }
        let content = read_entry(
            &mut archive,
            &doc.file_name,
            MAX_PACKAGE_FILE_BYTES,
            &mut total,
        )?;
        if let Some(size) = doc.size
            && size != content.len() as u64
        {
            return Err(Error::ContentMismatch {
                file_name: doc.file_name.clone(),
                detail: format!("{} bytes, the message says {size}", content.len()),
            });
        }
        if let Some(sha256) = doc.sha256
            && Sha256::digest(&content).as_slice() != sha256
        {
            return Err(Error::ContentMismatch {
                file_name: doc.file_name.clone(),
                detail: "the SHA-256 differs from the message's".to_owned(),
            });
        }
        files.push(PackageFile {
            name: doc.file_name.clone(),
            bytes: content,
        });
    }
    if let Some(extra) = names
        .iter()
        .find(|n| **n != message_name && !message.documents.iter().any(|d| d.file_name == **n))
    {
        return Err(Error::UnexpectedFile {
            file_name: extra.clone(),
        });
    }
    Ok(ReceivedPackage {
        message,
        message_xml,
        files,
    })
}

const REASON_MESSAGE_NAME: &str = "not named after the message's ProzessID";

/// Reads the entry `name`, at most `limit` bytes of it and at most
/// [`MAX_PACKAGE_TOTAL_BYTES`] with all before (`total`).
fn read_entry<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    limit: u64,
    total: &mut u64,
) -> Result<Vec<u8>, Error> {
    let limit = limit.min(MAX_PACKAGE_TOTAL_BYTES.saturating_sub(*total));
    let entry = archive.by_name(name).map_err(|e| Error::NotZip {
        detail: e.to_string(),
    })?;
    let declared = entry.size();
    if declared > limit {
        return Err(Error::TooLarge {
            size: declared,
            limit,
        });
    }
    // The declared size is not trusted: the read stops one byte past the
    // limit either way.
    let mut content = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    entry
        .take(limit + 1)
        .read_to_end(&mut content)
        .map_err(|e| Error::NotZip {
            detail: format!("{name}: {e}"),
        })?;
    let read = content.len() as u64;
    if read > limit {
        return Err(Error::TooLarge { size: read, limit });
    }
    *total += read;
    Ok(content)
}

/// The options of every entry: the same time, permissions and (for one
/// content type) method, so that equal input gives equal bytes.
fn entry_options(time: DateTime, method: CompressionMethod, size: u64) -> SimpleFileOptions {
    FileOptions::default()
        .compression_method(method)
        .last_modified_time(time)
        .unix_permissions(0o644)
        // ZIP64 only where a file needs it, so that old DMS importers can
        // read the usual package.
        .large_file(size >= u64::from(u32::MAX))
}

/// Text compresses well; PDFs, images and Office files are compressed
/// already, and deflating them again costs time for nothing.
fn compression_for(mime_type: &str) -> CompressionMethod {
    let mime = mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let textual = mime.starts_with("text/")
        || matches!(mime.as_str(), "application/json" | "application/xml")
        || mime.ends_with("+json")
        || mime.ends_with("+xml");
    if textual {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    }
}

/// The filing's creation time as a ZIP time (local time of its offset, as
/// ZIP has no zones; 1980-01-01 outside ZIP's years 1980–2107).
fn zip_time(t: OffsetDateTime) -> DateTime {
    let year = u16::try_from(t.year()).unwrap_or(0);
    DateTime::from_date_and_time(
        year,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .unwrap_or_default()
}

/// A writer that hashes and counts what passes through.
struct Hashing<'a, W: Write> {
    inner: &'a mut W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
