//! `GET /definitions/{id}/v{version}.json`: the definition of a released
//! form version as compact JSON, for the browser's live checks on step
//! pages (`amtsweg_app::live`), which run the same engine in wasm.
//!
//! - A released version (published or withdrawn) never changes, so the
//!   answer is `Cache-Control: public, max-age=31536000, immutable`: a
//!   browser loads a form's definition once, however many steps it shows.
//!   An editor's unpublished draft version is not served (404).
//! - The JSON is re-serialized without whitespace (the large example form:
//!   341 KB as written, 172 KB compact) and kept in memory per version.
//! - The path is outside `csrf::TOKEN_PAGES`, so the answer creates no
//!   session and sets no cookie; a definition holds no personal data.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use amtsweg_app::live::{DEFINITION_ROUTE, definition_version};
use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{db::Db, error::HttpError, routes::AppState};

/// `Cache-Control` of a definition: it never changes.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Compact definitions by (form id, version).
#[derive(Debug, Default)]
pub struct DefinitionCache {
    entries: RwLock<HashMap<(String, u32), Bytes>>,
}

impl DefinitionCache {
    /// The compact JSON of a released version, from memory or the
    /// database (`None`: no such released version).
    pub async fn get(
        &self,
        db: &Db,
        form_id: &str,
        version: u32,
    ) -> Result<Option<Bytes>, HttpError> {
        let key = (form_id.to_owned(), version);
        if let Some(bytes) = self.entries.read().ok().and_then(|e| e.get(&key).cloned()) {
            return Ok(Some(bytes));
        }
        let Some(stored) = db
            .released_form_version(form_id, version)
            .await
            .map_err(HttpError::Unavailable)?
        else {
            return Ok(None);
        };
        let bytes = Bytes::from(compact(&stored.definition));
        if let Ok(mut entries) = self.entries.write() {
            entries.insert(key, bytes.clone());
        }
        Ok(Some(bytes))
    }
}

/// The JSON without insignificant whitespace (as stored when it cannot be
/// parsed, which a published definition always can).
pub fn compact(json: &str) -> Vec<u8> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|value| serde_json::to_vec(&value).ok())
        .unwrap_or_else(|| json.as_bytes().to_vec())
}

/// The route, with its own cache.
pub fn router() -> Router<AppState> {
    let cache = Arc::new(DefinitionCache::default());
    Router::new().route(
        DEFINITION_ROUTE,
        get(
            move |State(state): State<AppState>, Path((id, file)): Path<(String, String)>| {
                let cache = cache.clone();
                async move { definition(&state.db, &cache, &id, &file).await }
            },
        ),
    )
}

async fn definition(
    db: &Db,
    cache: &DefinitionCache,
    form_id: &str,
    file: &str,
) -> Result<Response, HttpError> {
    let found = match definition_version(file) {
        Some(version) => cache.get(db, form_id, version).await?,
        None => None,
    };
    Ok(match found {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, IMMUTABLE),
            ],
            bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Diese Formularversion gibt es nicht. / There is no such form version.\n",
        )
            .into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn compact_drops_whitespace_and_keeps_the_content() {
        let json = "{\n  \"id\": \"a b\",\n  \"steps\": [ 1, 2 ]\n}\n";
        assert_eq!(compact(json), br#"{"id":"a b","steps":[1,2]}"#.to_vec());
        assert_eq!(compact("not json"), b"not json".to_vec());
    }
}
