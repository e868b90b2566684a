//! Reading an XDatenfelder element tree into a small FIM model: the
//! Stammdatenschema (or root data field group), its groups, fields, rules
//! and their cardinalities.
//!
//! Owns the structure of XDatenfelder 2.0 and 3.0.0 as far as the import
//! needs it: which elements may appear where, which once only, which are
//! required, and the code lists it checks (Status, Freigabestatus,
//! Schemaelementart). It must not know the definition format (that is
//! `convert.rs`).

use super::xml::Element;
use super::{ErrorKind, FimError, NS_V2, NS_V3, ReportItem, Severity, Standard};
use crate::model::Text;

/// A parsed document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub standard: Standard,
    /// Local name of the message element.
    pub message: String,
    /// The Stammdatenschema, or the data field group of a 0103 message.
    pub root: Group,
    /// Things the parser tolerated, for the report.
    pub items: Vec<ReportItem>,
}

/// Where an element was and who it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub qname: String,
    pub line: usize,
    pub id: String,
    pub version: Option<String>,
    pub name: String,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Meta {
    /// `F60000227 1.1`.
    pub fn fim_id(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.id),
            None => self.id.clone(),
        }
    }

    /// The label citizens see: bezeichnungEingabe, else the name.
    pub fn label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Rule {
    pub meta: Meta,
    /// The rule in words (freitextRegel, definition or beschreibung).
    pub text: Option<String>,
    pub script: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Group {
    pub meta: Meta,
    pub rules: Vec<Rule>,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone)]
pub(crate) struct Child {
    pub min: u32,
    /// `None`: unbounded (`*`, `n`).
    pub max: Option<u32>,
    pub item: Item,
}

#[derive(Debug, Clone)]
pub(crate) enum Item {
    Group(Group),
    Field(Box<DataField>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Constraints {
    pub min_length: Option<String>,
    pub max_length: Option<String>,
    pub min_value: Option<String>,
    pub max_value: Option<String>,
    pub pattern: Option<String>,
    /// Anything in the Präzisierung the import could not read.
    pub unreadable: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CodeListRef {
    pub line: usize,
    pub id: Option<String>,
    pub uri: Option<String>,
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Value {
    pub code: String,
    pub name: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DataField {
    pub meta: Meta,
    pub feldart: Option<String>,
    pub datentyp: Option<String>,
    pub constraints: Constraints,
    pub content: Option<String>,
    pub code_list: Option<CodeListRef>,
    pub values: Vec<Value>,
    pub max_size: Option<String>,
    pub media_types: Vec<String>,
    pub prefill: Option<String>,
    pub rules: Vec<Rule>,
}

struct Ctx {
    standard: Standard,
    ns: &'static str,
    items: Vec<ReportItem>,
}

/// Children of an element sorted by name, checked against what may appear.
struct Children<'a> {
    singles: Vec<(&'static str, &'a Element)>,
    multis: Vec<(&'static str, &'a Element)>,
}

impl<'a> Children<'a> {
    fn get(&self, name: &str) -> Option<&'a Element> {
        self.singles
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| *e)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .and_then(Element::trimmed)
            .map(normalize_space)
    }

    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a Element> + 's {
        self.multis
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, e)| *e)
    }
}

/// Collapses runs of white space (FIM texts are often indented).
fn normalize_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn err(el: &Element, kind: ErrorKind) -> FimError {
    FimError::at_position(el.line, el.column, &el.qname, kind)
}

/// `xdf:` for an element written `xdf:name`.
fn prefix(el: &Element) -> &str {
    el.qname
        .find(':')
        .and_then(|i| el.qname.get(..=i))
        .unwrap_or("")
}

impl Ctx {
    /// Checks the children of `el`: each in the XDatenfelder namespace and
    /// named in `singles` (at most once) or `multis` (any number).
    fn children<'a>(
        &mut self,
        el: &'a Element,
        singles: &[&'static str],
        multis: &[&'static str],
    ) -> Result<Children<'a>, FimError> {
        let mut out = Children {
            singles: Vec::new(),
            multis: Vec::new(),
        };
        for child in &el.children {
            if child.ns.as_deref() != Some(self.ns) {
                return Err(err(child, ErrorKind::UnexpectedElement));
            }
            if let Some(&name) = singles.iter().find(|n| **n == child.name) {
                match out.singles.iter_mut().find(|(n, _)| *n == name) {
                    None => out.singles.push((name, child)),
                    Some(slot) => {
                        // An empty placeholder followed by the value is
                        // tolerated (and reported); anything else is a
                        // duplicate.
                        if slot.1.trimmed().is_none()
                            && slot.1.children.is_empty()
                            && (child.trimmed().is_some() || !child.children.is_empty())
                        {
                            self.items.push(ReportItem {
                                severity: Severity::Note,
                                code: "empty_duplicate_ignored",
                                element: child.qname.clone(),
                                line: child.line,
                                fim_id: None,
                                path: None,
                                message: Text::new(
                                    format!(
                                        "<{}> kommt zweimal vor; das erste ist leer und wurde übergangen.",
                                        child.qname
                                    ),
                                    format!(
                                        "<{}> occurs twice; the first is empty and was skipped.",
                                        child.qname
                                    ),
                                ),
                            });
                            slot.1 = child;
                        } else {
                            return Err(err(child, ErrorKind::DuplicateElement));
                        }
                    }
                }
            } else if let Some(&name) = multis.iter().find(|n| **n == child.name) {
                out.multis.push((name, child));
            } else {
                return Err(err(child, ErrorKind::UnexpectedElement));
            }
        }
        Ok(out)
    }

    fn require<'a>(
        &self,
        parent: &Element,
        children: &Children<'a>,
        name: &str,
    ) -> Result<&'a Element, FimError> {
        children.get(name).ok_or_else(|| {
            err(
                parent,
                ErrorKind::MissingElement {
                    child: format!("{}{name}", prefix(parent)),
                },
            )
        })
    }

    /// The `code` of a code-typed element (`<xdf:status><code>aktiv</code>`).
    fn code(&self, el: &Element) -> Result<String, FimError> {
        let mut code: Option<&Element> = None;
        for child in &el.children {
            match child.name.as_str() {
                "code" | "name" if child.ns.is_none() || child.ns.as_deref() == Some(self.ns) => {
                    if child.name == "code" {
                        if code.is_some() {
                            return Err(err(child, ErrorKind::DuplicateElement));
                        }
                        code = Some(child);
                    }
                }
                _ => return Err(err(child, ErrorKind::UnexpectedElement)),
            }
        }
        let code = code.ok_or_else(|| {
            err(
                el,
                ErrorKind::MissingElement {
                    child: "code".into(),
                },
            )
        })?;
        code.trimmed()
            .map(str::to_owned)
            .ok_or_else(|| err(code, ErrorKind::EmptyValue))
    }

    fn checked_code(
        &self,
        el: Option<&Element>,
        list: &'static str,
        valid: &[&str],
    ) -> Result<Option<String>, FimError> {
        let Some(el) = el else { return Ok(None) };
        let value = self.code(el)?;
        if !valid.contains(&value.as_str()) {
            let at = el.children.iter().find(|c| c.name == "code").unwrap_or(el);
            return Err(FimError::at_position(
                at.line,
                at.column,
                &el.qname,
                ErrorKind::InvalidCode { list, value },
            ));
        }
        Ok(Some(value))
    }

    fn identification(&mut self, el: &Element) -> Result<(String, Option<String>), FimError> {
        let c = self.children(el, &["id", "version"], &[])?;
        let id_el = self.require(el, &c, "id")?;
        let id = id_el
            .trimmed()
            .ok_or_else(|| err(id_el, ErrorKind::EmptyValue))?
            .to_owned();
        Ok((id, c.text("version")))
    }

    /// Identity, names and help shared by schema, groups, fields and rules;
    /// also checks the code lists every element may carry.
    fn meta(&mut self, el: &Element, c: &Children<'_>) -> Result<Meta, FimError> {
        let ident = self.require(el, c, "identifikation")?;
        let (id, version) = self.identification(ident)?;
        let name_el = self.require(el, c, "name")?;
        let name = name_el
            .trimmed()
            .map(normalize_space)
            .ok_or_else(|| err(name_el, ErrorKind::EmptyValue))?;
        match self.standard {
            Standard::V2 => {
                self.checked_code(
                    c.get("status"),
                    "Status",
                    &["inVorbereitung", "aktiv", "inaktiv"],
                )?;
            }
            Standard::V3 => {
                if el.name != "regel" {
                    let status = self.require(el, c, "freigabestatus")?;
                    self.checked_code(
                        Some(status),
                        "Freigabestatus",
                        &["1", "2", "3", "4", "5", "6", "7", "8"],
                    )?;
                }
            }
        }
        self.checked_code(
            c.get("schemaelementart"),
            "Schemaelementart",
            &["ABS", "HAR", "RNG"],
        )?;
        Ok(Meta {
            qname: el.qname.clone(),
            line: el.line,
            id,
            version,
            name,
            label: c
                .text("bezeichnungEingabe")
                .or_else(|| c.text("bezeichnung")),
            help: c.text("hilfetextEingabe").or_else(|| c.text("hilfetext")),
        })
    }

    fn base_singles(&self) -> Vec<&'static str> {
        match self.standard {
            Standard::V2 => vec![
                "identifikation",
                "name",
                "bezeichnungEingabe",
                "bezeichnungAusgabe",
                "beschreibung",
                "definition",
                "bezug",
                "status",
                "gueltigAb",
                "gueltigBis",
                "fachlicherErsteller",
                "versionshinweis",
                "freigabedatum",
                "veroeffentlichungsdatum",
            ],
            Standard::V3 => vec![
                "identifikation",
                "name",
                "beschreibung",
                "definition",
                "freigabestatus",
                "statusGesetztAm",
                "statusGesetztDurch",
                "gueltigAb",
                "gueltigBis",
                "versionshinweis",
                "veroeffentlichungsdatum",
                "letzteAenderung",
                "bezeichnungEingabe",
                "bezeichnungAusgabe",
            ],
        }
    }

    fn base_multis(&self) -> Vec<&'static str> {
        match self.standard {
            Standard::V2 => vec!["regel"],
            Standard::V3 => vec!["bezug", "stichwort", "relation", "regel"],
        }
    }

    fn rule(&mut self, el: &Element) -> Result<Rule, FimError> {
        let c = match self.standard {
            Standard::V2 => {
                let mut singles = self.base_singles();
                singles.push("script");
                self.children(el, &singles, &[])?
            }
            Standard::V3 => self.children(
                el,
                &[
                    "identifikation",
                    "name",
                    "beschreibung",
                    "freitextRegel",
                    "fachlicherErsteller",
                    "letzteAenderung",
                    "typ",
                    "skript",
                ],
                &["bezug", "stichwort", "param", "ziel", "fehler"],
            )?,
        };
        let meta = self.meta(el, &c)?;
        Ok(Rule {
            meta,
            text: c
                .text("freitextRegel")
                .or_else(|| c.text("definition"))
                .or_else(|| c.text("beschreibung")),
            script: c.text("script").or_else(|| c.text("skript")),
        })
    }

    fn rules(&mut self, c: &Children<'_>) -> Result<Vec<Rule>, FimError> {
        c.all("regel").map(|r| self.rule(r)).collect()
    }

    fn cardinality(&self, el: &Element) -> Result<(u32, Option<u32>), FimError> {
        let raw = el.trimmed().unwrap_or("");
        let invalid = || {
            err(
                el,
                ErrorKind::InvalidValue {
                    value: raw.to_owned(),
                    expected: "Anzahl wie 1:1, 0:1, 0:* / a cardinality like 1:1, 0:1, 0:*",
                },
            )
        };
        let (min, max) = raw.split_once(':').ok_or_else(invalid)?;
        let min: u32 = min.trim().parse().map_err(|_| invalid())?;
        let max = match max.trim() {
            "*" | "n" | "N" => None,
            m => Some(m.parse::<u32>().map_err(|_| invalid())?),
        };
        if max.is_some_and(|m| m < min || m == 0) {
            return Err(invalid());
        }
        Ok((min, max))
    }

    fn structure(&mut self, el: &Element) -> Result<Child, FimError> {
        let c = match self.standard {
            Standard::V2 => self.children(el, &["anzahl", "bezug", "enthaelt"], &[])?,
            Standard::V3 => self.children(el, &["anzahl", "enthaelt"], &["bezug"])?,
        };
        let (min, max) = self.cardinality(self.require(el, &c, "anzahl")?)?;
        let contains = self.require(el, &c, "enthaelt")?;
        let inner = self.children(contains, &["datenfeldgruppe", "datenfeld"], &[])?;
        let item = match (inner.get("datenfeldgruppe"), inner.get("datenfeld")) {
            (Some(g), None) => Item::Group(self.group(g)?),
            (None, Some(f)) => Item::Field(Box::new(self.field(f)?)),
            (Some(_), Some(f)) => return Err(err(f, ErrorKind::UnexpectedElement)),
            (None, None) => {
                return Err(err(
                    contains,
                    ErrorKind::MissingElement {
                        child: format!("{}datenfeld", prefix(contains)),
                    },
                ));
            }
        };
        Ok(Child { min, max, item })
    }

    fn group_like(
        &mut self,
        el: &Element,
        extra_singles: &[&'static str],
    ) -> Result<Group, FimError> {
        let mut singles = self.base_singles();
        singles.extend_from_slice(extra_singles);
        let mut multis = self.base_multis();
        multis.push("struktur");
        let c = self.children(el, &singles, &multis)?;
        let meta = self.meta(el, &c)?;
        let rules = self.rules(&c)?;
        let children = c
            .all("struktur")
            .map(|s| self.structure(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Group {
            meta,
            rules,
            children,
        })
    }

    fn group(&mut self, el: &Element) -> Result<Group, FimError> {
        self.group_like(
            el,
            &["schemaelementart", "hilfetextEingabe", "hilfetextAusgabe"],
        )
    }

    fn schema(&mut self, el: &Element) -> Result<Group, FimError> {
        let extra: &[&'static str] = match self.standard {
            Standard::V2 => &[
                "hilfetext",
                "ableitungsmodifikationenStruktur",
                "ableitungsmodifikationenRepraesentation",
            ],
            Standard::V3 => &[
                "bezeichnung",
                "hilfetext",
                "ableitungsmodifikationenStruktur",
                "ableitungsmodifikationenRepraesentation",
                "dokumentsteckbrief",
                "fachlicherErsteller",
            ],
        };
        self.group_like(el, extra)
    }

    fn field(&mut self, el: &Element) -> Result<DataField, FimError> {
        let mut singles = self.base_singles();
        singles.extend_from_slice(&[
            "schemaelementart",
            "hilfetextEingabe",
            "hilfetextAusgabe",
            "feldart",
            "datentyp",
            "praezisierung",
            "inhalt",
            "codelisteReferenz",
        ]);
        let mut multis = self.base_multis();
        if self.standard == Standard::V3 {
            singles.extend_from_slice(&[
                "vorbefuellung",
                "werte",
                "codeKey",
                "nameKey",
                "helpKey",
                "maxSize",
                "datentypErweiterung",
            ]);
            multis.push("mediaType");
        }
        let c = self.children(el, &singles, &multis)?;
        let meta = self.meta(el, &c)?;
        let rules = self.rules(&c)?;
        let feldart = c.get("feldart").map(|e| self.code(e)).transpose()?;
        let datentyp = c.get("datentyp").map(|e| self.code(e)).transpose()?;
        let prefill = c.get("vorbefuellung").map(|e| self.code(e)).transpose()?;
        let constraints = match c.get("praezisierung") {
            None => Constraints::default(),
            Some(p) => self.constraints(p)?,
        };
        let code_list = c
            .get("codelisteReferenz")
            .map(|r| self.code_list(r))
            .transpose()?;
        let mut values = Vec::new();
        if let Some(werte) = c.get("werte") {
            let w = self.children(werte, &[], &["wert"])?;
            for wert in w.all("wert") {
                let v = self.children(wert, &["code", "name", "hilfe"], &[])?;
                let code_el = self.require(wert, &v, "code")?;
                let code = code_el
                    .trimmed()
                    .ok_or_else(|| err(code_el, ErrorKind::EmptyValue))?
                    .to_owned();
                values.push(Value {
                    name: v.text("name").unwrap_or_else(|| code.clone()),
                    code,
                    help: v.text("hilfe"),
                });
            }
        }
        Ok(DataField {
            meta,
            feldart,
            datentyp,
            constraints,
            content: c.text("inhalt"),
            code_list,
            values,
            max_size: c.text("maxSize"),
            media_types: c
                .all("mediaType")
                .filter_map(Element::trimmed)
                .map(str::to_owned)
                .collect(),
            prefill,
            rules,
        })
    }

    fn constraints(&mut self, el: &Element) -> Result<Constraints, FimError> {
        if let Some(child) = el.children.first() {
            return Err(err(child, ErrorKind::UnexpectedElement));
        }
        let mut out = Constraints::default();
        match self.standard {
            Standard::V3 => {
                for (name, value) in &el.attributes {
                    let slot = match name.as_str() {
                        "minLength" => &mut out.min_length,
                        "maxLength" => &mut out.max_length,
                        "minValue" => &mut out.min_value,
                        "maxValue" => &mut out.max_value,
                        "pattern" => &mut out.pattern,
                        _ => {
                            out.unreadable = Some(format!("{name}=\"{value}\""));
                            continue;
                        }
                    };
                    *slot = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
                }
                if let Some(t) = el.trimmed() {
                    out.unreadable = Some(normalize_space(t));
                }
            }
            Standard::V2 => {
                let Some(raw) = el.trimmed() else {
                    return Ok(out);
                };
                match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw) {
                    Ok(map) => {
                        for (name, value) in map {
                            let text = match &value {
                                serde_json::Value::String(s) => s.trim().to_owned(),
                                serde_json::Value::Number(n) => n.to_string(),
                                other => other.to_string(),
                            };
                            let slot = match name.as_str() {
                                "minLength" => &mut out.min_length,
                                "maxLength" => &mut out.max_length,
                                "minValue" => &mut out.min_value,
                                "maxValue" => &mut out.max_value,
                                "pattern" => &mut out.pattern,
                                _ => {
                                    out.unreadable = Some(format!("{name}: {text}"));
                                    continue;
                                }
                            };
                            *slot = Some(text).filter(|v| !v.is_empty());
                        }
                    }
                    Err(_) => out.unreadable = Some(normalize_space(raw)),
                }
            }
        }
        Ok(out)
    }

    fn code_list(&mut self, el: &Element) -> Result<CodeListRef, FimError> {
        let mut out = CodeListRef {
            line: el.line,
            ..CodeListRef::default()
        };
        match self.standard {
            Standard::V2 => {
                let c = self.children(el, &["identifikation", "genericodeIdentification"], &[])?;
                if let Some(ident) = c.get("identifikation") {
                    let (id, version) = self.identification(ident)?;
                    out.id = Some(id);
                    out.version = version;
                }
                if let Some(g) = c.get("genericodeIdentification") {
                    let gc = self.children(
                        g,
                        &["canonicalIdentification", "version", "canonicalVersionUri"],
                        &[],
                    )?;
                    out.uri = gc.text("canonicalIdentification");
                    if let Some(v) = gc.text("version") {
                        out.version = Some(v);
                    }
                }
            }
            Standard::V3 => {
                let c = self.children(
                    el,
                    &["canonicalIdentification", "version", "canonicalVersionUri"],
                    &[],
                )?;
                out.uri = c.text("canonicalIdentification");
                out.version = c.text("version");
            }
        }
        Ok(out)
    }
}

/// Reads the message element `root`.
pub(crate) fn document(root: &Element) -> Result<Document, FimError> {
    let (standard, ns) = match root.ns.as_deref() {
        Some(NS_V2) => (Standard::V2, NS_V2),
        Some(NS_V3) => (Standard::V3, NS_V3),
        other => {
            return Err(err(
                root,
                ErrorKind::UnknownNamespace {
                    namespace: other.unwrap_or("").to_owned(),
                },
            ));
        }
    };
    let mut ctx = Ctx {
        standard,
        ns,
        items: Vec::new(),
    };
    let body = match root.name.as_str() {
        "xdatenfelder.stammdatenschema.0102" => "stammdatenschema",
        "xdatenfelder.datenfeldgruppe.0103" => "datenfeldgruppe",
        _ => return Err(err(root, ErrorKind::UnknownMessage)),
    };
    // The header (message id, time) is not used; its content is not checked.
    let c = ctx.children(root, &["header", body], &[])?;
    let body_el = ctx.require(root, &c, body)?;
    let group = if body == "stammdatenschema" {
        ctx.schema(body_el)?
    } else {
        ctx.group(body_el)?
    };
    Ok(Document {
        standard,
        message: root.name.clone(),
        root: group,
        items: ctx.items,
    })
}
