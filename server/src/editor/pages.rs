//! The editor's HTML: plain server-rendered pages in German with English
//! alongside (staff pages, like `/verwaltung`), every action a real
//! `<form method="post">` with the CSRF field, so everything works
//! without JavaScript. The preview's step pages are not made here: they
//! are the citizen's own components (see [`super::preview`]).

use amtsweg_forms::{DefinitionError, fim::ImportReport, quality::Problem};
use axum::{
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

use super::{
    service::{FormEntry, NewForm},
    store::{Change, VersionState},
};

/// A stored UTC time (RFC 3339) in German local time:
/// `1. Dezember 2026, 14:35 Uhr`; a text that is no such time as it is.
pub fn german_when(at: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    let Ok(t) = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
    else {
        return at.to_owned();
    };
    let t = crate::resume::german_time(t);
    let month = MONTHS
        .get(usize::from(u8::from(t.month())).saturating_sub(1))
        .copied()
        .unwrap_or("");
    format!(
        "{}. {month} {}, {:02}:{:02} Uhr",
        t.day(),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// HTML-escapes `text` for element content and quoted attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A complete page with the editor's frame; `banner` goes above the `h1`.
pub fn page(status: StatusCode, title: &str, banner: &str, body: &str) -> Response {
    framed(status, title, banner, body, "")
}

/// The edit page: [`page`] with the module script that loads the wasm
/// enhancement (`amtsweg_app::editor_live`: instant structured edits,
/// reorder by drag, live preview). It carries the response's CSP `nonce`;
/// without a nonce (no security layer) the page has no script and works
/// as plain forms.
pub fn edit_page(
    status: StatusCode,
    title: &str,
    banner: &str,
    body: &str,
    nonce: Option<&str>,
) -> Response {
    let script = nonce
        .map(|nonce| {
            format!(
                "<script type=\"module\" nonce=\"{}\">{}</script>\n",
                escape(nonce),
                amtsweg_app::editor_live::LOADER_SCRIPT
            )
        })
        .unwrap_or_default();
    framed(status, title, banner, body, &script)
}

fn framed(status: StatusCode, title: &str, banner: &str, body: &str, script: &str) -> Response {
    let title = escape(title);
    let html = format!(
        r##"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Formular-Redaktion – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
{script}</head>
<body>
<a class="skip-link" href="#main">Zum Inhalt springen</a>
<header class="site-header">
<div class="container site-header__inner">
<a class="site-name" href="/">Amtsweg</a>
<nav aria-label="Redaktion / Editor"><a href="/redaktion">Formular-Redaktion <span lang="en">(form editor)</span></a> · <a href="/verwaltung">Verwaltung</a></nav>
</div>
</header>
<main id="main" class="container" tabindex="-1">
{banner}{body}
</main>
</body>
</html>
"##
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

fn csrf_field(csrf: &str) -> String {
    format!(
        r#"<input type="hidden" name="_csrf" value="{}">"#,
        escape(csrf)
    )
}

/// A form of one button posting to `action`.
fn button(action: &str, csrf: &str, label: &str, extra: &str) -> String {
    format!(
        r#"<form method="post" action="{}" class="inline-form">{}{extra}<button type="submit" class="button button--secondary">{label}</button></form>"#,
        escape(action),
        csrf_field(csrf),
    )
}

/// The list of problems, each with its location (the JSON path).
pub fn problems(title: &str, problems: &[DefinitionError]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let items: String = problems
        .iter()
        .map(|p| {
            format!(
                "<li><code>{}</code>: {}</li>",
                escape(&p.path),
                escape(&p.message)
            )
        })
        .collect();
    format!(
        r#"<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 class="error-summary__title" id="error-summary-title">{}</h2>
<ul class="error-summary__list problems">{items}</ul>
</div>"#,
        escape(title)
    )
}

/// The id of the input on the edit page where the problem at JSON
/// `pointer` is fixed: the field's, step's, fee's or form's own input in
/// the structured forms (the browser opens the `<details>` around it), or
/// the JSON view (`definition`) for what only that edits.
pub fn anchor_for(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let lang = |p: Option<&&str>| match p {
        Some(&"en") => "en",
        _ => "de",
    };
    match parts.as_slice() {
        ["title" | "description", ..] => format!("{}_{}", parts[0], lang(parts.get(1))),
        ["steps", i, "fields", j, "fields", k, rest @ ..]
            if is_index(i) && is_index(j) && is_index(k) =>
        {
            field_anchor(&format!("s{i}-f{j}-g{k}"), rest)
        }
        ["steps", i, "fields", j, rest @ ..] if is_index(i) && is_index(j) => {
            field_anchor(&format!("s{i}-f{j}"), rest)
        }
        ["steps", i, "title", l, ..] if is_index(i) => format!("s{i}-title_{}", lang(Some(l))),
        ["steps", i, ..] if is_index(i) => format!("s{i}-title_de"),
        ["fees", k, "purpose", l, ..] if is_index(k) => {
            format!("fee{k}-purpose_{}", lang(Some(l)))
        }
        ["fees", k, ..] if is_index(k) => format!("fee{k}-purpose_de"),
        ["validations", k, "message", l, ..] if is_index(k) => {
            format!("pruefung{k}-message-{}", lang(Some(l)))
        }
        ["validations", k, ..] if is_index(k) => format!("pruefung{k}-message-de"),
        _ => "definition".to_owned(),
    }
}

/// The input of field `p` (`s0-f2`, `s0-f2-g1`) for the rest of a
/// pointer into it.
fn field_anchor(p: &str, rest: &[&str]) -> String {
    let lang = |p: &str| if p == "en" { "en" } else { "de" };
    match rest {
        ["label" | "hint", l, ..] => format!("{p}-{}_{}", rest[0], lang(l)),
        ["text", l, ..] => format!("{p}-text-{}", lang(l)),
        ["options", ..] => format!("{p}-options"),
        _ => format!("{p}-label_de"),
    }
}

fn is_index(part: &str) -> bool {
    !part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit())
}

/// The quality check's problems, each linked to the place to fix (see
/// [`anchor_for`]) with its JSON pointer.
pub fn quality(form_id: &str, problems: &[Problem], blocking: bool) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let items: String = problems
        .iter()
        .map(|p| {
            let edit = escape(&format!(
                "/redaktion/{form_id}/bearbeiten#{}",
                anchor_for(&p.location.pointer)
            ));
            format!(
                r#"<li><a href="{edit}"><code>{}</code></a>: {} <span lang="en">{}</span> <code>[{}]</code></li>"#,
                escape(&p.location.pointer),
                escape(&p.message.de),
                escape(p.message.en.as_deref().unwrap_or("")),
                p.code
            )
        })
        .collect();
    let (title, role) = if blocking {
        (
            "Nicht veröffentlicht: die Qualitätsprüfung fand Probleme / Not published: the quality check found problems",
            r#" role="alert""#,
        )
    } else {
        (
            "Vor dem Veröffentlichen zu beheben (Qualitätsprüfung) / To fix before publishing (quality check)",
            "",
        )
    };
    format!(
        r#"<section class="quality-problems"{role} aria-labelledby="quality-title"><h2 id="quality-title">{title}</h2><ul>{items}</ul></section>"#
    )
}

/// The report of a FIM import: what was assumed, kept or not supported.
pub fn fim_report(report: &ImportReport) -> String {
    let items: String = report
        .items
        .iter()
        .map(|i| {
            let severity = match i.severity {
                amtsweg_forms::fim::Severity::Note => "Hinweis / note",
                amtsweg_forms::fim::Severity::Kept => "Als Notiz übernommen / kept as a note",
                amtsweg_forms::fim::Severity::Unsupported => "Nicht unterstützt / not supported",
            };
            format!(
                "<li><strong>{severity}</strong> <code>{}</code>, Zeile {}{}{}: {} <span lang=\"en\">{}</span></li>",
                escape(&i.element),
                i.line,
                i.fim_id
                    .as_deref()
                    .map(|id| format!(", FIM {}", escape(id)))
                    .unwrap_or_default(),
                i.path
                    .as_deref()
                    .map(|p| format!(", <code>{}</code>", escape(p)))
                    .unwrap_or_default(),
                escape(&i.message.de),
                escape(i.message.en.as_deref().unwrap_or("")),
            )
        })
        .collect();
    format!(
        r#"<section class="fim-report" aria-labelledby="fim-report-title"><h2 id="fim-report-title">FIM-Import: {name} <span lang="en">(import report)</span></h2><p>{standard}, <code>{message}</code>, FIM {id}: {steps} Schritte, {fields} Felder <span lang="en">({steps} steps, {fields} fields)</span></p><ul>{items}</ul></section>"#,
        name = escape(&report.name),
        standard = escape(report.standard.name()),
        message = escape(&report.message),
        id = escape(&report.fim_id),
        steps = report.steps,
        fields = report.fields,
    )
}

/// A short message at the top of a page (after an action).
pub fn notice(text: &str) -> String {
    format!(
        r#"<div class="notice" role="status"><p>{}</p></div>"#,
        escape(text)
    )
}

fn state_label(state: VersionState) -> String {
    let (de, en) = state.label();
    format!(r#"{de} <span lang="en">({en})</span>"#)
}

/// `GET /redaktion`: every form with its versions, and "new form".
pub fn list(forms: &[FormEntry], new: &NewForm, errors: &[DefinitionError], csrf: &str) -> String {
    let rows: String = forms
        .iter()
        .map(|f| {
            let versions: String = f
                .versions
                .iter()
                .map(|v| format!("<li>Version {}: {}</li>", v.version, state_label(v.state)))
                .collect();
            format!(
                r#"<tr><th scope="row"><a href="/redaktion/{id}">{title}</a><br><code>{id}</code></th><td><ul class="versions">{versions}</ul></td><td>{authority}</td></tr>"#,
                id = escape(&f.id),
                title = escape(&f.title_de),
                authority = escape(&f.authority),
            )
        })
        .collect();
    let table = if forms.is_empty() {
        "<p>Noch keine Formulare. <span lang=\"en\">No forms yet.</span></p>".to_owned()
    } else {
        format!(
            r#"<table class="editor-forms">
<caption>Alle Formulare <span lang="en">(all forms)</span></caption>
<thead><tr><th scope="col">Formular <span lang="en">(form)</span></th><th scope="col">Versionen und Stand <span lang="en">(versions and state)</span></th><th scope="col">Empfangende Behörde <span lang="en">(receiving authority)</span></th></tr></thead>
<tbody>{rows}</tbody>
</table>"#
        )
    };
    let input = |name: &str, label: &str, value: &str, hint: &str| {
        let described = if hint.is_empty() {
            String::new()
        } else {
            format!(r#" aria-describedby="{name}-hint""#)
        };
        format!(
            r#"<div class="field"><label for="{name}">{label}</label>{hint}<input class="input" type="text" id="{name}" name="{name}" value="{}" required{described}></div>"#,
            escape(value)
        )
    };
    format!(
        r#"<h1>Formular-Redaktion</h1>
<p lang="en">Form editor: all forms, their versions and state.</p>
{table}
<h2 id="neu">Neues Formular anlegen <span lang="en">(create a form)</span></h2>
{problems}
<form method="post" action="/redaktion/neu" novalidate>
{csrf}
{id}{title_de}{title_en}{authority_id}{authority_de}{authority_en}
<button type="submit" class="button">Formular anlegen <span lang="en">(create form)</span></button>
</form>"#,
        problems = problems(
            "Das Formular wurde nicht angelegt / The form was not created",
            errors
        ),
        csrf = csrf_field(csrf),
        id = input(
            "id",
            "Kennung (in der Adresse) <span lang=\"en\">(id, part of the address)</span>",
            &new.id,
            "<p class=\"hint\" id=\"id-hint\">Kleinbuchstaben, Ziffern, Bindestrich, z. B. <code>hundesteuer</code></p>"
        ),
        title_de = input("title_de", "Titel (Deutsch)", &new.title_de, ""),
        title_en = input(
            "title_en",
            "Titel (Englisch) <span lang=\"en\">(title, English)</span>",
            &new.title_en,
            ""
        ),
        authority_id = input(
            "authority_id",
            "Kennung der empfangenden Behörde <span lang=\"en\">(receiving authority's id)</span>",
            &new.authority_id,
            ""
        ),
        authority_de = input(
            "authority_de",
            "Name der Behörde (Deutsch)",
            &new.authority_de,
            ""
        ),
        authority_en = input(
            "authority_en",
            "Name der Behörde (Englisch) <span lang=\"en\">(authority's name, English)</span>",
            &new.authority_en,
            ""
        ),
    )
}

/// `GET /redaktion/{id}`: the form's versions, actions and history.
pub fn form(entry: &FormEntry, changes: &[Change], csrf: &str) -> String {
    let id = escape(&entry.id);
    let base = format!("/redaktion/{}", entry.id);
    let versions: String = entry
        .versions
        .iter()
        .map(|v| {
            format!(
                r#"<tr><td>{}</td><td>{}</td><td><a href="{base}/export?version={}" download>JSON <span lang="en">(export)</span></a></td></tr>"#,
                v.version,
                state_label(v.state),
                v.version,
                base = escape(&base),
            )
        })
        .collect();
    let mut actions = Vec::new();
    match entry.draft() {
        Some(draft) => {
            actions.push(format!(
                r#"<a class="button" href="{}/bearbeiten">Entwurf (Version {}) bearbeiten <span lang="en">(edit draft)</span></a>"#,
                escape(&base),
                draft.version
            ));
            actions.push(format!(
                r#"<a class="button button--secondary" href="{}/vorschau">Vorschau <span lang="en">(preview)</span></a>"#,
                escape(&base)
            ));
            actions.push(button(
                &format!("{base}/veroeffentlichen"),
                csrf,
                &format!(
                    "Version {} veröffentlichen <span lang=\"en\">(publish)</span>",
                    draft.version
                ),
                "",
            ));
        }
        None => {
            actions.push(button(
                &format!("{base}/entwurf"),
                csrf,
                "Neuen Entwurf aus der neuesten Version <span lang=\"en\">(new draft from the newest version)</span>",
                "",
            ));
            actions.push(format!(
                r#"<a class="button button--secondary" href="{}/vorschau">Vorschau <span lang="en">(preview)</span></a>"#,
                escape(&base)
            ));
        }
    }
    if entry.is_live() {
        actions.push(button(
            &format!("{base}/zurueckziehen"),
            csrf,
            "Formular zurückziehen <span lang=\"en\">(retire form)</span>",
            "",
        ));
    }
    let draft_open = entry.draft().is_some();
    let history: String = changes
        .iter()
        .map(|c| {
            let (de, en) = c.action.label();
            let restore = if draft_open && c.definition.is_some() {
                button(
                    &format!("{base}/wiederherstellen"),
                    csrf,
                    "In den Entwurf übernehmen <span lang=\"en\">(restore into the draft)</span>",
                    &format!(r#"<input type="hidden" name="change" value="{}">"#, c.id),
                )
            } else {
                String::new()
            };
            let what = match &c.summary {
                Some(summary) => format!(r#"<br><span class="editor-history__what">{}</span>"#, escape(summary)),
                None => String::new(),
            };
            let view = if c.definition.is_some() {
                format!(
                    r#"<a href="{}/historie/{}">Ansehen <span lang="en">(view)</span><span class="visually-hidden"> Stand Nr. {}</span></a> "#,
                    escape(&base),
                    c.id,
                    c.id
                )
            } else {
                String::new()
            };
            format!(
                r#"<tr><td><time datetime="{at}">{shown}</time></td><td>{name}</td><td>{de} <span lang="en">({en})</span>{what}</td><td>{version}</td><td>{view}{restore}</td></tr>"#,
                at = escape(&c.at),
                shown = escape(&german_when(&c.at)),
                name = escape(&c.actor.name),
                version = c.version,
            )
        })
        .collect();
    format!(
        r#"<p><a class="back-link" href="/redaktion">Alle Formulare <span lang="en">(all forms)</span></a></p>
<h1>{title}</h1>
<p>Kennung <span lang="en">(id)</span>: <code>{id}</code> · Empfangende Behörde <span lang="en">(receiving authority)</span>: {authority}</p>
<div class="actions">{actions}</div>
<table class="editor-versions">
<caption>Versionen <span lang="en">(versions)</span></caption>
<thead><tr><th scope="col">Version</th><th scope="col">Stand <span lang="en">(state)</span></th><th scope="col">Export</th></tr></thead>
<tbody>{versions}</tbody>
</table>
<table class="editor-history">
<caption>Änderungen <span lang="en">(change history)</span></caption>
<thead><tr><th scope="col">Wann (deutsche Zeit) <span lang="en">(when, German time)</span></th><th scope="col">Wer <span lang="en">(who)</span></th><th scope="col">Was <span lang="en">(what)</span></th><th scope="col">Version</th><th scope="col"><span class="visually-hidden">Aktion</span></th></tr></thead>
<tbody>{history}</tbody>
</table>"#,
        title = escape(&entry.title_de),
        authority = escape(&entry.authority),
        actions = actions.join("\n"),
    )
}

/// `GET /redaktion/{id}/historie/{change}`: an earlier state, read-only —
/// who, when and what, an outline of its steps, fields and fees, its
/// JSON, and (with an open draft) the button to restore it.
pub fn change(
    entry: &FormEntry,
    change: &Change,
    definition: Option<&str>,
    draft_open: bool,
    csrf: &str,
) -> String {
    let base = format!("/redaktion/{}", entry.id);
    let (de, en) = change.action.label();
    let what = change
        .summary
        .as_deref()
        .map(|s| {
            format!(
                "<dt>Was genau <span lang=\"en\">(details)</span></dt><dd>{}</dd>",
                escape(s)
            )
        })
        .unwrap_or_default();
    let parsed = definition.and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok());
    let outline: String = parsed
        .as_ref()
        .map(|d| {
            let title = d
                .pointer("/title/de")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("");
            let steps: String = super::history::outline(d)
                .iter()
                .map(|(step, fields)| {
                    let items: String = fields
                        .iter()
                        .map(|f| format!("<li>{}</li>", escape(f)))
                        .collect();
                    format!("<li>{}<ul>{items}</ul></li>", escape(step))
                })
                .collect();
            format!(
                r#"<h2>Übersicht <span lang="en">(outline)</span></h2><p>Titel <span lang="en">(title)</span>: {}</p><ol class="editor-outline">{steps}</ol>"#,
                escape(title)
            )
        })
        .unwrap_or_default();
    let json = match definition {
        Some(text) => format!(
            r#"<h2>Definition (JSON)</h2>
<div class="field">
<label for="definition">Definition dieses Stands, nur lesbar <span lang="en">(this state's definition, read-only)</span></label>
<textarea class="textarea editor-json" id="definition" rows="30" spellcheck="false" readonly>{}</textarea>
</div>"#,
            escape(text)
        ),
        None => "<p>Dieser Eintrag enthält keine Definition. <span lang=\"en\">This entry holds no definition.</span></p>".to_owned(),
    };
    let restore = if draft_open && definition.is_some() {
        button(
            &format!("{base}/wiederherstellen"),
            csrf,
            "In den Entwurf übernehmen <span lang=\"en\">(restore into the draft)</span>",
            &format!(
                r#"<input type="hidden" name="change" value="{}">"#,
                change.id
            ),
        )
    } else if definition.is_some() {
        "<p>Zum Wiederherstellen zuerst einen neuen Entwurf anlegen. <span lang=\"en\">To restore, open a new draft first.</span></p>".to_owned()
    } else {
        String::new()
    };
    format!(
        r#"<p><a class="back-link" href="{base}">Zurück zum Formular <span lang="en">(back to the form)</span></a></p>
<h1>Stand Nr. {id} von <code>{form}</code>, Version {version}</h1>
<dl class="summary">
<dt>Wann <span lang="en">(when)</span></dt><dd><time datetime="{at}">{shown}</time></dd>
<dt>Wer <span lang="en">(who)</span></dt><dd>{name}</dd>
<dt>Was <span lang="en">(what)</span></dt><dd>{de} <span lang="en">({en})</span></dd>
{what}
</dl>
<div class="actions">{restore}</div>
{outline}
{json}"#,
        base = escape(&base),
        id = change.id,
        form = escape(&entry.id),
        version = change.version,
        at = escape(&change.at),
        shown = escape(&german_when(&change.at)),
        name = escape(&change.actor.name),
    )
}

/// `GET /redaktion/{id}/bearbeiten`: the expert view of the draft — its
/// JSON in a textarea, the check's problems above it, and an import.
pub fn edit(
    form_id: &str,
    version: u32,
    text: &str,
    errors: &[DefinitionError],
    extra: &str,
    csrf: &str,
) -> String {
    let base = escape(&format!("/redaktion/{form_id}"));
    format!(
        r#"<p><a class="back-link" href="{base}">Zurück zum Formular <span lang="en">(back to the form)</span></a></p>
<h1>Entwurf bearbeiten: <code>{id}</code>, Version {version}</h1>
<p>Expertenansicht: die Definition als JSON. Gespeichert wird nur eine gültige Definition; sonst stehen die Fehler mit ihrer Stelle oben, und Ihr Text bleibt erhalten. Kennung und Version setzt die Redaktion.</p>
<p lang="en">Expert view: the definition as JSON. Only a valid definition is saved; otherwise the problems are listed with their location, and your text is kept. The id and version are set by the editor.</p>
{problems}{extra}
<form method="post" action="{base}/bearbeiten" novalidate>
{csrf}
<div class="field">
<label for="definition">Definition (JSON)</label>
<p class="hint" id="definition-hint">Zum Importieren eine Definition hier einfügen. <span lang="en">To import, paste a definition here.</span></p>
<textarea class="textarea editor-json" id="definition" name="definition" rows="30" spellcheck="false" aria-describedby="definition-hint">{text}</textarea>
</div>
<div class="actions">
<button type="submit" class="button">Prüfen und speichern <span lang="en">(check and save)</span></button>
<a class="button button--secondary" href="{base}/vorschau">Vorschau <span lang="en">(preview)</span></a>
<a href="{base}/export?version={version}" download>Als JSON herunterladen <span lang="en">(export as JSON)</span></a>
</div>
</form>
<h2>Aus Datei importieren <span lang="en">(import from a file)</span></h2>
<form method="post" action="{base}/import" enctype="multipart/form-data">
{csrf}
<div class="field">
<label for="file">Definition als JSON-Datei oder FIM-Stammdatenschema (XDatenfelder 2.0 oder 3.0, XML) <span lang="en">(definition as a JSON file, or a FIM schema as XML)</span></label>
<input class="file-input" type="file" id="file" name="file" accept="application/json,.json,application/xml,text/xml,.xml">
</div>
<button type="submit" class="button button--secondary">Importieren <span lang="en">(import)</span></button>
</form>"#,
        id = escape(form_id),
        problems = problems(
            "Nicht gespeichert: die Definition hat Fehler / Not saved: the definition has problems",
            errors
        ),
        csrf = csrf_field(csrf),
        text = escape(text),
    )
}

/// After the test submission.
pub fn preview_done(form_id: &str) -> String {
    format!(
        r#"<h1>Testantrag abgeschlossen <span lang="en">(test submission done)</span></h1>
<p>Dies war eine Vorschau. Es wurde nichts gespeichert und nichts an die Behörde übermittelt.</p>
<p lang="en">This was a preview. Nothing was stored or sent to the authority.</p>
<p><a href="/redaktion/{}">Zurück zum Formular <span lang="en">(back to the form)</span></a></p>"#,
        escape(form_id)
    )
}

/// One structured-change form posting to `/redaktion/{id}/struktur`.
fn change_form(
    base: &str,
    csrf: &str,
    action: &str,
    hidden: &[(&str, String)],
    body: &str,
) -> String {
    let hidden: String = hidden
        .iter()
        .map(|(n, v)| format!(r#"<input type="hidden" name="{n}" value="{}">"#, escape(v)))
        .collect();
    format!(
        r#"<form method="post" action="{base}/struktur" class="structure-form">{}<input type="hidden" name="aktion" value="{action}">{hidden}{body}</form>"#,
        csrf_field(csrf)
    )
}

/// Two text areas, German and English, named `{prefix}de` and
/// `{prefix}en` (the text of an information or declaration field).
fn text_inputs(id: &str, prefix: &str, label: &str, de: &str, en: &str) -> String {
    format!(
        r#"<div class="field"><label for="{id}-de">{label} (Deutsch)</label><textarea class="textarea" id="{id}-de" name="{prefix}de" rows="3">{}</textarea></div><div class="field"><label for="{id}-en">{label} (Englisch) <span lang="en">(English)</span></label><textarea class="textarea" id="{id}-en" name="{prefix}en" rows="3">{}</textarea></div>"#,
        escape(de),
        escape(en)
    )
}

/// A German and an English input (`area`: text areas) named `{prefix}de`
/// and `{prefix}en`; `labels` is the German and the English name.
fn text_pair(
    id: &str,
    prefix: &str,
    (de_label, en_label): (&str, &str),
    (de, en): (&str, &str),
    area: bool,
) -> String {
    let one = |lang: &str, german: &str, english: &str, value: &str| {
        let label =
            format!(r#"{de_label} ({german}) <span lang="en">({en_label}, {english})</span>"#);
        if area {
            textarea(
                &format!("{id}-{lang}"),
                &format!("{prefix}{lang}"),
                &label,
                value,
            )
        } else {
            input(
                &format!("{id}-{lang}"),
                &format!("{prefix}{lang}"),
                &label,
                value,
            )
        }
    };
    format!(
        "{}{}",
        one("de", "Deutsch", "German", de),
        one("en", "Englisch", "English", en)
    )
}

fn textarea(id: &str, name: &str, label: &str, value: &str) -> String {
    format!(
        r#"<div class="field"><label for="{id}">{label}</label><textarea class="textarea" id="{id}" name="{name}" rows="3">{}</textarea></div>"#,
        escape(value)
    )
}

/// A number of `value` at `key` as the inputs show it ("" when unset).
fn number(value: &serde_json::Value, key: &str) -> String {
    value
        .get(key)
        .filter(|v| v.is_number())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// The requirements of the definition as `Deutsch|English` lines.
fn requirements_text(d: &serde_json::Value) -> String {
    d.get("requirements")
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .map(|t| {
                    let part = |p| t.pointer(p).and_then(|v| v.as_str()).unwrap_or("");
                    match part("/en") {
                        "" => part("/de").to_owned(),
                        en => format!("{}|{en}", part("/de")),
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn input(id: &str, name: &str, label: &str, value: &str) -> String {
    format!(
        r#"<div class="field"><label for="{id}">{label}</label><input class="input" type="text" id="{id}" name="{name}" value="{}"></div>"#,
        escape(value)
    )
}

fn submit(label: &str) -> String {
    format!(r#"<button type="submit" class="button button--secondary">{label}</button>"#)
}

/// The options of a condition's field select: "no condition" and the
/// offered fields (and computed values), `chosen` selected.
fn condition_field_options(fields: &[(String, String, String)], chosen: &str) -> String {
    std::iter::once(r#"<option value="">– keine Bedingung – (no condition)</option>"#.to_owned())
        .chain(fields.iter().map(|(id, label, kind)| {
            let sel = if id == chosen { " selected" } else { "" };
            let label = if kind == "computed" && label.is_empty() {
                "berechneter Wert (computed value)".to_owned()
            } else {
                label.clone()
            };
            format!(
                r#"<option value="{}"{sel}>{} ({})</option>"#,
                escape(id),
                escape(&label),
                escape(id)
            )
        }))
        .collect()
}

/// The inputs of a condition tree (names as in [`super::rules`]'s module
/// comment): the group's "and"/"or", its conditions and nested groups,
/// then empty rows (at least `min_rows` rows in all) and, below the
/// deepest level, an empty group, so that adding needs no JavaScript.
/// `p` makes the ids unique, `pre` is the names' prefix, `name` the
/// group's number ("" for the top group), `lead` starts every label.
#[allow(clippy::too_many_arguments)]
fn tree_inputs(
    p: &str,
    pre: &str,
    name: &str,
    lead: &str,
    tree: &super::rules::Tree,
    depth: usize,
    min_rows: usize,
    spare_group: bool,
    fields: &[(String, String, String)],
) -> String {
    use super::rules::{Condition, MAX_DEPTH, Node, OPERATORS};
    let group = if name.is_empty() {
        String::new()
    } else {
        format!("Gruppe {name}, ")
    };
    let (any, all) = if tree.any {
        (" checked", "")
    } else {
        ("", " checked")
    };
    let mut out = format!(
        r#"<fieldset><legend>{lead}{group}Verknüpfung <span lang="en">(combine)</span></legend><div class="radio"><input type="radio" id="{p}-{pre}all" name="{pre}combine" value="und"{all}><label for="{p}-{pre}all">alle (und) <span lang="en">(all: and)</span></label></div><div class="radio"><input type="radio" id="{p}-{pre}any" name="{pre}combine" value="oder"{any}><label for="{p}-{pre}any">mindestens eine (oder) <span lang="en">(at least one: or)</span></label></div></fieldset>"#
    );
    let row = |n: usize, c: Option<&Condition>| {
        let chosen = c.map_or("", |c| c.field.as_str());
        let op = c.map_or("gleich", |c| c.op.as_str());
        let op_options: String = OPERATORS
            .iter()
            .map(|(v, de, en)| {
                let sel = if *v == op { " selected" } else { "" };
                format!(r#"<option value="{v}"{sel}>{de} ({en})</option>"#)
            })
            .collect();
        let m = n + 1;
        let id = format!("{p}-{pre}c{n}");
        format!(
            r#"<div class="structure-condition"><div class="field"><label for="{id}-field">{lead}{group}Bedingung {m}: Feld <span lang="en">(condition {m}: field)</span></label><select class="select" id="{id}-field" name="{pre}c{n}_field">{}</select></div><div class="field"><label for="{id}-op">{lead}{group}Bedingung {m}: Vergleich <span lang="en">(operator)</span></label><select class="select" id="{id}-op" name="{pre}c{n}_op">{op_options}</select></div>{}</div>"#,
            condition_field_options(fields, chosen),
            input(
                &format!("{id}-value"),
                &format!("{pre}c{n}_value"),
                &format!("{lead}{group}Bedingung {m}: Wert <span lang=\"en\">(value)</span>"),
                c.map_or("", |c| c.value.as_str())
            ),
        )
    };
    let inner_name = |n: usize| {
        if name.is_empty() {
            (n + 1).to_string()
        } else {
            format!("{name}.{}", n + 1)
        }
    };
    let mut conditions = 0;
    for (n, item) in tree.items.iter().enumerate() {
        match item {
            Node::Condition(c) => {
                conditions += 1;
                out.push_str(&row(n, Some(c)));
            }
            Node::Group(g) => {
                out.push_str(&format!(
                    r#"<fieldset class="structure-rule-group"><legend>{lead}Gruppe {} <span lang="en">(group)</span></legend>{}</fieldset>"#,
                    inner_name(n),
                    tree_inputs(
                        p,
                        &format!("{pre}g{n}_"),
                        &inner_name(n),
                        lead,
                        g,
                        depth + 1,
                        1,
                        true,
                        fields
                    )
                ));
            }
        }
    }
    let mut n = tree.items.len();
    for _ in 0..min_rows.saturating_sub(conditions).max(1) {
        out.push_str(&row(n, None));
        n += 1;
    }
    if spare_group && depth < MAX_DEPTH {
        out.push_str(&format!(
            r#"<fieldset class="structure-rule-group"><legend>{lead}Neue Gruppe {} (leer lassen: keine) <span lang="en">(new group; leave empty: none)</span></legend>{}</fieldset>"#,
            inner_name(n),
            tree_inputs(
                p,
                &format!("{pre}g{n}_"),
                &inner_name(n),
                lead,
                &super::rules::Tree::default(),
                depth + 1,
                2,
                false,
                fields
            )
        ));
    }
    out
}

const TREE_HELP: &str = r#"<p class="hint">Bedingungen und Gruppen (in Klammern) werden mit „und“ oder „oder“ verknüpft. Eine Zeile ohne Feld und eine Gruppe ohne Bedingung werden nicht gespeichert: so entfernen Sie sie; leere Zeilen und eine neue Gruppe stehen nach dem Speichern wieder bereit. <span lang="en">Conditions and groups (in brackets) are joined by "and" or "or". A row without a field and a group without conditions are not saved: that is how you remove them; empty rows and a new group are offered again after saving.</span></p>"#;

/// The forms of one rule (`key` of step `step`, of its field `field`):
/// the condition tree when the stored rule fits it, the raw JSON Logic
/// (expert view) always, and a remove button when a rule is stored.
#[allow(clippy::too_many_arguments)]
fn rule_forms(
    base: &str,
    csrf: &str,
    prefix: &str,
    step: usize,
    field: Option<usize>,
    key: &str,
    stored: Option<&serde_json::Value>,
    fields: &[(String, String, String)],
) -> String {
    let art = if key == "required_if" {
        "pflicht"
    } else {
        "sichtbar"
    };
    let mut hidden = vec![("step", step.to_string()), ("art", art.to_owned())];
    if let Some(f) = field {
        hidden.push(("field", f.to_string()));
    }
    rule_forms_at(base, csrf, prefix, &hidden, key, stored, fields)
}

/// [`rule_forms`] for the place the `hidden` inputs name (a step, a
/// field, or a fee with `art=gebuehr`).
fn rule_forms_at(
    base: &str,
    csrf: &str,
    prefix: &str,
    hidden: &[(&str, String)],
    key: &str,
    stored: Option<&serde_json::Value>,
    fields: &[(String, String, String)],
) -> String {
    use super::rules::{ROWS, Tree, from_logic};
    let (art, what) = match key {
        "required_if" => (
            "pflicht",
            "Pflicht, wenn <span lang=\"en\">(required if)</span>",
        ),
        "applies_if" => (
            "gilt",
            "Fällt nur an, wenn <span lang=\"en\">(applies only if)</span>",
        ),
        _ => (
            "sichtbar",
            "Sichtbar, wenn <span lang=\"en\">(shown if)</span>",
        ),
    };
    let p = format!("{prefix}-{art}");
    let tree = stored.map(from_logic);
    let mut out = format!(r#"<fieldset class="structure-rule"><legend>{what}</legend>"#);
    match &tree {
        None => out.push_str("<p>Keine Regel: gilt immer. <span lang=\"en\">No rule: always applies.</span></p>"),
        Some(None) => out.push_str("<p>Diese Regel kann nur in der Expertenansicht (JSON Logic) bearbeitet werden. <span lang=\"en\">This rule can only be edited in the expert view (JSON Logic).</span></p>"),
        Some(Some(_)) => {}
    }
    if !matches!(tree, Some(None)) {
        let empty = Tree::default();
        let t = tree.as_ref().and_then(|t| t.as_ref()).unwrap_or(&empty);
        let mut body = TREE_HELP.to_owned();
        body.push_str(&tree_inputs(&p, "", "", "", t, 0, ROWS, true, fields));
        body.push_str(&submit(
            "Regel speichern <span lang=\"en\">(save rule)</span>",
        ));
        out.push_str(&change_form(base, csrf, "regel_baum", hidden, &body));
    }
    let raw = stored
        .and_then(|v| serde_json::to_string_pretty(v).ok())
        .unwrap_or_default();
    out.push_str(&change_form(
        base,
        csrf,
        "regel_roh",
        hidden,
        &format!(
            r#"<div class="field"><label for="{p}-raw">JSON Logic (Expertenansicht; leer: keine Regel) <span lang="en">(expert view; empty: no rule)</span></label><textarea class="textarea textarea--code" id="{p}-raw" name="rule" rows="3">{}</textarea></div>{}"#,
            escape(&raw),
            submit("JSON Logic speichern <span lang=\"en\">(save JSON Logic)</span>")
        ),
    ));
    if stored.is_some() {
        out.push_str(&change_form(
            base,
            csrf,
            "regel_entfernen",
            hidden,
            &submit("Regel entfernen <span lang=\"en\">(remove rule)</span>"),
        ));
    }
    out.push_str("</fieldset>");
    out
}

/// The two inputs of one value of a formula: a select (`""` a number,
/// `feld:ID` a number or money field or computed value, `anzahl:ID` the
/// count of a group's items, ticked boxes or files) and the number.
fn term_inputs(
    id: &str,
    pre: &str,
    what: &str,
    money: bool,
    term: Option<&super::rules::Term>,
    fields: &[(String, String, String)],
) -> String {
    use super::rules::Term;
    let chosen = match term {
        Some(Term::Field(f)) => format!("feld:{f}"),
        Some(Term::Count(f)) => format!("anzahl:{f}"),
        _ => String::new(),
    };
    let number = match term {
        Some(Term::Number(n)) => n.as_str(),
        _ => "",
    };
    let option = |value: String, text: String| {
        let sel = if value == chosen { " selected" } else { "" };
        format!(
            r#"<option value="{}"{sel}>{}</option>"#,
            escape(&value),
            escape(&text)
        )
    };
    let mut options = option(
        String::new(),
        "die Zahl rechts (the number on the right)".into(),
    );
    for (f, label, kind) in fields {
        match kind.as_str() {
            "number" | "money" => options.push_str(&option(
                format!("feld:{f}"),
                format!("Antwort: {label} ({f})"),
            )),
            "computed" => options.push_str(&option(
                format!("feld:{f}"),
                format!("berechneter Wert {label} ({f})"),
            )),
            "group" | "checkboxes" | "file" => options.push_str(&option(
                format!("anzahl:{f}"),
                format!("Anzahl: {label} ({f})"),
            )),
            _ => {}
        }
    }
    let unit = if money { " in Euro" } else { "" };
    let unit_en = if money { " in euros" } else { "" };
    format!(
        r#"<div class="structure-condition"><div class="field"><label for="{id}-quelle">{what}: Feld oder Anzahl <span lang="en">(field or count)</span></label><select class="select" id="{id}-quelle" name="{pre}quelle">{options}</select></div>{}</div>"#,
        input(
            &format!("{id}-zahl"),
            &format!("{pre}zahl"),
            &format!("{what}: Zahl{unit} <span lang=\"en\">(number{unit_en})</span>"),
            number
        )
    )
}

/// The inputs of a formula (`formel=summe|produkt|wenn`, see
/// [`super::rules::parse_formula`]), filled with `formula`; `money`: a
/// fee's amount, numbers in euros.
fn formula_inputs(
    p: &str,
    formula: Option<&super::rules::Formula>,
    money: bool,
    fields: &[(String, String, String)],
) -> String {
    use super::rules::{Formula, Tree};
    let kind = match formula {
        Some(Formula::Product(_)) => "produkt",
        Some(Formula::IfElse { .. }) => "wenn",
        _ => "summe",
    };
    let radio = |value: &str, label: &str| {
        let checked = if value == kind { " checked" } else { "" };
        format!(
            r#"<div class="radio"><input type="radio" id="{p}-formel-{value}" name="formel" value="{value}"{checked}><label for="{p}-formel-{value}">{label}</label></div>"#
        )
    };
    let mut out = format!(
        r#"<fieldset><legend>Art der Formel <span lang="en">(kind of formula)</span></legend>{}{}{}</fieldset>"#,
        radio(
            "summe",
            "Summe der Werte <span lang=\"en\">(sum of the values)</span>"
        ),
        radio(
            "produkt",
            "Produkt der Werte <span lang=\"en\">(product of the values)</span>"
        ),
        radio(
            "wenn",
            "Wenn – dann – sonst <span lang=\"en\">(if – then – else)</span>"
        ),
    );
    let terms: &[super::rules::Term] = match formula {
        Some(Formula::Sum(t) | Formula::Product(t)) => t,
        _ => &[],
    };
    let mut rows = String::new();
    for n in 0..(terms.len() + 1).max(3) {
        rows.push_str(&term_inputs(
            &format!("{p}-t{n}"),
            &format!("t{n}_"),
            &format!("Wert {}", n + 1),
            money,
            terms.get(n),
            fields,
        ));
    }
    out.push_str(&format!(
        r#"<fieldset><legend>Summe oder Produkt: Werte (leere Zeilen zählen nicht) <span lang="en">(sum or product: values; empty rows do not count)</span></legend>{rows}</fieldset>"#
    ));
    let empty = Tree::default();
    let (condition, then, otherwise) = match formula {
        Some(Formula::IfElse {
            condition,
            then,
            otherwise,
        }) => (condition, Some(then), Some(otherwise)),
        _ => (&empty, None, None),
    };
    out.push_str(&format!(
        r#"<fieldset><legend>Wenn – dann – sonst <span lang="en">(if – then – else)</span></legend>{}{}{}</fieldset>"#,
        tree_inputs(p, "w_", "", "Wenn: ", condition, 0, 2, true, fields),
        term_inputs(&format!("{p}-dann"), "dann_", "Dann", money, then, fields),
        term_inputs(
            &format!("{p}-sonst"),
            "sonst_",
            "Sonst (leer: 0)",
            money,
            otherwise,
            fields
        ),
    ));
    out
}

/// A raw JSON Logic form (`aktion`, the place in `hidden`) for an
/// expression that is never empty.
fn raw_form(
    base: &str,
    csrf: &str,
    action: &str,
    hidden: &[(&str, String)],
    id: &str,
    label: &str,
    value: Option<&serde_json::Value>,
) -> String {
    let raw = value
        .and_then(|v| serde_json::to_string_pretty(v).ok())
        .unwrap_or_default();
    change_form(
        base,
        csrf,
        action,
        hidden,
        &format!(
            r#"<div class="field"><label for="{id}">{label}</label><textarea class="textarea textarea--code" id="{id}" name="rule" rows="3">{}</textarea></div>{}"#,
            escape(&raw),
            submit("JSON Logic speichern <span lang=\"en\">(save JSON Logic)</span>")
        ),
    )
}

/// The computed values: each with its label and formula (or only the
/// raw view when the formula inputs cannot show it), delete; add one.
/// "nach oben" / "nach unten" for entry `pos` of `count` of a top-level
/// list (computed values, validations): `action` with the entry's position
/// `at` and its `id` (checked by the server against the stored order).
/// `what` is already escaped HTML.
fn move_forms(
    base: &str,
    csrf: &str,
    (action, at, id): (&str, &[(&str, String)], &str),
    (pos, count): (usize, usize),
    what: &str,
) -> String {
    let moved = |dir: &str, text: &str| {
        let mut hidden = at.to_vec();
        hidden.push(("item_id", id.to_owned()));
        hidden.push(("richtung", dir.to_owned()));
        change_form(base, csrf, action, &hidden, &submit(text))
    };
    let mut out = String::from(r#"<div class="actions">"#);
    if pos > 0 {
        out.push_str(&moved(
            "hoch",
            &format!("{what} nach oben <span lang=\"en\">(move up)</span>"),
        ));
    }
    if pos + 1 < count {
        out.push_str(&moved(
            "runter",
            &format!("{what} nach unten <span lang=\"en\">(move down)</span>"),
        ));
    }
    out.push_str("</div>");
    out
}

fn computed_forms(base: &str, csrf: &str, d: &serde_json::Value) -> String {
    use super::rules::formula_of;
    let s = |v: &serde_json::Value, p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let offered = super::rules::offered(d);
    let mut out = String::from(
        r#"<section class="structure-step" aria-labelledby="computed-heading"><h3 id="computed-heading">Berechnete Werte <span lang="en">(computed values)</span></h3><p class="hint">Werte aus den Antworten, z. B. die Zahl der Personen im Haushalt. Gebühren und spätere berechnete Werte können sie lesen, Sichtbarkeits- und Pflichtregeln nicht. <span lang="en">Values from the answers; fees and later computed values can read them, visibility and requirement rules cannot.</span></p>"#,
    );
    let empty = Vec::new();
    let list = d
        .get("computed")
        .and_then(|v| v.as_array())
        .unwrap_or(&empty);
    if list.is_empty() {
        out.push_str(
            "<p>Keine berechneten Werte. <span lang=\"en\">No computed values.</span></p>",
        );
    }
    for (k, value) in list.iter().enumerate() {
        let at = [("wert", k.to_string())];
        let id = s(value, "/id");
        let label = s(value, "/label/de");
        let title = escape(if label.is_empty() { &id } else { &label });
        let p = format!("wert{k}");
        // Only the values before this one can be read.
        let readable: Vec<_> = offered
            .iter()
            .filter(|(f, _, kind)| {
                kind != "computed"
                    || list
                        .iter()
                        .take(k)
                        .any(|c| c.get("id").and_then(|i| i.as_str()) == Some(f))
            })
            .cloned()
            .collect();
        out.push_str(&format!(
            r#"<details class="structure-field"><summary>Berechneter Wert „{title}“ (<code>{}</code>)</summary>"#,
            escape(&id)
        ));
        let expression = value.get("expression");
        let formula = expression.and_then(|e| formula_of(e, false));
        if expression.is_some() && formula.is_none() {
            out.push_str("<p>Diese Formel kann nur in der Expertenansicht (JSON Logic) bearbeitet werden; „Wert speichern“ ersetzt sie. <span lang=\"en\">This formula can only be edited in the expert view (JSON Logic); \"save value\" replaces it.</span></p>");
        }
        out.push_str(&change_form(
            base,
            csrf,
            "wert_bearbeiten",
            &at,
            &format!(
                "{}{}{}",
                text_pair(
                    &format!("{p}-label"),
                    "label_",
                    (
                        "Beschriftung auf „Angaben prüfen“ (leer: nicht zeigen)",
                        "label on the check page; empty: not shown"
                    ),
                    (&label, &s(value, "/label/en")),
                    false
                ),
                formula_inputs(&p, formula.as_ref(), false, &readable),
                submit("Wert speichern <span lang=\"en\">(save value)</span>")
            ),
        ));
        out.push_str(&raw_form(
            base,
            csrf,
            "wert_roh",
            &at,
            &format!("{p}-raw"),
            "Formel als JSON Logic (Expertenansicht) <span lang=\"en\">(formula as JSON Logic, expert view)</span>",
            expression,
        ));
        out.push_str(&move_forms(
            base,
            csrf,
            ("wert_verschieben", &at, &id),
            (k, list.len()),
            &format!("Berechneten Wert „{title}“"),
        ));
        out.push_str(&change_form(
            base,
            csrf,
            "wert_loeschen",
            &at,
            &submit(&format!(
                "Berechneten Wert „{title}“ löschen <span lang=\"en\">(delete computed value)</span>"
            )),
        ));
        out.push_str("</details>");
    }
    out.push_str(&change_form(
        base,
        csrf,
        "wert_neu",
        &[],
        &format!(
            r#"<fieldset><legend>Neuer berechneter Wert <span lang="en">(new computed value)</span></legend>{}{}{}{}</fieldset>"#,
            input(
                "wert-new-id",
                "id",
                "Kennung <span lang=\"en\">(id)</span>",
                ""
            ),
            text_pair(
                "wert-new-label",
                "label_",
                (
                    "Beschriftung auf „Angaben prüfen“ (leer: nicht zeigen)",
                    "label on the check page; empty: not shown"
                ),
                ("", ""),
                false
            ),
            formula_inputs("wert-new", None, false, &offered),
            submit("Wert hinzufügen <span lang=\"en\">(add value)</span>")
        ),
    ));
    out.push_str("</section>");
    out
}

/// The computed values ([`computed_forms`]) and the fees: each fee's
/// purpose and amount (fixed in euros or a formula), its raw amount rule,
/// "applies only if" as a condition tree, delete; add a fixed fee.
fn fee_forms(base: &str, csrf: &str, d: &serde_json::Value) -> String {
    use super::rules::{euros, formula_of};
    let s = |v: &serde_json::Value, p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let offered = super::rules::offered(d);
    let mut out = computed_forms(base, csrf, d);
    out.push_str(
        r#"<section class="structure-step" aria-labelledby="fees-heading"><h3 id="fees-heading">Gebühren <span lang="en">(fees)</span></h3>"#,
    );
    let empty = Vec::new();
    let fees = d.get("fees").and_then(|v| v.as_array()).unwrap_or(&empty);
    if fees.is_empty() {
        out.push_str("<p>Keine Gebühren. <span lang=\"en\">No fees.</span></p>");
    }
    for (k, fee) in fees.iter().enumerate() {
        let at = [("fee", k.to_string())];
        let purpose = escape(&s(fee, "/purpose/de"));
        out.push_str(&format!(
            r#"<details class="structure-field"><summary>Gebühr „{purpose}“ (<code>{}</code>)</summary>"#,
            escape(&s(fee, "/id"))
        ));
        let texts = format!(
            "{}{}",
            input(
                &format!("fee{k}-purpose_de"),
                "purpose_de",
                "Zweck (Deutsch)",
                &s(fee, "/purpose/de")
            ),
            input(
                &format!("fee{k}-purpose_en"),
                "purpose_en",
                "Zweck (Englisch) <span lang=\"en\">(purpose, English)</span>",
                &s(fee, "/purpose/en")
            ),
        );
        let rule = fee.get("amount_rule");
        let formula = rule.and_then(|r| formula_of(r, true));
        if rule.is_some() && formula.is_none() {
            out.push_str("<p>Diese Berechnung kann nur in der Expertenansicht (JSON Logic) bearbeitet werden; „Gebühr speichern“ ersetzt sie. <span lang=\"en\">This computation can only be edited in the expert view (JSON Logic); \"save fee\" replaces it.</span></p>");
        }
        let computed = formula.is_some();
        let amount = fee
            .get("amount_cents")
            .and_then(|v| v.as_i64())
            .map(euros)
            .unwrap_or_default();
        let (fixed, by_formula) = if computed {
            ("", " checked")
        } else {
            (" checked", "")
        };
        out.push_str(&change_form(
            base,
            csrf,
            "gebuehr_bearbeiten",
            &at,
            &format!(
                r#"{texts}<fieldset><legend>Betrag <span lang="en">(amount)</span></legend><div class="radio"><input type="radio" id="fee{k}-fest" name="betragsart" value="fest"{fixed}><label for="fee{k}-fest">fester Betrag <span lang="en">(fixed amount)</span></label></div><div class="radio"><input type="radio" id="fee{k}-formel" name="betragsart" value="formel"{by_formula}><label for="fee{k}-formel">berechnet mit der Formel unten (Zahlen in Euro; Betragsfelder zählen in Cent wie die Gebühr) <span lang="en">(computed by the formula below; numbers in euros)</span></label></div></fieldset>{}{}{}"#,
                input(
                    &format!("fee{k}-amount"),
                    "amount",
                    "Betrag in Euro, z. B. 25,00 <span lang=\"en\">(amount in euros)</span>",
                    &amount
                ),
                formula_inputs(&format!("fee{k}"), formula.as_ref(), true, &offered),
                submit("Gebühr speichern <span lang=\"en\">(save fee)</span>")
            ),
        ));
        out.push_str(&raw_form(
            base,
            csrf,
            "gebuehr_roh",
            &at,
            &format!("fee{k}-amount-raw"),
            "Berechneter Betrag in Cent als JSON Logic (Expertenansicht) <span lang=\"en\">(computed amount in cents as JSON Logic, expert view)</span>",
            rule,
        ));
        out.push_str(&rule_forms_at(
            base,
            csrf,
            &format!("fee{k}"),
            &[("fee", k.to_string()), ("art", "gebuehr".to_owned())],
            "applies_if",
            fee.get("applies_if"),
            &offered,
        ));
        out.push_str(&change_form(
            base,
            csrf,
            "gebuehr_loeschen",
            &at,
            &submit(&format!(
                "Gebühr „{purpose}“ löschen <span lang=\"en\">(delete fee)</span>"
            )),
        ));
        out.push_str("</details>");
    }
    out.push_str(&change_form(
        base,
        csrf,
        "gebuehr_neu",
        &[],
        &format!(
            r#"<fieldset><legend>Neue Gebühr <span lang="en">(new fee)</span></legend>{}{}{}{}{}</fieldset>"#,
            input("fee-new-id", "id", "Kennung <span lang=\"en\">(id)</span>", ""),
            input("fee-new-purpose_de", "purpose_de", "Zweck (Deutsch)", ""),
            input(
                "fee-new-purpose_en",
                "purpose_en",
                "Zweck (Englisch) <span lang=\"en\">(purpose, English)</span>",
                ""
            ),
            input(
                "fee-new-amount",
                "amount",
                "Betrag in Euro, z. B. 25,00 <span lang=\"en\">(amount in euros)</span>",
                ""
            ),
            submit("Gebühr hinzufügen <span lang=\"en\">(add fee)</span>")
        ),
    ));
    out.push_str("</section>");
    out
}

/// The select of the field a validation's message is shown at: the
/// top-level fields (the engine shows messages there only).
fn message_field_select(id: &str, fields: &[(String, String, String)], chosen: &str) -> String {
    let options: String =
        std::iter::once(r#"<option value="">– bitte wählen – (please choose)</option>"#.to_owned())
            .chain(fields.iter().map(|(f, label, _)| {
                let sel = if f == chosen { " selected" } else { "" };
                format!(
                    r#"<option value="{}"{sel}>{} ({})</option>"#,
                    escape(f),
                    escape(label),
                    escape(f)
                )
            }))
            .collect();
    format!(
        r#"<div class="field"><label for="{id}">Meldung erscheint bei Feld <span lang="en">(message shown at field)</span></label><select class="select" id="{id}" name="message_field">{options}</select></div>"#
    )
}

const VALIDATION_HELP: &str = r#"<p class="hint">Die Angaben sind gültig, wenn die Bedingungen unten zutreffen; sonst erscheint die Meldung beim gewählten Feld. Geprüft wird erst, wenn jedes gelesene Feld beantwortet ist. <span lang="en">The answers are valid when the conditions below hold; otherwise the message is shown at the chosen field. The check runs only once every field it reads has an answer.</span></p>"#;

/// The cross-field validations (the definition's `validations`): each
/// with its message (German, English), the field it is shown at and its
/// condition tree (or only the raw view when the tree cannot show it),
/// raw JSON Logic, delete; add one.
fn validation_forms(base: &str, csrf: &str, d: &serde_json::Value) -> String {
    use super::rules::{ROWS, Tree, from_logic};
    let s = |v: &serde_json::Value, p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let offered = super::rules::offered(d);
    let top = super::rules::fields(d);
    let mut out = String::from(
        r#"<section class="structure-step" aria-labelledby="validations-heading"><h3 id="validations-heading">Prüfungen über mehrere Felder <span lang="en">(cross-field validations)</span></h3>"#,
    );
    out.push_str(VALIDATION_HELP);
    let empty = Vec::new();
    let list = d
        .get("validations")
        .and_then(|v| v.as_array())
        .unwrap_or(&empty);
    if list.is_empty() {
        out.push_str("<p>Keine Prüfungen. <span lang=\"en\">No validations.</span></p>");
    }
    for (k, v) in list.iter().enumerate() {
        let at = [("pruefung", k.to_string())];
        let id = s(v, "/id");
        let p = format!("pruefung{k}");
        out.push_str(&format!(
            r#"<details class="structure-field"><summary>Prüfung <code>{}</code>: „{}“</summary>"#,
            escape(&id),
            escape(&s(v, "/message/de"))
        ));
        let rule = v.get("rule");
        let tree = rule.and_then(from_logic);
        if rule.is_some() && tree.is_none() {
            out.push_str("<p>Diese Bedingung kann nur in der Expertenansicht (JSON Logic) bearbeitet werden; „Prüfung speichern“ ersetzt sie. <span lang=\"en\">This condition can only be edited in the expert view (JSON Logic); \"save validation\" replaces it.</span></p>");
        }
        let t = tree.unwrap_or_default();
        out.push_str(&change_form(
            base,
            csrf,
            "pruefung_bearbeiten",
            &at,
            &format!(
                "{}{}{}{}{}",
                text_pair(
                    &format!("{p}-message"),
                    "message_",
                    ("Fehlermeldung", "error message"),
                    (&s(v, "/message/de"), &s(v, "/message/en")),
                    false
                ),
                message_field_select(&format!("{p}-message_field"), &top, &s(v, "/fields/0")),
                TREE_HELP,
                tree_inputs(&p, "", "", "", &t, 0, ROWS, true, &offered),
                submit("Prüfung speichern <span lang=\"en\">(save validation)</span>")
            ),
        ));
        out.push_str(&raw_form(
            base,
            csrf,
            "pruefung_roh",
            &at,
            &format!("{p}-raw"),
            "Bedingung als JSON Logic (Expertenansicht) <span lang=\"en\">(condition as JSON Logic, expert view)</span>",
            rule,
        ));
        out.push_str(&move_forms(
            base,
            csrf,
            ("pruefung_verschieben", &at, &id),
            (k, list.len()),
            &format!("Prüfung „{}“", escape(&id)),
        ));
        out.push_str(&change_form(
            base,
            csrf,
            "pruefung_loeschen",
            &at,
            &submit(&format!(
                "Prüfung „{}“ löschen <span lang=\"en\">(delete validation)</span>",
                escape(&id)
            )),
        ));
        out.push_str("</details>");
    }
    out.push_str(&change_form(
        base,
        csrf,
        "pruefung_neu",
        &[],
        &format!(
            r#"<fieldset><legend>Neue Prüfung <span lang="en">(new validation)</span></legend>{}{}{}{}{}</fieldset>"#,
            input(
                "pruefung-new-id",
                "id",
                "Kennung <span lang=\"en\">(id)</span>",
                ""
            ),
            text_pair(
                "pruefung-new-message",
                "message_",
                ("Fehlermeldung", "error message"),
                ("", ""),
                false
            ),
            message_field_select("pruefung-new-message_field", &top, ""),
            tree_inputs("pruefung-new", "", "", "", &Tree::default(), 0, ROWS, true, &offered),
            submit("Prüfung hinzufügen <span lang=\"en\">(add validation)</span>")
        ),
    ));
    out.push_str("</section>");
    out
}

/// The inputs of a field's type settings (validation, unit, file types,
/// options and code list, group entries) and of its prefill and
/// autocomplete, each prefilled with the stored value; `p` makes the ids
/// unique. Which appear is [`super::structure::applies`].
/// `inner`: a field of a repeatable group, which cannot be prefilled.
fn field_settings(
    p: &str,
    field: &serde_json::Value,
    kind: &str,
    code_lists: &[String],
    inner: bool,
) -> String {
    use super::structure::{applies, claims_for, is_choice, megabytes, options_text};
    let s = |key: &str| {
        field
            .get(key)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let one =
        |name: &str, label: &str, value: &str| input(&format!("{p}-{name}"), name, label, value);
    let pair = |key: &str, labels: (&str, &str), area: bool| {
        text_pair(
            &format!("{p}-{key}"),
            &format!("{key}_"),
            labels,
            (&s_in(field, key, "de"), &s_in(field, key, "en")),
            area,
        )
    };
    let mut checks = String::new();
    if applies("min_length", kind) {
        checks.push_str(&one(
            "min_length",
            "Mindestlänge in Zeichen <span lang=\"en\">(min length)</span>",
            &number(field, "min_length"),
        ));
        checks.push_str(&one(
            "max_length",
            "Höchstlänge in Zeichen <span lang=\"en\">(max length)</span>",
            &number(field, "max_length"),
        ));
        checks.push_str(&one(
            "pattern",
            "Muster (regulärer Ausdruck), dem die ganze Antwort entsprechen muss <span lang=\"en\">(pattern, a regular expression the whole answer must match)</span>",
            &s("pattern"),
        ));
        checks.push_str(&pair(
            "pattern_message",
            (
                "Meldung, wenn das Muster nicht passt – sie nennt das Feld",
                "message when the pattern does not match, naming the field",
            ),
            false,
        ));
    }
    if applies("min", kind) {
        checks.push_str(&one(
            "min",
            "Kleinster Wert <span lang=\"en\">(minimum)</span>",
            &number(field, "min"),
        ));
        checks.push_str(&one(
            "max",
            "Größter Wert <span lang=\"en\">(maximum)</span>",
            &number(field, "max"),
        ));
        checks.push_str(&one(
            "decimals",
            "Nachkommastellen, höchstens 6 (leer: ganze Zahlen) <span lang=\"en\">(decimal places; empty: whole numbers)</span>",
            &number(field, "decimals"),
        ));
        checks.push_str(&pair(
            "unit",
            (
                "Einheit neben der Eingabe, z. B. m²",
                "unit beside the input",
            ),
            false,
        ));
    }
    if applies("min_cents", kind) {
        let amount = |key: &str| {
            field
                .get(key)
                .and_then(|v| v.as_i64())
                .map(super::rules::euros)
                .unwrap_or_default()
        };
        checks.push_str(&one(
            "min_amount",
            "Kleinster Betrag in Euro, z. B. 12,50 <span lang=\"en\">(minimum amount in euros)</span>",
            &amount("min_cents"),
        ));
        checks.push_str(&one(
            "max_amount",
            "Größter Betrag in Euro, z. B. 1.000,00 <span lang=\"en\">(maximum amount in euros)</span>",
            &amount("max_cents"),
        ));
    }
    if applies("min_date", kind) {
        let forms = "2024-05-01, 01.05.2024, today (heute), today-18y, today+30d, today-6m";
        checks.push_str(&one(
            "min_date",
            &format!(
                "Frühestes Datum: {forms} <span lang=\"en\">(earliest date: fixed, or relative to the day of the answer)</span>"
            ),
            &s("min_date"),
        ));
        checks.push_str(&one(
            "max_date",
            &format!("Spätestes Datum: {forms} <span lang=\"en\">(latest date)</span>"),
            &s("max_date"),
        ));
    }
    if is_choice(kind) {
        checks.push_str(&format!(
            r#"<div class="field"><label for="{p}-options">Optionen, eine je Zeile: Wert|Deutsch|English <span lang="en">(options, one a line)</span></label><textarea class="textarea" id="{p}-options" name="options" rows="4">{}</textarea></div>"#,
            escape(&options_text(field))
        ));
        let current = s("code_list");
        if !code_lists.is_empty() || !current.is_empty() {
            let lists: String = code_lists
                .iter()
                .map(|id| {
                    let sel = if *id == current { " selected" } else { "" };
                    format!(r#"<option value="{0}"{sel}>{0}</option>"#, escape(id))
                })
                .collect();
            let none = if current.is_empty() { " selected" } else { "" };
            checks.push_str(&format!(
                r#"<div class="field"><label for="{p}-code_list">Codeliste statt eigener Optionen (dann die Optionen leeren) <span lang="en">(code list instead of options; then clear the options)</span></label><select class="select" id="{p}-code_list" name="code_list"><option value=""{none}>– keine, eigene Optionen – (none, own options)</option>{lists}</select></div>"#
            ));
        }
    }
    if applies("min_selected", kind) {
        checks.push_str(&one(
            "min_selected",
            "Mindestens auszuwählen <span lang=\"en\">(least number to choose)</span>",
            &number(field, "min_selected"),
        ));
        checks.push_str(&one(
            "max_selected",
            "Höchstens auszuwählen <span lang=\"en\">(largest number to choose)</span>",
            &number(field, "max_selected"),
        ));
    }
    if applies("accept", kind) {
        let accept = field
            .get("accept")
            .and_then(|v| v.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        checks.push_str(&one(
            "accept",
            "Erlaubte Dateitypen (MIME), durch Komma getrennt, z. B. application/pdf, image/jpeg, image/* <span lang=\"en\">(accepted media types, comma-separated)</span>",
            &accept,
        ));
        let size = field
            .get("max_size_bytes")
            .and_then(|v| v.as_u64())
            .map(megabytes)
            .unwrap_or_default();
        checks.push_str(&one(
            "max_size_mb",
            "Größte Datei in MB, höchstens 100, z. B. 10 oder 0,5 <span lang=\"en\">(largest file in MB)</span>",
            &size,
        ));
        checks.push_str(&one(
            "max_files",
            "Höchstzahl Dateien, 1 bis 20 (leer: 1) <span lang=\"en\">(most files; empty: 1)</span>",
            &number(field, "max_files"),
        ));
    }
    if applies("min_items", kind) {
        checks.push_str(&one(
            "min_items",
            "Mindestzahl Einträge <span lang=\"en\">(least number of entries)</span>",
            &number(field, "min_items"),
        ));
        checks.push_str(&one(
            "max_items",
            "Höchstzahl Einträge, bis 100 <span lang=\"en\">(largest number of entries)</span>",
            &number(field, "max_items"),
        ));
        checks.push_str(&pair(
            "item_label",
            (
                "Bezeichnung eines Eintrags, z. B. Person",
                "what one entry is called",
            ),
            false,
        ));
    }
    let mut out = String::new();
    if !checks.is_empty() {
        out.push_str(&format!(
            r#"<fieldset><legend>Prüfung und Einstellungen des Feldtyps <span lang="en">(validation and settings of the field type)</span></legend>{checks}</fieldset>"#
        ));
    }
    let mut account = String::new();
    if applies("autocomplete", kind) {
        account.push_str(&one(
            "autocomplete",
            "Autovervollständigung: HTML-Token wie given-name, family-name, email, postal-code (leer: Standard) <span lang=\"en\">(autocomplete token; empty: default)</span>",
            &s("autocomplete"),
        ));
    }
    if applies("prefill", kind) && !inner {
        let claim = field
            .pointer("/prefill/claim")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let none = if claim.is_empty() { " selected" } else { "" };
        let claims: String = claims_for(kind)
            .iter()
            .map(|(c, de, en)| {
                let sel = if c.name() == claim { " selected" } else { "" };
                format!(r#"<option value="{}"{sel}>{de} ({en})</option>"#, c.name())
            })
            .collect();
        let editable = if field.pointer("/prefill/editable").and_then(|v| v.as_bool()) == Some(true)
        {
            " checked"
        } else {
            ""
        };
        account.push_str(&format!(
            r#"<div class="field"><label for="{p}-prefill_claim">Vorbelegen aus dem Servicekonto mit <span lang="en">(prefill from the service account with)</span></label><select class="select" id="{p}-prefill_claim" name="prefill_claim"><option value=""{none}>– keine Vorbelegung – (no prefill)</option>{claims}</select></div><div class="checkbox"><input type="checkbox" id="{p}-prefill_editable" name="prefill_editable" value="ja"{editable}><label for="{p}-prefill_editable">Vorbelegten Wert darf die antragstellende Person ändern <span lang="en">(the applicant may change the prefilled value)</span></label></div>"#
        ));
    }
    if !account.is_empty() {
        out.push_str(&format!(
            r#"<fieldset><legend>Vorbelegung und Autovervollständigung <span lang="en">(prefill and autocomplete)</span></legend>{account}</fieldset>"#
        ));
    }
    out
}

/// The forms of one field: its label, hint, required and type settings
/// (`feld_bearbeiten`), its rules (fields of a step only), move and
/// delete. `(i, j, inner)`: step `i`, field `j`, and with `inner` the
/// inner field at that position of the group `j` (ids `s{i}-f{j}-g{k}-…`).
fn field_section(
    base: &str,
    csrf: &str,
    (i, j, inner): (usize, usize, Option<usize>),
    field: &serde_json::Value,
    count: usize,
    code_lists: &[String],
    known: &[(String, String, String)],
) -> String {
    use super::structure::has_text;
    let s = |v: &serde_json::Value, p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let mut out = String::new();
    // The field's position among its siblings.
    let pos = inner.unwrap_or(j);
    let kind = s(field, "/type");
    let p = match inner {
        Some(k) => format!("s{i}-f{j}-g{k}"),
        None => format!("s{i}-f{j}"),
    };
    let label = escape(&s(field, "/label/de"));
    let mut at = vec![("step", i.to_string()), ("field", j.to_string())];
    if let Some(k) = inner {
        at.push(("inner", k.to_string()));
    }
    // The field's id as well: a form shown from an unsaved state (after a
    // refused change) may name a position that holds another field in the
    // saved draft; the server then refuses instead of changing that one.
    at.push(("field_key", s(field, "/id")));
    let mut body = format!(
        "{}{}{}{}",
        input(
            &format!("{p}-label_de"),
            "label_de",
            "Beschriftung (Deutsch)",
            &s(field, "/label/de")
        ),
        input(
            &format!("{p}-label_en"),
            "label_en",
            "Beschriftung (Englisch) <span lang=\"en\">(label, English)</span>",
            &s(field, "/label/en")
        ),
        input(
            &format!("{p}-hint_de"),
            "hint_de",
            "Hinweis (Deutsch)",
            &s(field, "/hint/de")
        ),
        input(
            &format!("{p}-hint_en"),
            "hint_en",
            "Hinweis (Englisch) <span lang=\"en\">(hint, English)</span>",
            &s(field, "/hint/en")
        ),
    );
    let checked = if field.get("required").and_then(|v| v.as_bool()) == Some(true) {
        " checked"
    } else {
        ""
    };
    body.push_str(&format!(
            r#"<div class="checkbox"><input type="checkbox" id="{p}-required" name="required" value="ja"{checked}><label for="{p}-required">Pflichtfeld <span lang="en">(required)</span></label></div>"#
        ));
    if has_text(&kind) {
        body.push_str(&text_inputs(
            &format!("{p}-text"),
            "text_",
            "Text",
            &s(field, "/text/de"),
            &s(field, "/text/en"),
        ));
    }
    body.push_str(&field_settings(
        &p,
        field,
        &kind,
        code_lists,
        inner.is_some(),
    ));
    body.push_str(&submit(
        "Feld speichern <span lang=\"en\">(save field)</span>",
    ));
    let in_group = if inner.is_some() {
        " in der Gruppe <span lang=\"en\">(in the group)</span>"
    } else {
        ""
    };
    out.push_str(&format!(
            r#"<details class="structure-field"><summary>Feld „{label}“{in_group} (<code>{}</code>, {})</summary>"#,
            escape(&s(field, "/id")),
            escape(&kind)
        ));
    out.push_str(&change_form(base, csrf, "feld_bearbeiten", &at, &body));
    // An inner field's rules read what the engine lets them: `known` is
    // then the fields before the group and the earlier fields of the entry.
    for key in ["visible_if", "required_if"] {
        let art = if key == "required_if" {
            "pflicht"
        } else {
            "sichtbar"
        };
        let mut hidden = vec![
            ("step", i.to_string()),
            ("art", art.to_owned()),
            ("field", j.to_string()),
        ];
        if let Some(k) = inner {
            hidden.push(("inner", k.to_string()));
        }
        hidden.push(("field_key", s(field, "/id")));
        out.push_str(&rule_forms_at(
            base,
            csrf,
            &p,
            &hidden,
            key,
            field.get(key),
            known,
        ));
    }
    out.push_str(r#"<div class="actions">"#);
    let moved = |dir: &str, text: &str| {
        let mut hidden = at.clone();
        hidden.push(("richtung", dir.to_owned()));
        change_form(base, csrf, "feld_verschieben", &hidden, &submit(text))
    };
    if pos > 0 {
        let f = moved(
            "hoch",
            &format!("„{label}“ nach oben <span lang=\"en\">(move up)</span>"),
        );
        out.push_str(&f);
    }
    if pos + 1 < count {
        let f = moved(
            "runter",
            &format!("„{label}“ nach unten <span lang=\"en\">(move down)</span>"),
        );
        out.push_str(&f);
    }
    out.push_str(&change_form(
        base,
        csrf,
        "feld_loeschen",
        &at,
        &submit(&format!(
            "Feld „{label}“ löschen <span lang=\"en\">(delete field)</span>"
        )),
    ));
    out.push_str("</div></details>");
    out
}

/// The inputs of a new field inside a repeatable group (no group, no
/// file upload there): ids `{idp}-…`, names `{np}id`, `{np}type`, ….
fn inner_field_inputs(idp: &str, np: &str) -> String {
    use super::structure::{FIELD_TYPES, can_add};
    let types: String = FIELD_TYPES
        .iter()
        .filter(|(k, _, _)| can_add(k, true))
        .map(|(k, de, en)| format!(r#"<option value="{k}">{de} ({en})</option>"#))
        .collect();
    format!(
        r#"{}<div class="field"><label for="{idp}-type">Feldtyp <span lang="en">(field type)</span></label><select class="select" id="{idp}-type" name="{np}type">{types}</select></div>{}{}<div class="field"><label for="{idp}-options">Optionen bei Auswahlfeldern, eine je Zeile: Wert|Deutsch|English <span lang="en">(options of choice fields, one a line)</span></label><textarea class="textarea" id="{idp}-options" name="{np}options" rows="3"></textarea></div>{}"#,
        input(
            &format!("{idp}-id"),
            &format!("{np}id"),
            "Kennung <span lang=\"en\">(id)</span>",
            ""
        ),
        input(
            &format!("{idp}-label_de"),
            &format!("{np}label_de"),
            "Beschriftung (Deutsch)",
            ""
        ),
        input(
            &format!("{idp}-label_en"),
            &format!("{np}label_en"),
            "Beschriftung (Englisch) <span lang=\"en\">(label, English)</span>",
            ""
        ),
        text_inputs(
            &format!("{idp}-text"),
            &format!("{np}text_"),
            "Text bei Information und Erklärung",
            "",
            ""
        ),
    )
}

/// The first field of a new repeatable group (a group needs one).
fn first_inner_field(idp: &str, np: &str) -> String {
    format!(
        r#"<fieldset><legend>Nur bei einer wiederholbaren Gruppe: ihr erstes Feld <span lang="en">(only for a repeatable group: its first field)</span></legend>{}</fieldset>"#,
        inner_field_inputs(idp, np)
    )
}

/// The form adding a field to the repeatable group `j` of step `i`.
fn new_inner_field(base: &str, csrf: &str, i: usize, j: usize, group: &str) -> String {
    change_form(
        base,
        csrf,
        "feld_neu",
        &[("step", i.to_string()), ("group", j.to_string())],
        &format!(
            r#"<fieldset><legend>Neues Feld in der Gruppe „{}“ <span lang="en">(new field in the group)</span></legend>{}{}</fieldset>"#,
            escape(group),
            inner_field_inputs(&format!("s{i}-f{j}-new"), ""),
            submit("Feld zur Gruppe hinzufügen <span lang=\"en\">(add field to the group)</span>")
        ),
    )
}

/// The checkboxes of the kinds of account that may apply with login
/// (none checked: all); the hidden `account_types_form` says the form
/// has them, as unchecked boxes post nothing.
fn account_type_inputs(d: &serde_json::Value) -> String {
    let stored: Vec<&str> = d
        .pointer("/access/account_types")
        .and_then(|v| v.as_array())
        .map(|list| list.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let boxes: String = super::structure::ACCOUNT_TYPES
        .iter()
        .map(|(value, de, en)| {
            let checked = if stored.contains(value) { " checked" } else { "" };
            format!(
                r#"<div class="checkbox"><input type="checkbox" id="account_types-{value}" name="account_types" value="{value}"{checked}><label for="account_types-{value}">{de} <span lang="en">({en})</span></label></div>"#
            )
        })
        .collect();
    format!(
        r#"<fieldset><legend>Kontoarten bei Anmeldung (keine Auswahl: alle) <span lang="en">(account types with login; none chosen: all)</span></legend><input type="hidden" name="account_types_form" value="ja">{boxes}</fieldset>"#
    )
}

/// The definition's code lists (URI, version, codes one
/// `value|Deutsch|English` a line), each editable and deletable, and a
/// form for a new one. Choice fields choose them in their settings.
fn code_list_forms(base: &str, csrf: &str, d: &serde_json::Value) -> String {
    use super::structure::options_text;
    let codes_label = "Codes, einer je Zeile: Wert|Deutsch|English <span lang=\"en\">(codes, one a line: value|German|English)</span>";
    let mut out = String::from(
        r#"<section class="structure-step" aria-labelledby="code-lists-heading"><h3 id="code-lists-heading">Codelisten <span lang="en">(code lists)</span></h3><p>Auswahlfelder können statt eigener Optionen eine Codeliste verwenden (z. B. aus XRepository, von FIM referenziert). <span lang="en">Choice fields can use a code list instead of their own options.</span></p>"#,
    );
    let empty = serde_json::Map::new();
    let lists = d
        .get("code_lists")
        .and_then(|v| v.as_object())
        .unwrap_or(&empty);
    for (n, (id, list)) in lists.iter().enumerate() {
        let text = |key: &str| list.get(key).and_then(|v| v.as_str()).unwrap_or("");
        let name = escape(id);
        let at = [("code_list", id.clone())];
        out.push_str(&format!(
            r#"<details class="structure-field"><summary>Codeliste „{name}“ <span lang="en">(code list)</span></summary>"#
        ));
        out.push_str(&change_form(
            base,
            csrf,
            "codeliste_bearbeiten",
            &at,
            &format!(
                "{}{}{}{}{}",
                input(
                    &format!("cl{n}-new_id"),
                    "new_id",
                    "Kennung der Codeliste (zum Umbenennen ändern: die Felder, die sie wählen, folgen) <span lang=\"en\">(the code list's id; change it to rename: the fields choosing it follow)</span>",
                    id
                ),
                input(
                    &format!("cl{n}-uri"),
                    "uri",
                    "URI der Codeliste, z. B. aus XRepository (leer: keine) <span lang=\"en\">(the code list's URI; empty: none)</span>",
                    text("uri")
                ),
                input(
                    &format!("cl{n}-version"),
                    "version",
                    "Version (leer: keine) <span lang=\"en\">(version; empty: none)</span>",
                    text("version")
                ),
                textarea(&format!("cl{n}-codes"), "codes", codes_label, &options_text(list)),
                submit("Codeliste speichern <span lang=\"en\">(save code list)</span>")
            ),
        ));
        out.push_str(r#"<div class="actions">"#);
        out.push_str(&change_form(
            base,
            csrf,
            "codeliste_loeschen",
            &at,
            &submit(&format!(
                "Codeliste „{name}“ löschen <span lang=\"en\">(delete code list)</span>"
            )),
        ));
        out.push_str("</div></details>");
    }
    out.push_str(&change_form(
        base,
        csrf,
        "codeliste_neu",
        &[],
        &format!(
            r#"<fieldset><legend>Neue Codeliste <span lang="en">(new code list)</span></legend>{}{}{}{}{}</fieldset>"#,
            input(
                "new-cl-id",
                "id",
                "Kennung der Codeliste: Kleinbuchstaben, Ziffern, _ oder - <span lang=\"en\">(code list id: lower-case letters, digits, _ or -)</span>",
                ""
            ),
            input(
                "new-cl-uri",
                "uri",
                "URI der Codeliste (leer: keine) <span lang=\"en\">(URI; empty: none)</span>",
                ""
            ),
            input(
                "new-cl-version",
                "version",
                "Version der Codeliste (leer: keine) <span lang=\"en\">(version; empty: none)</span>",
                ""
            ),
            textarea("new-cl-codes", "codes", codes_label, ""),
            submit("Codeliste anlegen <span lang=\"en\">(create code list)</span>")
        ),
    ));
    out.push_str("</section>");
    out
}

/// The `lang` text of `key` of `value` ("" when unset).
fn s_in(value: &serde_json::Value, key: &str, lang: &str) -> String {
    value
        .get(key)
        .and_then(|t| t.get(lang))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned()
}

/// The structured editing of the draft (settings, steps, fields): plain
/// forms, each posting one change to `/redaktion/{id}/struktur`.
pub fn structure(form_id: &str, definition: &str, csrf: &str) -> String {
    use super::structure::{FIELD_TYPES, can_add};
    let Ok(d) = serde_json::from_str::<serde_json::Value>(definition) else {
        return String::new();
    };
    let base = escape(&format!("/redaktion/{form_id}"));
    let s = |v: &serde_json::Value, p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let login = s(&d, "/access/kind") == "service_account";
    let trust = s(&d, "/access/min_trust_level");
    let trust_options: String = [
        ("basis", "Basis"),
        ("substanziell", "Substanziell"),
        ("hoch", "Hoch"),
    ]
    .iter()
    .map(|(v, l)| {
        let sel = if *v == trust { " selected" } else { "" };
        format!(r#"<option value="{v}"{sel}>{l}</option>"#)
    })
    .collect();
    let retention = d
        .get("retention_days")
        .and_then(|v| v.as_u64())
        .map(|v| v.to_string())
        .unwrap_or_default();
    let start_page = format!(
        "{}{}{}",
        text_pair(
            "summary",
            "summary_",
            ("Kurzbeschreibung für die Liste der Anträge", "summary"),
            (&s(&d, "/summary/de"), &s(&d, "/summary/en")),
            false
        ),
        textarea(
            "requirements",
            "requirements",
            "Was bereitzuhalten ist, eine Angabe je Zeile: Deutsch|English <span lang=\"en\">(requirements, one a line)</span>",
            &requirements_text(&d)
        ),
        text_pair(
            "privacy_notice",
            "privacy_notice_",
            ("Datenschutzhinweis", "privacy notice"),
            (&s(&d, "/privacy_notice/de"), &s(&d, "/privacy_notice/en")),
            true
        ),
    );
    let numbers = format!(
        "{}{}",
        input(
            "duration_minutes",
            "duration_minutes",
            "Dauer des Ausfüllens in Minuten (leer: keine Angabe) <span lang=\"en\">(duration in minutes; empty: none)</span>",
            &number(&d, "duration_minutes")
        ),
        input(
            "draft_expiry_days",
            "draft_expiry_days",
            "Unfertige Entwürfe löschen nach Tagen (leer: 30) <span lang=\"en\">(delete unfinished drafts after days; empty: 30)</span>",
            &number(&d, "draft_expiry_days")
        ),
    );
    let account_types = account_type_inputs(&d);
    let settings = change_form(
        &base,
        csrf,
        "einstellungen",
        &[],
        &format!(
            r#"<fieldset><legend>Formular <span lang="en">(form settings)</span></legend>
{}{}
<div class="field"><label for="description_de">Beschreibung (Deutsch)</label><textarea class="textarea" id="description_de" name="description_de" rows="3">{}</textarea></div>
<div class="field"><label for="description_en">Beschreibung (Englisch) <span lang="en">(description, English)</span></label><textarea class="textarea" id="description_en" name="description_en" rows="3">{}</textarea></div>
{start_page}
{}{}{}{}{numbers}
<fieldset><legend>Zugang <span lang="en">(access)</span></legend>
<div class="radio"><input type="radio" id="access-anonymous" name="access" value="anonymous"{}><label for="access-anonymous">Ohne Anmeldung <span lang="en">(anonymous)</span></label></div>
<div class="radio"><input type="radio" id="access-login" name="access" value="service_account"{}><label for="access-login">Mit Servicekonto-Anmeldung <span lang="en">(login)</span></label></div>
</fieldset>
<div class="field"><label for="min_trust_level">Mindestvertrauensniveau bei Anmeldung <span lang="en">(minimum trust level)</span></label><select class="select" id="min_trust_level" name="min_trust_level">{trust_options}</select></div>
{account_types}
{}</fieldset>"#,
            input(
                "title_de",
                "title_de",
                "Titel (Deutsch)",
                &s(&d, "/title/de")
            ),
            input(
                "title_en",
                "title_en",
                "Titel (Englisch) <span lang=\"en\">(title, English)</span>",
                &s(&d, "/title/en")
            ),
            escape(&s(&d, "/description/de")),
            escape(&s(&d, "/description/en")),
            input(
                "authority_id",
                "authority_id",
                "Kennung der Behörde <span lang=\"en\">(authority id)</span>",
                &s(&d, "/authority/id")
            ),
            input(
                "authority_de",
                "authority_de",
                "Empfangende Behörde (Deutsch) <span lang=\"en\">(receiving authority)</span>",
                &s(&d, "/authority/name/de")
            ),
            input(
                "authority_en",
                "authority_en",
                "Empfangende Behörde (Englisch) <span lang=\"en\">(receiving authority, English)</span>",
                &s(&d, "/authority/name/en")
            ),
            input(
                "retention_days",
                "retention_days",
                "Aufbewahrung in Tagen <span lang=\"en\">(retention days)</span>",
                &retention
            ),
            if login { "" } else { " checked" },
            if login { " checked" } else { "" },
            submit("Einstellungen speichern <span lang=\"en\">(save settings)</span>"),
        ),
    );
    let empty = Vec::new();
    let steps = d.get("steps").and_then(|v| v.as_array()).unwrap_or(&empty);
    let known = super::rules::fields(&d);
    let code_lists: Vec<String> = d
        .get("code_lists")
        .and_then(|v| v.as_object())
        .map(|lists| lists.keys().cloned().collect())
        .unwrap_or_default();
    let mut out = format!(
        r#"<section class="structure" aria-labelledby="structure-heading">
<h2 id="structure-heading">Bearbeiten ohne JSON <span lang="en">(structured editing)</span></h2>
<p>Jede Änderung wird wie in der Expertenansicht geprüft und gespeichert. <span lang="en">Every change is checked and saved as in the expert view.</span></p>
{settings}"#
    );
    let type_options: String = FIELD_TYPES
        .iter()
        .filter(|(k, _, _)| can_add(k, false))
        .map(|(k, de, en)| format!(r#"<option value="{k}">{de} ({en})</option>"#))
        .collect();
    for (i, step) in steps.iter().enumerate() {
        let title = s(step, "/title/de");
        let step_key = ("step_key", s(step, "/id"));
        let at = [("step", i.to_string()), step_key.clone()];
        let name = escape(&title);
        out.push_str(&format!(
            r#"<section class="structure-step" aria-labelledby="step-{i}-heading"><h3 id="step-{i}-heading">Schritt {n}: {name}</h3>"#,
            n = i + 1
        ));
        out.push_str(&change_form(
            &base,
            csrf,
            "schritt_titel",
            &at,
            &format!(
                "{}{}{}{}",
                input(
                    &format!("s{i}-title_de"),
                    "title_de",
                    "Titel des Schritts (Deutsch)",
                    &title
                ),
                input(
                    &format!("s{i}-title_en"),
                    "title_en",
                    "Titel des Schritts (Englisch) <span lang=\"en\">(step title, English)</span>",
                    &s(step, "/title/en")
                ),
                text_pair(
                    &format!("s{i}-description"),
                    "description_",
                    ("Text unter dem Titel", "text under the title"),
                    (&s(step, "/description/de"), &s(step, "/description/en")),
                    true
                ),
                submit("Titel und Text speichern <span lang=\"en\">(save title and text)</span>")
            ),
        ));
        out.push_str(&format!(
            r#"<details class="structure-field"><summary>Regel des Schritts „{name}“ <span lang="en">(step rule)</span></summary>{}</details>"#,
            rule_forms(
                &base,
                csrf,
                &format!("s{i}"),
                i,
                None,
                "visible_if",
                step.get("visible_if"),
                &known
            )
        ));
        let up = [
            ("step", i.to_string()),
            step_key.clone(),
            ("richtung", "hoch".to_owned()),
        ];
        let down = [
            ("step", i.to_string()),
            step_key,
            ("richtung", "runter".to_owned()),
        ];
        out.push_str(r#"<div class="actions">"#);
        if i > 0 {
            out.push_str(&change_form(
                &base,
                csrf,
                "schritt_verschieben",
                &up,
                &submit(&format!(
                    "„{name}“ nach oben <span lang=\"en\">(move up)</span>"
                )),
            ));
        }
        if i + 1 < steps.len() {
            out.push_str(&change_form(
                &base,
                csrf,
                "schritt_verschieben",
                &down,
                &submit(&format!(
                    "„{name}“ nach unten <span lang=\"en\">(move down)</span>"
                )),
            ));
        }
        out.push_str(&change_form(
            &base,
            csrf,
            "schritt_loeschen",
            &at,
            &submit(&format!(
                "Schritt „{name}“ löschen <span lang=\"en\">(delete step)</span>"
            )),
        ));
        out.push_str("</div>");
        let fields = step
            .get("fields")
            .and_then(|v| v.as_array())
            .unwrap_or(&empty);
        for (j, field) in fields.iter().enumerate() {
            out.push_str(&field_section(
                &base,
                csrf,
                (i, j, None),
                field,
                fields.len(),
                &code_lists,
                &known,
            ));
            if s(field, "/type") != "group" {
                continue;
            }
            let inner = field
                .get("fields")
                .and_then(|v| v.as_array())
                .unwrap_or(&empty);
            // What an inner field's rule may read: the top-level fields
            // before the group and the earlier fields of the same entry.
            let group_id = s(field, "/id");
            let before: Vec<_> = known
                .iter()
                .take_while(|(id, _, _)| *id != group_id)
                .cloned()
                .collect();
            for (k, child) in inner.iter().enumerate() {
                let mut readable = before.clone();
                readable.extend(
                    inner
                        .iter()
                        .take(k)
                        .map(|f| (s(f, "/id"), s(f, "/label/de"), s(f, "/type"))),
                );
                out.push_str(&field_section(
                    &base,
                    csrf,
                    (i, j, Some(k)),
                    child,
                    inner.len(),
                    &code_lists,
                    &readable,
                ));
            }
            out.push_str(&new_inner_field(&base, csrf, i, j, &s(field, "/label/de")));
        }
        out.push_str(&change_form(
            &base,
            csrf,
            "feld_neu",
            &[("step", i.to_string())],
            &format!(
                r#"<fieldset><legend>Neues Feld in „{name}“ <span lang="en">(new field)</span></legend>{}<div class="field"><label for="s{i}-new-type">Feldtyp <span lang="en">(field type)</span></label><select class="select" id="s{i}-new-type" name="type">{type_options}</select></div>{}{}<div class="field"><label for="s{i}-new-options">Optionen bei Auswahlfeldern, eine je Zeile: Wert|Deutsch|English <span lang="en">(options of choice fields, one a line)</span></label><textarea class="textarea" id="s{i}-new-options" name="options" rows="3"></textarea></div>{}{}{}</fieldset>"#,
                input(&format!("s{i}-new-id"), "id", "Kennung <span lang=\"en\">(id)</span>", ""),
                input(&format!("s{i}-new-label_de"), "label_de", "Beschriftung (Deutsch)", ""),
                input(&format!("s{i}-new-label_en"), "label_en", "Beschriftung (Englisch) <span lang=\"en\">(label, English)</span>", ""),
                text_inputs(&format!("s{i}-new-text"), "text_", "Text bei Information und Erklärung", "", ""),
                first_inner_field(&format!("s{i}-new-inner"), "inner_"),
                submit("Feld hinzufügen <span lang=\"en\">(add field)</span>")
            ),
        ));
        out.push_str("</section>");
    }
    out.push_str(&change_form(
        &base,
        csrf,
        "schritt_neu",
        &[],
        &format!(
            r#"<fieldset><legend>Neuer Schritt <span lang="en">(new step)</span></legend>{}{}{}<p>Jeder Schritt braucht mindestens ein Feld: <span lang="en">(every step needs a field:)</span></p>{}<div class="field"><label for="new-step-field-type">Feldtyp des ersten Felds <span lang="en">(first field's type)</span></label><select class="select" id="new-step-field-type" name="field_type">{type_options}</select></div>{}{}{}{}{}</fieldset>"#,
            input("new-step-id", "id", "Kennung <span lang=\"en\">(id)</span>", ""),
            input("new-step-title_de", "title_de", "Titel (Deutsch)", ""),
            input("new-step-title_en", "title_en", "Titel (Englisch) <span lang=\"en\">(title, English)</span>", ""),
            input("new-step-field-id", "field_id", "Kennung des ersten Felds <span lang=\"en\">(first field's id)</span>", ""),
            input("new-step-field-label_de", "field_label_de", "Beschriftung des ersten Felds (Deutsch)", ""),
            input("new-step-field-label_en", "field_label_en", "Beschriftung des ersten Felds (Englisch) <span lang=\"en\">(first field's label, English)</span>", ""),
            text_inputs("new-step-field-text", "field_text_", "Text des ersten Felds bei Information und Erklärung", "", ""),
            first_inner_field("new-step-field-inner", "field_inner_"),
            submit("Schritt hinzufügen <span lang=\"en\">(add step)</span>")
        ),
    ));
    out.push_str(&code_list_forms(&base, csrf, &d));
    out.push_str(&fee_forms(&base, csrf, &d));
    out.push_str(&validation_forms(&base, csrf, &d));
    out.push_str("</section>");
    out
}

#[cfg(test)]
mod tests {
    use super::{anchor_for, german_when};

    #[test]
    fn each_problem_links_to_its_own_input() {
        for (pointer, anchor) in [
            ("/steps/1/fields/0/label/en", "s1-f0-label_en"),
            ("/steps/0/fields/3/hint/de", "s0-f3-hint_de"),
            ("/steps/2/fields/1/text/en", "s2-f1-text-en"),
            ("/steps/0/fields/2/options/1/label/en", "s0-f2-options"),
            ("/steps/0/fields/2/fields/4/label/en", "s0-f2-g4-label_en"),
            ("/steps/0/fields/2/fields/1/options/0", "s0-f2-g1-options"),
            ("/steps/0/fields/5/visible_if", "s0-f5-label_de"),
            ("/steps/3/title/en", "s3-title_en"),
            ("/steps/3/visible_if", "s3-title_de"),
            ("/fees/0/purpose/en", "fee0-purpose_en"),
            ("/fees/1/amount_rule", "fee1-purpose_de"),
            ("/validations/1/message/en", "pruefung1-message-en"),
            ("/validations/0/fields/0", "pruefung0-message-de"),
            ("/title/en", "title_en"),
            ("/description/de", "description_de"),
            ("/code_lists/0/codes/1/label/en", "definition"),
            ("/steps/x/title/en", "definition"),
            ("", "definition"),
        ] {
            assert_eq!(anchor_for(pointer), anchor, "{pointer}");
        }
    }

    #[test]
    fn history_times_are_german_local_time() {
        assert_eq!(
            german_when("2026-12-01T13:35:07.123Z"),
            "1. Dezember 2026, 14:35 Uhr"
        );
        assert_eq!(
            german_when("2026-07-15T08:05:00.000Z"),
            "15. Juli 2026, 10:05 Uhr"
        );
        assert_eq!(
            german_when("2026-12-31T23:30:00.000Z"),
            "1. Januar 2027, 00:30 Uhr"
        );
        assert_eq!(german_when("gestern"), "gestern");
    }
}
