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
    let title = escape(title);
    let html = format!(
        r##"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Formular-Redaktion – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
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

/// The quality check's problems, each linked to the place to fix (the
/// JSON view) with its JSON pointer.
pub fn quality(form_id: &str, problems: &[Problem], blocking: bool) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let edit = escape(&format!("/redaktion/{form_id}/bearbeiten#definition"));
    let items: String = problems
        .iter()
        .map(|p| {
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
            format!(
                r#"<tr><td><time datetime="{at}">{at}</time></td><td>{name}</td><td>{de} <span lang="en">({en})</span></td><td>{version}</td><td>{restore}</td></tr>"#,
                at = escape(&c.at),
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
<thead><tr><th scope="col">Wann <span lang="en">(when, UTC)</span></th><th scope="col">Wer <span lang="en">(who)</span></th><th scope="col">Was <span lang="en">(what)</span></th><th scope="col">Version</th><th scope="col"><span class="visually-hidden">Aktion</span></th></tr></thead>
<tbody>{history}</tbody>
</table>"#,
        title = escape(&entry.title_de),
        authority = escape(&entry.authority),
        actions = actions.join("\n"),
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

/// The banner on every preview page.
pub const PREVIEW_BANNER: &str = r#"<div class="preview-banner notice" role="note"><p><strong>Vorschau – wird nicht übermittelt</strong> · <span lang="en">Preview – nothing is submitted</span></p></div>"#;

/// The end of the preview: the answers as "check your answers" would
/// list them, the fee, and the test submission that goes nowhere.
pub fn preview_check(
    form_id: &str,
    sections: &[amtsweg_forms::SummarySection],
    fee_cents: i64,
    complete: bool,
    csrf: &str,
) -> String {
    let base = escape(&format!("/redaktion/{form_id}/vorschau"));
    let body: String = sections
        .iter()
        .map(|s| {
            let rows: String = s
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "<div class=\"summary-list__row\"><dt>{}</dt><dd>{}</dd></div>",
                        escape(&r.label),
                        escape(&r.value).replace('\n', "<br>")
                    )
                })
                .collect();
            format!(
                "<h2>{}</h2><dl class=\"summary-list\">{rows}</dl><p><a href=\"{base}/{}\">Ändern <span lang=\"en\">(change)</span></a></p>",
                escape(&s.title),
                escape(&s.step_id)
            )
        })
        .collect();
    let fee = if fee_cents > 0 {
        format!(
            "<p class=\"fee\">Gebühr <span lang=\"en\">(fee)</span>: {},{:02} €</p>",
            fee_cents / 100,
            fee_cents % 100
        )
    } else {
        String::new()
    };
    let submit = if complete {
        format!(
            r#"<form method="post" action="{base}/absenden">{}<button type="submit" class="button">Testweise absenden <span lang="en">(test submission)</span></button></form>"#,
            csrf_field(csrf)
        )
    } else {
        "<p>Noch nicht alle Angaben sind vollständig. <span lang=\"en\">Not all answers are complete yet.</span></p>".to_owned()
    };
    format!(
        r#"<h1>Angaben prüfen <span lang="en">(check your answers)</span></h1>
{body}{fee}{submit}
<form method="post" action="{base}/neu">{csrf}<button type="submit" class="button button--secondary">Vorschau neu beginnen <span lang="en">(start the preview again)</span></button></form>"#,
        csrf = csrf_field(csrf),
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
