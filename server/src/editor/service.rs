//! What the editor does, without HTTP: create a form, open a new draft
//! from the newest version, save a draft's definition only when the
//! engine's definition check ([`Form::load`]) accepts it, publish,
//! retire, and restore an earlier draft state from the history.
//!
//! A draft's `id` and `version` are the editor's, not the text's: the
//! text is checked with them set, so a pasted or imported definition of
//! another version becomes this draft (and a typo cannot publish over a
//! released version).

use amtsweg_forms::{DefinitionError, Form, fim, quality};
use serde_json::{Value, json};
use thiserror::Error;

use super::store::{Actor, Change, ChangeAction, EditorVersion, VersionState, Write};
use crate::db::{Db, DbError};

/// Why an editor action did not happen. The texts are German and English
/// for the editor; `Db` is for the log.
#[derive(Debug, Error)]
pub enum EditorError {
    #[error("Die Definition ist nicht gültig. / The definition is not valid.")]
    Invalid(Vec<DefinitionError>),
    #[error("Dieses Formular gibt es nicht. / This form does not exist.")]
    NoSuchForm,
    #[error("Ein Formular mit dieser Kennung gibt es schon. / A form with this id exists already.")]
    Exists,
    #[error("Es gibt keinen offenen Entwurf. / There is no open draft.")]
    NoDraft,
    #[error("Es gibt schon einen offenen Entwurf. / There is an open draft already.")]
    DraftOpen,
    #[error(
        "Dieser Stand der Historie enthält keine Definition. / This history entry holds no definition."
    )]
    NoSnapshot,
    #[error("Das Formular ist nicht veröffentlicht. / The form is not published.")]
    NotPublished,
    #[error(
        "Vor dem Veröffentlichen zu beheben (Qualitätsprüfung). / To fix before publishing (quality check)."
    )]
    Quality(Vec<quality::Problem>),
    #[error("{0}")]
    Fim(fim::FimError),
    #[error("database: {0}")]
    Db(#[from] DbError),
}

/// The fields of the "new form" page.
#[derive(Debug, Clone, Default)]
pub struct NewForm {
    pub id: String,
    pub title_de: String,
    pub title_en: String,
    pub authority_id: String,
    pub authority_de: String,
    pub authority_en: String,
}

/// A form as the editor's list shows it.
#[derive(Debug, Clone)]
pub struct FormEntry {
    pub id: String,
    pub title_de: String,
    /// The receiving authority's name (German) of the newest version.
    pub authority: String,
    /// Every version, newest first.
    pub versions: Vec<EditorVersion>,
}

impl FormEntry {
    /// The open draft, if any (always the newest version).
    pub fn draft(&self) -> Option<&EditorVersion> {
        self.versions
            .first()
            .filter(|v| v.state == VersionState::Draft)
    }

    /// Whether a version is live for new applications.
    pub fn is_live(&self) -> bool {
        self.versions
            .iter()
            .any(|v| v.state == VersionState::Published)
    }
}

fn error(path: &str, message: &str) -> DefinitionError {
    DefinitionError {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// `text` checked as the definition of `form_id` in `version`: the
/// definition's JSON value (as written, with id and version set) and its
/// German title, or the engine's problems with their paths.
pub fn check(text: &str, form_id: &str, version: u32) -> Result<(Value, String), EditorError> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| {
        EditorError::Invalid(vec![error(
            &format!("Zeile {}, Spalte {}", e.line(), e.column()),
            &format!("kein gültiges JSON / not valid JSON: {e}"),
        )])
    })?;
    let Some(object) = value.as_object_mut() else {
        return Err(EditorError::Invalid(vec![error(
            "$",
            "die Definition muss ein JSON-Objekt sein / the definition must be a JSON object",
        )]));
    };
    object.insert("id".into(), json!(form_id));
    object.insert("version".into(), json!(version));
    let form = Form::load(&value.to_string()).map_err(|e| EditorError::Invalid(e.0))?;
    let title = form.definition().title.de.clone();
    Ok((value, title))
}

/// The draft's definition `text` with the structured change the posted
/// `pairs` describe, as pretty JSON (not yet checked by the engine), and
/// the history's German description of the change.
pub fn apply_structure(
    text: &str,
    pairs: &[(String, String)],
) -> Result<(String, String), EditorError> {
    let edit = super::structure::parse(pairs).map_err(EditorError::Invalid)?;
    let mut value: Value = serde_json::from_str(text).map_err(|e| {
        EditorError::Invalid(vec![error(
            "$",
            &format!("kein gültiges JSON / not valid JSON: {e}"),
        )])
    })?;
    same_target(&value, pairs).map_err(|e| EditorError::Invalid(vec![e]))?;
    let summary = super::history::describe(&value, &edit);
    super::structure::apply(&mut value, &edit).map_err(|e| EditorError::Invalid(vec![e]))?;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| EditorError::Invalid(vec![error("$", &e.to_string())]))?;
    Ok((text, summary))
}

/// Refuses a change whose form named a step or field (`step_key`,
/// `field_key`: its id when the page was drawn) that is no longer at the
/// posted position in the saved draft — a page drawn from a refused,
/// unsaved state (a refused move) must not change another field.
fn same_target(definition: &Value, pairs: &[(String, String)]) -> Result<(), DefinitionError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let index = |name: &str| get(name).and_then(|v| v.trim().parse::<usize>().ok());
    let Some(step) = index("step").and_then(|i| definition.pointer(&format!("/steps/{i}"))) else {
        return Ok(());
    };
    let mut checks = Vec::new();
    if let Some(key) = get("step_key") {
        checks.push(("Schritt", "step", key, step));
    }
    if let (Some(key), Some(field)) = (
        get("field_key"),
        index("field").and_then(|j| step.pointer(&format!("/fields/{j}"))),
    ) {
        let field = match index("inner") {
            Some(k) => field
                .pointer(&format!("/fields/{k}"))
                .unwrap_or(&Value::Null),
            None => field,
        };
        checks.push(("Feld", "field", key, field));
    }
    for (de, en, key, found) in checks {
        let id = found.get("id").and_then(Value::as_str).unwrap_or("");
        if id != key {
            return Err(error(
                &format!("{en}_key"),
                &format!(
                    "Die Seite war nicht mehr aktuell: an dieser Stelle steht im gespeicherten Entwurf nicht mehr „{key}“ ({de}). Nichts wurde geändert; bitte laden Sie den Entwurf neu. / The page was out of date: the saved draft no longer has the {en} \"{key}\" at this place. Nothing was changed; please reload the draft."
                ),
            ));
        }
    }
    Ok(())
}

/// The quality check's problems of a definition that passes [`check`]
/// (empty: ready to publish).
pub fn quality_problems(text: &str, form_id: &str, version: u32) -> Vec<quality::Problem> {
    match check(text, form_id, version).map(|(value, _)| Form::load(&value.to_string())) {
        Ok(Ok(form)) => quality::check(form.definition()),
        _ => Vec::new(),
    }
}

/// A FIM Stammdatenschema or Datenfeldgruppe (XDatenfelder 2.0 or 3.0.0)
/// as a definition text for `form_id` in `version`, with the import's
/// report (what was assumed, kept as a note, or not supported).
pub fn from_fim(
    xml: &[u8],
    form_id: &str,
    version: u32,
) -> Result<(String, fim::ImportReport), EditorError> {
    let import = fim::import(xml).map_err(EditorError::Fim)?;
    let mut definition = import.definition;
    definition.id = form_id.to_owned();
    definition.version = version;
    let text = serde_json::to_string_pretty(&definition)
        .map_err(|e| EditorError::Invalid(vec![error("$", &e.to_string())]))?;
    Ok((text, import.report))
}

/// Whether `id` can be a form id (it is part of URLs; `neu` is the
/// editor's "new form" address).
pub fn valid_id(id: &str) -> bool {
    id != "neu"
        && !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// All forms with their versions, sorted by German title.
pub async fn forms(db: &Db) -> Result<Vec<FormEntry>, EditorError> {
    let mut entries: Vec<FormEntry> = Vec::new();
    for version in db.editor_versions().await? {
        match entries.last_mut() {
            Some(entry) if entry.id == version.form_id => entry.versions.push(version),
            _ => entries.push(entry_of(version)),
        }
    }
    entries.sort_by(|a, b| {
        a.title_de
            .to_lowercase()
            .cmp(&b.title_de.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(entries)
}

fn entry_of(newest: EditorVersion) -> FormEntry {
    let authority = serde_json::from_str::<Value>(&newest.definition)
        .ok()
        .and_then(|d| {
            d.pointer("/authority/name/de")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    FormEntry {
        id: newest.form_id.clone(),
        title_de: newest.title_de.clone(),
        authority,
        versions: vec![newest],
    }
}

/// One form with its versions.
pub async fn form(db: &Db, form_id: &str) -> Result<FormEntry, EditorError> {
    let mut versions = db.editor_form_versions(form_id).await?.into_iter();
    let newest = versions.next().ok_or(EditorError::NoSuchForm)?;
    let mut entry = entry_of(newest);
    entry.versions.extend(versions);
    Ok(entry)
}

/// A new form: a draft version 1 with one step and one field to start
/// from, made of `new`'s texts.
pub async fn create(db: &Db, new: &NewForm, actor: &Actor) -> Result<(), EditorError> {
    let mut problems = Vec::new();
    if !valid_id(&new.id) {
        problems.push(error(
            "id",
            "Kennung: nur Kleinbuchstaben, Ziffern und Bindestrich, höchstens 64 Zeichen / \
             id: lower case letters, digits and hyphens only, at most 64 characters",
        ));
    }
    if !valid_id(&new.authority_id) {
        problems.push(error(
            "authority.id",
            "Kennung der Behörde: nur Kleinbuchstaben, Ziffern und Bindestrich / \
             authority id: lower case letters, digits and hyphens only",
        ));
    }
    for (name, value) in [
        ("title.de", &new.title_de),
        ("title.en", &new.title_en),
        ("authority.name.de", &new.authority_de),
        ("authority.name.en", &new.authority_en),
    ] {
        if value.trim().is_empty() {
            problems.push(error(name, "Bitte ausfüllen / please fill in"));
        }
    }
    if !problems.is_empty() {
        return Err(EditorError::Invalid(problems));
    }
    if !db.editor_form_versions(&new.id).await?.is_empty() {
        return Err(EditorError::Exists);
    }
    let starter = json!({
        "id": new.id,
        "version": 1,
        "title": {"de": new.title_de.trim(), "en": new.title_en.trim()},
        "summary": {"de": new.title_de.trim(), "en": new.title_en.trim()},
        "authority": {"id": new.authority_id, "name": {"de": new.authority_de.trim(), "en": new.authority_en.trim()}},
        "steps": [{
            "id": "angaben",
            "title": {"de": "Angaben", "en": "Details"},
            "fields": [{"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true}]
        }]
    });
    let (definition, title) = check(&starter.to_string(), &new.id, 1)?;
    let written = db
        .editor_write_described(
            Write::CreateDraft {
                form_id: &new.id,
                version: 1,
                title_de: &title,
                definition: &definition,
            },
            ChangeAction::Created,
            actor,
            1,
            Some(&definition),
            Some("Formular angelegt"),
        )
        .await?;
    if written {
        Ok(())
    } else {
        Err(EditorError::Exists)
    }
}

/// A new draft from the newest version of `form_id`, one version up.
pub async fn new_draft(db: &Db, form_id: &str, actor: &Actor) -> Result<u32, EditorError> {
    let entry = form(db, form_id).await?;
    if entry.draft().is_some() {
        return Err(EditorError::DraftOpen);
    }
    let newest = &entry.versions[0];
    let version = newest.version + 1;
    let (definition, title) = check(&newest.definition, form_id, version)?;
    let summary = format!("Neuer Entwurf aus Version {}", newest.version);
    let written = db
        .editor_write_described(
            Write::CreateDraft {
                form_id,
                version,
                title_de: &title,
                definition: &definition,
            },
            ChangeAction::Created,
            actor,
            version,
            Some(&definition),
            Some(&summary),
        )
        .await?;
    if written {
        Ok(version)
    } else {
        Err(EditorError::DraftOpen)
    }
}

/// The open draft of `form_id`.
pub async fn draft(db: &Db, form_id: &str) -> Result<EditorVersion, EditorError> {
    form(db, form_id)
        .await?
        .draft()
        .cloned()
        .ok_or(EditorError::NoDraft)
}

/// Saves `text` as the open draft if the definition check accepts it,
/// recording `action` with the German `summary` of what was done.
pub async fn save(
    db: &Db,
    form_id: &str,
    text: &str,
    actor: &Actor,
    action: ChangeAction,
    summary: &str,
) -> Result<u32, EditorError> {
    let draft = draft(db, form_id).await?;
    let (definition, title) = check(text, form_id, draft.version)?;
    let written = db
        .editor_write_described(
            Write::SaveDraft {
                form_id,
                version: draft.version,
                title_de: &title,
                definition: &definition,
            },
            action,
            actor,
            draft.version,
            Some(&definition),
            Some(summary),
        )
        .await?;
    if written {
        Ok(draft.version)
    } else {
        Err(EditorError::NoDraft)
    }
}

/// Publishes the open draft as an immutable version, if it passes the
/// definition check once more and the quality check.
pub async fn publish(db: &Db, form_id: &str, actor: &Actor) -> Result<u32, EditorError> {
    let draft = draft(db, form_id).await?;
    let (definition, _) = check(&draft.definition, form_id, draft.version)?;
    let problems = quality_problems(&draft.definition, form_id, draft.version);
    if !problems.is_empty() {
        return Err(EditorError::Quality(problems));
    }
    let summary = format!("Version {} veröffentlicht", draft.version);
    let written = db
        .editor_write_described(
            Write::Publish {
                form_id,
                version: draft.version,
            },
            ChangeAction::Published,
            actor,
            draft.version,
            Some(&definition),
            Some(&summary),
        )
        .await?;
    if written {
        Ok(draft.version)
    } else {
        Err(EditorError::NoDraft)
    }
}

/// Withdraws every published version: the form leaves the start page;
/// drafts pinned to a version can still be finished.
pub async fn retire(db: &Db, form_id: &str, actor: &Actor) -> Result<(), EditorError> {
    let entry = form(db, form_id).await?;
    let Some(live) = entry
        .versions
        .iter()
        .find(|v| v.state == VersionState::Published)
    else {
        return Err(EditorError::NotPublished);
    };
    let written = db
        .editor_write_described(
            Write::Retire { form_id },
            ChangeAction::Retired,
            actor,
            live.version,
            None,
            Some("Formular zurückgezogen"),
        )
        .await?;
    if written {
        Ok(())
    } else {
        Err(EditorError::NotPublished)
    }
}

/// History entry `change_id` of `form_id`.
pub async fn change(db: &Db, form_id: &str, change_id: i64) -> Result<Change, EditorError> {
    db.editor_changes(form_id)
        .await?
        .into_iter()
        .find(|c| c.id == change_id)
        .ok_or(EditorError::NoSuchForm)
}

/// Puts the definition of history entry `change_id` into the open draft.
pub async fn restore(
    db: &Db,
    form_id: &str,
    change_id: i64,
    actor: &Actor,
) -> Result<u32, EditorError> {
    let change = change(db, form_id, change_id).await?;
    let text = change
        .definition
        .as_deref()
        .ok_or(EditorError::NoSnapshot)?;
    let summary = format!(
        "Stand Nr. {} (Version {}, {}) wiederhergestellt",
        change.id,
        change.version,
        super::pages::german_when(&change.at)
    );
    save(db, form_id, text, actor, ChangeAction::Restored, &summary).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn form_ids_are_plain_url_segments() {
        for ok in ["hundesteuer", "a1", "wohngeld-2026"] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["", "neu", "-x", "Hund", "a b", "a/b", "ä", &"x".repeat(65)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn the_editor_sets_id_and_version_and_reports_where() {
        let text = r#"{"id": "other", "version": 7,
          "title": {"de": "T", "en": "T"}, "summary": {"de": "S", "en": "S"},
          "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
          "steps": [{"id": "s", "title": {"de": "S", "en": "S"}, "fields": [
            {"id": "f", "type": "text", "label": {"de": "F", "en": "F"}}]}]}"#;
        let (value, title) = check(text, "mine", 3).unwrap();
        assert_eq!(
            (value["id"].as_str(), value["version"].as_u64()),
            (Some("mine"), Some(3))
        );
        assert_eq!(title, "T");
        let Err(EditorError::Invalid(problems)) = check("{\n  \"id\": ", "mine", 3) else {
            panic!("not JSON must be refused");
        };
        assert!(problems[0].path.starts_with("Zeile 2"), "{problems:?}");
        let Err(EditorError::Invalid(problems)) =
            check(&text.replace("\"text\"", "\"nope\""), "mine", 3)
        else {
            panic!("an unknown type must be refused");
        };
        assert!(
            problems.iter().any(|p| p.path.starts_with("$.steps")),
            "{problems:?}"
        );
    }
}
