//! The XML plumbing of the FIM import: a bounded reader (quick-xml) that
//! turns a document into a small element tree with namespace URIs, line
//! and column of every element, and resolved text.
//!
//! Owns well-formedness and the limits (size, depth, number of elements);
//! it must not know XDatenfelder's structure (that is `parse.rs`).

use quick_xml::{
    XmlVersion, escape::resolve_predefined_entity, events::Event, name::ResolveResult,
    reader::NsReader,
};

use super::{ErrorKind, FimError};

/// Largest document the import reads.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting of elements.
pub const MAX_DEPTH: usize = 64;
/// Most elements in one document.
pub const MAX_ELEMENTS: usize = 500_000;

/// One element of the document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    /// The name as written, with its prefix (`xdf:id`).
    pub qname: String,
    /// The local name (`id`).
    pub name: String,
    /// The namespace URI, if the element is in one.
    pub ns: Option<String>,
    /// Attributes by local name (namespace declarations left out).
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The text directly inside, entities resolved.
    pub text: String,
    /// 1-based line and column of the start tag.
    pub line: usize,
    pub column: usize,
}

impl Element {
    /// The attribute `name` (local name).
    #[cfg(test)]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed text, `None` when blank.
    pub fn trimmed(&self) -> Option<&str> {
        let t = self.text.trim();
        (!t.is_empty()).then_some(t)
    }
}

/// Turns byte offsets into line and column. Elements come in document
/// order, so a cursor that only moves forward makes this linear in the
/// size of the document; an offset behind the cursor (only for an error)
/// is counted from the start.
struct Lines<'t> {
    text: &'t str,
    pos: usize,
    line: usize,
    column: usize,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines {
            text,
            pos: 0,
            line: 1,
            column: 1,
        }
    }

    fn at(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        if offset < self.pos {
            *self = Lines::new(self.text);
        }
        if let Some(part) = self.text.get(self.pos..offset) {
            for c in part.chars() {
                if c == '\n' {
                    self.line += 1;
                    self.column = 1;
                } else {
                    self.column += 1;
                }
            }
            self.pos = offset;
        }
        (self.line, self.column)
    }
}

fn close(stack: &mut Vec<Element>, root: &mut Option<Element>) {
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => *root = Some(done),
        }
    }
}

/// Reads `bytes` as one XML document. UTF-8 only; a DOCTYPE (and so any
/// entity definition) is refused.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, FimError> {
    if bytes.len() > MAX_BYTES {
        return Err(FimError::document(ErrorKind::TooLarge {
            size: bytes.len(),
            limit: MAX_BYTES,
        }));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FimError::document(ErrorKind::NotUtf8 {
            at: e.valid_up_to(),
        })
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut lines = Lines::new(text);
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    let not_xml = |offset: usize, detail: String| {
        let (line, column) = Lines::new(text).at(offset);
        FimError::at_position(line, column, "", ErrorKind::NotXml { detail })
    };
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (ns, event) = match reader.read_resolved_event() {
            Ok(r) => r,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(before);
                return Err(not_xml(at, e.to_string()));
            }
        };
        let ns = match ns {
            ResolveResult::Bound(n) => Some(n.as_ref().to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err(not_xml(
                    before,
                    format!("the prefix \"{prefix:?}\" is not declared"),
                ));
            }
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                if root.is_some() {
                    return Err(not_xml(before, "a second root element".into()));
                }
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(FimError::document(ErrorKind::TooManyElements {
                        limit: MAX_ELEMENTS,
                    }));
                }
                if stack.len() >= MAX_DEPTH {
                    let (line, column) = lines.at(before);
                    return Err(FimError::at_position(
                        line,
                        column,
                        start.name().as_ref(),
                        ErrorKind::TooDeep { limit: MAX_DEPTH },
                    ));
                }
                let (line, column) = lines.at(before);
                let mut element = Element {
                    qname: start.name().as_ref().to_owned(),
                    name: start.local_name().as_ref().to_owned(),
                    ns,
                    line,
                    column,
                    ..Element::default()
                };
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| not_xml(before, e.to_string()))?;
                    let key = attribute.key;
                    if key.as_ref() == "xmlns" || key.as_ref().starts_with("xmlns:") {
                        continue;
                    }
                    let value = attribute
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| not_xml(before, e.to_string()))?;
                    element
                        .attributes
                        .push((key.local_name().as_ref().to_owned(), value.into_owned()));
                }
                stack.push(element);
                if empty {
                    close(&mut stack, &mut root);
                }
            }
            Event::End(_) => {
                if stack.is_empty() {
                    return Err(not_xml(before, "an end tag without a start".into()));
                }
                close(&mut stack, &mut root);
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(not_xml(before, "text outside the root element".into())),
                }
            }
            Event::CData(data) => match stack.last_mut() {
                Some(current) => current.text.push_str(&data.xml10_content()),
                None => return Err(not_xml(before, "CDATA outside the root element".into())),
            },
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_predefined_entity(&reference) {
                        Some(t) => t.to_owned(),
                        None => {
                            return Err(not_xml(
                                before,
                                format!("the unknown entity &{};", &*reference),
                            ));
                        }
                    },
                    Err(e) => return Err(not_xml(before, e.to_string())),
                };
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&resolved),
                    None => return Err(not_xml(before, "a reference outside the root".into())),
                }
            }
            Event::Decl(decl) => {
                if let Some(encoding) = decl.encoding() {
                    let encoding = encoding.map_err(|e| not_xml(before, e.to_string()))?;
                    if !encoding.eq_ignore_ascii_case("utf-8") {
                        return Err(not_xml(
                            before,
                            format!("the encoding \"{encoding}\" is not UTF-8"),
                        ));
                    }
                }
            }
            Event::DocType(_) => return Err(FimError::document(ErrorKind::Doctype)),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(not_xml(
            text.len(),
            "the document ends inside an element".into(),
        ));
    }
    root.ok_or_else(|| not_xml(0, "there is no root element".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]

    use super::*;

    #[test]
    fn fim_reader_keeps_namespaces_positions_and_text() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x:A xmlns:x=\"urn:a\" b=\"1 &amp; 2\">\n  <x:B>a &lt;&gt; <![CDATA[<c>]]></x:B><code>7</code>\n</x:A>";
        let root = parse(xml.as_bytes()).expect("parses");
        assert_eq!(root.qname, "x:A");
        assert_eq!(root.ns.as_deref(), Some("urn:a"));
        assert_eq!((root.line, root.column), (2, 1));
        assert_eq!(root.attribute("b"), Some("1 & 2"));
        let b = &root.children[0];
        assert_eq!(b.text, "a <> <c>");
        assert_eq!((b.line, b.column), (3, 3));
        assert_eq!(root.children[1].ns, None);
    }

    #[test]
    fn fim_reader_refuses_broken_and_hostile_documents() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"".to_vec(), "no root"),
            (b"<a><b></a>".to_vec(), "mismatched"),
            (b"<a/><b/>".to_vec(), "second root"),
            (vec![0xff, 0xfe], "UTF-8"),
            (
                b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>".to_vec(),
                "DOCTYPE",
            ),
            (b"<a>&nope;</a>".to_vec(), "entity"),
            (deep.into_bytes(), "deeper"),
        ];
        for (input, what) in cases {
            let e = parse(&input).expect_err(what);
            assert!(!e.to_string().is_empty(), "{what}");
        }
        let e = parse(b"<a>\n<b></c></a>").expect_err("mismatched");
        assert_eq!(e.line, 2, "{e}");
    }
}
