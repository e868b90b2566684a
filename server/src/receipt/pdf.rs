//! Paints a [`Layout`] with krilla as PDF/A-2b and PDF/UA-1: every line a
//! tagged span in the structure tree (headings, paragraphs, tables),
//! footers and rules as artifacts, the outline from the headings, and the
//! document's title, language, date and id in the metadata.
//!
//! It must not decide what goes where (that is `layout`) and must not
//! read a clock or a random source: the same receipt gives the same bytes.

use std::num::NonZeroU16;

use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node as TagNode, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use time::OffsetDateTime;

use super::ReceiptError;
use super::fonts::Fonts;
use super::layout::{Bookmark, Kind, Layout, Line, Node, PAGE_HEIGHT, PAGE_WIDTH};

/// What goes into the document's metadata.
pub(super) struct Info<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub lang: &'a str,
    /// The submission's time: the document's creation date, so that a
    /// redelivered receipt is byte for byte the same.
    pub created: OffsetDateTime,
    /// The submission's id: the base of the PDF's document id.
    pub document_id: String,
}

pub(super) fn paint(
    fonts: &Fonts,
    layout: &Layout,
    outline: &[Bookmark],
    info: &Info<'_>,
) -> Result<Vec<u8>, ReceiptError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| ReceiptError::Pdf(format!("configuration: {e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);

    let mut by_page: Vec<Vec<usize>> = vec![Vec::new(); layout.pages];
    for (i, line) in layout.lines.iter().enumerate() {
        if let Some(list) = by_page.get_mut(line.page) {
            list.push(i);
        }
    }
    let mut ids: Vec<Option<Identifier>> = vec![None; layout.lines.len()];
    let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| ReceiptError::Pdf("page size".into()))?;
    for (page_index, lines) in by_page.iter().enumerate() {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for &i in lines {
            let Some(line) = layout.lines.get(i) else {
                continue;
            };
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            draw_line(&mut surface, fonts, line);
            surface.end_tagged();
            if let Some(slot) = ids.get_mut(i) {
                *slot = Some(id);
            }
        }
        draw_rules(&mut surface, layout, page_index);
        surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
            ArtifactType::Footer,
        )));
        surface.set_fill(Some(Fill {
            paint: krilla::color::luma::Color::new(70).into(),
            ..Fill::default()
        }));
        for line in layout.footers.iter().filter(|l| l.page == page_index) {
            draw_line(&mut surface, fonts, line);
        }
        surface.set_fill(None);
        surface.end_tagged();
        surface.finish();
        page.finish();
    }

    let mut tree = TagTree::new().with_lang(Some(info.lang.to_string()));
    for node in &layout.structure {
        if let Some(node) = tag_node(node, &mut ids) {
            tree.push(node);
        }
    }
    document.set_tag_tree(tree);

    let mut pdf_outline = Outline::new();
    for bookmark in outline {
        pdf_outline.push_child(outline_node(bookmark));
    }
    document.set_outline(pdf_outline);

    let mut metadata = Metadata::new()
        .title(info.title.to_string())
        .description(info.subject.to_string())
        .language(info.lang.to_string())
        .creator("Amtsweg".to_string())
        .producer("Amtsweg (krilla)".to_string())
        .document_id(info.document_id.clone());
    if let Some(date) = pdf_date(info.created) {
        metadata = metadata.creation_date(date);
    }
    document.set_metadata(metadata);

    document
        .finish()
        .map_err(|e| ReceiptError::Pdf(describe(&e)))
}

fn draw_line(surface: &mut Surface<'_>, fonts: &Fonts, line: &Line) {
    let face = fonts.face(line.weight);
    // One glyph per char, advanced by the font's own width: exactly what
    // the line wrapping measured, so no line is wider than it thought.
    let glyphs: Vec<KrillaGlyph> = line
        .text
        .char_indices()
        .filter_map(|(i, c)| {
            let glyph = face.glyph(c)?;
            Some(KrillaGlyph::new(
                GlyphId::new(glyph.to_u32()),
                face.advance(c),
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            ))
        })
        .collect();
    if glyphs.is_empty() {
        return;
    }
    surface.draw_glyphs(
        Point::from_xy(line.x, line.baseline),
        &glyphs,
        face.pdf.clone(),
        &line.text,
        line.size,
        false,
    );
}

fn draw_rules(surface: &mut Surface<'_>, layout: &Layout, page: usize) {
    let mut rules = layout.rules.iter().filter(|r| r.page == page).peekable();
    if rules.peek().is_none() {
        return;
    }
    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
        ArtifactType::Layout,
    )));
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: krilla::color::luma::Color::new(200).into(),
        width: 0.5,
        ..Stroke::default()
    }));
    for rule in rules {
        let mut path = PathBuilder::new();
        path.move_to(rule.x, rule.y);
        path.line_to(rule.x + rule.width, rule.y);
        if let Some(path) = path.finish() {
            surface.draw_path(&path);
        }
    }
    surface.set_stroke(None);
    surface.end_tagged();
}

/// The structure node for the tag tree; each line's identifier is used
/// exactly once (krilla requires one parent per identifier).
fn tag_node(node: &Node, ids: &mut [Option<Identifier>]) -> Option<TagNode> {
    match node {
        Node::Line(i) => ids.get_mut(*i)?.take().map(TagNode::Leaf),
        Node::Group(kind, children) => {
            let children: Vec<TagNode> = children.iter().filter_map(|c| tag_node(c, ids)).collect();
            Some(TagGroup::with_children(tag_kind(kind), children).into())
        }
    }
}

fn tag_kind(kind: &Kind) -> TagKind {
    match kind {
        Kind::Heading(level, title) => {
            let level = NonZeroU16::new(*level).unwrap_or(NonZeroU16::MIN);
            Tag::Hn(level, Some(title.clone())).into()
        }
        Kind::Paragraph => Tag::P.into(),
        Kind::Section => Tag::Section.into(),
        Kind::Table => Tag::Table.into(),
        Kind::TableHead => Tag::THead.into(),
        Kind::TableBody => Tag::TBody.into(),
        Kind::Row => Tag::TR.into(),
        Kind::RowHeader => Tag::TH(TableHeaderScope::Row).into(),
        Kind::ColumnHeader => Tag::TH(TableHeaderScope::Column).into(),
        Kind::Cell => Tag::TD.into(),
    }
}

fn outline_node(bookmark: &Bookmark) -> OutlineNode {
    let mut node = OutlineNode::new(
        bookmark.title.clone(),
        XyzDestination::new(bookmark.page, Point::from_xy(0.0, bookmark.y)),
    );
    for child in &bookmark.children {
        node.push_child(outline_node(child));
    }
    node
}

/// The submission time as a PDF date in UTC; `None` outside the years a
/// PDF date can hold (the metadata then has no date, and krilla reports
/// that PDF/A needs one).
fn pdf_date(t: OffsetDateTime) -> Option<DateTime> {
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = u16::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    Some(
        DateTime::new(year)
            .month(u8::from(t.month()))
            .day(t.day())
            .hour(t.hour())
            .minute(t.minute())
            .second(t.second())
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

/// krilla's error without the text it may quote (a validation error can
/// carry a piece of the citizen's answers; logs must not).
fn describe(error: &KrillaError) -> String {
    match error {
        KrillaError::Validation(errors) => {
            let mut kinds: Vec<String> = errors
                .iter()
                .map(|(e, _)| {
                    let debug = format!("{e:?}");
                    debug
                        .split(['(', ' ', '{'])
                        .next()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect();
            kinds.dedup();
            format!("validation failed: {}", kinds.join(", "))
        }
        KrillaError::Font(_, message) => format!("font: {message}"),
        other => other.to_string(),
    }
}
