//! Live checks on a step page: with the wasm build, the form engine runs
//! in the browser, validates a field when the citizen leaves it, and shows
//! or hides the fields whose condition reads the same step at once.
//!
//! It is an enhancement of the server-rendered page, never a requirement:
//! - The step page works without it; the server validates every POST and
//!   stays the authority. Submitting is never blocked.
//! - It works on the DOM the server rendered (event delegation on the
//!   step's `<form>`), so hydration sees exactly the server's markup.
//! - The form definition is fetched lazily from [`definition_href`]
//!   (`/definitions/{id}/v{version}.json`, cached as immutable: a published
//!   version never changes), so the step page itself stays light.
//!
//! What it does:
//! - Answers: the draft's saved answers with the step's current form
//!   values merged in, as the server would after the POST
//!   ([`evaluate_posted`]; [`crate::form_data`]).
//! - Errors: a field is checked on `change` and when it loses focus after
//!   a change; a field that shows an error (from the server or from here)
//!   is checked again on every `input`, so the message goes away as soon
//!   as the value is right — but nobody is nagged while typing for the
//!   first time. The message uses the server's markup: `<p
//!   class="error-message" id="{path}-error">` in the same place,
//!   `aria-describedby` and `aria-invalid` as the server sets them. Focus
//!   never moves. The error summary at the top stays as the server
//!   rendered it (it describes the last POST).
//! - Conditions: every wrapper `[data-condition="{path}"]` (rendered by
//!   the server for fields whose rule reads the same step) gets the
//!   `hidden` attribute while the engine says the field is not shown.
//!   Before the wasm runs, the server's class `conditional--unmet` (rule
//!   false for the saved answers) hides it with CSS when the inline script
//!   of the shell has marked the page `html.enhanced`; without JavaScript,
//!   nothing is hidden and the hint "Nur ausfüllen, wenn …" explains.
//!   When the definition cannot be loaded, `enhanced` is removed again and
//!   the page behaves as without JavaScript.
//! - Once it listens, the form carries `data-live="on"`.

use amtsweg_forms::{Answers, Env, Evaluation, FieldError, Form};

use crate::form_data::{answers_from_pairs, merge_step};

/// The axum route of [`definition_href`].
pub const DEFINITION_ROUTE: &str = "/definitions/{id}/{file}";

/// Class of `<html>` while the live checks are expected to run (set by
/// the shell's inline script, removed when they cannot).
pub const ENHANCED_CLASS: &str = "enhanced";

/// Class of a condition's wrapper whose rule is false for the saved
/// answers (hidden by CSS under `html.enhanced` until the wasm takes over).
pub const UNMET_CLASS: &str = "conditional--unmet";

/// The shell's inline script: marks `<html>` as [`ENHANCED_CLASS`] when
/// the browser can run WebAssembly, and takes the mark away when the
/// bundle fails before it hydrated, so no field stays hidden.
pub const ENHANCED_SCRIPT: &str = r#"(function(d){if(typeof WebAssembly!=="object")return;d.classList.add("enhanced");function off(){if(!d.hasAttribute("data-hydrated"))d.classList.remove("enhanced")}addEventListener("error",off);addEventListener("unhandledrejection",off)})(document.documentElement)"#;

/// Where the definition of a published form version is served (JSON).
pub fn definition_href(form_id: &str, version: u32) -> String {
    format!("/definitions/{form_id}/v{version}.json")
}

/// The version in the last segment of [`definition_href`] (`v3.json`).
pub fn definition_version(file: &str) -> Option<u32> {
    let digits = file.strip_prefix('v')?.strip_suffix(".json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The evaluation the server would make if the step were posted now with
/// these name/value pairs: `saved` (the draft's raw answers) with the
/// step's fields replaced by `pairs`. `not_shown` are the step's fields
/// left out by rules on earlier steps.
pub fn evaluate_posted(
    form: &Form,
    step_id: &str,
    saved: &Answers,
    not_shown: &[String],
    pairs: &[(String, String)],
    env: &Env,
) -> Evaluation {
    let mut answers = saved.clone();
    if let Some(step) = form.definition().steps.iter().find(|s| s.id == step_id) {
        let posted = answers_from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        merge_step(&mut answers, step, &posted, not_shown, false);
    }
    form.evaluate(&answers, env)
}

/// The error to show at `path` (an input's name) on `step_id`, if any.
pub fn error_at<'a>(eval: &'a Evaluation, step_id: &str, path: &str) -> Option<&'a FieldError> {
    eval.errors
        .iter()
        .find(|e| e.step_id == step_id && e.path == path)
}

/// `aria-describedby` of a control with or without the error of `path`,
/// in the server's order: hint, condition, error, then the rest (date
/// format, unit). `None` when nothing is left.
pub fn describedby(current: Option<&str>, path: &str, with_error: bool) -> Option<String> {
    let error = format!("{path}-error");
    let mut ids: Vec<&str> = current
        .unwrap_or("")
        .split_whitespace()
        .filter(|id| *id != error)
        .collect();
    if with_error {
        let hint = format!("{path}-hint");
        let cond = format!("{path}-cond");
        let at = ids
            .iter()
            .rposition(|id| *id == hint || *id == cond)
            .map_or(0, |i| i + 1);
        ids.insert(at, &error);
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The paths among the evaluated fields whose field is one of
/// `conditional` (ids) and hidden by its rule, sorted. Group entries are
/// included (`hunde.0.hund_erlaubnis`).
pub fn unmet_conditions<'a>(
    eval: &Evaluation,
    conditional: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    let ids: Vec<&String> = conditional.into_iter().collect();
    let mut paths: Vec<String> = eval
        .fields
        .iter()
        .filter(|(path, state)| {
            let id = path.rsplit('.').next().unwrap_or(path);
            !state.visible && ids.iter().any(|c| c.as_str() == id)
        })
        .map(|(path, _)| path.clone())
        .collect();
    paths.sort();
    paths
}

/// Attaches the live checks to a step's form once it is in the page (no-op
/// on the server).
#[cfg(not(feature = "hydrate"))]
pub fn enhance(
    form_ref: leptos::prelude::NodeRef<leptos::html::Form>,
    view: &crate::journey::StepView,
    lang: amtsweg_forms::Lang,
) {
    let _ = (form_ref, view, lang);
}

#[cfg(feature = "hydrate")]
pub use browser::enhance;

/// The DOM side, only in the wasm build.
#[cfg(feature = "hydrate")]
mod browser {
    use std::{
        cell::{Cell, RefCell},
        collections::{HashMap, HashSet},
        rc::Rc,
    };

    use amtsweg_forms::{Answers, Env, Evaluation, Form, Lang};
    use leptos::{prelude::*, task::spawn_local};
    use send_wrapper::SendWrapper;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Document, Element, Event, FormData, HtmlFormElement, Node, Response};

    use super::{
        ENHANCED_CLASS, UNMET_CLASS, definition_href, describedby, error_at, evaluate_posted,
    };
    use crate::i18n::ui;
    use crate::journey::StepView;

    thread_local! {
        /// Loaded definitions by URL, for the next steps of the same form.
        static FORMS: RefCell<HashMap<String, Rc<Form>>> = RefCell::new(HashMap::new());
    }

    const EVENTS: [&str; 3] = ["change", "focusout", "input"];

    type Listener = Closure<dyn Fn(Event)>;

    /// Listeners to remove when the page goes (client-side navigation).
    #[derive(Default)]
    struct Attached {
        gone: Cell<bool>,
        listeners: RefCell<Option<(HtmlFormElement, Vec<Listener>)>>,
    }

    /// Attaches the live checks to the step's `<form>` once it is in the
    /// page: loads the definition, then listens.
    pub fn enhance(form_ref: NodeRef<leptos::html::Form>, view: &StepView, lang: Lang) {
        let url = definition_href(&view.form_id, view.version);
        let step_id = view.step.id.clone();
        let saved = view.answers.clone();
        let not_shown = view.hidden.clone();
        let invalid: HashSet<String> = view.errors.iter().map(|e| e.path.clone()).collect();
        let attached = Rc::new(Attached::default());
        let on_gone = SendWrapper::new(attached.clone());
        on_cleanup(move || {
            let attached = on_gone.take();
            attached.gone.set(true);
            if let Some((element, listeners)) = attached.listeners.take() {
                for (event, listener) in EVENTS.iter().zip(&listeners) {
                    let _ = element.remove_event_listener_with_callback(
                        event,
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
        form_ref.on_load(move |element: HtmlFormElement| {
            spawn_local(async move {
                let form = match load_form(&url).await {
                    Ok(form) => form,
                    Err(reason) => {
                        leptos::logging::warn!("live checks off: {url}: {reason}");
                        give_up();
                        return;
                    }
                };
                if attached.gone.get() || !element.is_connected() {
                    return;
                }
                let live = Rc::new(Live {
                    form,
                    step_id,
                    saved,
                    not_shown,
                    lang,
                    element: element.clone(),
                    touched: RefCell::new(HashSet::new()),
                    invalid: RefCell::new(invalid),
                });
                // The browser may have restored values: start from the page.
                let Some(eval) = live.evaluate() else {
                    give_up();
                    return;
                };
                live.show_conditions(&eval);
                let listeners: Vec<Listener> = EVENTS
                    .iter()
                    .map(|event| {
                        let live = live.clone();
                        let listener = Listener::new(move |e: Event| live.handle(&e));
                        let _ = element.add_event_listener_with_callback(
                            event,
                            listener.as_ref().unchecked_ref(),
                        );
                        listener
                    })
                    .collect();
                // A marker for browser tests (and curious people).
                let _ = element.set_attribute("data-live", "on");
                attached.listeners.replace(Some((element, listeners)));
            });
        });
    }

    /// Without a definition the page behaves as without JavaScript: every
    /// conditional field shows (with its "Nur ausfüllen, wenn …" hint).
    fn give_up() {
        if let Some(html) = document().and_then(|d| d.document_element()) {
            let _ = html.class_list().remove_1(ENHANCED_CLASS);
        }
    }

    fn document() -> Option<Document> {
        web_sys::window()?.document()
    }

    async fn load_form(url: &str) -> Result<Rc<Form>, String> {
        if let Some(form) = FORMS.with(|forms| forms.borrow().get(url).cloned()) {
            return Ok(form);
        }
        let js = |e: JsValue| format!("{e:?}");
        let window = web_sys::window().ok_or("no window")?;
        let response: Response = JsFuture::from(window.fetch_with_str(url))
            .await
            .map_err(js)?
            .dyn_into()
            .map_err(js)?;
        if !response.ok() {
            return Err(format!("HTTP {}", response.status()));
        }
        let text = JsFuture::from(response.text().map_err(js)?)
            .await
            .map_err(js)?
            .as_string()
            .ok_or("the answer is not text")?;
        let form = Rc::new(Form::load(&text).map_err(|e| e.to_string())?);
        FORMS.with(|forms| forms.borrow_mut().insert(url.to_owned(), form.clone()));
        Ok(form)
    }

    /// Today in UTC, as the server's engine sees it.
    fn env() -> Option<Env> {
        let now = js_sys::Date::new_0();
        let month = u8::try_from(now.get_utc_month() + 1).ok()?;
        let today = time::Date::from_calendar_date(
            i32::try_from(now.get_utc_full_year()).ok()?,
            time::Month::try_from(month).ok()?,
            u8::try_from(now.get_utc_date()).ok()?,
        )
        .ok()?;
        Some(Env { today })
    }

    /// One step page with its definition.
    struct Live {
        form: Rc<Form>,
        step_id: String,
        saved: Answers,
        not_shown: Vec<String>,
        lang: Lang,
        element: HtmlFormElement,
        /// Names whose value the citizen changed: checked on leaving.
        touched: RefCell<HashSet<String>>,
        /// Names that show an error: checked on every input.
        invalid: RefCell<HashSet<String>>,
    }

    impl Live {
        /// The form's name/value pairs as the browser would post them
        /// (files left out: they are not answers of the step's POST).
        fn pairs(&self) -> Vec<(String, String)> {
            let Ok(data) = FormData::new_with_form(&self.element) else {
                return Vec::new();
            };
            let Ok(Some(entries)) = js_sys::try_iter(&data) else {
                return Vec::new();
            };
            entries
                .flatten()
                .filter_map(|entry| {
                    let entry = js_sys::Array::from(&entry);
                    Some((entry.get(0).as_string()?, entry.get(1).as_string()?))
                })
                .collect()
        }

        /// `None` only when the browser has no usable clock.
        fn evaluate(&self) -> Option<Evaluation> {
            Some(evaluate_posted(
                &self.form,
                &self.step_id,
                &self.saved,
                &self.not_shown,
                &self.pairs(),
                &env()?,
            ))
        }

        fn handle(&self, event: &Event) {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            let Some(name) = target.get_attribute("name") else {
                return;
            };
            if name.is_empty()
                || name.starts_with('_')
                || target.get_attribute("type").as_deref() == Some("file")
            {
                return;
            }
            let check = match event.type_().as_str() {
                "change" => {
                    self.touched.borrow_mut().insert(name.clone());
                    true
                }
                // Nothing changed since the last check: only the message
                // of a changed field is due.
                "focusout" => {
                    if !self.touched.borrow().contains(&name) {
                        return;
                    }
                    true
                }
                "input" => self.invalid.borrow().contains(&name),
                _ => return,
            };
            let Some(eval) = self.evaluate() else {
                return;
            };
            self.show_conditions(&eval);
            if check {
                self.check(&eval, &name);
            }
        }

        /// Shows or hides each same-step conditional field.
        fn show_conditions(&self, eval: &Evaluation) {
            let Ok(wrappers) = self.element.query_selector_all("[data-condition]") else {
                return;
            };
            for i in 0..wrappers.length() {
                let Some(wrapper) = wrappers.item(i).and_then(|n| n.dyn_into::<Element>().ok())
                else {
                    continue;
                };
                let Some(path) = wrapper.get_attribute("data-condition") else {
                    continue;
                };
                let _ = if eval.field(&path).visible {
                    wrapper.remove_attribute("hidden")
                } else {
                    wrapper.set_attribute("hidden", "")
                };
                // From now on `hidden` decides, not the server's guess.
                let _ = wrapper.class_list().remove_1(UNMET_CLASS);
            }
        }

        /// Shows or clears the message of the control named `path`.
        fn check(&self, eval: &Evaluation, path: &str) {
            let Some(document) = document() else {
                return;
            };
            match error_at(eval, &self.step_id, path) {
                Some(error) => {
                    let shown = show_error(
                        &document,
                        path,
                        error.message.get(self.lang),
                        ui(self.lang).error_title_prefix,
                    );
                    if shown.is_some() {
                        self.invalid.borrow_mut().insert(path.to_owned());
                    }
                }
                None => {
                    clear_error(&document, path);
                    self.invalid.borrow_mut().remove(path);
                }
            }
        }
    }

    /// The parts of a field the error markup touches.
    struct Parts {
        /// The input with the path as id (for choices: the first one).
        control: Element,
        /// Radios, checkboxes and declarations: their fieldset carries
        /// `aria-describedby` and holds the message.
        choice: bool,
        /// Where the message goes: the fieldset of a choice, else the
        /// control's `.field`.
        container: Element,
    }

    impl Parts {
        fn of(document: &Document, path: &str) -> Option<Parts> {
            let control = document.get_element_by_id(path)?;
            let choice = matches!(
                control.get_attribute("type").as_deref(),
                Some("radio" | "checkbox")
            );
            let container = if choice {
                control.closest("fieldset").ok()??
            } else {
                control.closest(".field").ok()??
            };
            Some(Parts {
                control,
                choice,
                container,
            })
        }

        /// The element whose `aria-describedby` names the message.
        fn described(&self) -> &Element {
            if self.choice {
                &self.container
            } else {
                &self.control
            }
        }

        /// The inputs that carry `aria-invalid`.
        fn inputs(&self, path: &str) -> Vec<Element> {
            if !self.choice {
                return vec![self.control.clone()];
            }
            let Ok(list) = self.container.query_selector_all("input") else {
                return Vec::new();
            };
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
                .filter(|input| input.get_attribute("name").as_deref() == Some(path))
                .collect()
        }

        /// The child of the container that holds the control: the message
        /// goes right before it (after label, hints and condition).
        fn slot(&self) -> Option<Node> {
            let container: &Node = &self.container;
            let mut node: Node = self.control.clone().into();
            loop {
                let parent = node.parent_node()?;
                if parent.is_same_node(Some(container)) {
                    return Some(node);
                }
                node = parent;
            }
        }

        fn set_described(&self, path: &str, with_error: bool) {
            let element = self.described();
            let current = element.get_attribute("aria-describedby");
            let _ = match describedby(current.as_deref(), path, with_error) {
                Some(ids) => element.set_attribute("aria-describedby", &ids),
                None => element.remove_attribute("aria-describedby"),
            };
        }

        fn set_classes(&self, with_error: bool) {
            if let Ok(Some(field)) = self.container.closest(".field") {
                let _ = field
                    .class_list()
                    .toggle_with_force("field--error", with_error);
            }
            if !self.choice {
                let _ = self
                    .control
                    .class_list()
                    .toggle_with_force("input--error", with_error);
            }
        }
    }

    /// The server's markup of an error: `<p class="error-message"
    /// id="{path}-error"><span class="visually-hidden">Fehler: </span>…</p>`.
    fn show_error(document: &Document, path: &str, message: &str, prefix: &str) -> Option<()> {
        let parts = Parts::of(document, path)?;
        let id = format!("{path}-error");
        let paragraph = match document.get_element_by_id(&id) {
            Some(p) => p,
            None => {
                let p = document.create_element("p").ok()?;
                p.set_class_name("error-message");
                p.set_id(&id);
                parts
                    .container
                    .insert_before(&p, parts.slot().as_ref())
                    .ok()?;
                p
            }
        };
        paragraph.set_text_content(None);
        let span = document.create_element("span").ok()?;
        span.set_class_name("visually-hidden");
        span.set_text_content(Some(prefix));
        paragraph.append_child(&span).ok()?;
        paragraph
            .append_child(&document.create_text_node(message))
            .ok()?;
        parts.set_described(path, true);
        for input in parts.inputs(path) {
            let _ = input.set_attribute("aria-invalid", "true");
        }
        parts.set_classes(true);
        Some(())
    }

    fn clear_error(document: &Document, path: &str) {
        if let Some(p) = document.get_element_by_id(&format!("{path}-error")) {
            p.remove();
        }
        let Some(parts) = Parts::of(document, path) else {
            return;
        };
        parts.set_described(path, false);
        for input in parts.inputs(path) {
            let _ = input.remove_attribute("aria-invalid");
        }
        parts.set_classes(false);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]
    use amtsweg_forms::{Answers, Env, Form, Lang};
    use serde_json::{Value, json};

    use super::*;

    fn hundesteuer() -> Form {
        let text = include_str!("../../forms/definitions/hundesteuer.json");
        Form::load(text).unwrap_or_else(|e| panic!("hundesteuer.json: {e}"))
    }

    fn env() -> Env {
        Env {
            today: time::macros::date!(2026 - 11 - 23),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn saved(value: Value) -> Answers {
        match value {
            Value::Object(map) => map,
            _ => Answers::new(),
        }
    }

    #[test]
    fn definition_urls_carry_the_version() {
        assert_eq!(
            definition_href("hundesteuer", 3),
            "/definitions/hundesteuer/v3.json"
        );
        assert_eq!(definition_version("v3.json"), Some(3));
        assert_eq!(definition_version("v12.json"), Some(12));
        for bad in [
            "3.json",
            "v.json",
            "v3",
            "v-1.json",
            "v+1.json",
            "v3.json.gz",
            "vx.json",
        ] {
            assert_eq!(definition_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bad_postal_code_is_an_error_at_the_address_part_and_a_good_one_is_not() {
        let form = hundesteuer();
        let page = [("_csrf", "t"), ("halter_anschrift.postal_code", "9942")];
        let eval = evaluate_posted(&form, "halter", &Answers::new(), &[], &pairs(&page), &env());
        let error = error_at(&eval, "halter", "halter_anschrift.postal_code")
            .unwrap_or_else(|| panic!("no error: {:?}", eval.errors));
        assert!(
            error.message.de.contains("Postleitzahl"),
            "{}",
            error.message.de
        );

        let page = [("halter_anschrift.postal_code", "99423")];
        let eval = evaluate_posted(&form, "halter", &Answers::new(), &[], &pairs(&page), &env());
        assert_eq!(
            error_at(&eval, "halter", "halter_anschrift.postal_code"),
            None
        );
    }

    #[test]
    fn an_iban_with_a_wrong_checksum_is_an_error_only_where_it_is_asked() {
        let form = hundesteuer();
        let bad = [("sepa", "true"), ("iban", "DE89 3704 0044 0532 0130 01")];
        let eval = evaluate_posted(&form, "zahlung", &Answers::new(), &[], &pairs(&bad), &env());
        let error = error_at(&eval, "zahlung", "iban").map(|e| e.message.get(Lang::De));
        assert!(error.is_some_and(|m| m.contains("IBAN")), "{error:?}");

        let good = [("sepa", "true"), ("iban", "DE89 3704 0044 0532 0130 00")];
        let eval = evaluate_posted(
            &form,
            "zahlung",
            &Answers::new(),
            &[],
            &pairs(&good),
            &env(),
        );
        assert_eq!(error_at(&eval, "zahlung", "iban"), None);

        // Without a mandate the IBAN is not asked, so not checked.
        let no = [("sepa", "false"), ("iban", "kaputt")];
        let eval = evaluate_posted(&form, "zahlung", &Answers::new(), &[], &pairs(&no), &env());
        assert_eq!(error_at(&eval, "zahlung", "iban"), None);
        assert!(!eval.field("iban").visible);
    }

    #[test]
    fn the_pages_values_replace_the_saved_ones_of_the_step_only() {
        let form = hundesteuer();
        // Saved: moved here ("zuzug" yes) and a first name; the page now
        // says "no" and leaves the first name empty.
        let saved = saved(json!({"zuzug": "true", "halter_vorname": "Erika", "sepa": "true"}));
        let eval = evaluate_posted(
            &form,
            "halter",
            &saved,
            &[],
            &pairs(&[("zuzug", "false")]),
            &env(),
        );
        assert!(!eval.field("vorherige_gemeinde").visible);
        assert!(error_at(&eval, "halter", "halter_vorname").is_some());
        // Another step's saved answer still counts.
        assert!(eval.field("iban").visible);

        let eval = evaluate_posted(
            &form,
            "halter",
            &saved,
            &[],
            &pairs(&[("zuzug", "true")]),
            &env(),
        );
        assert!(eval.field("vorherige_gemeinde").visible);
    }

    #[test]
    fn unmet_conditions_list_hidden_conditional_paths_with_group_entries() {
        let form = hundesteuer();
        let answers = saved(json!({
            "zuzug": "false",
            "hunde": [
                {"hund_name": "Bello", "hund_gefaehrlich": "true"},
                {"hund_name": "Rex", "hund_gefaehrlich": "false"}
            ]
        }));
        let eval = form.evaluate(&answers, &env());
        let conditional = [
            "vorherige_gemeinde".to_owned(),
            "zuzug_datum".to_owned(),
            "hund_erlaubnis".to_owned(),
        ];
        assert_eq!(
            unmet_conditions(&eval, &conditional),
            [
                "hunde.1.hund_erlaubnis",
                "vorherige_gemeinde",
                "zuzug_datum"
            ]
        );
    }

    #[test]
    fn describedby_puts_the_error_after_hint_and_condition() {
        assert_eq!(
            describedby(Some("a-hint a-cond a-format"), "a", true).as_deref(),
            Some("a-hint a-cond a-error a-format")
        );
        assert_eq!(
            describedby(Some("a-format"), "a", true).as_deref(),
            Some("a-error a-format")
        );
        assert_eq!(describedby(None, "a", true).as_deref(), Some("a-error"));
        // Adding twice keeps one.
        assert_eq!(
            describedby(Some("a-hint a-error"), "a", true).as_deref(),
            Some("a-hint a-error")
        );
        assert_eq!(
            describedby(Some("a-hint a-error a-format"), "a", false).as_deref(),
            Some("a-hint a-format")
        );
        assert_eq!(describedby(Some("a-error"), "a", false), None);
    }
}
