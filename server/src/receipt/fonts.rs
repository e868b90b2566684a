//! The receipt's font: Noto Sans Regular and Bold (SIL Open Font License
//! 1.1, `server/assets/fonts/OFL.txt`), compiled into the binary so that
//! every receipt embeds the same font wherever it is rendered.
//!
//! This module owns the font's metrics (which characters it has, how wide
//! they are) and the substitution of characters it lacks. It must not lay
//! out or draw anything: that is `layout` and `pdf`. krilla subsets the
//! font, so a receipt carries only the glyphs it uses.

use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, GlyphId, MetadataProvider};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// What stands for a character the font cannot show: visible, so that
/// nothing disappears silently, and the rest of the text stays intact.
pub(super) const SUBSTITUTE: char = '\u{FFFD}';

/// The two faces the receipt uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// One face: the font for krilla and its metrics for the layout.
pub(super) struct Face {
    pub pdf: krilla::text::Font,
    font: FontRef<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        let font = FontRef::new(data).ok()?;
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let pdf = krilla::text::Font::new(data.into(), 0)?;
        (units_per_em > 0.0).then_some(Face {
            pdf,
            font,
            metrics,
            units_per_em,
        })
    }

    /// The glyph for `c`, if the font has one (not `.notdef`).
    pub fn glyph(&self, c: char) -> Option<GlyphId> {
        self.font
            .charmap()
            .map(c)
            .filter(|g| g.to_u32() != 0 && self.metrics.advance_width(*g).is_some())
    }

    /// The advance of `c` in em (1.0 = the font size); 0 if the font
    /// lacks it (the text is sanitized before it is measured).
    pub fn advance(&self, c: char) -> f32 {
        self.glyph(c)
            .and_then(|g| self.metrics.advance_width(g))
            .map_or(0.0, |w| w / self.units_per_em)
    }
}

/// Both faces, read once per process.
pub(super) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    /// The fonts, or `None` if the embedded files cannot be read (which a
    /// test rules out; the caller turns it into an error, not a panic).
    pub fn get() -> Option<&'static Fonts> {
        static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                Some(Fonts {
                    regular: Face::load(REGULAR)?,
                    bold: Face::load(BOLD)?,
                })
            })
            .as_ref()
    }

    pub fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Whether both faces can show `c` (so a text may switch weight).
    fn has(&self, c: char) -> bool {
        self.regular.glyph(c).is_some() && self.bold.glyph(c).is_some()
    }

    /// `text` made safe to draw: line breaks normalized to `\n`, tabs to
    /// spaces, and every character that the font lacks or that a PDF/A
    /// text must not contain (control characters, U+FEFF, noncharacters)
    /// replaced by [`SUBSTITUTE`]. Returns the text and whether anything
    /// was replaced.
    pub fn sanitize(&self, text: &str) -> (String, bool) {
        let mut out = String::with_capacity(text.len());
        let mut replaced = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let c = match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    '\n'
                }
                '\n' => '\n',
                '\t' => ' ',
                // Line and paragraph separators are line breaks too.
                '\u{2028}' | '\u{2029}' | '\u{0085}' => '\n',
                c if self.drawable(c) => c,
                _ => {
                    replaced = true;
                    SUBSTITUTE
                }
            };
            out.push(c);
        }
        (out, replaced)
    }

    fn drawable(&self, c: char) -> bool {
        let forbidden = c.is_control()
            || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
            || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
            // Private use: no meaning to share, and the font has none.
            || ('\u{E000}'..='\u{F8FF}').contains(&c)
            || u32::from(c) >= 0xF0000;
        !forbidden && self.has(c)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn receipt_fonts_load_and_cover_europe() {
        let fonts = Fonts::get().unwrap();
        // German, and names from all over Europe (Polish, Hungarian,
        // Turkish, Czech, Romanian, Icelandic, Greek, Cyrillic), the
        // typographic quotes and dashes and the substitute itself.
        for c in "äöüÄÖÜßẞ„“‚‘–—€ łŁőŐşŞčČșțğıİðþæøåñçéèêëîïôœùûÿΔδЖж\u{FFFD}\u{00A0}".chars()
        {
            assert!(fonts.has(c), "{c:?} missing");
        }
        assert!(fonts.face(Weight::Bold).advance('W') > fonts.face(Weight::Regular).advance('i'));
    }

    #[test]
    fn receipt_sanitize_replaces_what_cannot_be_drawn() {
        let fonts = Fonts::get().unwrap();
        assert_eq!(
            fonts.sanitize("Grüße, Łódź"),
            ("Grüße, Łódź".to_string(), false)
        );
        assert_eq!(
            fonts.sanitize("a\r\nb\rc\td"),
            ("a\nb\nc d".to_string(), false)
        );
        // Chinese, an emoji, a NUL, a BOM and private use: each becomes one
        // visible substitute; nothing around them is lost.
        assert_eq!(
            fonts.sanitize("王 😀\u{0}\u{FEFF}\u{E000}x"),
            (
                "\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}x".to_string(),
                true
            )
        );
    }
}
