//! Instant editing in the form editor (`/redaktion/{id}/bearbeiten`): with
//! the wasm build, the structured forms are sent in the background and the
//! page is updated in place, fields and steps can be reordered by drag, and
//! a live preview of the draft sits beside the forms.
//!
//! It is an enhancement of the server-rendered page, never a requirement:
//! the edit page is plain HTML built by the server (`server/src/editor/
//! pages.rs`), every change is a real `<form method="post">`, and the
//! server stays the only place where a change is checked and saved. The
//! page loads this with a module script (with the CSP nonce) that calls
//! [`editor_live`] — no hydration, only event delegation on the DOM.
//!
//! What it does:
//! - A submit of a `form.structure-form` is sent with `fetch` (the same
//!   urlencoded body with `_csrf`, same origin, redirects followed), and
//!   the answer — the edit page after the 303, or the 422 page with the
//!   problems — replaces the page's content (messages, quality list,
//!   structured forms, JSON view): parsed with `DOMParser`, no reload. The
//!   `<details>` that were open stay open, focus goes back to the control
//!   that was used (after a move: at its new place; on problems: the error
//!   summary), and a polite live region says what happened. When the
//!   request fails, the form is submitted the ordinary way.
//! - Fields and steps get drag handles (`draggable`); a drop posts as many
//!   `feld_verschieben` / `schritt_verschieben` moves as needed, in order
//!   ([`moves`]), then updates the page as above. The "nach oben/nach
//!   unten" buttons stay: they are the keyboard's way, now instant too.
//! - The preview (`/redaktion/{id}/vorschau`) is shown in an `<iframe>`
//!   and reloaded after every saved change.
//! - Once it listens, `<html>` carries `data-editor-live="on"`.

/// Which way a move button moves its item (`richtung`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    /// The form value (`hoch`, `runter`).
    pub fn value(self) -> &'static str {
        match self {
            Direction::Up => "hoch",
            Direction::Down => "runter",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "hoch" => Some(Direction::Up),
            "runter" => Some(Direction::Down),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        }
    }

    /// The position an item at `at` has after the move.
    pub fn apply(self, at: usize) -> Option<usize> {
        match self {
            Direction::Up => at.checked_sub(1),
            Direction::Down => at.checked_add(1),
        }
    }
}

/// The moves that bring the item at `from` to `to`, one place each, in
/// order: the position to post and the direction.
pub fn moves(from: usize, to: usize) -> Vec<(usize, Direction)> {
    if from < to {
        (from..to).map(|at| (at, Direction::Down)).collect()
    } else {
        (to + 1..=from)
            .rev()
            .map(|at| (at, Direction::Up))
            .collect()
    }
}

/// `/redaktion/{id}` of a structured form's action (`…/struktur`).
pub fn base_of(action: &str) -> Option<&str> {
    let base = action.strip_suffix("/struktur")?;
    let id = base.strip_prefix("/redaktion/")?;
    (!id.is_empty() && !id.contains('/')).then_some(base)
}

/// The hidden inputs that tell one structured form from another (its
/// `aktion` and positions), without `_csrf`.
pub type Signature = Vec<(String, String)>;

/// The signatures to look for after the server applied the form `used`:
/// a move takes its item one place up or down, so its button is looked
/// for at the new place (and the other direction's, at the top or the
/// bottom). Everything else stays where it was.
pub fn signatures_after(used: &[(String, String)]) -> Vec<Signature> {
    let get = |name: &str| {
        used.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let key = match get("aktion") {
        Some("feld_verschieben") => "field",
        Some("schritt_verschieben") => "step",
        _ => return vec![used.to_vec()],
    };
    let at = get(key).and_then(|v| v.parse::<usize>().ok());
    let direction = get("richtung").and_then(Direction::parse);
    let (Some(at), Some(direction)) = (at, direction) else {
        return vec![used.to_vec()];
    };
    let Some(new) = direction.apply(at) else {
        return vec![used.to_vec()];
    };
    [direction, direction.other()]
        .iter()
        .map(|d| {
            used.iter()
                .map(|(n, v)| {
                    let v = if n == key {
                        new.to_string()
                    } else if n == "richtung" {
                        d.value().to_owned()
                    } else {
                        v.clone()
                    };
                    (n.clone(), v)
                })
                .collect()
        })
        .collect()
}

/// What `<html data-editor-live>` says once the page listens.
pub const LIVE_MARKER: &str = "data-editor-live";

/// The module script of the edit page: loads the wasm bundle and calls
/// [`editor_live`]. Needs the response's CSP nonce; without the bundle
/// (not built, or no WebAssembly) nothing happens and the page stays
/// plain HTML.
pub const LOADER_SCRIPT: &str = r#"import init, { editor_live } from "/pkg/amtsweg.js"; init({ module_or_path: "/pkg/amtsweg.wasm" }).then(() => editor_live()).catch(() => {});"#;

/// The browser entry called by [`LOADER_SCRIPT`].
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn editor_live() {
    console_error_panic_hook::set_once();
    browser::start();
}

/// The DOM side, only in the wasm build.
#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::Cell, collections::HashSet, rc::Rc};

    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::{JsFuture, spawn_local};
    use web_sys::{
        Document, DomParser, DragEvent, Element, Event, FormData, HtmlDetailsElement, HtmlElement,
        HtmlFormElement, HtmlIFrameElement, HtmlInputElement, RequestInit, Response, SubmitEvent,
        SupportedType, UrlSearchParams,
    };

    use super::{Direction, LIVE_MARKER, Signature, base_of, moves, signatures_after};

    /// What is dragged: a step (`field` is `None`) or a field of a step.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Drag {
        step: usize,
        field: Option<usize>,
    }

    /// Where focus goes after the page was updated.
    enum Focus {
        /// The control at `control` in the form found by its signature.
        Used {
            signature: Signature,
            control: Option<u32>,
        },
        /// A dragged item at its new place.
        Moved(Drag),
    }

    /// The server's answer to a POST (redirects followed).
    struct Answer {
        status: u16,
        html: String,
    }

    struct Editor {
        document: Document,
        base: String,
        content: Element,
        status: Element,
        preview: HtmlIFrameElement,
        busy: Cell<bool>,
        drag: Cell<Option<Drag>>,
        /// Alternates a trailing space so that the same message is
        /// announced again.
        flip: Cell<bool>,
    }

    fn document() -> Option<Document> {
        web_sys::window()?.document()
    }

    fn create(document: &Document, tag: &str, class: &str) -> Option<Element> {
        let element = document.create_element(tag).ok()?;
        element.set_class_name(class);
        Some(element)
    }

    /// Finds the edit page's structured forms, builds the layout (content
    /// beside the preview, a live region), and listens.
    pub fn start() {
        if setup().is_none() {
            leptos::logging::warn!("editor live: not an edit page with structured forms");
        }
    }

    fn setup() -> Option<()> {
        let document = document()?;
        let main = document.query_selector("main").ok()??;
        let structure = main.query_selector("section.structure").ok()??;
        let action = structure
            .query_selector("form.structure-form")
            .ok()??
            .get_attribute("action")?;
        let base = base_of(&action)?.to_owned();

        let layout = create(&document, "div", "editor-live")?;
        let content = create(&document, "div", "editor-live__content")?;
        while let Some(child) = main.first_child() {
            content.append_child(&child).ok()?;
        }
        let aside = create(&document, "section", "editor-preview")?;
        aside
            .set_attribute("aria-labelledby", "editor-preview-title")
            .ok()?;
        aside.set_inner_html(
            r#"<h2 id="editor-preview-title">Vorschau <span lang="en">(live preview)</span></h2><p class="hint">Wird nach jeder gespeicherten Änderung neu geladen. <span lang="en">Reloaded after every saved change.</span></p>"#,
        );
        let preview: HtmlIFrameElement = create(&document, "iframe", "editor-preview__frame")?
            .dyn_into()
            .ok()?;
        preview
            .set_attribute(
                "title",
                "Vorschau des Entwurfs, wie Bürgerinnen und Bürger ihn sehen (preview of the draft)",
            )
            .ok()?;
        preview.set_src(&format!("{base}/vorschau"));
        aside.append_child(&preview).ok()?;
        layout.append_child(&content).ok()?;
        layout.append_child(&aside).ok()?;
        main.append_child(&layout).ok()?;
        let status = create(&document, "div", "visually-hidden")?;
        status.set_id("editor-live-status");
        status.set_attribute("role", "status").ok()?;
        status.set_attribute("aria-live", "polite").ok()?;
        main.append_child(&status).ok()?;
        // The page's own notice ("Gespeichert.") becomes the live region's
        // text: one status on the page, before and after a change.
        if let Some(notice) = content
            .query_selector(".notice[role=status]")
            .ok()
            .flatten()
        {
            status.set_text_content(notice.text_content().as_deref());
            notice.remove_attribute("role").ok()?;
        }

        let editor = Rc::new(Editor {
            document: document.clone(),
            base,
            content,
            status,
            preview,
            busy: Cell::new(false),
            drag: Cell::new(None),
            flip: Cell::new(false),
        });
        editor.decorate();
        listen(&document, "submit", {
            let editor = editor.clone();
            move |e| editor.on_submit(&e)
        });
        listen(&document, "dragstart", {
            let editor = editor.clone();
            move |e| editor.on_dragstart(&e)
        });
        listen(&document, "dragover", {
            let editor = editor.clone();
            move |e| editor.on_dragover(&e)
        });
        listen(&document, "drop", {
            let editor = editor.clone();
            move |e| editor.on_drop(&e)
        });
        listen(&document, "dragend", {
            let editor = editor.clone();
            move |_| editor.drag.set(None)
        });
        document
            .document_element()?
            .set_attribute(LIVE_MARKER, "on")
            .ok()?;
        Some(())
    }

    /// A listener for the page's lifetime (the edit page is no client-side
    /// app: it goes with the document).
    fn listen(document: &Document, event: &str, handler: impl Fn(Event) + 'static) {
        let closure = Closure::<dyn Fn(Event)>::new(handler);
        let _ = document.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        closure.forget();
    }

    /// The hidden inputs of `form` but `_csrf`.
    fn signature(form: &Element) -> Signature {
        let Ok(inputs) = form.query_selector_all("input[type=hidden]") else {
            return Vec::new();
        };
        (0..inputs.length())
            .filter_map(|i| inputs.item(i)?.dyn_into::<HtmlInputElement>().ok())
            .filter(|input| input.name() != "_csrf")
            .map(|input| (input.name(), input.value()))
            .collect()
    }

    fn number(element: &Element, name: &str) -> Option<usize> {
        element.get_attribute(name)?.parse().ok()
    }

    /// The text of a `<details>`' summary, with those around it: the key
    /// that finds it again after the page was replaced (a field's id is
    /// in its summary, so a field keeps its state when it moves).
    fn details_key(details: &Element) -> String {
        let summary = details.query_selector(":scope > summary").ok().flatten();
        // A field's summary names its id in `<code>`: the key even when
        // its label changed.
        let own = summary
            .as_ref()
            .and_then(|s| s.query_selector("code").ok().flatten())
            .or(summary)
            .and_then(|s| s.text_content())
            .unwrap_or_default();
        let own = own.split_whitespace().collect::<Vec<_>>().join(" ");
        match details
            .parent_element()
            .and_then(|p| p.closest("details").ok().flatten())
        {
            Some(outer) => format!("{} / {own}", details_key(&outer)),
            None => own,
        }
    }

    impl Editor {
        fn say(&self, text: &str) {
            let flip = !self.flip.get();
            self.flip.set(flip);
            let text = if flip {
                format!("{text}\u{a0}")
            } else {
                text.to_owned()
            };
            self.status.set_text_content(Some(&text));
        }

        fn all(&self, selector: &str) -> Vec<Element> {
            let Ok(list) = self.content.query_selector_all(selector) else {
                return Vec::new();
            };
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
                .collect()
        }

        /// Drag handles on every step and field, and the places to drop.
        fn decorate(&self) {
            for (i, section) in self.all("section.structure-step").iter().enumerate() {
                let _ = section.set_attribute("data-drop-schritt", &i.to_string());
                let name = section
                    .query_selector("h3")
                    .ok()
                    .flatten()
                    .and_then(|h| h.text_content())
                    .unwrap_or_default();
                if let Some(handle) = self.handle(
                    Drag {
                        step: i,
                        field: None,
                    },
                    &name,
                ) {
                    let _ = section.insert_before(&handle, section.first_child().as_ref());
                }
            }
            for form in self.all("form.structure-form") {
                let sig = signature(&form);
                let get = |n: &str| {
                    sig.iter()
                        .find(|(k, _)| k == n)
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                };
                if !sig
                    .iter()
                    .any(|(k, v)| k == "aktion" && v == "feld_bearbeiten")
                {
                    continue;
                }
                let (Some(step), Some(field)) = (get("step"), get("field")) else {
                    continue;
                };
                let Some(details) = form.closest("details").ok().flatten() else {
                    continue;
                };
                let at = format!("{step}:{field}");
                let _ = details.set_attribute("data-drop-feld", &at);
                let summary = details
                    .query_selector(":scope > summary")
                    .ok()
                    .flatten()
                    .and_then(|s| s.text_content())
                    .unwrap_or_default();
                let drag = Drag {
                    step,
                    field: Some(field),
                };
                if let (Some(handle), Some(parent)) =
                    (self.handle(drag, &summary), details.parent_node())
                {
                    let _ = handle.set_attribute("data-drop-feld", &at);
                    let _ = parent.insert_before(&handle, Some(&details));
                }
            }
        }

        /// A handle for the mouse; hidden from screen readers, whose way
        /// to move is the buttons "nach oben" / "nach unten".
        fn handle(&self, drag: Drag, name: &str) -> Option<Element> {
            let handle = create(&self.document, "div", "drag-handle")?;
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            let (kind, what) = match drag.field {
                Some(field) => {
                    handle
                        .set_attribute("data-field", &field.to_string())
                        .ok()?;
                    ("feld", name)
                }
                None => ("schritt", name),
            };
            handle.set_attribute("data-drag", kind).ok()?;
            handle
                .set_attribute("data-step", &drag.step.to_string())
                .ok()?;
            handle.set_attribute("draggable", "true").ok()?;
            handle.set_attribute("aria-hidden", "true").ok()?;
            handle
                .set_attribute(
                    "title",
                    &format!("{what}: ziehen, um zu verschieben (drag to move)"),
                )
                .ok()?;
            handle.set_text_content(Some("⠿ Ziehen zum Verschieben"));
            Some(handle)
        }

        fn on_submit(self: &Rc<Self>, event: &Event) {
            let Some(form) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            else {
                return;
            };
            if !form.class_list().contains("structure-form") || !self.content.contains(Some(&form))
            {
                return;
            }
            event.prevent_default();
            if self.busy.get() {
                self.say("Bitte warten: die vorige Änderung wird noch gespeichert. (Please wait.)");
                return;
            }
            let submitter = event
                .dyn_ref::<SubmitEvent>()
                .and_then(SubmitEvent::submitter);
            // The control to focus again: the one that had focus (Enter in
            // an input), else the button.
            let active = self
                .document
                .active_element()
                .filter(|a| form.contains(Some(a)));
            let control = active.or_else(|| submitter.map(Element::from));
            let elements = form.elements();
            let index = control.and_then(|c| {
                (0..elements.length()).find(|&i| elements.item(i).is_some_and(|e| e == c))
            });
            let focus = Focus::Used {
                signature: signature(&form),
                control: index,
            };
            let body = FormData::new_with_form(&form)
                .ok()
                .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data).ok());
            let (Some(body), Some(action)) = (body, form.get_attribute("action")) else {
                let _ = form.submit();
                return;
            };
            let editor = self.clone();
            self.say("Wird gespeichert … (saving)");
            spawn_local(async move {
                editor.set_busy(true);
                let answer = post(&action, &body).await;
                editor.set_busy(false);
                let shown = match answer {
                    Ok(answer) => editor.show(&answer, &focus),
                    Err(_) => false,
                };
                if !shown {
                    // The server did not answer with an edit page: let the
                    // browser send the form and show whatever comes back.
                    let _ = form.submit();
                }
            });
        }

        fn set_busy(&self, busy: bool) {
            self.busy.set(busy);
            let _ = if busy {
                self.content.set_attribute("aria-busy", "true")
            } else {
                self.content.remove_attribute("aria-busy")
            };
        }

        /// Shows the server's answer in place; `false` when it is not one
        /// this can show (then the caller falls back).
        fn show(&self, answer: &Answer, focus: &Focus) -> bool {
            let Some(doc) = DomParser::new().ok().and_then(|p| {
                p.parse_from_string(&answer.html, SupportedType::TextHtml)
                    .ok()
            }) else {
                return false;
            };
            let Some(main) = doc.query_selector("main").ok().flatten() else {
                return false;
            };
            let is_edit_page = main
                .query_selector("section.structure")
                .ok()
                .flatten()
                .is_some();
            match (answer.status, is_edit_page) {
                (200, true) => {
                    self.replace(&main.inner_html());
                    self.focus(focus);
                    self.say("Gespeichert. (Saved.)");
                    self.reload_preview();
                    true
                }
                (422, true) => {
                    self.replace(&main.inner_html());
                    self.focus_problems();
                    self.say(&format!(
                        "Nicht gespeichert. (Not saved.) {}",
                        self.problems_text()
                    ));
                    true
                }
                // A change the server could not even apply (a malformed
                // input): its page lists the problems; the forms stay as
                // entered.
                (422, false) => {
                    let Some(list) = main.query_selector(".error-summary").ok().flatten() else {
                        return false;
                    };
                    for old in self.all(".error-summary, .notice") {
                        old.remove();
                    }
                    let before = self
                        .content
                        .query_selector("section.quality-problems, section.structure")
                        .ok()
                        .flatten();
                    let Ok(list) = self.document.import_node_with_deep(&list, true) else {
                        return false;
                    };
                    let _ = self.content.insert_before(&list, before.as_deref());
                    self.focus_problems();
                    self.say(&format!(
                        "Nicht gespeichert. (Not saved.) {}",
                        self.problems_text()
                    ));
                    true
                }
                _ => false,
            }
        }

        fn problems_text(&self) -> String {
            self.content
                .query_selector(".error-summary")
                .ok()
                .flatten()
                .and_then(|s| s.text_content())
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        }

        /// Replaces the content, keeping open `<details>` open.
        fn replace(&self, html: &str) {
            let open: HashSet<String> = self
                .all("details")
                .iter()
                .filter(|d| d.has_attribute("open"))
                .map(details_key)
                .collect();
            self.content.set_inner_html(html);
            for details in self.all("details") {
                if open.contains(&details_key(&details))
                    && let Ok(details) = details.dyn_into::<HtmlDetailsElement>()
                {
                    details.set_open(true);
                }
            }
            // The live region says it; the page's own notice would say it twice.
            for notice in self.all(".notice[role=status]") {
                let _ = notice.remove_attribute("role");
            }
            self.decorate();
        }

        fn focus_element(element: &Element) -> bool {
            // Opened, so that what gets focus is visible (a summary is
            // visible anyway: its own section stays as it is).
            let start = if element.tag_name().eq_ignore_ascii_case("summary") {
                element.parent_element().and_then(|d| d.parent_element())
            } else {
                Some(element.clone())
            };
            let mut outer = start.and_then(|e| e.closest("details").ok().flatten());
            while let Some(details) = outer {
                let _ = details.set_attribute("open", "");
                outer = details
                    .parent_element()
                    .and_then(|p| p.closest("details").ok().flatten());
            }
            match element.dyn_ref::<HtmlElement>() {
                Some(e) => e.focus().is_ok(),
                None => false,
            }
        }

        fn focus_problems(&self) {
            if let Some(summary) = self.content.query_selector(".error-summary").ok().flatten() {
                Self::focus_element(&summary);
            }
        }

        fn focus(&self, focus: &Focus) {
            let found = match focus {
                Focus::Used {
                    signature: used,
                    control,
                } => {
                    let forms = self.all("form.structure-form");
                    signatures_after(used).iter().find_map(|wanted| {
                        let form = forms.iter().find(|f| signature(f) == *wanted)?;
                        let form = form.dyn_ref::<HtmlFormElement>()?;
                        let elements = form.elements();
                        let element = control
                            .and_then(|i| elements.item(i))
                            .or_else(|| form.query_selector("button").ok().flatten())?;
                        Some(element)
                    })
                }
                Focus::Moved(drag) => match drag.field {
                    Some(field) => self
                        .content
                        .query_selector(&format!(
                            "[data-drop-feld=\"{}:{field}\"] > summary",
                            drag.step
                        ))
                        .ok()
                        .flatten(),
                    None => self
                        .content
                        .query_selector(&format!("[data-drop-schritt=\"{}\"] h3", drag.step))
                        .ok()
                        .flatten()
                        .inspect(|h| {
                            let _ = h.set_attribute("tabindex", "-1");
                        }),
                },
            };
            let done = found.is_some_and(|e| Self::focus_element(&e));
            if !done {
                // The item is gone (deleted): the section's heading.
                if let Some(heading) = self
                    .content
                    .query_selector("#structure-heading")
                    .ok()
                    .flatten()
                {
                    let _ = heading.set_attribute("tabindex", "-1");
                    Self::focus_element(&heading);
                }
            }
        }

        fn reload_preview(&self) {
            match self.preview.content_window() {
                Some(window) => {
                    let _ = window.location().reload();
                }
                None => self.preview.set_src(&format!("{}/vorschau", self.base)),
            }
        }

        fn dragged(event: &Event) -> Option<Drag> {
            let target: Element = event.target()?.dyn_into().ok()?;
            let handle = target.closest("[data-drag]").ok()??;
            Some(Drag {
                step: number(&handle, "data-step")?,
                field: match handle.get_attribute("data-drag")?.as_str() {
                    "feld" => Some(number(&handle, "data-field")?),
                    _ => None,
                },
            })
        }

        /// Where `drag` would go if dropped at the event's target.
        fn drop_place(&self, event: &Event, drag: Drag) -> Option<usize> {
            let target: Element = event.target()?.dyn_into().ok()?;
            if !self.content.contains(Some(&target)) {
                return None;
            }
            match drag.field {
                Some(_) => {
                    let at = target.closest("[data-drop-feld]").ok()??;
                    let at = at.get_attribute("data-drop-feld")?;
                    let (step, field) = at.split_once(':')?;
                    (step.parse::<usize>().ok()? == drag.step).then_some(())?;
                    field.parse().ok()
                }
                None => number(
                    &target.closest("[data-drop-schritt]").ok()??,
                    "data-drop-schritt",
                ),
            }
        }

        fn on_dragstart(&self, event: &Event) {
            let Some(drag) = Self::dragged(event) else {
                return;
            };
            self.drag.set(Some(drag));
            if let Some(transfer) = event
                .dyn_ref::<DragEvent>()
                .and_then(DragEvent::data_transfer)
            {
                let _ = transfer.set_data("text/plain", "amtsweg-editor");
                transfer.set_effect_allowed("move");
            }
        }

        fn on_dragover(&self, event: &Event) {
            let Some(drag) = self.drag.get() else {
                return;
            };
            if self.drop_place(event, drag).is_some() {
                event.prevent_default();
                if let Some(t) = event
                    .dyn_ref::<DragEvent>()
                    .and_then(DragEvent::data_transfer)
                {
                    t.set_drop_effect("move");
                }
            }
        }

        fn on_drop(self: &Rc<Self>, event: &Event) {
            let Some(drag) = self.drag.take() else {
                return;
            };
            let Some(to) = self.drop_place(event, drag) else {
                return;
            };
            event.prevent_default();
            let from = drag.field.unwrap_or(drag.step);
            if from == to || self.busy.get() {
                return;
            }
            let editor = self.clone();
            self.say("Wird verschoben … (moving)");
            spawn_local(async move {
                editor.set_busy(true);
                let answer = editor.move_item(drag, from, to).await;
                editor.set_busy(false);
                let moved = Drag {
                    step: if drag.field.is_some() { drag.step } else { to },
                    field: drag.field.map(|_| to),
                };
                let shown = answer.is_some_and(|a| editor.show(&a, &Focus::Moved(moved)));
                if !shown {
                    // Some moves may be saved: show the page as stored.
                    if let Some(window) = web_sys::window() {
                        let _ = window
                            .location()
                            .assign(&format!("{}/bearbeiten", editor.base));
                    }
                }
            });
        }

        /// Posts the moves one after the other; the last answer (or the
        /// first that is not a saved change).
        async fn move_item(&self, drag: Drag, from: usize, to: usize) -> Option<Answer> {
            let csrf: HtmlInputElement = self
                .content
                .query_selector("input[name=_csrf]")
                .ok()??
                .dyn_into()
                .ok()?;
            let csrf = csrf.value();
            let mut last = None;
            for (at, direction) in moves(from, to) {
                let body = UrlSearchParams::new().ok()?;
                body.append("_csrf", &csrf);
                match drag.field {
                    Some(_) => {
                        body.append("aktion", "feld_verschieben");
                        body.append("step", &drag.step.to_string());
                        body.append("field", &at.to_string());
                    }
                    None => {
                        body.append("aktion", "schritt_verschieben");
                        body.append("step", &at.to_string());
                    }
                }
                body.append("richtung", Direction::value(direction));
                let answer = post(&format!("{}/struktur", self.base), &body).await.ok()?;
                let saved = answer.status == 200;
                last = Some(answer);
                if !saved {
                    break;
                }
            }
            last
        }
    }

    /// POSTs `body` (urlencoded) to `url` with the session's cookie;
    /// redirects are followed, so a saved change answers with the edit page.
    async fn post(url: &str, body: &UrlSearchParams) -> Result<Answer, JsValue> {
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body_opt_url_search_params(Some(body));
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await?
            .dyn_into()?;
        let html = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        Ok(Answer {
            status: response.status(),
            html,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(pairs: &[(&str, &str)]) -> Signature {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_drop_is_one_move_per_place_in_order() {
        assert_eq!(moves(0, 2), [(0, Direction::Down), (1, Direction::Down)]);
        assert_eq!(moves(3, 1), [(3, Direction::Up), (2, Direction::Up)]);
        assert_eq!(moves(1, 0), [(1, Direction::Up)]);
        assert!(moves(2, 2).is_empty());
    }

    #[test]
    fn the_base_is_taken_from_a_structured_forms_action_only() {
        assert_eq!(base_of("/redaktion/hund/struktur"), Some("/redaktion/hund"));
        assert_eq!(base_of("/redaktion/hund/bearbeiten"), None);
        assert_eq!(base_of("/redaktion//struktur"), None);
        assert_eq!(base_of("/redaktion/a/b/struktur"), None);
        assert_eq!(base_of("/forms/hund/struktur"), None);
    }

    #[test]
    fn focus_follows_a_moved_field_and_stays_for_other_changes() {
        let down = sig(&[
            ("aktion", "feld_verschieben"),
            ("step", "1"),
            ("field", "0"),
            ("richtung", "runter"),
        ]);
        assert_eq!(
            signatures_after(&down),
            [
                sig(&[
                    ("aktion", "feld_verschieben"),
                    ("step", "1"),
                    ("field", "1"),
                    ("richtung", "runter"),
                ]),
                sig(&[
                    ("aktion", "feld_verschieben"),
                    ("step", "1"),
                    ("field", "1"),
                    ("richtung", "hoch"),
                ]),
            ]
        );
        let step_up = sig(&[
            ("aktion", "schritt_verschieben"),
            ("step", "2"),
            ("richtung", "hoch"),
        ]);
        assert_eq!(
            signatures_after(&step_up)[0],
            sig(&[
                ("aktion", "schritt_verschieben"),
                ("step", "1"),
                ("richtung", "hoch"),
            ])
        );
        let edit = sig(&[("aktion", "feld_bearbeiten"), ("step", "0"), ("field", "2")]);
        assert_eq!(signatures_after(&edit), vec![edit]);
        // The top item moved up (refused by the server): nothing to follow.
        let top = sig(&[
            ("aktion", "schritt_verschieben"),
            ("step", "0"),
            ("richtung", "hoch"),
        ]);
        assert_eq!(signatures_after(&top), vec![top]);
    }
}
