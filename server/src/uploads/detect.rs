//! The real content type of an upload, from its first bytes (magic
//! numbers). The declared Content-Type and the file name's extension are
//! not trusted.
//!
//! Decisions:
//! - A small table of our own instead of a general sniffing crate: the
//!   portal accepts few types, and each rule here is strict and visible.
//! - PDF only when `%PDF-` starts the file (the format allows it within the
//!   first 1024 bytes, but accepting that lets a program or archive with a
//!   PDF header inside pass as a PDF).
//! - ZIP-based office files: OpenDocument by its first entry `mimetype`
//!   (stored uncompressed, as the ODF standard requires), OOXML (DOCX,
//!   XLSX, PPTX) by a `[Content_Types].xml` entry together with a `word/`,
//!   `xl/` or `ppt/` entry among the local file headers in the first
//!   [`SNIFF_LEN`] bytes. Word and LibreOffice write those first; any
//!   other ZIP is `application/zip`.
//! - HEIC/HEIF by the ISO-BMFF `ftyp` box's major brand.
//! - Anything unknown is `application/octet-stream`, which no form
//!   should accept.

/// How many leading bytes [`detect`] looks at.
pub const SNIFF_LEN: usize = 64 * 1024;

pub const PDF: &str = "application/pdf";
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";
pub const GIF: &str = "image/gif";
pub const TIFF: &str = "image/tiff";
pub const WEBP: &str = "image/webp";
pub const HEIC: &str = "image/heic";
pub const HEIF: &str = "image/heif";
pub const ZIP: &str = "application/zip";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
pub const ODT: &str = "application/vnd.oasis.opendocument.text";
pub const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
pub const ODP: &str = "application/vnd.oasis.opendocument.presentation";
pub const ODG: &str = "application/vnd.oasis.opendocument.graphics";
pub const EXE: &str = "application/vnd.microsoft.portable-executable";
pub const ELF: &str = "application/x-executable";
pub const UNKNOWN: &str = "application/octet-stream";

/// The media type of a file that starts with `head`.
pub fn detect(head: &[u8]) -> &'static str {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"%PDF-") {
        PDF
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        JPEG
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        PNG
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        GIF
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        TIFF
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        WEBP
    } else if head.get(4..8) == Some(b"ftyp") {
        iso_media(head.get(8..12).unwrap_or_default())
    } else if starts(b"PK\x03\x04") {
        zip_kind(head)
    } else if starts(b"MZ") {
        EXE
    } else if starts(b"\x7fELF") {
        ELF
    } else {
        UNKNOWN
    }
}

fn iso_media(brand: &[u8]) -> &'static str {
    match brand {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => HEIC,
        b"mif1" | b"msf1" | b"heif" => HEIF,
        _ => UNKNOWN,
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// The name of the ZIP local file header at `at`.
fn entry_name(head: &[u8], at: usize) -> Option<&[u8]> {
    let length = u16_at(head, at + 26)?;
    head.get(at + 30..at + 30 + length)
}

/// OpenDocument: the first entry is `mimetype`, stored, holding the type.
fn opendocument(head: &[u8]) -> Option<&'static str> {
    if entry_name(head, 0)? != b"mimetype" || u16_at(head, 8)? != 0 {
        return None;
    }
    let start = 30 + 8 + u16_at(head, 28)?;
    let length = u32_at(head, 18)?.min(100);
    let content = head.get(start..start + length)?;
    [ODT, ODS, ODP, ODG]
        .into_iter()
        .find(|t| content == t.as_bytes())
}

fn zip_kind(head: &[u8]) -> &'static str {
    if let Some(kind) = opendocument(head) {
        return kind;
    }
    let (mut content_types, mut word, mut xl, mut ppt) = (false, false, false, false);
    let mut from = 0;
    while let Some(offset) = find(&head[from..], b"PK\x03\x04") {
        let at = from + offset;
        if let Some(name) = entry_name(head, at) {
            content_types |= name == b"[Content_Types].xml";
            word |= name.starts_with(b"word/");
            xl |= name.starts_with(b"xl/");
            ppt |= name.starts_with(b"ppt/");
        }
        from = at + 4;
    }
    match (content_types, word, xl, ppt) {
        (true, true, _, _) => DOCX,
        (true, _, true, _) => XLSX,
        (true, _, _, true) => PPTX,
        _ => ZIP,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Is a file of detected type `detected` what the browser called
/// `declared`? Common aliases are the same type; a missing or generic
/// (`application/octet-stream`) declaration claims nothing.
pub fn declared_matches(declared: Option<&str>, detected: &str) -> bool {
    let Some(declared) = declared
        .map(normalize)
        .filter(|d| !d.is_empty() && d != UNKNOWN)
    else {
        return true;
    };
    let declared = canonical(&declared);
    declared == detected
        || (declared == HEIC && detected == HEIF)
        || (declared == HEIF && detected == HEIC)
        || (declared == ZIP && is_zip_based(detected))
}

fn normalize(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn canonical(media_type: &str) -> &str {
    match media_type {
        "image/jpg" | "image/pjpeg" => JPEG,
        "application/x-pdf" | "application/acrobat" => PDF,
        "image/x-png" => PNG,
        "image/tif" | "image/x-tiff" => TIFF,
        "application/x-zip-compressed" | "application/x-zip" => ZIP,
        other => other,
    }
}

fn is_zip_based(media_type: &str) -> bool {
    [ZIP, DOCX, XLSX, PPTX, ODT, ODS, ODP, ODG].contains(&media_type)
}

/// A type in words for messages: "PDF", "JPEG", "Word (DOCX)" …; `image/*`
/// is pictures of any kind.
pub fn describe(media_type: &str, german: bool) -> String {
    let name = match normalize(media_type).as_str() {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        "image/gif" => "GIF",
        "image/tiff" => "TIFF",
        "image/webp" => "WebP",
        "image/heic" | "image/heif" => "HEIC",
        "application/zip" => "ZIP",
        DOCX => "Word (DOCX)",
        XLSX => "Excel (XLSX)",
        PPTX => "PowerPoint (PPTX)",
        ODT => "OpenDocument (ODT)",
        ODS => "OpenDocument (ODS)",
        ODP => "OpenDocument (ODP)",
        ODG => "OpenDocument (ODG)",
        "image/*" if german => "Bilder",
        "image/*" => "images",
        EXE | ELF if german => "Programm",
        EXE | ELF => "program",
        UNKNOWN if german => "unbekannt",
        UNKNOWN => "unknown",
        other => return other.to_owned(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_entry(name: &str, content: &[u8]) -> Vec<u8> {
        let mut entry = b"PK\x03\x04".to_vec();
        entry.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version … crc
        let size = u32::try_from(content.len())
            .unwrap_or_default()
            .to_le_bytes();
        entry.extend(size);
        entry.extend(size);
        entry.extend(u16::try_from(name.len()).unwrap_or_default().to_le_bytes());
        entry.extend([0, 0]);
        entry.extend(name.as_bytes());
        entry.extend(content);
        entry
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(detect(b"%PDF-1.7\n"), PDF);
        assert_eq!(detect(b"  %PDF-1.7\n"), UNKNOWN);
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0]), JPEG);
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0"), PNG);
        assert_eq!(detect(b"GIF89a"), GIF);
        assert_eq!(detect(b"II*\0\x08\0"), TIFF);
        assert_eq!(detect(b"MM\0*"), TIFF);
        assert_eq!(detect(b"RIFF\0\0\0\0WEBPVP8 "), WEBP);
        assert_eq!(detect(b"\0\0\0\x18ftypheic\0\0\0\0"), HEIC);
        assert_eq!(detect(b"\0\0\0\x18ftypmif1"), HEIF);
        assert_eq!(detect(b"\0\0\0\x18ftypisom"), UNKNOWN);
        assert_eq!(detect(b"MZ\x90\0"), EXE);
        assert_eq!(detect(b"\x7fELF\x02"), ELF);
        assert_eq!(detect(b""), UNKNOWN);
        assert_eq!(detect(b"hello"), UNKNOWN);
    }

    #[test]
    fn zip_based_office_files() {
        let odt = zip_entry("mimetype", ODT.as_bytes());
        assert_eq!(detect(&odt), ODT);
        let mut docx = zip_entry("[Content_Types].xml", b"<Types/>");
        docx.extend(zip_entry("word/document.xml", b"<w:document/>"));
        assert_eq!(detect(&docx), DOCX);
        let mut xlsx = zip_entry("[Content_Types].xml", b"<Types/>");
        xlsx.extend(zip_entry("xl/workbook.xml", b"<workbook/>"));
        assert_eq!(detect(&xlsx), XLSX);
        // word/ without [Content_Types].xml is just a ZIP.
        assert_eq!(detect(&zip_entry("word/document.xml", b"x")), ZIP);
        assert_eq!(detect(&zip_entry("evil.exe", b"MZ")), ZIP);
        assert_eq!(detect(b"PK\x03\x04"), ZIP);
    }

    #[test]
    fn declared_types() {
        assert!(declared_matches(None, PDF));
        assert!(declared_matches(Some("application/octet-stream"), PDF));
        assert!(declared_matches(Some("Application/PDF; name=x"), PDF));
        assert!(declared_matches(Some("image/jpg"), JPEG));
        assert!(declared_matches(Some("image/heif"), HEIC));
        assert!(declared_matches(Some("application/zip"), DOCX));
        assert!(!declared_matches(Some("application/pdf"), PNG));
        assert!(!declared_matches(Some(DOCX), ZIP));
    }

    #[test]
    fn descriptions() {
        assert_eq!(describe("application/pdf", true), "PDF");
        assert_eq!(describe("image/*", true), "Bilder");
        assert_eq!(describe("image/*", false), "images");
        assert_eq!(describe("text/csv", false), "text/csv");
    }
}
