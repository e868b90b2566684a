//! One component per field type, rendered from a [`StepView`]: plain HTML
//! inputs named by the engine's paths (`name`, `anschrift.street`,
//! `haushalt.1.vorname`; checkboxes repeat the name), each with a
//! `<label for>`, hints and errors linked by `aria-describedby`, and
//! `aria-invalid` on invalid inputs (GOV.UK / KERN UX patterns).
//!
//! Decisions:
//! - Dates are one text input that takes `TT.MM.JJJJ` (or `JJJJ-MM-TT`),
//!   with the format as a hint: the engine stores one value, native date
//!   pickers differ between browsers and are hard to use for birth dates,
//!   and one input is simpler than GOV.UK's day/month/year triple for
//!   screen readers and for pasting.
//! - Radios, checkboxes and declarations give the first input the field's
//!   path as id, so an error summary link lands on it.
//! - A repeatable group is a list of fieldsets ("Person 1", "Person 2")
//!   with submit buttons `_action=add:group` and `_action=remove:group:1`,
//!   so adding and removing entries works without JavaScript.
//! - A field filled from the service account (`StepView::from_account`)
//!   says so in a note linked by `aria-describedby`; when it may not be
//!   changed its inputs are `readonly` (still sent, still focusable and
//!   read by screen readers, unlike `disabled`), and the server keeps the
//!   account's value whatever is posted.
//! - A field whose condition reads the same step is wrapped in `<div
//!   class="conditional" data-condition="{path}">`, for the live checks
//!   (`crate::live`), which hide it while the condition is false.
//! - A top-level file field is a file input (the step form is then
//!   `multipart/form-data`) with the files already uploaded listed above
//!   it, each with a "Datei entfernen" submit button
//!   (`_action=remove-file:<field>:<id>`), so removing works without
//!   JavaScript. When the field holds `max_files` files the input is left
//!   out. A file field inside a group is still shown disabled with a
//!   notice (the server stores files of top-level fields only).

use std::collections::HashMap;

use amtsweg_forms::{ChoiceOption, Field, FieldType, Lang, Text, values};
use leptos::prelude::*;
use serde_json::Value;

use super::fallback_lang;
use crate::i18n::{Ui, fill, ui};
use crate::journey::StepView;

/// What the field components need besides the field.
pub struct Ctx<'a> {
    pub view: &'a StepView,
    pub lang: Lang,
    pub t: &'static Ui,
    /// Error message by path.
    pub errors: HashMap<&'a str, String>,
}

impl<'a> Ctx<'a> {
    pub fn new(view: &'a StepView, lang: Lang) -> Ctx<'a> {
        let errors = view
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.message.get(lang).to_owned()))
            .collect();
        Ctx {
            view,
            lang,
            t: ui(lang),
            errors,
        }
    }

    fn options(&self, field: &Field) -> Vec<ChoiceOption> {
        self.view
            .options
            .get(&field.id)
            .cloned()
            .unwrap_or_else(|| field.options.clone())
    }
}

/// The answer at a dotted path (`haushalt.1.vorname`) of the raw answers.
pub fn value_at<'v>(answers: &'v serde_json::Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut parts = path.split('.');
    let mut current = answers.get(parts.next()?)?;
    for part in parts {
        current = match current {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// A raw answer as the text of an input.
fn as_input(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Whether `option` is among the raw answer (a string or a list).
fn is_chosen(value: Option<&Value>, option: &str) -> bool {
    match value {
        Some(Value::String(s)) => s == option,
        Some(Value::Array(items)) => items.iter().any(|v| v.as_str() == Some(option)),
        Some(Value::Bool(b)) => b.to_string() == option,
        _ => false,
    }
}

/// The id the error summary links to for an error at `path` of `field_id`.
pub fn anchor(view: &StepView, field_id: &str, path: &str) -> String {
    let kind = view
        .step
        .fields
        .iter()
        .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
        .find(|f| f.id == field_id)
        .map(|f| f.kind);
    match kind {
        Some(FieldType::Address) if !path.contains('.') || path.ends_with(field_id) => {
            format!("{path}.street")
        }
        _ => path.to_owned(),
    }
}

/// Label, hint, condition and error of one field, with their ids.
struct Meta {
    label: String,
    label_lang: Option<&'static str>,
    hint: Option<(String, String)>,
    cond: Option<(String, String)>,
    error: Option<(String, String)>,
    /// Filled from the service account: the note's id and text.
    account: Option<(String, String)>,
    /// Filled from the account and not to be changed.
    readonly: bool,
    extra: Vec<String>,
}

impl Meta {
    fn new(ctx: &Ctx, field: &Field, path: &str) -> Meta {
        let lang = ctx.lang;
        let conditional = ctx.view.conditions.get(&field.id);
        let optional = !field.required
            && field.required_if.is_none()
            && conditional.is_none()
            && !matches!(
                field.kind,
                FieldType::Info | FieldType::Declaration | FieldType::Group
            );
        // Only top-level fields are prefilled (their path is their id).
        let account = ctx
            .view
            .from_account
            .get(&field.id)
            .copied()
            .filter(|_| path == field.id);
        let mut label = field.label.get(lang).to_owned();
        if optional {
            label.push(' ');
            label.push_str(ctx.t.optional);
        }
        Meta {
            label,
            label_lang: fallback_lang(&field.label, lang),
            hint: field
                .hint
                .as_ref()
                .map(|h| (format!("{path}-hint"), h.get(lang).to_owned())),
            cond: conditional.map(|c| (format!("{path}-cond"), c.get(lang).to_owned())),
            error: ctx
                .errors
                .get(path)
                .map(|e| (format!("{path}-error"), e.clone())),
            account: account.map(|editable| {
                let text = if editable {
                    ctx.t.from_account_editable
                } else {
                    ctx.t.from_account_locked
                };
                (format!("{path}-account"), text.to_owned())
            }),
            readonly: account == Some(false),
            extra: Vec::new(),
        }
    }

    fn describedby(&self) -> Option<String> {
        let ids: Vec<&str> = [&self.account, &self.hint, &self.cond, &self.error]
            .into_iter()
            .flatten()
            .map(|(id, _)| id.as_str())
            .chain(self.extra.iter().map(String::as_str))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn invalid(&self) -> Option<&'static str> {
        self.error.as_ref().map(|_| "true")
    }

    fn group_class(&self) -> &'static str {
        if self.error.is_some() {
            "field field--error"
        } else {
            "field"
        }
    }

    /// Account note, hint, condition and error paragraphs, in this order.
    fn notes(&self, t: &'static Ui) -> impl IntoView + use<> {
        let account = self
            .account
            .clone()
            .map(|(id, text)| view! { <p class="hint hint--account" id=id>{text}</p> });
        let hint = self
            .hint
            .clone()
            .map(|(id, text)| view! { <p class="hint" id=id>{text}</p> });
        let cond = self
            .cond
            .clone()
            .map(|(id, text)| view! { <p class="hint hint--condition" id=id>{text}</p> });
        let error = self.error.clone().map(|(id, text)| {
            view! {
                <p class="error-message" id=id>
                    <span class="visually-hidden">{t.error_title_prefix}</span>
                    {text}
                </p>
            }
        });
        (account, hint, cond, error)
    }
}

/// One field of a step at `path` (its id, or `group.i.child`).
pub fn field(ctx: &Ctx, field: &Field, path: &str) -> AnyView {
    if ctx.view.hidden.iter().any(|h| h == path) {
        return ().into_any();
    }
    if !ctx.view.conditions.contains_key(&field.id) {
        return control(ctx, field, path);
    }
    // A condition on the same step: the live checks show and hide the
    // wrapper (crate::live); the class hides it before they run.
    let class = if ctx.view.unmet_conditions.iter().any(|p| p == path) {
        format!("conditional {}", crate::live::UNMET_CLASS)
    } else {
        "conditional".to_owned()
    };
    view! {
        <div class=class data-condition=path.to_owned()>
            {control(ctx, field, path)}
        </div>
    }
    .into_any()
}

/// The markup of one field by its type.
fn control(ctx: &Ctx, field: &Field, path: &str) -> AnyView {
    let value = value_at(&ctx.view.answers, path);
    match field.kind {
        FieldType::Info => info(ctx, field, path),
        FieldType::Textarea => textarea(ctx, field, path, value),
        FieldType::Address => address(ctx, field, path, value),
        FieldType::Radio => {
            let options = ctx.options(field);
            choices(ctx, field, path, value, options, "radio")
        }
        FieldType::YesNo => {
            let options = vec![
                ChoiceOption {
                    value: "true".into(),
                    label: Text::new("Ja", "Yes"),
                    hint: None,
                },
                ChoiceOption {
                    value: "false".into(),
                    label: Text::new("Nein", "No"),
                    hint: None,
                },
            ];
            choices(ctx, field, path, value, options, "radio")
        }
        FieldType::Checkboxes => {
            let options = ctx.options(field);
            choices(ctx, field, path, value, options, "checkbox")
        }
        FieldType::Select => select(ctx, field, path, value),
        FieldType::Declaration => declaration(ctx, field, path, value),
        FieldType::File => file(ctx, field, path),
        FieldType::Group => group(ctx, field, path, value),
        _ => input(ctx, field, path, value),
    }
}

fn input(ctx: &Ctx, field: &Field, path: &str, value: Option<&Value>) -> AnyView {
    let mut meta = Meta::new(ctx, field, path);
    let lang = ctx.lang;
    let (kind, inputmode, spellcheck, autocomplete, width) = match field.kind {
        FieldType::Email => ("email", None, Some("false"), Some("email"), "input"),
        FieldType::Phone => ("tel", None, Some("false"), Some("tel"), "input input--20"),
        FieldType::Iban => (
            "text",
            None,
            Some("false"),
            Some("off"),
            "input input--30 input--code",
        ),
        FieldType::PostalCode => (
            "text",
            Some("numeric"),
            Some("false"),
            Some("postal-code"),
            "input input--5",
        ),
        FieldType::Number => {
            let mode = if field.decimals.unwrap_or(0) > 0 {
                "decimal"
            } else {
                "numeric"
            };
            ("text", Some(mode), Some("false"), None, "input input--10")
        }
        FieldType::Money => (
            "text",
            Some("decimal"),
            Some("false"),
            None,
            "input input--10",
        ),
        FieldType::Date => ("text", None, Some("false"), None, "input input--10"),
        _ => ("text", None, None, None, "input"),
    };
    let autocomplete = field
        .autocomplete
        .clone()
        .or(autocomplete.map(str::to_owned));
    let prefix = (field.kind == FieldType::Money).then(|| {
        let id = format!("{path}-unit");
        meta.extra.push(id.clone());
        view! {
            <span class="affix" id=id>
                "€"
            </span>
        }
    });
    let suffix = field.unit.as_ref().map(|unit| {
        let id = format!("{path}-unit");
        meta.extra.push(id.clone());
        view! {
            <span class="affix" id=id>
                {unit.get(lang).to_owned()}
            </span>
        }
    });
    let format = (field.kind == FieldType::Date).then(|| {
        let id = format!("{path}-format");
        meta.extra.push(id.clone());
        view! {
            <p class="hint" id=id>
                {ctx.t.date_hint}
            </p>
        }
    });
    let describedby = meta.describedby();
    let invalid = meta.invalid();
    let error_class = if meta.error.is_some() {
        format!("{width} input--error")
    } else {
        width.to_owned()
    };
    view! {
        <div class=meta.group_class()>
            <label class="label" for=path.to_owned() lang=meta.label_lang>
                {meta.label.clone()}
            </label>
            {format}
            {meta.notes(ctx.t)}
            <div class="input-wrap">
                {prefix}
                <input
                    class=error_class
                    id=path.to_owned()
                    name=path.to_owned()
                    type=kind
                    value=as_input(value)
                    autocomplete=autocomplete
                    inputmode=inputmode
                    spellcheck=spellcheck
                    readonly=meta.readonly
                    aria-describedby=describedby
                    aria-invalid=invalid
                />
                {suffix}
            </div>
        </div>
    }
    .into_any()
}

fn textarea(ctx: &Ctx, field: &Field, path: &str, value: Option<&Value>) -> AnyView {
    let meta = Meta::new(ctx, field, path);
    let class = if meta.error.is_some() {
        "textarea input--error"
    } else {
        "textarea"
    };
    view! {
        <div class=meta.group_class()>
            <label class="label" for=path.to_owned() lang=meta.label_lang>
                {meta.label.clone()}
            </label>
            {meta.notes(ctx.t)}
            <textarea
                class=class
                id=path.to_owned()
                name=path.to_owned()
                rows="5"
                autocomplete=field.autocomplete.clone()
                aria-describedby=meta.describedby()
                aria-invalid=meta.invalid()
            >
                {as_input(value)}
            </textarea>
        </div>
    }
    .into_any()
}

fn info(ctx: &Ctx, field: &Field, path: &str) -> AnyView {
    let lang = ctx.lang;
    let heading = format!("{path}-heading");
    let labelledby = heading.clone();
    let cond = ctx
        .view
        .conditions
        .get(&field.id)
        .map(|c| view! { <p class="hint hint--condition">{c.get(lang).to_owned()}</p> });
    view! {
        <section class="info" aria-labelledby=labelledby>
            <h2 class="info__title" id=heading lang=fallback_lang(&field.label, lang)>
                {field.label.get(lang).to_owned()}
            </h2>
            {cond}
            {field.text.as_ref().map(|t| view! { <p>{t.get(lang).to_owned()}</p> })}
        </section>
    }
    .into_any()
}

fn choices(
    ctx: &Ctx,
    field: &Field,
    path: &str,
    value: Option<&Value>,
    options: Vec<ChoiceOption>,
    kind: &'static str,
) -> AnyView {
    let meta = Meta::new(ctx, field, path);
    let lang = ctx.lang;
    let invalid = meta.invalid();
    let items = options
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let id = if i == 0 {
                path.to_owned()
            } else {
                format!("{path}-{}", i + 1)
            };
            let hint_id = format!("{id}-item-hint");
            let hint = option.hint.as_ref().map(|h| {
                view! {
                    <p class="hint choice__hint" id=hint_id.clone()>
                        {h.get(lang).to_owned()}
                    </p>
                }
            });
            let describedby = option.hint.as_ref().map(|_| hint_id.clone());
            view! {
                <div class="choice">
                    <input
                        class="choice__input"
                        type=kind
                        id=id.clone()
                        name=path.to_owned()
                        value=option.value.clone()
                        checked=is_chosen(value, &option.value)
                        aria-describedby=describedby
                        aria-invalid=invalid
                    />
                    <label class="choice__label" for=id lang=fallback_lang(&option.label, lang)>
                        {option.label.get(lang).to_owned()}
                    </label>
                    {hint}
                </div>
            }
        })
        .collect_view();
    let class = if kind == "radio" && ctx.view.options.get(&field.id).is_none_or(|o| o.len() <= 2) {
        "choices choices--inline"
    } else {
        "choices"
    };
    view! {
        <div class=meta.group_class()>
            <fieldset class="fieldset" aria-describedby=meta.describedby()>
                <legend class="legend" lang=meta.label_lang>
                    {meta.label.clone()}
                </legend>
                {meta.notes(ctx.t)}
                <div class=class>{items}</div>
            </fieldset>
        </div>
    }
    .into_any()
}

fn select(ctx: &Ctx, field: &Field, path: &str, value: Option<&Value>) -> AnyView {
    let meta = Meta::new(ctx, field, path);
    let lang = ctx.lang;
    let current = as_input(value);
    let options = ctx
        .options(field)
        .into_iter()
        .map(|o| {
            let selected = o.value == current;
            view! {
                <option value=o.value.clone() selected=selected>
                    {o.label.get(lang).to_owned()}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class=meta.group_class()>
            <label class="label" for=path.to_owned() lang=meta.label_lang>
                {meta.label.clone()}
            </label>
            {meta.notes(ctx.t)}
            <select
                class=if meta.error.is_some() { "select input--error" } else { "select" }
                id=path.to_owned()
                name=path.to_owned()
                autocomplete=field.autocomplete.clone()
                aria-describedby=meta.describedby()
                aria-invalid=meta.invalid()
            >
                <option value="" selected=current.is_empty()>
                    {ctx.t.select_placeholder}
                </option>
                {options}
            </select>
        </div>
    }
    .into_any()
}

fn declaration(ctx: &Ctx, field: &Field, path: &str, value: Option<&Value>) -> AnyView {
    let meta = Meta::new(ctx, field, path);
    let lang = ctx.lang;
    // The engine's reading of yes/no, so page and validation agree.
    let checked = value.is_some_and(|v| values::parse_yes_no(v) == Ok(true));
    let statement = field
        .text
        .as_ref()
        .map(|t| t.get(lang).to_owned())
        .unwrap_or_else(|| field.label.get(lang).to_owned());
    view! {
        <div class=meta.group_class()>
            <fieldset class="fieldset" aria-describedby=meta.describedby()>
                <legend class="legend" lang=meta.label_lang>
                    {meta.label.clone()}
                </legend>
                {meta.notes(ctx.t)}
                <div class="choice">
                    <input
                        class="choice__input"
                        type="checkbox"
                        id=path.to_owned()
                        name=path.to_owned()
                        value="true"
                        checked=checked
                        aria-invalid=meta.invalid()
                    />
                    <label class="choice__label" for=path.to_owned()>
                        {statement}
                    </label>
                </div>
            </fieldset>
        </div>
    }
    .into_any()
}

fn file(ctx: &Ctx, field: &Field, path: &str) -> AnyView {
    let mut meta = Meta::new(ctx, field, path);
    let accept = (!field.accept.is_empty()).then(|| field.accept.join(","));
    let max_files = field.max_files.unwrap_or(1);
    let multiple = max_files > 1;
    if path.contains('.') {
        // Inside a group: not connected yet.
        let pending = format!("{path}-pending");
        meta.extra.push(pending.clone());
        return view! {
            <div class=meta.group_class()>
                <label class="label" for=path.to_owned() lang=meta.label_lang>
                    {meta.label.clone()}
                </label>
                {meta.notes(ctx.t)}
                <p class="notice" id=pending>
                    {ctx.t.file_pending}
                </p>
                <input
                    class="file"
                    type="file"
                    id=path.to_owned()
                    name=path.to_owned()
                    accept=accept
                    multiple=multiple
                    disabled=true
                    aria-describedby=meta.describedby()
                    aria-invalid=meta.invalid()
                />
            </div>
        }
        .into_any();
    }
    let files = uploaded_files(value_at(&ctx.view.answers, path));
    let full = files.len() >= usize::try_from(max_files).unwrap_or(usize::MAX);
    let list = (!files.is_empty()).then(|| {
        let items = files
            .iter()
            .map(|(id, name, size)| {
                view! {
                    <li class="file-list__item">
                        <span class="file-list__name">{name.clone()}</span>
                        " "
                        <span class="file-list__size">{format_size(*size, ctx.lang)}</span>
                        " "
                        <button
                            type="submit"
                            class="button button--secondary"
                            name="_action"
                            value=format!("remove-file:{path}:{id}")
                            formnovalidate=true
                        >
                            {ctx.t.file_remove}
                            <span class="visually-hidden">{format!(" {name}")}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();
        // The title names the list for screen readers.
        let title_id = format!("{path}-files");
        view! {
            <p class="file-list__title" id=title_id.clone()>
                {ctx.t.file_uploaded}
            </p>
            <ul class="file-list" aria-labelledby=title_id>
                {items}
            </ul>
        }
    });
    let more = (multiple && !files.is_empty() && !full).then(
        || view! { <p class="hint">{fill(ctx.t.file_add_more, &[&max_files.to_string()])}</p> },
    );
    // The label names the input; with `max_files` files there is no input,
    // so the error link lands on the group.
    let input = (!full).then(|| {
        view! {
            <input
                class="file"
                type="file"
                id=path.to_owned()
                name=path.to_owned()
                accept=accept.clone()
                multiple=multiple
                aria-describedby=meta.describedby()
                aria-invalid=meta.invalid()
            />
        }
    });
    let group_id = full.then(|| path.to_owned());
    view! {
        <div class=meta.group_class() id=group_id tabindex=full.then_some("-1")>
            <label class="label" for=(!full).then(|| path.to_owned()) lang=meta.label_lang>
                {meta.label.clone()}
            </label>
            {meta.notes(ctx.t)}
            {list}
            {more}
            {input}
        </div>
    }
    .into_any()
}

/// `(id, name, size)` of the files in a file field's raw answer.
fn uploaded_files(value: Option<&Value>) -> Vec<(String, String, u64)> {
    let items: Vec<&Value> = match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|f| {
            Some((
                f.get("id")?.as_str()?.to_owned(),
                f.get("name")?.as_str()?.to_owned(),
                f.get("size").and_then(Value::as_u64).unwrap_or(0),
            ))
        })
        .collect()
}

/// `15 KB`, `1,5 MB` (German) / `1.5 MB` (English).
pub fn format_size(bytes: u64, lang: Lang) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes < MB {
        return format!("{} KB", bytes.div_ceil(1024).max(1));
    }
    let tenths = (bytes * 10).div_ceil(MB);
    let text = format!("{}.{} MB", tenths / 10, tenths % 10);
    match lang {
        Lang::De => text.replace('.', ","),
        Lang::En => text,
    }
}

fn address(ctx: &Ctx, field: &Field, path: &str, value: Option<&Value>) -> AnyView {
    let meta = Meta::new(ctx, field, path);
    let t = ctx.t;
    let required_autocomplete = field.autocomplete.is_some();
    let readonly = meta.readonly;
    let parts: [(&str, &str, &str, Option<&str>); 5] = [
        ("street", t.address_street, "input", Some("address-line1")),
        (
            "house_number",
            t.address_house_number,
            "input input--5",
            None,
        ),
        (
            "addition",
            t.address_addition,
            "input",
            Some("address-line2"),
        ),
        (
            "postal_code",
            t.address_postal_code,
            "input input--5",
            Some("postal-code"),
        ),
        (
            "city",
            t.address_city,
            "input input--20",
            Some("address-level2"),
        ),
    ];
    let inputs = parts
        .into_iter()
        .map(|(part, label, class, autocomplete)| {
            let id = format!("{path}.{part}");
            let error = ctx.errors.get(id.as_str()).cloned();
            let error_id = format!("{id}-error");
            let part_value = value.and_then(|v| v.get(part));
            let class = if error.is_some() {
                format!("{class} input--error")
            } else {
                class.to_owned()
            };
            let inputmode = (part == "postal_code").then_some("numeric");
            // Autocomplete only when the definition marks the address as
            // the citizen's own (it names a token).
            let autocomplete = autocomplete.filter(|_| required_autocomplete);
            view! {
                <div class=if error.is_some() { "field field--error" } else { "field" }>
                    <label class="label" for=id.clone()>
                        {label}
                    </label>
                    {error
                        .clone()
                        .map(|text| {
                            view! {
                                <p class="error-message" id=error_id.clone()>
                                    <span class="visually-hidden">{t.error_title_prefix}</span>
                                    {text}
                                </p>
                            }
                        })}
                    <input
                        class=class
                        id=id.clone()
                        name=id
                        type="text"
                        value=as_input(part_value)
                        autocomplete=autocomplete
                        inputmode=inputmode
                        readonly=readonly
                        aria-describedby=error.as_ref().map(|_| error_id.clone())
                        aria-invalid=error.as_ref().map(|_| "true")
                    />
                </div>
            }
        })
        .collect_view();
    view! {
        <div class=meta.group_class()>
            // The id is the target of the check page's change link.
            <fieldset class="fieldset" id=path.to_owned() aria-describedby=meta.describedby()>
                <legend class="legend" lang=meta.label_lang>
                    {meta.label.clone()}
                </legend>
                {meta.notes(t)}
                {inputs}
            </fieldset>
        </div>
    }
    .into_any()
}

fn group(ctx: &Ctx, field: &Field, path: &str, value: Option<&Value>) -> AnyView {
    let meta = Meta::new(ctx, field, path);
    let lang = ctx.lang;
    let t = ctx.t;
    let item_label = field
        .item_label
        .as_ref()
        .unwrap_or(&field.label)
        .get(lang)
        .to_owned();
    let stored = match value {
        Some(Value::Array(items)) => items.len(),
        _ => 0,
    };
    let minimum = field.min_items.unwrap_or(0).max(u32::from(field.required)) as usize;
    let count = stored.max(minimum);
    let max = field.max_items.map(|m| m as usize);
    let entries = (0..count)
        .map(|i| {
            let entry_label = format!("{item_label} {}", i + 1);
            let children = field
                .fields
                .iter()
                .map(|child| self::field(ctx, child, &format!("{path}.{i}.{}", child.id)))
                .collect_view();
            let removable = count > minimum;
            let remove = removable.then(|| {
                view! {
                    <button
                        type="submit"
                        class="button button--secondary"
                        name="_action"
                        value=format!("remove:{path}:{i}")
                        formnovalidate=true
                    >
                        {fill(t.remove_entry, &[&entry_label])}
                    </button>
                }
            });
            view! {
                <fieldset class="fieldset entry" id=format!("{path}.{i}")>
                    <legend class="legend legend--entry">{entry_label.clone()}</legend>
                    {children}
                    {remove}
                </fieldset>
            }
        })
        .collect_view();
    let can_add = max.is_none_or(|m| count < m);
    let add_text = if count == 0 {
        fill(t.add_entry, &[&item_label])
    } else {
        fill(t.add_another, &[&item_label])
    };
    let add = can_add.then(|| {
        view! {
            <button
                type="submit"
                class="button button--secondary"
                id=path.to_owned()
                name="_action"
                value=format!("add:{path}")
                aria-describedby=meta.describedby()
            >
                {add_text}
            </button>
        }
    });
    view! {
        // Without an add button (maximum reached) the section carries the
        // id that error links point to.
        <section
            class=format!("{} group", meta.group_class())
            id=(!can_add).then(|| path.to_owned())
        >
            <h2 class="group__title" lang=meta.label_lang>
                {meta.label.clone()}
            </h2>
            {meta.notes(t)}
            {entries}
            {add}
        </section>
    }
    .into_any()
}
