//! The XML plumbing of the messages: a writer that puts xdomea elements
//! out through quick-xml (escaping every text, replacing what XML 1.0
//! forbids), and a bounded reader that turns a message into a small element
//! tree.
//!
//! Owns well-formedness and limits; it must not know any message's
//! structure (that is `filing.rs` and `confirmation.rs`).

use std::io;

use quick_xml::{
    XmlVersion,
    escape::resolve_predefined_entity,
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
    name::ResolveResult,
    reader::NsReader,
    writer::Writer,
};

use super::{NAMESPACE, codes::CodeList, error::Error, text::xml_text};

/// The prefix under which the writer binds the xdomea namespace. A prefix
/// (not a default namespace) is needed because the `code` children of
/// code types are unqualified (`form="unqualified"`).
const PREFIX: &str = "xdomea";

/// Writes one xdomea message.
pub(crate) struct XmlWriter {
    inner: Writer<Vec<u8>>,
}

impl XmlWriter {
    /// A writer with the XML declaration written, indenting by two spaces
    /// (whitespace between elements only: no element has mixed content).
    pub fn new(capacity: usize) -> Result<XmlWriter, Error> {
        let mut inner = Writer::new_with_indent(Vec::with_capacity(capacity), b' ', 2);
        inner
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .map_err(Error::io)?;
        Ok(XmlWriter { inner })
    }

    /// Opens the root element `name` and binds the xdomea namespace.
    pub fn root(&mut self, name: &str) -> Result<(), Error> {
        let mut start = BytesStart::new(format!("{PREFIX}:{name}"));
        start.push_attribute(("xmlns:xdomea", NAMESPACE));
        self.event(Event::Start(start))
    }

    /// Opens the xdomea element `name`.
    pub fn start(&mut self, name: &str) -> Result<(), Error> {
        self.event(Event::Start(BytesStart::new(format!("{PREFIX}:{name}"))))
    }

    /// Closes the xdomea element `name`.
    pub fn end(&mut self, name: &str) -> Result<(), Error> {
        self.event(Event::End(BytesEnd::new(format!("{PREFIX}:{name}"))))
    }

    /// `<xdomea:name>text</xdomea:name>`, the text escaped and cleaned of
    /// characters XML 1.0 forbids.
    pub fn text(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.element(&format!("{PREFIX}:{name}"), text)
    }

    /// [`XmlWriter::text`] when there is a value.
    pub fn opt_text(&mut self, name: &str, text: Option<&str>) -> Result<(), Error> {
        match text {
            Some(text) => self.text(name, text),
            None => Ok(()),
        }
    }

    /// `<xdomea:name listURI=… listVersionID=…><code>code</code></xdomea:name>`:
    /// a value of a code type (`xoev-code:Code`).
    pub fn code(&mut self, name: &str, list: Option<CodeList>, code: &str) -> Result<(), Error> {
        let (uri, version) = match list {
            Some(list) => (Some(list.uri), Some(list.version)),
            None => (None, None),
        };
        self.code_with(name, uri, version, code)
    }

    /// A code value whose list attributes come from the caller.
    pub fn code_with(
        &mut self,
        name: &str,
        list_uri: Option<&str>,
        list_version: Option<&str>,
        code: &str,
    ) -> Result<(), Error> {
        self.start_code(name, list_uri, list_version)?;
        self.raw_code(code, None)?;
        self.end(name)
    }

    /// Opens a code element with its list attributes.
    pub fn start_code(
        &mut self,
        name: &str,
        list_uri: Option<&str>,
        list_version: Option<&str>,
    ) -> Result<(), Error> {
        let mut start = BytesStart::new(format!("{PREFIX}:{name}"));
        if let Some(uri) = list_uri {
            start.push_attribute(("listURI", xml_text(uri).as_ref()));
        }
        if let Some(version) = list_version {
            start.push_attribute(("listVersionID", xml_text(version).as_ref()));
        }
        self.event(Event::Start(start))
    }

    /// The `code` and optional `name` children of a code element. Both
    /// are unqualified (`form="unqualified"`): no prefix.
    pub fn raw_code(&mut self, code: &str, name: Option<&str>) -> Result<(), Error> {
        self.element("code", code)?;
        match name {
            Some(name) => self.element("name", name),
            None => Ok(()),
        }
    }

    /// `<qname>text</qname>`, or `<qname/>` when the cleaned text is empty
    /// (`<a></a>` would get the indentation between its tags as content).
    fn element(&mut self, qname: &str, text: &str) -> Result<(), Error> {
        let clean = xml_text(text);
        if clean.is_empty() {
            return self.event(Event::Empty(BytesStart::new(qname)));
        }
        self.event(Event::Start(BytesStart::new(qname)))?;
        self.event(Event::Text(BytesText::new(&clean)))?;
        self.event(Event::End(BytesEnd::new(qname)))
    }

    /// The finished document.
    pub fn finish(mut self, root: &str) -> Result<Vec<u8>, Error> {
        self.end(root)?;
        let mut bytes = self.inner.into_inner();
        bytes.push(b'\n');
        Ok(bytes)
    }

    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.inner
            .write_event(event)
            .map_err(|e: io::Error| Error::io(e))
    }
}

/// What the reader accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_elements: usize,
}

/// One element: its local name, whether it is in the xdomea namespace, its
/// attributes by local name, its children, and its own text (the text
/// directly inside it, entities resolved).
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub name: String,
    pub in_xdomea: bool,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child called `name`, or [`Error::Missing`] naming
    /// `path/name`.
    pub fn required(&self, path: &str, name: &str) -> Result<&Element, Error> {
        self.child(name)
            .ok_or_else(|| Error::missing(format!("{path}/{name}")))
    }

    /// The trimmed text of the child `name`, if it is there and not blank.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// The trimmed text of the child `name`, or [`Error::Missing`].
    pub fn required_text(&self, path: &str, name: &str) -> Result<&str, Error> {
        self.child_text(name)
            .ok_or_else(|| Error::missing(format!("{path}/{name}")))
    }

    /// The attribute `name` (local name).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Moves the innermost open element into its parent (or makes it the
/// root).
fn close(stack: &mut Vec<Element>, root: &mut Option<Element>) {
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => *root = Some(done),
        }
    }
}

/// Reads `bytes` as one XML document into an element tree, within
/// `limits`. UTF-8 only (what xdomea messages use; anything else is an
/// error, not a guess); no DOCTYPE, so no entity definitions, no external
/// entities, no entity expansion.
pub(crate) fn parse(bytes: &[u8], limits: Limits) -> Result<Element, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_bytes as u64,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Error::NotXml {
        detail: format!("not UTF-8 at byte {}", e.valid_up_to()),
    })?;
    // A UTF-8 byte order mark is allowed before the declaration.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    let not_xml = |reader: &NsReader<&[u8]>, detail: String| Error::NotXml {
        detail: format!("{detail} (at byte {})", reader.error_position()),
    };
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| Error::NotXml {
            detail: e.to_string(),
        })?;
        let in_xdomea = matches!(&ns, ResolveResult::Bound(n) if n.as_ref() == NAMESPACE);
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                if root.is_some() {
                    return Err(not_xml(&reader, "a second root element".to_owned()));
                }
                elements += 1;
                if elements > limits.max_elements {
                    return Err(Error::TooManyElements {
                        limit: limits.max_elements,
                    });
                }
                if stack.len() >= limits.max_depth {
                    return Err(Error::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                let mut element = Element {
                    name: start.local_name().as_ref().to_owned(),
                    in_xdomea,
                    ..Element::default()
                };
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| Error::NotXml {
                        detail: e.to_string(),
                    })?;
                    let key = attribute.key;
                    if key.as_ref() == "xmlns" || key.as_ref().starts_with("xmlns:") {
                        continue;
                    }
                    let value = attribute
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| Error::NotXml {
                            detail: e.to_string(),
                        })?;
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
                    return Err(not_xml(&reader, "an end tag without a start".to_owned()));
                }
                close(&mut stack, &mut root);
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(not_xml(&reader, "text outside the root element".into())),
                }
            }
            Event::CData(data) => match stack.last_mut() {
                Some(current) => current.text.push_str(&data.xml10_content()),
                None => return Err(not_xml(&reader, "CDATA outside the root element".into())),
            },
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_predefined_entity(&reference) {
                        Some(text) => text.to_owned(),
                        None => {
                            return Err(not_xml(
                                &reader,
                                format!("the unknown entity &{};", &*reference),
                            ));
                        }
                    },
                    Err(e) => return Err(not_xml(&reader, e.to_string())),
                };
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&resolved),
                    None => return Err(not_xml(&reader, "a reference outside the root".into())),
                }
            }
            Event::Decl(decl) => {
                if let Some(encoding) = decl.encoding() {
                    let encoding = encoding.map_err(|e| Error::NotXml {
                        detail: e.to_string(),
                    })?;
                    if !encoding.eq_ignore_ascii_case("utf-8") {
                        return Err(Error::invalid(
                            "<?xml encoding?>",
                            &encoding,
                            super::error::REASON_ENCODING,
                        ));
                    }
                }
            }
            Event::DocType(_) => return Err(Error::DoctypeNotAllowed),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(Error::NotXml {
            detail: "the document ends inside an element".to_owned(),
        });
    }
    root.ok_or_else(|| Error::NotXml {
        detail: "there is no root element".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    const LIMITS: Limits = Limits {
        max_bytes: 10_000,
        max_depth: 8,
        max_elements: 50,
    };

    #[test]
    fn xdomea_reader_builds_a_tree_with_resolved_text() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
            <x:A xmlns:x="urn:xoev-de:xdomea:schema:3.0.0" a="1 &amp; 2">
              <x:B>a &lt;&amp;&gt; &#x1F980; <![CDATA[<c>]]></x:B><code>7</code><x:E/>
            </x:A>"#;
        let root = parse(xml.as_bytes(), LIMITS).expect("parses");
        assert_eq!(root.name, "A");
        assert!(root.in_xdomea);
        assert_eq!(root.attribute("a"), Some("1 & 2"));
        assert_eq!(
            root.child("B").map(|b| b.text.as_str()),
            Some("a <&> 🦀 <c>")
        );
        let code = root.child("code").expect("code");
        assert!(!code.in_xdomea);
        assert_eq!(root.child_text("code"), Some("7"));
        assert!(root.child("E").is_some());
        assert_eq!(root.child_text("E"), None);
    }

    #[test]
    fn xdomea_reader_rejects_what_it_must() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "no root"),
            (b"<a>", "unclosed"),
            (b"<a></b>", "mismatched"),
            (b"<a/><b/>", "two roots"),
            (b"text<a/>", "text outside"),
            (b"<a>&foo;</a>", "unknown entity"),
            (b"\xff\xfe<a/>", "not UTF-8"),
            (b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "doctype"),
            (
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
                "encoding",
            ),
        ];
        for (input, what) in cases {
            assert!(parse(input, LIMITS).is_err(), "{what} was accepted");
        }
        assert_eq!(
            parse(b"<!DOCTYPE a><a/>", LIMITS).err(),
            Some(Error::DoctypeNotAllowed)
        );
        let deep = "<a>".repeat(9) + &"</a>".repeat(9);
        assert_eq!(
            parse(deep.as_bytes(), LIMITS).err(),
            Some(Error::TooDeep { limit: 8 })
        );
        let many = format!("<a>{}</a>", "<b/>".repeat(60));
        assert_eq!(
            parse(many.as_bytes(), LIMITS).err(),
            Some(Error::TooManyElements { limit: 50 })
        );
        let big = vec![b' '; 10_001];
        assert!(matches!(parse(&big, LIMITS), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn xdomea_writer_escapes_and_cleans() {
        let mut w = XmlWriter::new(256).expect("writer");
        w.root("R").expect("root");
        w.text("T", "<&>\"' \u{1}🦀").expect("text");
        w.code("C", None, "0605").expect("code");
        let bytes = w.finish("R").expect("finish");
        let xml = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(xml.contains("&lt;&amp;&gt;"), "{xml}");
        assert!(!xml.contains('\u{1}'));
        let root = parse(&bytes, LIMITS).expect("reads back");
        assert_eq!(root.child_text("T"), Some("<&>\"' \u{FFFD}🦀"));
        assert_eq!(
            root.child("C").and_then(|c| c.child_text("code")),
            Some("0605")
        );
    }
}
