//! The form editor, `/redaktion`: staff with the editor role list every
//! form with its versions and state, create forms and drafts, edit a
//! draft's definition as JSON (expert view), import and export it,
//! preview it with the citizen's components, publish it as an immutable
//! version, retire a form, and read and restore the change history.
//!
//! ```text
//! GET  /redaktion                          all forms; "new form"
//! POST /redaktion/neu                      create a form (draft v1)
//! GET  /redaktion/{id}                     versions, actions, history
//! POST /redaktion/{id}/entwurf             new draft from the newest version
//! GET  /redaktion/{id}/bearbeiten          the draft's JSON (expert view)
//! POST /redaktion/{id}/bearbeiten          save (only if valid) / paste import
//! POST /redaktion/{id}/struktur           one structured change (aktion=…), saved like the JSON view
//! POST /redaktion/{id}/import              import a JSON file or a FIM XML (multipart)
//! GET  /redaktion/{id}/export?version=N    JSON download (default: newest)
//! POST /redaktion/{id}/veroeffentlichen    publish the draft (definition + quality check)
//! POST /redaktion/{id}/zurueckziehen       retire: off the start page
//! POST /redaktion/{id}/wiederherstellen    change=ID back into the draft
//! GET  /redaktion/{id}/historie/{change}   an earlier state, read-only
//! GET  /redaktion/{id}/vorschau            preview: to the first step
//! GET  /redaktion/{id}/vorschau/{step}     a step as citizens see it
//! POST /redaktion/{id}/vorschau/{step}     check the step (session only)
//! GET  /redaktion/{id}/vorschau/pruefen    the citizen's check page
//! POST /redaktion/{id}/vorschau/absenden   the test submission (goes nowhere)
//! POST /redaktion/{id}/vorschau/neu        start the preview again
//! ```
//!
//! The preview pages take `?lang=en` like the citizen pages.
//!
//! Every handler takes [`RequireRole<Editor>`]: the role is checked on the
//! server for every request (anonymous → login, no role → 403). Handlers
//! are thin: the logic is in [`service`], the SQL in [`store`], the
//! markup in [`pages`] and [`preview`].

pub mod history;
pub mod pages;
pub mod preview;
pub mod rules;
pub mod service;
pub mod store;
pub mod structure;

use amtsweg_forms::{DefinitionError, Form, Lang};
use axum::{
    Extension, Router,
    extract::{Multipart, Path, Query, RawQuery, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    auth::{RequireRole, accounts::account_key, roles::Editor},
    csrf::{self, CsrfForm},
    routes::AppState,
    security::CspNonce,
};
use history::Source;
use service::{EditorError, NewForm};
use store::{Actor, ChangeAction};

/// Largest definition accepted by a POST (the engine's own limit).
const BODY_LIMIT: usize = amtsweg_forms::MAX_DEFINITION_BYTES + 64 * 1024;

/// The editor's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/redaktion", get(list))
        .route("/redaktion/neu", post(create))
        .route("/redaktion/{id}", get(form_page))
        .route("/redaktion/{id}/entwurf", post(new_draft))
        .route("/redaktion/{id}/bearbeiten", get(edit).post(save))
        .route("/redaktion/{id}/struktur", post(structure_edit))
        .route("/redaktion/{id}/import", post(import))
        .route("/redaktion/{id}/export", get(export))
        .route("/redaktion/{id}/veroeffentlichen", post(publish))
        .route("/redaktion/{id}/zurueckziehen", post(retire))
        .route("/redaktion/{id}/wiederherstellen", post(restore))
        .route("/redaktion/{id}/historie/{change}", get(change_page))
        .route("/redaktion/{id}/vorschau", get(preview_start))
        .route("/redaktion/{id}/vorschau/neu", post(preview_reset))
        .route("/redaktion/{id}/vorschau/absenden", post(preview_submit))
        .route(
            "/redaktion/{id}/vorschau/{step}",
            get(preview_step).post(preview_post),
        )
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
}

fn actor(editor: &RequireRole<Editor>) -> Actor {
    Actor {
        key: account_key(&editor.login),
        name: editor.login.display_name(),
    }
}

fn see_other(to: &str) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Redirect::to(to)).into_response()
}

async fn token(session: &Session) -> Result<String, Response> {
    csrf::token(session)
        .await
        .map(|t| t.as_str().to_owned())
        .map_err(|e| csrf::CsrfRejection::Session(e).into_response())
}

/// The answer to a failed action: a page that says what is wrong.
fn failure(error: EditorError, back: &str) -> Response {
    let status = match &error {
        EditorError::Db(e) => {
            tracing::error!(error = %e, "editor request failed");
            return pages::page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Nicht verfügbar",
                "",
                "<h1>Der Dienst ist gerade nicht erreichbar.</h1><p lang=\"en\">The service is currently unavailable.</p>",
            );
        }
        EditorError::NoSuchForm => StatusCode::NOT_FOUND,
        EditorError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    };
    let problems = match &error {
        EditorError::Invalid(list) => pages::problems("Fehler / Problems", list),
        _ => String::new(),
    };
    pages::page(
        status,
        "Nicht möglich",
        "",
        &format!(
            "<h1>Nicht möglich <span lang=\"en\">(not possible)</span></h1><p>{}</p>{problems}<p><a href=\"{}\">Zurück <span lang=\"en\">(back)</span></a></p>",
            pages::escape(&error.to_string()),
            pages::escape(back)
        ),
    )
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

fn notice_of(query: Option<&str>) -> String {
    let said = |key: &str| query.is_some_and(|q| q.split('&').any(|p| p == key));
    if said("gespeichert") {
        pages::notice("Gespeichert. / Saved.")
    } else if said("veroeffentlicht") {
        pages::notice(
            "Veröffentlicht: neue Anträge nutzen diese Version. / Published: new applications use this version.",
        )
    } else if said("zurueckgezogen") {
        pages::notice(
            "Zurückgezogen: das Formular ist nicht mehr auf der Startseite. Begonnene Anträge können noch abgeschlossen werden. / Retired: the form is off the start page; applications already started can still be finished.",
        )
    } else if said("wiederhergestellt") {
        pages::notice(
            "Der frühere Stand ist wieder der Entwurf. / The earlier state is the draft again.",
        )
    } else {
        String::new()
    }
}

async fn list(
    State(state): State<AppState>,
    _editor: RequireRole<Editor>,
    session: Session,
) -> Response {
    let csrf = match token(&session).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    match service::forms(&state.db).await {
        Ok(forms) => pages::page(
            StatusCode::OK,
            "Alle Formulare",
            "",
            &pages::list(&forms, &NewForm::default(), &[], &csrf),
        ),
        Err(e) => failure(e, "/"),
    }
}

async fn create(
    State(state): State<AppState>,
    editor: RequireRole<Editor>,
    session: Session,
    CsrfForm(pairs): CsrfForm,
) -> Response {
    let new = NewForm {
        id: value(&pairs, "id").trim().to_owned(),
        title_de: value(&pairs, "title_de").to_owned(),
        title_en: value(&pairs, "title_en").to_owned(),
        authority_id: value(&pairs, "authority_id").trim().to_owned(),
        authority_de: value(&pairs, "authority_de").to_owned(),
        authority_en: value(&pairs, "authority_en").to_owned(),
    };
    let errors = match service::create(&state.db, &new, &actor(&editor)).await {
        Ok(()) => return see_other(&format!("/redaktion/{}/bearbeiten", new.id)),
        Err(EditorError::Invalid(list)) => list,
        Err(EditorError::Exists) => vec![DefinitionError {
            path: "id".into(),
            message: EditorError::Exists.to_string(),
        }],
        Err(e) => return failure(e, "/redaktion"),
    };
    let csrf = match token(&session).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let forms = service::forms(&state.db).await.unwrap_or_default();
    pages::page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Fehler: Neues Formular",
        "",
        &pages::list(&forms, &new, &errors, &csrf),
    )
}

async fn form_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    _editor: RequireRole<Editor>,
    session: Session,
) -> Response {
    let csrf = match token(&session).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let entry = match service::form(&state.db, &id).await {
        Ok(entry) => entry,
        Err(e) => return failure(e, "/redaktion"),
    };
    let changes = match state.db.editor_changes(&id).await {
        Ok(changes) => changes,
        Err(e) => return failure(e.into(), "/redaktion"),
    };
    pages::page(
        StatusCode::OK,
        &entry.title_de,
        &notice_of(query.as_deref()),
        &pages::form(&entry, &changes, &csrf),
    )
}

async fn new_draft(
    State(state): State<AppState>,
    Path(id): Path<String>,
    editor: RequireRole<Editor>,
    _checked: CsrfForm,
) -> Response {
    match service::new_draft(&state.db, &id, &actor(&editor)).await {
        Ok(_) => see_other(&format!("/redaktion/{id}/bearbeiten")),
        Err(e) => failure(e, &format!("/redaktion/{id}")),
    }
}

fn pretty(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_owned())
}

/// The nonce the edit page's module script needs (see [`pages::edit_page`]).
type Nonce = Option<Extension<CspNonce>>;

fn nonce_of(nonce: &Nonce) -> Option<&str> {
    nonce.as_ref().map(|Extension(CspNonce(n))| &**n)
}

async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    _editor: RequireRole<Editor>,
    session: Session,
    nonce: Nonce,
) -> Response {
    let csrf = match token(&session).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    match service::draft(&state.db, &id).await {
        Ok(draft) => {
            let problems = service::quality_problems(&draft.definition, &id, draft.version);
            pages::edit_page(
                StatusCode::OK,
                "Entwurf bearbeiten",
                &notice_of(query.as_deref()),
                &pages::edit(
                    &id,
                    draft.version,
                    &pretty(&draft.definition),
                    &[],
                    &format!(
                        "{}{}",
                        pages::quality(&id, &problems, false),
                        pages::structure(&id, &draft.definition, &csrf)
                    ),
                    &csrf,
                ),
                nonce_of(&nonce),
            )
        }
        Err(e) => failure(e, &format!("/redaktion/{id}")),
    }
}

/// Saves `text` into the draft, or shows the edit page again with the
/// problems and `text` as it was.
async fn save_text(
    state: &AppState,
    session: &Session,
    id: &str,
    text: &str,
    actor: &Actor,
    source: Source,
) -> Response {
    save_with_report(state, session, id, text, actor, source, None).await
}

/// [`save_text`], and with a FIM import's `report` the edit page (saved
/// or not) lists what the import assumed, kept or could not map.
async fn save_with_report(
    state: &AppState,
    session: &Session,
    id: &str,
    text: &str,
    actor: &Actor,
    source: Source,
    report: Option<&amtsweg_forms::fim::ImportReport>,
) -> Response {
    let report_html = report.map(pages::fim_report).unwrap_or_default();
    match service::save(
        &state.db,
        id,
        text,
        actor,
        ChangeAction::Saved,
        source.summary(),
    )
    .await
    {
        Ok(version) if report.is_some() => {
            let csrf = match token(session).await {
                Ok(t) => t,
                Err(r) => return r,
            };
            let problems = service::quality_problems(text, id, version);
            pages::page(
                StatusCode::OK,
                "FIM-Import",
                &pages::notice("Importiert und gespeichert. / Imported and saved."),
                &pages::edit(
                    id,
                    version,
                    text,
                    &[],
                    &format!("{report_html}{}", pages::quality(id, &problems, false)),
                    &csrf,
                ),
            )
        }
        Ok(_) => see_other(&format!("/redaktion/{id}/bearbeiten?gespeichert")),
        Err(EditorError::Invalid(errors)) => {
            let csrf = match token(session).await {
                Ok(t) => t,
                Err(r) => return r,
            };
            let version = match service::draft(&state.db, id).await {
                Ok(draft) => draft.version,
                Err(e) => return failure(e, &format!("/redaktion/{id}")),
            };
            pages::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Fehler: Entwurf bearbeiten",
                "",
                &pages::edit(id, version, text, &errors, &report_html, &csrf),
            )
        }
        Err(e) => failure(e, &format!("/redaktion/{id}")),
    }
}

async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    editor: RequireRole<Editor>,
    session: Session,
    CsrfForm(pairs): CsrfForm,
) -> Response {
    let text = value(&pairs, "definition").to_owned();
    save_text(
        &state,
        &session,
        &id,
        &text,
        &actor(&editor),
        Source::JsonView,
    )
    .await
}

/// One structured change: applied to the draft's definition and saved
/// through the JSON view's path (engine check, history entry "saved").
async fn structure_edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    editor: RequireRole<Editor>,
    session: Session,
    nonce: Nonce,
    CsrfForm(pairs): CsrfForm,
) -> Response {
    let back = format!("/redaktion/{id}/bearbeiten");
    let draft = match service::draft(&state.db, &id).await {
        Ok(draft) => draft,
        Err(e) => return failure(e, &back),
    };
    let (text, summary) = match service::apply_structure(&draft.definition, &pairs) {
        Ok(changed) => changed,
        // An input that cannot be read, or a page that was out of date:
        // the edit page of the saved draft with the problems, as for a
        // change the engine refuses.
        Err(EditorError::Invalid(errors)) => {
            let csrf = match token(&session).await {
                Ok(t) => t,
                Err(r) => return r,
            };
            return pages::edit_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Fehler: Entwurf bearbeiten",
                "",
                &pages::edit(
                    &id,
                    draft.version,
                    &draft.definition,
                    &errors,
                    &pages::structure(&id, &draft.definition, &csrf),
                    &csrf,
                ),
                nonce_of(&nonce),
            );
        }
        Err(e) => return failure(e, &back),
    };
    match service::save(
        &state.db,
        &id,
        &text,
        &actor(&editor),
        ChangeAction::Saved,
        &summary,
    )
    .await
    {
        Ok(_) => see_other(&format!("{back}?gespeichert")),
        // Not saved: the problems, and the page shows the change as it
        // was entered (JSON and forms), the stored draft unchanged.
        Err(EditorError::Invalid(errors)) => {
            let csrf = match token(&session).await {
                Ok(t) => t,
                Err(r) => return r,
            };
            pages::edit_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Fehler: Entwurf bearbeiten",
                "",
                &pages::edit(
                    &id,
                    draft.version,
                    &text,
                    &errors,
                    &pages::structure(&id, &text, &csrf),
                    &csrf,
                ),
                nonce_of(&nonce),
            )
        }
        Err(e) => failure(e, &back),
    }
}

async fn import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    editor: RequireRole<Editor>,
    session: Session,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    if let Err(e) = csrf::check_origin(&headers, &state.public_url) {
        return e.into_response();
    }
    let mut checked = false;
    let mut text = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return bad_upload(&id),
        };
        match field.name() {
            Some("_csrf") => {
                let Ok(value) = field.text().await else {
                    return bad_upload(&id);
                };
                if let Err(e) = csrf::verify(&session, Some(&value)).await {
                    return e.into_response();
                }
                checked = true;
            }
            Some("file") if checked => {
                let Ok(bytes) = field.bytes().await else {
                    return bad_upload(&id);
                };
                text = Some(bytes);
            }
            _ => {}
        }
    }
    if !checked {
        return csrf::CsrfRejection::MissingToken.into_response();
    }
    let Some(bytes) = text.filter(|b| !b.trim_ascii().is_empty()) else {
        return bad_upload(&id);
    };
    // A byte-order mark is no whitespace: without this an XML file saved by
    // Windows editors would be taken for (broken) JSON.
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes[..]);
    if !content.trim_ascii_start().starts_with(b"<") {
        // JSON is UTF-8 (RFC 8259); other bytes are refused, not replaced.
        let Ok(text) = std::str::from_utf8(content) else {
            return not_utf8(&id);
        };
        return save_text(
            &state,
            &session,
            &id,
            text,
            &actor(&editor),
            Source::JsonFile,
        )
        .await;
    }
    // XML: a FIM Stammdatenschema or Datenfeldgruppe.
    let draft = match service::draft(&state.db, &id).await {
        Ok(draft) => draft,
        Err(e) => return failure(e, &format!("/redaktion/{id}")),
    };
    // The FIM reader checks the XML's own encoding and its byte-order mark.
    match service::from_fim(&bytes, &id, draft.version) {
        Ok((json, report)) => {
            save_with_report(
                &state,
                &session,
                &id,
                &json,
                &actor(&editor),
                Source::Fim,
                Some(&report),
            )
            .await
        }
        Err(EditorError::Fim(e)) => {
            let csrf = match token(&session).await {
                Ok(t) => t,
                Err(r) => return r,
            };
            let problem = DefinitionError {
                path: "FIM".into(),
                message: e.to_string(),
            };
            pages::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Fehler: FIM-Import",
                "",
                &pages::edit(
                    &id,
                    draft.version,
                    &pretty(&draft.definition),
                    &[problem],
                    "",
                    &csrf,
                ),
            )
        }
        Err(e) => failure(e, &format!("/redaktion/{id}")),
    }
}

fn bad_upload(id: &str) -> Response {
    pages::page(
        StatusCode::BAD_REQUEST,
        "Import nicht möglich",
        "",
        &format!(
            "<h1>Import nicht möglich <span lang=\"en\">(import not possible)</span></h1><p>Bitte wählen Sie eine JSON-Datei mit einer Formulardefinition aus. <span lang=\"en\">Please choose a JSON file holding a form definition.</span></p><p><a href=\"/redaktion/{}/bearbeiten\">Zurück <span lang=\"en\">(back)</span></a></p>",
            pages::escape(id)
        ),
    )
}

fn not_utf8(id: &str) -> Response {
    pages::page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Import nicht möglich",
        "",
        &format!(
            "<h1>Import nicht möglich <span lang=\"en\">(import not possible)</span></h1><p>Die Datei ist nicht in UTF-8 kodiert. Eine JSON-Formulardefinition muss UTF-8 sein; speichern Sie sie bitte als UTF-8 und laden Sie sie erneut hoch. Der Entwurf ist unverändert. <span lang=\"en\">The file is not encoded in UTF-8. A JSON form definition must be UTF-8; please save it as UTF-8 and upload it again. The draft is unchanged.</span></p><p><a href=\"/redaktion/{}/bearbeiten\">Zurück <span lang=\"en\">(back)</span></a></p>",
            pages::escape(id)
        ),
    )
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    version: Option<u32>,
}

async fn export(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
    _editor: RequireRole<Editor>,
) -> Response {
    let entry = match service::form(&state.db, &id).await {
        Ok(entry) => entry,
        Err(e) => return failure(e, "/redaktion"),
    };
    let chosen = match query.version {
        Some(v) => entry.versions.iter().find(|x| x.version == v),
        None => entry.versions.first(),
    };
    let Some(version) = chosen else {
        return failure(EditorError::NoSuchForm, &format!("/redaktion/{id}"));
    };
    let mut body = pretty(&version.definition);
    body.push('\n');
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-v{}.json\"",
                    version.form_id, version.version
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    editor: RequireRole<Editor>,
    _checked: CsrfForm,
) -> Response {
    match service::publish(&state.db, &id, &actor(&editor)).await {
        Ok(_) => see_other(&format!("/redaktion/{id}?veroeffentlicht")),
        Err(EditorError::Quality(problems)) => pages::page(
            StatusCode::CONFLICT,
            "Nicht veröffentlicht",
            "",
            &format!(
                "<h1>Nicht veröffentlicht <span lang=\"en\">(not published)</span></h1>{}<p><a href=\"/redaktion/{}\">Zurück zum Formular <span lang=\"en\">(back to the form)</span></a></p>",
                pages::quality(&id, &problems, true),
                pages::escape(&id)
            ),
        ),
        Err(e) => failure(e, &format!("/redaktion/{id}")),
    }
}

async fn retire(
    State(state): State<AppState>,
    Path(id): Path<String>,
    editor: RequireRole<Editor>,
    _checked: CsrfForm,
) -> Response {
    match service::retire(&state.db, &id, &actor(&editor)).await {
        Ok(()) => see_other(&format!("/redaktion/{id}?zurueckgezogen")),
        Err(e) => failure(e, &format!("/redaktion/{id}")),
    }
}

async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    editor: RequireRole<Editor>,
    CsrfForm(pairs): CsrfForm,
) -> Response {
    let Ok(change) = value(&pairs, "change").parse::<i64>() else {
        return failure(EditorError::NoSnapshot, &format!("/redaktion/{id}"));
    };
    match service::restore(&state.db, &id, change, &actor(&editor)).await {
        Ok(_) => see_other(&format!("/redaktion/{id}?wiederhergestellt")),
        Err(e) => failure(e, &format!("/redaktion/{id}")),
    }
}

/// An earlier state from the history, read-only: who, when, what, an
/// outline of its steps and fields, and its JSON; "restore" beside it.
async fn change_page(
    State(state): State<AppState>,
    Path((id, change)): Path<(String, String)>,
    _editor: RequireRole<Editor>,
    session: Session,
) -> Response {
    let back = format!("/redaktion/{id}");
    let Ok(change_id) = change.parse::<i64>() else {
        return failure(EditorError::NoSuchForm, &back);
    };
    let csrf = match token(&session).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let entry = match service::form(&state.db, &id).await {
        Ok(entry) => entry,
        Err(e) => return failure(e, "/redaktion"),
    };
    match service::change(&state.db, &id, change_id).await {
        Ok(change) => {
            let definition = change.definition.as_deref().map(pretty);
            pages::page(
                StatusCode::OK,
                &format!("Stand Nr. {change_id}: {}", entry.title_de),
                "",
                &pages::change(
                    &entry,
                    &change,
                    definition.as_deref(),
                    entry.draft().is_some(),
                    &csrf,
                ),
            )
        }
        Err(e) => failure(e, &back),
    }
}

/// The form the preview shows: the open draft, else the newest version.
async fn preview_form(state: &AppState, id: &str) -> Result<Form, Response> {
    let entry = service::form(&state.db, id)
        .await
        .map_err(|e| failure(e, "/redaktion"))?;
    let newest = &entry.versions[0];
    Form::load(&newest.definition).map_err(|e| {
        failure(
            EditorError::Invalid(e.0),
            &format!("/redaktion/{id}/bearbeiten"),
        )
    })
}

async fn preview_start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    _editor: RequireRole<Editor>,
    session: Session,
) -> Response {
    let lang = preview::lang_of(query.as_deref());
    let form = match preview_form(&state, &id).await {
        Ok(form) => form,
        Err(r) => return r,
    };
    let answers = preview::answers(&session, &id).await;
    let to = match preview::first_step(&form, &answers) {
        Some(step) => format!("/redaktion/{id}/vorschau/{step}"),
        None => format!("/redaktion/{id}/vorschau/pruefen"),
    };
    see_other(&preview::with_lang(&to, lang))
}

async fn preview_reset(
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    _editor: RequireRole<Editor>,
    session: Session,
    _checked: CsrfForm,
) -> Response {
    preview::clear(&session, &id).await;
    let lang = preview::lang_of(query.as_deref());
    see_other(&preview::with_lang(
        &format!("/redaktion/{id}/vorschau"),
        lang,
    ))
}

async fn preview_step(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    _editor: RequireRole<Editor>,
    session: Session,
) -> Response {
    let form = match preview_form(&state, &id).await {
        Ok(form) => form,
        Err(r) => return r,
    };
    let csrf = match token(&session).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let answers = preview::answers(&session, &id).await;
    let lang = preview::lang_of(query.as_deref());
    let base = format!("/redaktion/{id}/vorschau");
    let banner = preview::banner(&format!("{base}/{step}"), lang);
    if step == "pruefen" {
        // The citizen's check page. Citizens with missing answers are sent
        // to the step instead; the preview shows the page anyway, says
        // which step is missing answers, and refuses the test submission.
        let incomplete = preview::first_step_with_errors(&form, &answers).map(|missing| {
            let title = form
                .definition()
                .steps
                .iter()
                .find(|s| s.id == missing)
                .map_or(missing.clone(), |s| s.title.de.clone());
            format!(
                r#"<div class="notice" role="status"><p>Noch nicht alle Angaben sind vollständig: <a href="{}">Schritt „{}“</a>. Die Testeinreichung führt dorthin. <span lang="en">Not all answers are complete yet; the test submission leads to that step.</span></p></div>"#,
                pages::escape(&preview::with_lang(&format!("{base}/{missing}?fehler=1"), lang)),
                pages::escape(&title)
            )
        });
        let reset = format!(
            r#"<form method="post" action="{}"><input type="hidden" name="_csrf" value="{}"><button type="submit" class="button button--secondary">Vorschau neu beginnen <span lang="en">(start the preview again)</span></button></form>"#,
            pages::escape(&preview::with_lang(&format!("{base}/neu"), lang)),
            pages::escape(&csrf)
        );
        return pages::page(
            StatusCode::OK,
            "Vorschau: Angaben prüfen",
            &format!("{banner}{}", incomplete.unwrap_or_default()),
            &format!(
                "{}{reset}",
                preview::check_html(&form, &answers, &csrf, lang)
            ),
        );
    }
    let show_errors = query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("fehler")));
    let back = preview::back_to_check(query.as_deref());
    match preview::step_html(&form, &answers, &step, show_errors, back, &csrf, lang) {
        Some(html) => pages::page(
            StatusCode::OK,
            &format!("Vorschau: {}", form.definition().title.de),
            &banner,
            &html,
        ),
        None => failure(EditorError::NoSuchForm, &format!("/redaktion/{id}")),
    }
}

async fn preview_post(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    _editor: RequireRole<Editor>,
    session: Session,
    CsrfForm(pairs): CsrfForm,
) -> Response {
    let form = match preview_form(&state, &id).await {
        Ok(form) => form,
        Err(r) => return r,
    };
    let lang = preview::lang_of(query.as_deref());
    let base = format!("/redaktion/{id}/vorschau");
    // Came from the check page's "Ändern": back there once the step is
    // done, as for citizens.
    let back = preview::back_to_check(query.as_deref());
    let with_keep = |path: String, sep: char| {
        if back {
            format!("{path}{sep}zurueck=pruefen")
        } else {
            path
        }
    };
    let to = match preview::post_step(&session, &form, &step, &pairs).await {
        Some(preview::Next::Errors) => with_keep(format!("{base}/{step}?fehler=1"), '&'),
        Some(preview::Next::Same) => with_keep(format!("{base}/{step}"), '?'),
        Some(_) if back => format!("{base}/pruefen"),
        Some(preview::Next::Step(next)) => format!("{base}/{next}"),
        Some(preview::Next::Check) => format!("{base}/pruefen"),
        None => return failure(EditorError::NoSuchForm, &format!("/redaktion/{id}")),
    };
    see_other(&preview::with_lang(&to, lang))
}

async fn preview_submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    _editor: RequireRole<Editor>,
    session: Session,
    _checked: CsrfForm,
) -> Response {
    let form = match preview_form(&state, &id).await {
        Ok(form) => form,
        Err(r) => return r,
    };
    let answers = preview::answers(&session, &id).await;
    // As for citizens: missing answers lead to their step, errors shown.
    if let Some(step) = preview::first_step_with_errors(&form, &answers) {
        let lang = preview::lang_of(query.as_deref());
        return see_other(&preview::with_lang(
            &format!("/redaktion/{id}/vorschau/{step}?fehler=1"),
            lang,
        ));
    }
    // Nothing is stored or sent: the answers are forgotten.
    preview::clear(&session, &id).await;
    pages::page(
        StatusCode::OK,
        "Vorschau abgeschlossen",
        &preview::banner(&format!("/redaktion/{id}/vorschau"), Lang::De),
        &pages::preview_done(&id),
    )
}
