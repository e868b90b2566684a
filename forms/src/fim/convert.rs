//! From the FIM model (`parse.rs`) to a draft [`FormDefinition`] and the
//! report of everything that was assumed, kept as a note or not supported.
//!
//! Mapping, in short:
//! - top-level data field groups → steps (a repeatable one holds one
//!   repeatable group field); consecutive top-level data fields → one step;
//! - nested data field groups → group fields (`min_items`/`max_items` from
//!   the cardinality); groups nested deeper are flattened into the group
//!   (the engine has one level of groups), reported;
//! - data fields → fields, `required` when the cardinality's minimum is at
//!   least 1; a field repeated at step level becomes a repeatable group of
//!   one field;
//! - Feldart/Datentyp → field type (text, date, yes/no, number, money,
//!   file, select, info); Präzisierung → lengths, pattern, limits;
//! - Regeln → notes for the editor.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::parse::{Child, DataField, Document, Group, Item, Meta, Rule};
use super::{ImportReport, ReportItem, Severity};
use crate::model::{
    Access, Authority, ChoiceOption, CodeList, Field, FieldType, FimRef, FormDefinition, Step, Text,
};

/// Largest `max_items` the engine accepts.
const MAX_ITEMS: u32 = 100;
/// Default upload limit when FIM gives none.
const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

struct Conv {
    items: Vec<ReportItem>,
    field_ids: Ids,
    step_ids: Ids,
    code_lists: BTreeMap<String, CodeList>,
    fields: usize,
}

fn text(de: &str) -> Text {
    Text {
        de: de.to_owned(),
        en: None,
    }
}

fn fim_ref(meta: &Meta) -> FimRef {
    FimRef {
        id: meta.id.clone(),
        version: meta.version.clone(),
    }
}

/// `Natürliche Person (abstrakt)` → `natuerliche_person_abstrakt`.
fn slug(name: &str, sep: char) -> String {
    let mut out = String::new();
    let mut last_sep = true;
    for c in name.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'é' | 'è' | 'ê' => "e",
            'á' | 'à' | 'â' => "a",
            _ => "",
        };
        if !mapped.is_empty() {
            out.push_str(mapped);
            last_sep = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            last_sep = false;
        } else if !last_sep {
            out.push(sep);
            last_sep = true;
        }
        if out.len() >= 48 {
            break;
        }
    }
    while out.ends_with(sep) {
        out.pop();
    }
    out
}

/// Ids already given, and for each base the next suffix to try (so that
/// many fields of the same name stay linear, not quadratic).
#[derive(Default)]
struct Ids {
    taken: HashSet<String>,
    next: HashMap<String, u32>,
}

impl Ids {
    fn remove(&mut self, id: &str) {
        self.taken.remove(id);
    }
}

fn unique(base: String, ids: &mut Ids) -> String {
    let base = if base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base
    } else {
        format!("f_{base}")
    };
    let mut id = base.clone();
    let n = ids.next.entry(base.clone()).or_insert(2);
    while ids.taken.contains(&id) {
        id = format!("{base}_{n}");
        *n += 1;
    }
    ids.taken.insert(id.clone());
    id
}

fn rule_note(rule: &Rule) -> String {
    let mut note = format!("FIM-Regel {} „{}“", rule.meta.fim_id(), rule.meta.name);
    if let Some(t) = &rule.text {
        note.push_str(": ");
        note.push_str(t);
    }
    if let Some(s) = &rule.script {
        note.push_str(" Skript: ");
        note.push_str(s);
    }
    note
}

fn contains_file(group: &Group) -> bool {
    group.children.iter().any(|c| match &c.item {
        Item::Group(g) => contains_file(g),
        Item::Field(f) => matches!(f.datentyp.as_deref(), Some("file" | "obj")),
    })
}

fn parse_number(raw: &str) -> Option<f64> {
    raw.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

impl Conv {
    fn item(
        &mut self,
        severity: Severity,
        code: &'static str,
        meta: &Meta,
        path: Option<&str>,
        de: String,
        en: String,
    ) {
        self.items.push(ReportItem {
            severity,
            code,
            element: meta.qname.clone(),
            line: meta.line,
            fim_id: Some(meta.fim_id()),
            path: path.map(str::to_owned),
            message: Text::new(de, en),
        });
    }

    fn notes(&mut self, meta: &Meta, rules: &[Rule], path: &str) -> Vec<String> {
        rules
            .iter()
            .map(|r| {
                self.item(
                    Severity::Kept,
                    "rule_kept",
                    &r.meta,
                    Some(path),
                    format!(
                        "Die Regel {} „{}“ (an {}) ist als Notiz übernommen; bauen Sie sie im Editor als Regel nach.",
                        r.meta.fim_id(),
                        r.meta.name,
                        meta.fim_id()
                    ),
                    format!(
                        "The rule {} \"{}\" (on {}) is kept as a note; build it as a rule in the editor.",
                        r.meta.fim_id(),
                        r.meta.name,
                        meta.fim_id()
                    ),
                );
                rule_note(r)
            })
            .collect()
    }

    fn max_items(&mut self, meta: &Meta, max: Option<u32>, path: &str) -> u32 {
        match max {
            Some(m) if m <= MAX_ITEMS => m,
            _ => {
                self.item(
                    Severity::Note,
                    "max_items_capped",
                    meta,
                    Some(path),
                    format!(
                        "Die Anzahl ist nach oben offen oder größer als {MAX_ITEMS}; es sind höchstens {MAX_ITEMS} Einträge erlaubt."
                    ),
                    format!(
                        "The cardinality is unbounded or above {MAX_ITEMS}; at most {MAX_ITEMS} entries are allowed."
                    ),
                );
                MAX_ITEMS
            }
        }
    }

    /// A group field for `group` holding `fields`.
    fn group_field(
        &mut self,
        group: &Group,
        child_min: u32,
        child_max: Option<u32>,
        path: &str,
    ) -> Field {
        let id = unique(slug(&group.meta.name, '_'), &mut self.field_ids);
        let mut field = Field::new(id, FieldType::Group, text(group.meta.label()));
        field.hint = group.meta.help.as_deref().map(text);
        field.fim = Some(fim_ref(&group.meta));
        field.notes = self.notes(&group.meta, &group.rules, path);
        field.min_items = Some(child_min.min(MAX_ITEMS));
        field.max_items = Some(self.max_items(&group.meta, child_max, path));
        field.item_label = Some(text(group.meta.label()));
        let mut notes = Vec::new();
        let mut fields = Vec::new();
        self.group_children(&group.children, path, &mut fields, &mut notes);
        field.notes.extend(notes);
        if fields.is_empty() {
            self.item(
                Severity::Unsupported,
                "empty_group",
                &group.meta,
                Some(path),
                "Die Gruppe enthält keine Datenfelder; eine Gruppe braucht mindestens ein Feld."
                    .into(),
                "The group has no data fields; a group needs at least one field.".into(),
            );
        }
        field.fields = fields;
        field
    }

    /// The fields of a group field: deeper groups are flattened in.
    fn group_children(
        &mut self,
        children: &[Child],
        group_path: &str,
        out: &mut Vec<Field>,
        notes: &mut Vec<String>,
    ) {
        for child in children {
            let path = format!("{group_path}.fields[{}]", out.len());
            match &child.item {
                Item::Field(f) => {
                    if child.max != Some(1) {
                        self.item(
                            Severity::Unsupported,
                            "repeated_field_in_group",
                            &f.meta,
                            Some(&path),
                            "Das Feld darf in FIM mehrfach vorkommen; in einer Gruppe ist es hier einmal je Eintrag möglich.".into(),
                            "The field may occur several times in FIM; inside a group it is possible once per entry here.".into(),
                        );
                    }
                    if let Some(field) = self.field(f, child.min, &path) {
                        out.push(field);
                    }
                }
                Item::Group(g) => {
                    if child.max == Some(1) {
                        self.item(
                            Severity::Note,
                            "nested_group_flattened",
                            &g.meta,
                            Some(group_path),
                            "Die verschachtelte Gruppe ist in die umgebende Gruppe aufgelöst (eine Gruppenebene).".into(),
                            "The nested group is flattened into the enclosing group (one level of groups).".into(),
                        );
                    } else {
                        self.item(
                            Severity::Unsupported,
                            "repeatable_group_in_group",
                            &g.meta,
                            Some(group_path),
                            "Eine wiederholbare Gruppe in einer Gruppe wird nicht unterstützt; ihre Felder sind einmal je Eintrag aufgenommen.".into(),
                            "A repeatable group inside a group is not supported; its fields are taken once per entry.".into(),
                        );
                    }
                    notes.extend(self.notes(&g.meta, &g.rules, group_path));
                    self.group_children(&g.children, group_path, out, notes);
                }
            }
        }
    }

    /// The fields of a step.
    fn step_children(&mut self, children: &[Child], step_path: &str, out: &mut Vec<Field>) {
        for child in children {
            let path = format!("{step_path}.fields[{}]", out.len());
            match &child.item {
                Item::Field(f) => {
                    let is_file = matches!(f.datentyp.as_deref(), Some("file" | "obj"));
                    if child.max != Some(1) && !is_file {
                        // A repeatable field: a group of one field.
                        let id = unique(
                            format!("{}_liste", slug(&f.meta.name, '_')),
                            &mut self.field_ids,
                        );
                        let mut group = Field::new(id, FieldType::Group, text(f.meta.label()));
                        group.min_items = Some(child.min.min(MAX_ITEMS));
                        group.max_items = Some(self.max_items(&f.meta, child.max, &path));
                        group.item_label = Some(text(f.meta.label()));
                        if let Some(inner) = self.field(f, 1, &format!("{path}.fields[0]")) {
                            group.fields.push(inner);
                            out.push(group);
                        }
                    } else if let Some(mut field) = self.field(f, child.min, &path) {
                        if is_file && child.max != Some(1) {
                            field.max_files = Some(child.max.unwrap_or(20).clamp(1, 20));
                        }
                        out.push(field);
                    }
                }
                Item::Group(g) => {
                    if child.max == Some(1) && contains_file(g) {
                        self.item(
                            Severity::Note,
                            "group_inlined",
                            &g.meta,
                            Some(step_path),
                            "Die Gruppe enthält Dateianhänge und ist deshalb direkt in den Schritt aufgelöst (Dateifelder sind in Gruppen nicht möglich).".into(),
                            "The group holds file attachments and is therefore flattened into the step (file fields cannot be inside groups).".into(),
                        );
                        let notes = self.notes(&g.meta, &g.rules, step_path);
                        let first = out.len();
                        self.step_children(&g.children, step_path, out);
                        if let Some(f) = out.get_mut(first) {
                            f.notes.extend(notes);
                        }
                    } else {
                        let field = self.group_field(g, child.min, child.max, &path);
                        out.push(field);
                    }
                }
            }
        }
    }

    fn step_from_group(&mut self, child: &Child, group: &Group, index: usize) -> Step {
        let path = format!("$.steps[{index}]");
        let id = unique(slug(&group.meta.name, '_'), &mut self.step_ids);
        let notes = self.notes(&group.meta, &group.rules, &path);
        let mut fields = Vec::new();
        if child.max == Some(1) {
            self.step_children(&group.children, &path, &mut fields);
        } else {
            let field = self.group_field(group, child.min, child.max, &format!("{path}.fields[0]"));
            fields.push(field);
        }
        if child.min == 0 {
            self.item(
                Severity::Note,
                "optional_step",
                &group.meta,
                Some(&path),
                "Die Gruppe ist optional (Anzahl 0:…); der Schritt wird immer gezeigt. Legen Sie im Editor fest, wann er gilt (visible_if), oder machen Sie seine Felder optional.".into(),
                "The group is optional (cardinality 0:…); the step is always shown. Decide in the editor when it applies (visible_if) or make its fields optional.".into(),
            );
        }
        if fields.is_empty() {
            self.item(
                Severity::Note,
                "empty_step",
                &group.meta,
                Some(&path),
                "Die Gruppe enthält keine Datenfelder; der Schritt zeigt nur ihren Text.".into(),
                "The group has no data fields; the step only shows its text.".into(),
            );
            let id = unique(
                format!("{}_hinweis", slug(&group.meta.name, '_')),
                &mut self.field_ids,
            );
            let mut info = Field::new(id, FieldType::Info, text(group.meta.label()));
            info.text = Some(text(group.meta.help.as_deref().unwrap_or(&group.meta.name)));
            fields.push(info);
        }
        Step {
            id,
            title: text(group.meta.label()),
            description: group.meta.help.as_deref().map(text),
            visible_if: None,
            fields,
            fim: Some(fim_ref(&group.meta)),
            notes,
        }
    }

    /// One data field; `None` when it has no place in a form (hidden).
    fn field(&mut self, f: &DataField, min: u32, path: &str) -> Option<Field> {
        self.fields += 1;
        let meta = &f.meta;
        let feldart = f.feldart.as_deref().unwrap_or("input");
        let datentyp = f.datentyp.as_deref().unwrap_or("text");
        let id = unique(slug(&meta.name, '_'), &mut self.field_ids);
        let label = text(meta.label());
        let kind = match (feldart, datentyp) {
            ("hidden", _) => {
                self.field_ids.remove(&id);
                self.fields -= 1;
                self.item(
                    Severity::Unsupported,
                    "hidden_field",
                    meta,
                    None,
                    format!(
                        "Das versteckte Feld „{}“ (Feldart hidden) ist nicht übernommen; versteckte Werte setzt das Portal nicht.",
                        meta.name
                    ),
                    format!(
                        "The hidden field \"{}\" (Feldart hidden) is not imported; the portal does not set hidden values.",
                        meta.name
                    ),
                );
                return None;
            }
            ("label", _) => FieldType::Info,
            (_, "bool") => FieldType::YesNo,
            ("select", _) => FieldType::Select,
            (_, "date") => FieldType::Date,
            (_, "num" | "num_int") => FieldType::Number,
            (_, "num_currency") => FieldType::Money,
            (_, "file" | "obj") => FieldType::File,
            (_, "text" | "text_latin") => FieldType::Text,
            (_, other) => {
                self.item(
                    Severity::Unsupported,
                    "unsupported_type",
                    meta,
                    Some(path),
                    format!(
                        "Der Datentyp „{other}“ wird nicht unterstützt; das Feld ist ein Textfeld."
                    ),
                    format!(
                        "The data type \"{other}\" is not supported; the field is a text field."
                    ),
                );
                FieldType::Text
            }
        };
        if !matches!(feldart, "input" | "select" | "label" | "hidden") {
            self.item(
                Severity::Unsupported,
                "unsupported_input_kind",
                meta,
                Some(path),
                format!("Die Feldart „{feldart}“ wird nicht unterstützt; das Feld ist eine normale Eingabe."),
                format!("The Feldart \"{feldart}\" is not supported; the field is an ordinary input."),
            );
        }
        let mut field = Field::new(id, kind, label);
        field.hint = meta.help.as_deref().map(text);
        field.fim = Some(fim_ref(meta));
        field.notes = self.notes(meta, &f.rules, path);
        if kind != FieldType::Info {
            field.required = min >= 1;
        }
        match kind {
            FieldType::Info => {
                field.text = Some(text(
                    f.content
                        .as_deref()
                        .or(meta.help.as_deref())
                        .unwrap_or(meta.label()),
                ));
                field.hint = None;
            }
            FieldType::Text => self.text_constraints(f, &mut field, path),
            FieldType::Number => {
                if datentyp == "num" {
                    field.decimals = Some(2);
                    self.item(
                        Severity::Note,
                        "decimals_assumed",
                        meta,
                        Some(path),
                        "Kommazahl: zwei Nachkommastellen angenommen.".into(),
                        "Decimal number: two decimal places assumed.".into(),
                    );
                }
                field.min = self.number(f, f.constraints.min_value.as_deref(), path);
                field.max = self.number(f, f.constraints.max_value.as_deref(), path);
            }
            FieldType::Money => {
                let cents = |v: Option<f64>| v.map(|e| (e * 100.0).round() as i64);
                field.min_cents = cents(self.number(f, f.constraints.min_value.as_deref(), path));
                field.max_cents = cents(self.number(f, f.constraints.max_value.as_deref(), path));
            }
            FieldType::Date => {
                let probe = time::Date::from_calendar_date(2000, time::Month::January, 1).ok();
                for (bound, slot) in [
                    (&f.constraints.min_value, &mut field.min_date),
                    (&f.constraints.max_value, &mut field.max_date),
                ] {
                    if let (Some(b), Some(probe)) = (bound, probe) {
                        if crate::values::resolve_date_bound(b, probe).is_some() {
                            *slot = Some(b.clone());
                        } else {
                            self.items.push(ReportItem {
                                severity: Severity::Unsupported,
                                code: "invalid_limit",
                                element: meta.qname.clone(),
                                line: meta.line,
                                fim_id: Some(meta.fim_id()),
                                path: Some(path.to_owned()),
                                message: Text::new(
                                    format!("Die Datumsgrenze „{b}“ ist kein Datum (JJJJ-MM-TT) und ist nicht übernommen."),
                                    format!("The date limit \"{b}\" is not a date (YYYY-MM-DD) and is not imported."),
                                ),
                            });
                        }
                    }
                }
            }
            FieldType::File => {
                if f.media_types.is_empty() {
                    field.accept = vec![
                        "application/pdf".into(),
                        "image/jpeg".into(),
                        "image/png".into(),
                    ];
                    self.item(
                        Severity::Note,
                        "file_types_assumed",
                        meta,
                        Some(path),
                        "FIM nennt keine Dateitypen; PDF, JPEG und PNG sind angenommen.".into(),
                        "FIM names no file types; PDF, JPEG and PNG are assumed.".into(),
                    );
                } else {
                    field.accept = f.media_types.clone();
                }
                field.max_size_bytes = match f.max_size.as_deref().map(str::parse::<u64>) {
                    Some(Ok(bytes)) if bytes > 0 => Some(bytes.min(100 * 1024 * 1024)),
                    _ => {
                        self.item(
                            Severity::Note,
                            "file_size_assumed",
                            meta,
                            Some(path),
                            "FIM nennt keine (gültige) Größengrenze; 10 MB sind angenommen.".into(),
                            "FIM names no (valid) size limit; 10 MB is assumed.".into(),
                        );
                        Some(DEFAULT_MAX_FILE_BYTES)
                    }
                };
            }
            FieldType::Select => self.choices(f, &mut field, path),
            _ => {}
        }
        // What FIM says that did not find a place.
        let c = &f.constraints;
        let lengths_used = kind == FieldType::Text;
        let values_used = matches!(kind, FieldType::Number | FieldType::Money | FieldType::Date);
        let mut unused = Vec::new();
        if !lengths_used {
            for (name, v) in [
                ("minLength", &c.min_length),
                ("maxLength", &c.max_length),
                ("pattern", &c.pattern),
            ] {
                if let Some(v) = v {
                    unused.push(format!("{name}={v}"));
                }
            }
        }
        if !values_used {
            for (name, v) in [("minValue", &c.min_value), ("maxValue", &c.max_value)] {
                if let Some(v) = v {
                    unused.push(format!("{name}={v}"));
                }
            }
        }
        if let Some(u) = &c.unreadable {
            unused.push(u.clone());
        }
        if kind != FieldType::File {
            if !f.media_types.is_empty() {
                unused.push(format!("mediaType={}", f.media_types.join(",")));
            }
            if let Some(s) = &f.max_size {
                unused.push(format!("maxSize={s}"));
            }
        }
        if kind != FieldType::Info
            && let Some(content) = &f.content
        {
            unused.push(format!("inhalt={content}"));
        }
        if !unused.is_empty() {
            let list = unused.join("; ");
            self.item(
                Severity::Unsupported,
                "not_mapped",
                meta,
                Some(path),
                format!("Nicht übernommen (passt nicht zum Feldtyp „{}“ oder wird nicht unterstützt): {list}", kind.name()),
                format!("Not imported (does not fit the field type \"{}\" or is not supported): {list}", kind.name()),
            );
            field.notes.push(format!("FIM, nicht übernommen: {list}"));
        }
        if let Some(p) = f.prefill.as_deref().filter(|p| *p != "keine") {
            self.item(
                Severity::Note,
                "prefill",
                meta,
                Some(path),
                format!("FIM sieht eine Vorbefüllung vor („{p}“); legen Sie im Editor fest, aus welchem Kontoattribut."),
                format!("FIM asks for prefilling (\"{p}\"); choose the account attribute in the editor."),
            );
        }
        Some(field)
    }

    fn number(&mut self, f: &DataField, raw: Option<&str>, path: &str) -> Option<f64> {
        let raw = raw?;
        let v = parse_number(raw);
        if v.is_none() {
            self.item(
                Severity::Unsupported,
                "invalid_limit",
                &f.meta,
                Some(path),
                format!("Die Grenze „{raw}“ ist keine Zahl und ist nicht übernommen."),
                format!("The limit \"{raw}\" is not a number and is not imported."),
            );
        }
        v
    }

    fn length(&mut self, f: &DataField, raw: &Option<String>, path: &str) -> Option<u32> {
        let raw = raw.as_deref()?;
        match raw.trim().parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.item(
                    Severity::Unsupported,
                    "invalid_limit",
                    &f.meta,
                    Some(path),
                    format!("Die Länge „{raw}“ ist keine ganze Zahl und ist nicht übernommen."),
                    format!("The length \"{raw}\" is not a whole number and is not imported."),
                );
                None
            }
        }
    }

    fn text_constraints(&mut self, f: &DataField, field: &mut Field, path: &str) {
        field.min_length = self
            .length(f, &f.constraints.min_length, path)
            .filter(|&v| v > 0);
        field.max_length = self
            .length(f, &f.constraints.max_length, path)
            .filter(|&v| v > 0);
        if field.max_length.is_some_and(|m| m > 200) {
            field.kind = FieldType::Textarea;
        }
        if let Some(p) = &f.constraints.pattern {
            let ok = regex::RegexBuilder::new(&format!("^(?:{p})$"))
                .size_limit(1 << 20)
                .build()
                .is_ok();
            if ok {
                field.pattern = Some(p.clone());
                field.pattern_message = Some(text(&format!(
                    "Die Angabe zu „{}“ hat nicht die erwartete Form.",
                    f.meta.label()
                )));
            } else {
                self.item(
                    Severity::Unsupported,
                    "invalid_pattern",
                    &f.meta,
                    Some(path),
                    format!("Das Muster „{p}“ ist kein gültiger regulärer Ausdruck und ist als Notiz übernommen."),
                    format!("The pattern \"{p}\" is not a valid regular expression and is kept as a note."),
                );
                field.notes.push(format!("FIM-Muster: {p}"));
            }
        }
    }

    fn choices(&mut self, f: &DataField, field: &mut Field, path: &str) {
        if !f.values.is_empty() {
            field.options = f
                .values
                .iter()
                .map(|v| ChoiceOption {
                    value: v.code.clone(),
                    label: text(&v.name),
                    hint: v.help.as_deref().map(text),
                })
                .collect();
            if field.options.len() <= 5 {
                field.kind = FieldType::Radio;
            }
            return;
        }
        match &f.code_list {
            Some(list) if list.uri.is_some() || list.id.is_some() => {
                let name = list
                    .uri
                    .as_deref()
                    .or(list.id.as_deref())
                    .unwrap_or_default();
                let mut key = slug(name, '_');
                if key.is_empty() {
                    key = "codeliste".into();
                }
                if let Some(v) = &list.version {
                    let v = slug(v, '_');
                    if !v.is_empty() && !key.ends_with(&v) {
                        key = format!("{key}_{v}");
                    }
                }
                self.code_lists.entry(key.clone()).or_insert_with(|| CodeList {
                    uri: list.uri.clone().or_else(|| list.id.clone()),
                    version: list.version.clone(),
                    options: Vec::new(),
                });
                field.code_list = Some(key.clone());
                self.items.push(ReportItem {
                    severity: Severity::Unsupported,
                    code: "code_list_values_missing",
                    element: f.meta.qname.clone(),
                    line: list.line,
                    fim_id: Some(f.meta.fim_id()),
                    path: Some(path.to_owned()),
                    message: Text::new(
                        format!(
                            "Die Codeliste {name} (Version {}) ist nur referenziert; tragen Sie ihre Werte unter code_lists.{key} ein.",
                            list.version.as_deref().unwrap_or("-")
                        ),
                        format!(
                            "The code list {name} (version {}) is only referenced; enter its values under code_lists.{key}.",
                            list.version.as_deref().unwrap_or("-")
                        ),
                    ),
                });
            }
            _ => self.item(
                Severity::Unsupported,
                "select_without_values",
                &f.meta,
                Some(path),
                "Das Auswahlfeld hat weder Werte noch eine Codeliste; ergänzen Sie die Auswahlmöglichkeiten.".into(),
                "The choice field has neither values nor a code list; add the options.".into(),
            ),
        }
    }
}

/// The draft and the report (without the definition check, which the
/// caller runs).
pub(crate) fn convert(doc: &Document) -> (FormDefinition, ImportReport) {
    let root = &doc.root;
    let mut c = Conv {
        items: doc.items.clone(),
        field_ids: Ids::default(),
        step_ids: Ids::default(),
        code_lists: BTreeMap::new(),
        fields: 0,
    };
    let notes = c.notes(&root.meta, &root.rules, "$");
    let mut steps: Vec<Step> = Vec::new();
    let mut pending: Vec<Field> = Vec::new();
    let flush = |c: &mut Conv, steps: &mut Vec<Step>, pending: &mut Vec<Field>| {
        if pending.is_empty() {
            return;
        }
        let id = unique(
            format!("{}_angaben", slug(&root.meta.name, '_')),
            &mut c.step_ids,
        );
        steps.push(Step {
            id,
            title: text(root.meta.label()),
            description: root.meta.help.as_deref().map(text),
            visible_if: None,
            fields: std::mem::take(pending),
            fim: None,
            notes: Vec::new(),
        });
    };
    for child in &root.children {
        match &child.item {
            Item::Group(g) => {
                flush(&mut c, &mut steps, &mut pending);
                let step = c.step_from_group(child, g, steps.len());
                steps.push(step);
            }
            Item::Field(_) => {
                let path = format!("$.steps[{}]", steps.len());
                c.step_children(std::slice::from_ref(child), &path, &mut pending);
            }
        }
    }
    flush(&mut c, &mut steps, &mut pending);
    if steps.is_empty() {
        c.item(
            Severity::Unsupported,
            "no_structure",
            &root.meta,
            Some("$.steps"),
            "Das Schema enthält keine Datenfelder oder -gruppen; legen Sie im Editor mindestens einen Schritt an.".into(),
            "The schema contains no data fields or groups; add at least one step in the editor.".into(),
        );
    }
    c.item(
        Severity::Note,
        "english_missing",
        &root.meta,
        None,
        "FIM liefert nur deutsche Texte; ergänzen Sie die englischen im Editor.".into(),
        "FIM has German texts only; add the English ones in the editor.".into(),
    );
    c.item(
        Severity::Note,
        "authority_missing",
        &root.meta,
        Some("$.authority"),
        "FIM nennt keine empfangende Behörde; legen Sie sie im Editor fest.".into(),
        "FIM names no receiving authority; set it in the editor.".into(),
    );
    let mut form_id = slug(&root.meta.name, '-');
    if form_id.is_empty() {
        form_id = "fim-import".into();
    }
    let fim_id = root.meta.fim_id();
    let definition = FormDefinition {
        schema: None,
        id: form_id,
        version: 1,
        title: text(root.meta.label()),
        summary: text(&format!("Entwurf aus FIM {fim_id} „{}“", root.meta.name)),
        description: root.meta.help.as_deref().map(text),
        requirements: Vec::new(),
        duration_minutes: None,
        privacy_notice: None,
        authority: Authority {
            id: "zu-bestimmen".into(),
            name: text("Zuständige Behörde (zu bestimmen)"),
        },
        access: Access::Anonymous,
        retention_days: 7,
        draft_expiry_days: 30,
        steps,
        code_lists: c.code_lists,
        validations: Vec::new(),
        computed: Vec::new(),
        fees: Vec::new(),
        fim: Some(fim_ref(&root.meta)),
        notes,
    };
    let report = ImportReport {
        standard: doc.standard,
        message: doc.message.clone(),
        fim_id: root.meta.id.clone(),
        fim_version: root.meta.version.clone(),
        name: root.meta.name.clone(),
        steps: definition.steps.len(),
        fields: c.fields,
        items: c.items,
        check_errors: Vec::new(),
    };
    (definition, report)
}
