//! Text as XML 1.0 can carry it, and file names as a ZIP and a DMS can
//! carry them.
//!
//! Owns two pure functions over user-controlled text; it must not escape
//! markup (quick-xml's writer does that) or decide where the text goes.

use std::borrow::Cow;

/// What stands in for a character XML 1.0 cannot carry.
pub(crate) const REPLACEMENT: char = '\u{FFFD}';

/// Whether XML 1.0 allows `c` in content (production `Char`: tab, line
/// feed, carriage return, and everything from U+0020 except U+FFFE and
/// U+FFFF; Rust strings never hold surrogates).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// `text` with every character XML 1.0 forbids (control characters,
/// U+FFFE, U+FFFF) replaced by U+FFFD, and line ends normalised to `\n`
/// as an XML reader would normalise them anyway (so what is written reads
/// back unchanged). Borrows when nothing changes, which is the usual case.
pub(crate) fn xml_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| is_xml_char(c) && c != '\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            c if is_xml_char(c) => out.push(c),
            _ => out.push(REPLACEMENT),
        }
    }
    Cow::Owned(out)
}

/// The longest name part (after the UUID) of a file in the package.
const MAX_NAME_CHARS: usize = 80;

/// A file name for the package made from a citizen's `original` name:
/// ASCII letters, digits, `.`, `-` and `_` only (German letters
/// transliterated), no path, no leading dot, at most 80 characters with
/// the extension kept. The original stays in the message's
/// `DateinameOriginal`; this one must only survive every ZIP tool and DMS
/// file store unchanged.
pub(crate) fn safe_file_name(original: &str) -> String {
    // Only the last path segment: browsers on Windows send `C:\…\a.pdf`.
    let base = original
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    // The extension is kept apart so that neither cleaning nor cutting
    // loses it: the DMS may pick a viewer by it.
    let (stem, ext) = match base.rsplit_once('.') {
        Some((stem, ext)) if !ext.is_empty() && ext.chars().count() <= 10 => (stem, ext),
        _ => (base, ""),
    };
    let ext = ascii_part(ext);
    let stem = ascii_part(stem);
    let stem = if stem.is_empty() {
        "Datei"
    } else {
        stem.as_str()
    };
    if ext.is_empty() {
        // Only ASCII is left, so byte and char positions agree.
        stem[..stem.len().min(MAX_NAME_CHARS)].to_owned()
    } else {
        let keep = MAX_NAME_CHARS - ext.len() - 1;
        format!("{}.{ext}", &stem[..stem.len().min(keep)])
    }
}

/// `part` in ASCII letters, digits, `.`, `-` and `_`, German letters
/// transliterated, runs of `_` and `.` collapsed, without leading or trailing dots
/// and underscores (no hidden files, no `..`).
fn ascii_part(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        let replacement: &str = match c {
            // No `..` anywhere: readers refuse names that look like paths.
            '.' if out.ends_with('.') => continue,
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => {
                out.push(c);
                continue;
            }
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'Ä' => "Ae",
            'Ö' => "Oe",
            'Ü' => "Ue",
            'ß' => "ss",
            _ => "_",
        };
        if !(replacement == "_" && out.ends_with('_')) {
            out.push_str(replacement);
        }
    }
    out.trim_matches(['.', '_']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdomea_text_replaces_what_xml_forbids() {
        assert!(matches!(xml_text("Wohngeld <&> \"'"), Cow::Borrowed(_)));
        assert_eq!(
            xml_text("a\u{0}b\u{1b}c\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(xml_text("a\r\nb\rc\td"), "a\nb\nc\td");
        assert_eq!(xml_text("🦀 Grüße"), "🦀 Grüße");
    }

    #[test]
    fn xdomea_file_names_are_plain_ascii() {
        assert_eq!(
            safe_file_name("Lohnnachweis März.pdf"),
            "Lohnnachweis_Maerz.pdf"
        );
        assert_eq!(safe_file_name("C:\\Users\\x\\Bild 1.JPG"), "Bild_1.JPG");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name(".."), "Datei");
        assert_eq!(safe_file_name(".hidden"), "Datei.hidden");
        assert_eq!(safe_file_name("🦀🦀.png"), "Datei.png");
        assert_eq!(safe_file_name("a.tar.gz"), "a.tar.gz");
        assert_eq!(safe_file_name("a..b...pdf"), "a.b.pdf");
        assert_eq!(safe_file_name("x.🦀"), "x");
        assert_eq!(safe_file_name(""), "Datei");
        assert_eq!(safe_file_name("a<>&\"'b.txt"), "a_b.txt");
        let long = safe_file_name(&format!("{}.pdf", "x".repeat(500)));
        assert_eq!(long.len(), 80);
        assert!(long.ends_with(".pdf"));
    }
}
