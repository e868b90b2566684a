//! The delivery's HTTP routes:
//!
//! - `POST /eakte/{authority}/bestaetigung`: the E-Akte posts its
//!   `FVDaten.ImportBestaetigen.0630` (the XML, or the ZIP with it), with
//!   `Authorization: Bearer <token>` (the authority's
//!   `confirmation_token_env`). Without a configured token the endpoint
//!   does not exist for that authority (404), so a folder-only authority
//!   cannot be confirmed over HTTP by anyone. 200 when applied (also when
//!   the submission was filed before), 400 with the reason in German and
//!   English when the message cannot be used, 401 without the right token,
//!   503 when it cannot be stored now.
//! - `GET /forms/{id}/bestaetigung/{submission}/eingangsbestaetigung.pdf`:
//!   the citizen's receipt, for the browser session that submitted it
//!   only (it holds every answer), rendered in the citizen's language.
//!   After the retention period: 410 with an explanation.

use amtsweg_forms::Lang;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::{confirmations, package};
use crate::{routes::AppState, session, store::StoreError};

/// The routes above.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/eakte/{authority}/bestaetigung", post(confirmation))
        .route(
            "/forms/{id}/bestaetigung/{submission}/eingangsbestaetigung.pdf",
            get(receipt),
        )
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn confirmation(
    State(state): State<AppState>,
    Path(authority_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(ctx) = state.delivery.as_deref() else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "Die Zustellung ist nicht eingerichtet. / Delivery is not set up.\n".into(),
        );
    };
    let Some(expected) = ctx
        .authorities
        .get(&authority_id, "")
        .filter(|a| a.configured)
        .and_then(|a| a.confirmation_token)
    else {
        return text(
            StatusCode::NOT_FOUND,
            "Für diese Behörde gibt es keinen Bestätigungs-Endpunkt. / \
             There is no confirmation endpoint for this authority.\n"
                .into(),
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Anmeldung fehlt oder ist falsch. / Missing or wrong credentials.\n",
        )
            .into_response();
    }
    match confirmations::apply(ctx, &authority_id, &body, time::OffsetDateTime::now_utc()).await {
        Ok(applied) => {
            let what = match applied {
                confirmations::Applied::Filed { .. } => "abgelegt / filed",
                confirmations::Applied::Refused { .. } => {
                    "Ablehnung gespeichert / refusal recorded"
                }
                confirmations::Applied::AlreadyFiled { .. } => {
                    "war schon abgelegt / was filed before"
                }
            };
            text(StatusCode::OK, format!("{what}\n"))
        }
        Err(e) if e.is_temporary() => {
            tracing::error!(error = %e, "storing a confirmation failed");
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{}\n", e.message_de()),
            )
        }
        Err(e) => text(
            StatusCode::BAD_REQUEST,
            format!("{}\n{e}\n", e.message_de()),
        ),
    }
}

async fn receipt(
    State(state): State<AppState>,
    Path((form_id, submission)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    session: tower_sessions::Session,
) -> Response {
    let not_found = || {
        text(
            StatusCode::NOT_FOUND,
            "Diese Eingangsbestätigung gibt es nicht, oder sie gehört zu einer anderen \
             Sitzung. / This receipt does not exist, or it belongs to another session.\n"
                .into(),
        )
    };
    let unavailable = || {
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            "Der Dienst ist gerade nicht erreichbar. / The service is currently unavailable.\n"
                .into(),
        )
    };
    let (Ok(id), Some(ctx)) = (Uuid::parse_str(&submission), state.delivery.as_deref()) else {
        return not_found();
    };
    let record = match ctx.db.delivery_record(id).await {
        Ok(r) if r.submission.form_id == form_id => r,
        Ok(_) | Err(StoreError::NotFound) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "reading a submission failed");
            return unavailable();
        }
    };
    // Only the session that submitted it: its draft of this form is the
    // submission's draft.
    let journey = session::Journey::new(session);
    match journey.draft_for(&form_id).await {
        Ok(Some(draft)) if draft == record.submission.draft_id => {}
        Ok(_) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "reading the session failed");
            return unavailable();
        }
    }
    if record.purged_at.is_some() {
        return text(
            StatusCode::GONE,
            "Ihre Angaben wurden nach Ablauf der Aufbewahrungsfrist gelöscht; die Behörde \
             hat Ihren Antrag in ihrer Akte. / Your answers were deleted after the retention \
             period; the authority has your application on file.\n"
                .into(),
        );
    }
    let lang = if query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "lang=en"))
    {
        Lang::En
    } else {
        Lang::De
    };
    let form = match ctx
        .form(&record.submission.form_id, record.submission.form_version)
        .await
    {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "loading the form of a receipt failed");
            return unavailable();
        }
    };
    let d = form.definition();
    let authority = ctx
        .authorities
        .get(&d.authority.id, d.authority.name.get(lang))
        .map_or_else(|| d.authority.name.get(lang).to_owned(), |a| a.party.name);
    match package::citizen_receipt(&record, d, &authority, &ctx.uploads, lang).await {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"Eingangsbestaetigung_{}.pdf\"",
                        record.submission.reference
                    ),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            pdf,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a receipt failed");
            unavailable()
        }
    }
}
