//! A Servicekonto account's drafts and submissions ("Meine Anträge").
//!
//! - [`account_key`]: the stable, opaque key an account's rows carry
//!   (SHA-256 of issuer and subject; never a name, never the raw subject);
//! - [`claim_new_draft`]: a draft started (or opened from its resume
//!   link) while logged in belongs to the account at once;
//! - [`adopt_session_drafts`]: at login, the drafts this session started
//!   anonymously become the account's (the session id rotation keeps the
//!   session's content, the account keeps the drafts beyond it);
//! - [`end_session`]: when a login ends (timeout), its drafts stay with
//!   the account and the session is deleted;
//! - [`applications`]: the page's data; [`router`]: `POST
//!   /konto/antraege/{draft}/fortsetzen` and `…/loeschen` (CSRF-checked).
//!
//! Every route checks that the draft belongs to the logged-in account; a
//! draft of another account is answered like one that does not exist.

use amtsweg_app::{
    auth::{AccountDraftView, AccountSubmissionView, MyApplications},
    journey::DeliveryStatus,
};
use amtsweg_forms::Lang;
use axum::{
    Router,
    extract::{Path, RawQuery, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::login::{self, Login};
use crate::{
    csrf::{self, CsrfForm},
    db::Db,
    journey_routes::JourneyError,
    routes::AppState,
    session::{Journey as SessionJourney, SessionError},
    store::{StoreError, SubmissionStatus},
};

/// The page of an account's applications.
pub const PAGE: &str = "/konto/antraege";

/// The key of `login`'s account in the database: SHA-256 (hex) of issuer
/// and subject, so rows name no person and the same account at another
/// provider is another account.
pub fn account_key(login: &Login) -> String {
    let mut hash = Sha256::new();
    hash.update(b"amtsweg-account\0");
    hash.update(login.issuer.as_bytes());
    hash.update(b"\0");
    hash.update(login.subject.as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A store or session failure of this module.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccountError> for JourneyError {
    fn from(error: AccountError) -> JourneyError {
        match error {
            AccountError::Session(e) => JourneyError::Session(e),
            AccountError::Store(e) => JourneyError::Store(e),
        }
    }
}

/// Gives the session's drafts that belong to nobody to `login`'s account.
pub async fn adopt_session_drafts(
    db: &Db,
    session: &Session,
    login: &Login,
) -> Result<u64, AccountError> {
    let ids = SessionJourney::new(session.clone()).draft_ids().await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(db.adopt_drafts(&ids, &account_key(login)).await?)
}

/// A draft was just started (or opened from its resume link) in
/// `session`: when logged in, it is the account's, unless it is another
/// account's already.
pub async fn claim_new_draft(
    db: &Db,
    session: &Session,
    draft_id: Uuid,
) -> Result<(), AccountError> {
    if let Some(login) = login::current(session).await? {
        db.adopt_drafts(&[draft_id], &account_key(&login)).await?;
    }
    Ok(())
}

/// Ends `login`'s session (timeout): its drafts stay with the account,
/// the session is deleted.
pub async fn end_session(db: &Db, session: &Session, login: &Login) -> Result<(), SessionError> {
    if let Err(e) = adopt_session_drafts(db, session, login).await {
        // The drafts stay in the database either way; only the list would
        // miss them.
        tracing::error!(error = %e, "taking over drafts at the end of a login failed");
    }
    session.flush().await?;
    Ok(())
}

/// `01.12.2026, 14:03 Uhr` (German time).
fn when(t: OffsetDateTime) -> String {
    let t = crate::resume::german_time(t);
    format!(
        "{:02}.{:02}.{}, {:02}:{:02} Uhr",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// `01.12.2026` (German date).
fn date(t: OffsetDateTime) -> String {
    let t = crate::resume::german_time(t);
    format!("{:02}.{:02}.{}", t.day(), u8::from(t.month()), t.year())
}

/// The data of "Meine Anträge" for the session's login; `None` when not
/// logged in.
pub async fn applications(
    state: &AppState,
    session: &Session,
    now: OffsetDateTime,
) -> Result<Option<MyApplications>, JourneyError> {
    let Some(login) = login::current(session).await? else {
        return Ok(None);
    };
    let key = account_key(&login);
    let mut drafts = Vec::new();
    for d in state.db.account_drafts(&key, now).await? {
        let title = match state.journey.form(&d.form_id, Some(d.form_version)).await? {
            Some(form) => form.definition().title.clone(),
            None => continue,
        };
        drafts.push(AccountDraftView {
            id: d.id.to_string(),
            form_id: d.form_id,
            form_title: title,
            updated_at: when(d.updated_at),
            expires_at: date(d.expires_at),
        });
    }
    let mut submissions = Vec::new();
    for s in state.db.account_submissions(&key).await? {
        let title = match state.journey.form(&s.form_id, Some(s.form_version)).await? {
            Some(form) => form.definition().title.clone(),
            None => amtsweg_forms::Text {
                de: s.form_id.clone(),
                en: None,
            },
        };
        // A fee not paid yet: stored, but not sent to the authority.
        let awaiting_payment = s.status == SubmissionStatus::Received
            && state.db.payment_overview(s.id).await?.status
                == crate::store::payments::SubmissionPayment::Open;
        submissions.push(AccountSubmissionView {
            id: s.id.to_string(),
            form_id: s.form_id,
            form_title: title,
            reference: s.reference,
            submitted_at: when(s.submitted_at),
            status: match s.status {
                SubmissionStatus::Received if awaiting_payment => DeliveryStatus::AwaitingPayment,
                SubmissionStatus::Received => DeliveryStatus::Received,
                SubmissionStatus::Delivered => DeliveryStatus::Delivered,
                SubmissionStatus::Filed => DeliveryStatus::Filed,
                SubmissionStatus::Failed => DeliveryStatus::NeedsAttention,
            },
        });
    }
    Ok(Some(MyApplications {
        drafts,
        submissions,
        csrf: csrf::token(session).await?.as_str().to_owned(),
    }))
}

/// The routes of "Meine Anträge" (the page itself is a Leptos page).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/konto/antraege/{draft}/fortsetzen", post(resume))
        .route("/konto/antraege/{draft}/loeschen", post(delete))
}

fn english(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|p| p == "lang=en"))
}

fn with_lang(path: &str, english: bool) -> String {
    if english {
        format!("{path}?lang=en")
    } else {
        path.to_owned()
    }
}

fn see_other(to: &str) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Redirect::to(to)).into_response()
}

fn page(english: bool) -> String {
    with_lang(PAGE, english)
}

/// The draft `id` of the session's account, or the answer to give
/// instead: to the login when not logged in, back to the list when the
/// draft is not the account's (or gone).
async fn own_draft(
    state: &AppState,
    session: &Session,
    id: &str,
    english: bool,
) -> Result<Result<(crate::store::AccountDraft, Login), Response>, JourneyError> {
    let Some(login) = login::current(session).await? else {
        let lang = if english { Lang::En } else { Lang::De };
        return Ok(Err(see_other(&amtsweg_app::auth::login_href(
            PAGE, None, lang,
        ))));
    };
    let found = match Uuid::parse_str(id) {
        Ok(id) => {
            state
                .db
                .account_draft(&account_key(&login), id, OffsetDateTime::now_utc())
                .await?
        }
        Err(_) => None,
    };
    Ok(match found {
        Some(draft) => Ok((draft, login)),
        None => Err(see_other(&page(english))),
    })
}

/// `POST /konto/antraege/{draft}/fortsetzen`: this browser works on the
/// draft again, at its first step that still needs answers.
async fn resume(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    session: Session,
    _checked: CsrfForm,
) -> Result<Response, JourneyError> {
    let english = english(query.as_deref());
    let draft = match own_draft(&state, &session, &id, english).await? {
        Ok((draft, _)) => draft,
        Err(answer) => return Ok(answer),
    };
    let Some(form) = state
        .journey
        .form(&draft.form_id, Some(draft.form_version))
        .await?
    else {
        return Ok(see_other(&page(english)));
    };
    let full = state.db.draft(draft.id).await?;
    SessionJourney::new(session)
        .set_draft(&draft.form_id, draft.id)
        .await?;
    let step = crate::resume::first_open_step(&form, &full.answers);
    Ok(see_other(&with_lang(
        &format!("/forms/{}/{step}", draft.form_id),
        english,
    )))
}

/// `POST /konto/antraege/{draft}/loeschen`: deletes the draft with its
/// uploads, then back to the list.
async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    session: Session,
    _checked: CsrfForm,
) -> Result<Response, JourneyError> {
    let english = english(query.as_deref());
    let (draft, login) = match own_draft(&state, &session, &id, english).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    if crate::uploads::delete_draft_uploads(&state.uploads, draft.id)
        .await
        .is_err()
    {
        return Ok((
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CACHE_CONTROL, "no-store")],
            "Der Entwurf konnte nicht gelöscht werden. Bitte versuchen Sie es später erneut. / \
             The draft could not be deleted. Please try again later.",
        )
            .into_response());
    }
    state
        .db
        .delete_account_draft(&account_key(&login), draft.id)
        .await?;
    SessionJourney::new(session)
        .forget_draft(&draft.form_id)
        .await?;
    tracing::info!(form = %draft.form_id, "draft deleted from the account's list");
    Ok(see_other(&page(english)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_key_is_opaque_and_stable() {
        let a = super::super::testing::login(None, amtsweg_forms::AccountType::Citizen);
        let key = account_key(&a);
        assert_eq!(key.len(), 64);
        assert_eq!(key, account_key(&a.clone()));
        assert!(!key.contains(&a.subject));
        let mut other_issuer = a.clone();
        other_issuer.issuer = "http://other".into();
        assert_ne!(account_key(&other_issuer), key);
        let mut other_subject = a;
        other_subject.subject = "someone-else".into();
        assert_ne!(account_key(&other_subject), key);
    }
}
