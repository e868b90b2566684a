//! The name of an uploaded file as shown to people (summary, receipt,
//! case worker). It is never used to build a path: stored files are named
//! by their UUID.

/// Longest displayed name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest extension kept when a long name is shortened.
const MAX_EXTENSION_CHARS: usize = 10;
/// The name of a file whose name was empty or nothing but removed parts.
pub const FALLBACK_NAME: &str = "Datei";

/// The file name without path components (`/` and `\`), control
/// characters, bidirectional overrides (which can make `exe.pdf` look like
/// `fdp.exe`) and leading dots, trimmed, shortened to [`MAX_NAME_CHARS`]
/// characters with its extension kept. Empty results become
/// [`FALLBACK_NAME`].
pub fn sanitize_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !unwanted(*c)).collect();
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    if cleaned.is_empty() {
        return FALLBACK_NAME.to_owned();
    }
    shorten(cleaned)
}

fn unwanted(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty() && ext.chars().count() <= MAX_EXTENSION_CHARS);
    match extension {
        Some(ext) => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        None => name
            .chars()
            .take(MAX_NAME_CHARS)
            .collect::<String>()
            .trim_end()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_components_are_removed() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\x\\Antrag.pdf"), "Antrag.pdf");
        assert_eq!(sanitize_file_name("/"), FALLBACK_NAME);
        assert_eq!(sanitize_file_name(".."), FALLBACK_NAME);
        assert_eq!(sanitize_file_name(".htaccess"), "htaccess");
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        assert_eq!(sanitize_file_name("a\nb\r\0c\u{7f}.pdf"), "abc.pdf");
        assert_eq!(
            sanitize_file_name("rechnung\u{202E}fdp.exe"),
            "rechnungfdp.exe"
        );
        assert_eq!(
            sanitize_file_name("  Zeugnis Müller.pdf "),
            "Zeugnis Müller.pdf"
        );
        assert_eq!(sanitize_file_name(""), FALLBACK_NAME);
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.pdf", "ä".repeat(300));
        let short = sanitize_file_name(&long);
        assert_eq!(short.chars().count(), MAX_NAME_CHARS);
        assert!(short.ends_with("ä.pdf"));
        let no_ext = "x".repeat(300);
        assert_eq!(sanitize_file_name(&no_ext).chars().count(), MAX_NAME_CHARS);
    }
}
