//! The receipt's layout: from the (sanitized) content to positioned lines
//! on A4 pages, the logical structure those lines belong to (headings,
//! paragraphs, tables) and the outline.
//!
//! Pure: it measures with the font's advances and decides page breaks,
//! but draws nothing; `pdf` paints the result. It must not drop text: a
//! value that does not fit on a page continues on the next one.

use std::ops::Range;

use super::fonts::{Fonts, Weight};
use super::wrap::{width, wrap};

/// A4 in PostScript points.
pub(super) const PAGE_WIDTH: f32 = 595.276;
pub(super) const PAGE_HEIGHT: f32 = 841.89;
const LEFT: f32 = 62.0;
const RIGHT: f32 = 56.0;
const TOP: f32 = 56.0;
/// Content ends here; the footer sits below.
const BOTTOM: f32 = PAGE_HEIGHT - 70.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 40.0;
pub(super) const CONTENT_WIDTH: f32 = PAGE_WIDTH - LEFT - RIGHT;

const BODY: f32 = 10.0;
const SMALL: f32 = 8.5;
const KICKER: f32 = 12.0;
const H1: f32 = 18.0;
const H2: f32 = 14.0;
const H3: f32 = 11.5;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.4;
/// The baseline below a line's top, as a multiple of the font size (Noto
/// Sans ascends 1.07 em; the rest of the leading goes below).
const ASCENT: f32 = 1.08;
const CELL_PAD: f32 = 4.0;
const COLUMN_GAP: f32 = 12.0;
/// Label column of the label/value tables.
const LABEL_WIDTH: f32 = 170.0;
/// A row of at most this many lines is kept on one page.
const KEEP_ROW_LINES: usize = 6;

/// One line of text at its place.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Line {
    pub page: usize,
    pub x: f32,
    pub baseline: f32,
    pub weight: Weight,
    pub size: f32,
    pub text: String,
}

/// A horizontal rule between table rows (decoration: an artifact).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rule {
    pub page: usize,
    pub x: f32,
    pub y: f32,
    pub width: f32,
}

/// What a group of the logical structure is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    /// A heading of level 1–3 with its text (PDF/UA wants it as title).
    Heading(u16, String),
    Paragraph,
    Section,
    Table,
    TableHead,
    TableBody,
    Row,
    /// A header cell for its row (the label) or its column.
    RowHeader,
    ColumnHeader,
    Cell,
}

/// The logical structure: the reading order, independent of where the
/// lines are on the page.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Group(Kind, Vec<Node>),
    /// A line, by its index in [`Layout::lines`].
    Line(usize),
}

/// A bookmark to a heading.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Bookmark {
    pub title: String,
    pub page: usize,
    pub y: f32,
    pub children: Vec<Bookmark>,
}

/// The laid-out receipt.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub pages: usize,
    pub lines: Vec<Line>,
    pub rules: Vec<Rule>,
    /// Page footers (artifacts), filled in once the page count is known.
    pub footers: Vec<Line>,
    pub structure: Vec<Node>,
}

/// A cell of a table row to lay out.
pub(super) struct CellSpec<'t> {
    pub text: &'t str,
    pub weight: Weight,
    pub kind: Kind,
    pub x: f32,
    pub width: f32,
}

/// Lays out blocks top to bottom, breaking pages as it goes.
pub(super) struct Builder<'f> {
    fonts: &'f Fonts,
    page: usize,
    y: f32,
    lines: Vec<Line>,
    rules: Vec<Rule>,
}

impl<'f> Builder<'f> {
    pub fn new(fonts: &'f Fonts) -> Builder<'f> {
        Builder {
            fonts,
            page: 0,
            y: TOP,
            lines: Vec::new(),
            rules: Vec::new(),
        }
    }

    fn advance_fn(&self, weight: Weight, size: f32) -> impl Fn(char) -> f32 + 'f {
        let face = self.fonts.face(weight);
        move |c| face.advance(c) * size
    }

    /// Starts a new page unless `height` still fits on this one (or this
    /// one is still empty: a block taller than a page has to start
    /// somewhere).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.page += 1;
            self.y = TOP;
        }
    }

    fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// Wraps `text` into `width` and places it from the current position,
    /// line by line across pages. Returns the new lines' indices.
    fn text(&mut self, text: &str, weight: Weight, size: f32, x: f32, width: f32) -> Vec<Node> {
        let ranges = wrap(text, width, self.advance_fn(weight, size));
        let mut nodes = Vec::with_capacity(ranges.len());
        for range in ranges {
            self.ensure(size * LEADING);
            nodes.push(self.push_line(text, range, weight, size, x));
            self.y += size * LEADING;
        }
        nodes
    }

    fn push_line(
        &mut self,
        text: &str,
        range: Range<usize>,
        weight: Weight,
        size: f32,
        x: f32,
    ) -> Node {
        self.push_line_at(self.page, self.y, text, range, weight, size, x)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_line_at(
        &mut self,
        page: usize,
        top: f32,
        text: &str,
        range: Range<usize>,
        weight: Weight,
        size: f32,
        x: f32,
    ) -> Node {
        self.lines.push(Line {
            page,
            x,
            baseline: top + size * ASCENT,
            weight,
            size,
            text: text.get(range).unwrap_or_default().to_string(),
        });
        Node::Line(self.lines.len() - 1)
    }

    /// A paragraph over the full width.
    pub fn paragraph(&mut self, text: &str, weight: Weight, size: f32) -> Node {
        let lines = self.text(text, weight, size, LEFT, CONTENT_WIDTH);
        self.space(size * 0.6);
        Node::Group(Kind::Paragraph, lines)
    }

    /// The small line above the title ("Eingangsbestätigung").
    pub fn kicker(&mut self, text: &str) -> Node {
        let lines = self.text(text, Weight::Bold, KICKER, LEFT, CONTENT_WIDTH);
        self.space(2.0);
        Node::Group(Kind::Paragraph, lines)
    }

    pub fn body(&mut self, text: &str) -> Node {
        self.paragraph(text, Weight::Regular, BODY)
    }

    pub fn note(&mut self, text: &str) -> Node {
        self.paragraph(text, Weight::Regular, SMALL)
    }

    /// A heading of `level` (1–3). `title` is its text for the structure
    /// and the outline. Kept together with the first lines after it.
    pub fn heading(&mut self, level: u16, text: &str, title: &str) -> (Node, Bookmark) {
        let size = match level {
            1 => H1,
            2 => H2,
            _ => H3,
        };
        if self.y > TOP {
            self.space(size * 0.7);
        }
        // The heading and two lines of what follows.
        self.ensure(size * LEADING + 2.0 * BODY * LEADING + 2.0 * CELL_PAD);
        let bookmark = Bookmark {
            title: title.to_string(),
            page: self.page,
            y: self.y,
            children: Vec::new(),
        };
        let lines = self.text(text, Weight::Bold, size, LEFT, CONTENT_WIDTH);
        self.space(size * 0.3);
        (
            Node::Group(Kind::Heading(level, title.to_string()), lines),
            bookmark,
        )
    }

    /// A row of cells side by side. Line `k` of every cell shares a
    /// baseline; a row of more than a few lines breaks across pages line
    /// by line, so a value of any length continues on the next page.
    pub fn row(&mut self, cells: &[CellSpec<'_>]) -> Node {
        let wrapped: Vec<Vec<Range<usize>>> = cells
            .iter()
            .map(|c| wrap(c.text, c.width, self.advance_fn(c.weight, BODY)))
            .collect();
        let count = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        let line_height = BODY * LEADING;
        if count <= KEEP_ROW_LINES {
            self.ensure(count as f32 * line_height + 2.0 * CELL_PAD);
        }
        self.space(CELL_PAD);
        // Where each line index goes, decided once for all cells.
        let mut places = Vec::with_capacity(count);
        for _ in 0..count {
            self.ensure(line_height);
            places.push((self.page, self.y));
            self.y += line_height;
        }
        self.space(CELL_PAD);
        // Lines are stored cell after cell: the page's content stream then
        // reads label before value, as the structure does.
        let mut children = Vec::with_capacity(cells.len());
        for (cell, ranges) in cells.iter().zip(wrapped) {
            let mut lines = Vec::with_capacity(ranges.len());
            for (range, &(page, top)) in ranges.into_iter().zip(&places) {
                lines.push(self.push_line_at(
                    page,
                    top,
                    cell.text,
                    range,
                    cell.weight,
                    BODY,
                    cell.x,
                ));
            }
            children.push(Node::Group(cell.kind.clone(), lines));
        }
        self.rules.push(Rule {
            page: self.page,
            x: LEFT,
            y: self.y,
            width: CONTENT_WIDTH,
        });
        Node::Group(Kind::Row, children)
    }

    /// A label/value row: the label as the row's header.
    pub fn pair(&mut self, label: &str, value: &str) -> Node {
        let value_x = LEFT + LABEL_WIDTH + COLUMN_GAP;
        self.row(&[
            CellSpec {
                text: label,
                weight: Weight::Bold,
                kind: Kind::RowHeader,
                x: LEFT,
                width: LABEL_WIDTH,
            },
            CellSpec {
                text: value,
                weight: Weight::Regular,
                kind: Kind::Cell,
                x: value_x,
                width: CONTENT_WIDTH - LABEL_WIDTH - COLUMN_GAP,
            },
        ])
    }

    /// A table of label/value rows.
    pub fn pairs<'a>(&mut self, rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> Node {
        let rows = rows
            .into_iter()
            .map(|(label, value)| self.pair(label, value))
            .collect();
        self.space(BODY * 0.6);
        Node::Group(Kind::Table, rows)
    }

    /// A table with a header row; `columns` are the shares of the width.
    pub fn grid(&mut self, columns: &[f32], head: &[&str], body: &[Vec<&str>]) -> Node {
        let total: f32 = columns.iter().sum();
        let mut xs = Vec::with_capacity(columns.len());
        let mut x = LEFT;
        let gaps = COLUMN_GAP * columns.len().saturating_sub(1) as f32;
        let usable = CONTENT_WIDTH - gaps;
        for share in columns {
            let w = if total > 0.0 {
                usable * share / total
            } else {
                0.0
            };
            xs.push((x, w));
            x += w + COLUMN_GAP;
        }
        let make_row = |builder: &mut Builder<'_>, texts: &[&str], kind: Kind, weight: Weight| {
            let specs: Vec<CellSpec<'_>> = texts
                .iter()
                .zip(&xs)
                .map(|(text, &(x, width))| CellSpec {
                    text,
                    weight,
                    kind: kind.clone(),
                    x,
                    width,
                })
                .collect();
            builder.row(&specs)
        };
        // The header row and at least one body row stay together.
        self.ensure(4.0 * BODY * LEADING + 4.0 * CELL_PAD);
        let head_row = make_row(self, head, Kind::ColumnHeader, Weight::Bold);
        let body_rows = body
            .iter()
            .map(|r| make_row(self, r, Kind::Cell, Weight::Regular))
            .collect();
        self.space(BODY * 0.6);
        Node::Group(
            Kind::Table,
            vec![
                Node::Group(Kind::TableHead, vec![head_row]),
                Node::Group(Kind::TableBody, body_rows),
            ],
        )
    }

    /// Ends the layout: every page gets its footer, `left` on the left
    /// and `right(page, pages)` on the right.
    pub fn finish(
        self,
        structure: Vec<Node>,
        left: &str,
        right: impl Fn(usize, usize) -> String,
    ) -> Layout {
        let pages = self.page + 1;
        let advance = self.advance_fn(Weight::Regular, SMALL);
        let mut footers = Vec::with_capacity(2 * pages);
        for page in 0..pages {
            let text = right(page + 1, pages);
            let w = width(&text, &advance);
            footers.push(Line {
                page,
                x: LEFT,
                baseline: FOOTER_BASELINE,
                weight: Weight::Regular,
                size: SMALL,
                text: left.to_string(),
            });
            footers.push(Line {
                page,
                x: PAGE_WIDTH - RIGHT - w,
                baseline: FOOTER_BASELINE,
                weight: Weight::Regular,
                size: SMALL,
                text,
            });
        }
        Layout {
            pages,
            lines: self.lines,
            rules: self.rules,
            footers,
            structure,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn receipt_layout_breaks_a_long_value_across_pages_and_keeps_it_whole() {
        let fonts = Fonts::get().unwrap();
        let mut b = Builder::new(fonts);
        let long = "Wort ".repeat(2000);
        let row = b.pair("Begründung", &long);
        let layout = b.finish(vec![row], "AW-2026-000001", |p, n| format!("{p}/{n}"));
        assert!(layout.pages >= 2, "{} pages", layout.pages);
        // Every line within the page's content area and inside its column.
        for line in &layout.lines {
            assert!(line.baseline <= BOTTOM + BODY, "{line:?}");
            let w = width(line.text.trim_end(), |c| {
                fonts.face(line.weight).advance(c) * line.size
            });
            assert!(line.x + w <= PAGE_WIDTH - RIGHT + 0.01, "{line:?}");
        }
        let value: String = layout
            .lines
            .iter()
            .filter(|l| l.weight == Weight::Regular)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(value, long);
        assert_eq!(layout.footers.len(), 2 * layout.pages);
    }
}
