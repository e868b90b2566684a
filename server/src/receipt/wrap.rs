//! Line wrapping for the receipt: where a text breaks into lines of a
//! given width. Pure (text, width, advance of a char → byte ranges); it
//! knows nothing of fonts or PDF, so it is property-tested on its own.
//!
//! It must never drop, reorder or add a character (no hyphens, no
//! ellipsis): the receipt is a record, so the only thing that is not on a
//! line is the `\n` that separates two paragraphs.

use std::ops::Range;

/// Breaks `text` into lines whose visible width is at most `max_width`.
///
/// - `\n` ends a paragraph; every paragraph (also an empty one) has at
///   least one line, and the `\n` itself is on no line.
/// - A line breaks after a space (which then hangs at the line's end and
///   does not count), a zero-width space, `-`, `/` or `–`; a word longer
///   than the line (a URL, an IBAN) breaks between any two characters,
///   without a hyphen.
/// - A character of zero width (a combining mark) does not start a line
///   unless it follows a space.
/// - A single character wider than the line stands on a line of its own.
///
/// Returns byte ranges into `text`, in order.
pub fn wrap(text: &str, max_width: f32, advance: impl Fn(char) -> f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for paragraph in text.split('\n') {
        let end = start + paragraph.len();
        wrap_paragraph(text, start..end, max_width, &advance, &mut lines);
        // Skip the `\n`.
        start = end + 1;
    }
    lines
}

/// The width of `text` (the sum of its characters' advances, left to
/// right, the same sum that [`wrap`] compares).
pub fn width(text: &str, advance: impl Fn(char) -> f32) -> f32 {
    text.chars().fold(0.0, |w, c| w + advance(c))
}

/// Whether a line may end after `c` (besides a space).
fn breaks_after(c: char) -> bool {
    matches!(c, ' ' | '\u{200B}' | '-' | '/' | '\u{2013}')
}

fn wrap_paragraph(
    text: &str,
    range: Range<usize>,
    max_width: f32,
    advance: &impl Fn(char) -> f32,
    lines: &mut Vec<Range<usize>>,
) {
    let Some(paragraph) = text.get(range.clone()) else {
        return;
    };
    let mut line_start = range.start;
    // The width of text[line_start..i], trailing spaces included: they
    // only count once a visible character follows them on the line.
    let mut line_width = 0.0_f32;
    // Where the next line may start (just after a break opportunity).
    let mut break_at: Option<usize> = None;
    let mut after_space = false;
    for (offset, c) in paragraph.char_indices() {
        let i = range.start + offset;
        let w = advance(c);
        // A zero-width char stays with the letter before it, but not with
        // a space: that would make the hanging space count.
        let overflows =
            c != ' ' && (w > 0.0 || after_space) && i > line_start && line_width + w > max_width;
        after_space = c == ' ';
        if overflows {
            match break_at {
                Some(b) if b > line_start && b <= i => {
                    lines.push(line_start..b);
                    line_start = b;
                    line_width = text.get(b..i).map_or(0.0, |rest| width(rest, advance));
                    // The word since the break is itself longer than a line.
                    if i > line_start && line_width + w > max_width {
                        lines.push(line_start..i);
                        line_start = i;
                        line_width = 0.0;
                    }
                }
                _ => {
                    lines.push(line_start..i);
                    line_start = i;
                    line_width = 0.0;
                }
            }
            break_at = None;
        }
        line_width += w;
        if breaks_after(c) {
            break_at = Some(i + c.len_utf8());
        }
    }
    lines.push(line_start..range.end);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    /// Advances like a proportional font: narrow, wide, zero-width and
    /// one very wide character.
    fn advance(c: char) -> f32 {
        match c {
            'i' | 'l' | '.' | ' ' => 2.5,
            'm' | 'W' | '€' => 9.0,
            '\u{0300}'..='\u{036F}' | '\u{200B}' => 0.0,
            '\u{1F600}' => 250.0,
            c if c.is_ascii_digit() => 5.5,
            _ => 6.0,
        }
    }

    fn texts(text: &str, max: f32) -> Vec<&str> {
        wrap(text, max, advance)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn receipt_wrap_breaks_after_spaces_and_keeps_them() {
        // "aaaa " is 4*6 + 2.5; "aaaa bbbb" is 50.5 > 40.
        assert_eq!(texts("aaaa bbbb cc", 40.0), vec!["aaaa ", "bbbb cc"]);
    }

    #[test]
    fn receipt_wrap_paragraphs_and_empty_lines() {
        assert_eq!(texts("a\n\nb\n", 100.0), vec!["a", "", "b", ""]);
        assert_eq!(texts("", 100.0), vec![""]);
    }

    #[test]
    fn receipt_wrap_breaks_a_long_word_anywhere_without_a_hyphen() {
        let iban = "DE89370400440532013000";
        let lines = texts(iban, 30.0);
        assert!(lines.len() > 3, "{lines:?}");
        assert_eq!(lines.concat(), iban);
        assert!(lines.iter().all(|l| !l.contains('-')));
    }

    #[test]
    fn receipt_wrap_prefers_slashes_and_hyphens_in_urls() {
        assert_eq!(
            texts("aaaa/bbbb-cccc", 40.0),
            vec!["aaaa/", "bbbb-", "cccc"]
        );
    }

    #[test]
    fn receipt_wrap_keeps_combining_marks_with_their_letter() {
        let text = "aaaae\u{0301}";
        assert_eq!(texts(text, 30.0), vec!["aaaae\u{0301}"]);
        assert_eq!(texts(text, 24.0), vec!["aaaa", "e\u{0301}"]);
    }

    #[test]
    fn receipt_wrap_puts_a_too_wide_char_on_its_own_line() {
        assert_eq!(texts("ab\u{1F600}cd", 40.0), vec!["ab", "\u{1F600}", "cd"]);
    }

    #[test]
    fn receipt_wrap_survives_a_zero_or_negative_width() {
        assert_eq!(texts("abc", 0.0), vec!["a", "b", "c"]);
        assert_eq!(texts("abc", -5.0), vec!["a", "b", "c"]);
        assert_eq!(texts("abc", f32::NAN), vec!["abc"]);
    }

    fn chars() -> impl Strategy<Value = String> {
        // Letters, spaces, break characters, newlines, digits, a combining
        // mark, zero-width space, a wide and a far too wide character.
        proptest::collection::vec(
            prop_oneof![
                8 => proptest::char::range('a', 'z'),
                3 => Just(' '),
                1 => Just('\n'),
                1 => Just('-'),
                1 => Just('/'),
                1 => Just('€'),
                1 => Just('m'),
                1 => Just('\u{0301}'),
                1 => Just('\u{200B}'),
                1 => Just('\u{1F600}'),
                1 => proptest::char::range('0', '9'),
                1 => any::<char>(),
            ],
            0..400,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn receipt_wrap_keeps_every_char_and_fits_the_width(
            text in chars(),
            max in 1.0f32..300.0,
        ) {
            let lines = wrap(&text, max, advance);
            prop_assert!(!lines.is_empty());
            // Every char kept, in order: the lines tile the text, and
            // between two lines there is nothing (same paragraph) or the
            // one `\n` that ends a paragraph.
            prop_assert_eq!(lines[0].start, 0);
            prop_assert_eq!(lines[lines.len() - 1].end, text.len());
            for pair in lines.windows(2) {
                let gap = &text[pair[0].end..pair[1].start];
                prop_assert!(gap.is_empty() || gap == "\n", "gap {:?}", gap);
            }
            prop_assert_eq!(
                lines.iter().filter(|l| l.start > 0 && text[..l.start].ends_with('\n')).count(),
                text.matches('\n').count()
            );
            for line in &lines {
                let line = &text[line.clone()];
                prop_assert!(!line.contains('\n'));
                let visible = line.trim_end_matches(' ');
                let w = width(visible, advance);
                let wide_chars = visible.chars().filter(|&c| advance(c) > 0.0).count();
                prop_assert!(
                    w <= max || wide_chars == 1,
                    "line {:?} is {} wide, more than {}", line, w, max
                );
            }
        }

        #[test]
        fn receipt_wrap_never_breaks_text_that_fits(text in "[a-z ]{0,40}") {
            // 40 chars of at most 6 each fit into 240.
            let lines = wrap(&text, 240.0, advance);
            prop_assert_eq!(lines, vec![0..text.len()]);
        }
    }
}
