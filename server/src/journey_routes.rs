//! The citizen journey's POST handlers and the glue between the pages
//! (`amtsweg_app::journey`), the form engine and the store:
//!
//! ```text
//! POST /forms/{id}/starten   create a draft        → 303 first step
//! POST /forms/{id}/{step}    save the step's fields → 303 same step (errors),
//!                                                     next applicable step, or check page
//! POST /forms/{id}/absenden  submit (idempotent)    → 303 /forms/{id}/bestaetigung/{uuid},
//!                                                     with a fee /forms/{id}/bezahlung/{uuid}
//!                                                     (`crate::payment_journey`)
//! POST /forms/{id}/{step} with _action=save-for-later  → 303 /forms/{id}/gespeichert
//!                            (saved unchecked, a new resume link: [`resume`])
//! ```
//!
//! A step with a file field posts `multipart/form-data`; its files are
//! stored by [`journey_uploads`] (CSRF first, then each file through
//! `uploads::store_upload`), everything else goes the same way.
//!
//! Handlers are thin: parse the urlencoded body into the engine's raw
//! answers shape ([`parse_form`]), verify CSRF, merge only the posted
//! step's fields into the draft ([`merge_step`]), evaluate with
//! [`Form::evaluate`], save, redirect (POST-redirect-GET). `?lang=en` and
//! `?zurueck=pruefen` on the action URL survive the redirect.
//!
//! [`Journey`] is also the app's [`JourneyBackend`]: it loads published
//! forms once per (id, version) and caches them, finds the browser's draft
//! through its session, and reads submissions.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use amtsweg_app::{
    catalog::ssr::{BoxFuture, InternalError},
    journey::{
        DeliveryStatus,
        ssr::{DraftData, JourneyBackend, SubmissionData},
    },
    saved::ssr::SavedData,
};
use amtsweg_forms::{Answers, Env, FieldType, Form, Lang};

use amtsweg_app::form_data;

use crate::evaluations::EvaluationCache;
use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, RawQuery, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use http_body_util::Limited;
use serde_json::{Map, Value};
use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    auth::prefill::{self, PrefillValue, When},
    csrf::{self, CsrfForm, CsrfRejection},
    db::{Db, DbError},
    journey_uploads::{self, UploadTarget, read_multipart},
    resume,
    routes::AppState,
    session::{self, SessionError},
    store::{DraftState, StoreError, SubmissionDetails, SubmissionStatus},
};

/// Query keys the journey passes along (everything else is dropped).
const KEPT_QUERY: [&str; 2] = ["zurueck", "lang"];

/// The journey's shared part of the state: the database and the cache of
/// checked forms.
#[derive(Debug)]
pub struct Journey {
    db: Db,
    forms: RwLock<HashMap<(String, u32), Arc<Form>>>,
    /// Recent evaluations (a GET after a POST evaluates the same answers).
    evaluations: EvaluationCache,
    /// `AMTSWEG_PUBLIC_URL`, for the resume link.
    public_url: url::Url,
}

/// What can go wrong in a journey request. The citizen sees a clear
/// sentence; the log gets the details (never answers).
#[derive(Debug, Error)]
pub enum JourneyError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("session: {0}")]
    Session(#[from] SessionError),
    #[error("stored definition of {0} v{1} does not load: {2}")]
    Definition(String, u32, String),
    #[error("no such form")]
    NotFound,
}

impl IntoResponse for JourneyError {
    fn into_response(self) -> Response {
        let (status, text) = match &self {
            JourneyError::NotFound => (
                StatusCode::NOT_FOUND,
                "Diese Seite gibt es nicht. / This page does not exist.\n",
            ),
            _ => {
                tracing::error!(error = %self, "journey request failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Der Dienst ist gerade nicht erreichbar. / The service is currently unavailable.\n",
                )
            }
        };
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response()
    }
}

impl Journey {
    pub fn new(db: Db, public_url: url::Url) -> Journey {
        Journey {
            db,
            forms: RwLock::new(HashMap::new()),
            evaluations: EvaluationCache::default(),
            public_url,
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// `AMTSWEG_PUBLIC_URL`.
    pub fn public_url(&self) -> &url::Url {
        &self.public_url
    }

    /// A published form in `version`, or the latest published version.
    pub async fn form(
        &self,
        form_id: &str,
        version: Option<u32>,
    ) -> Result<Option<Arc<Form>>, JourneyError> {
        // Versions are immutable: once loaded, a version is served from
        // memory; only the number of the latest one is read each time.
        let version = match version {
            Some(v) => v,
            None => match self.db.latest_published_version(form_id).await? {
                Some(v) => v,
                None => return Ok(None),
            },
        };
        if let Some(form) = self.cached(form_id, version) {
            return Ok(Some(form));
        }
        let Some(stored) = self.db.form_version(form_id, version).await? else {
            return Ok(None);
        };
        let form = Form::load(&stored.definition).map_err(|e| {
            JourneyError::Definition(stored.form_id.clone(), stored.version, e.to_string())
        })?;
        let form = Arc::new(form);
        if let Ok(mut cache) = self.forms.write() {
            cache.insert((stored.form_id, stored.version), form.clone());
        }
        Ok(Some(form))
    }

    fn cached(&self, form_id: &str, version: u32) -> Option<Arc<Form>> {
        self.forms
            .read()
            .ok()?
            .get(&(form_id.to_owned(), version))
            .cloned()
    }

    /// The open draft of `form_id` this session works on.
    pub(crate) async fn open_draft(
        &self,
        journey: &session::Journey,
        form_id: &str,
    ) -> Result<Option<crate::store::Draft>, JourneyError> {
        let Some(id) = journey.draft_for(form_id).await? else {
            return Ok(None);
        };
        match self.db.draft(id).await {
            Ok(draft)
                if draft.form_id == form_id
                    && draft.state == DraftState::Open
                    && !draft.is_expired(OffsetDateTime::now_utc()) =>
            {
                // A form behind the Servicekonto: without the login it
                // needs, the draft is out of reach (kept for later).
                if let Some(form) = self.form(form_id, Some(draft.form_version)).await?
                    && !crate::auth::access::has_access(
                        journey.session(),
                        &form.definition().access,
                    )
                    .await?
                {
                    return Ok(None);
                }
                Ok(Some(draft))
            }
            Ok(_) | Err(StoreError::NotFound | StoreError::Expired) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// What the session's login fills into `form` (nothing without a login).
async fn prefill_values(
    session: &tower_sessions::Session,
    form: &Form,
) -> Result<Vec<PrefillValue>, SessionError> {
    Ok(match crate::auth::login::current(session).await? {
        Some(login) => prefill::values(form, &login),
        None => Vec::new(),
    })
}

/// Today, from the server clock.
pub(crate) fn env() -> Env {
    Env {
        today: OffsetDateTime::now_utc().date(),
    }
}

impl JourneyBackend for Journey {
    fn form<'a>(
        &'a self,
        form_id: &'a str,
        version: Option<u32>,
    ) -> BoxFuture<'a, Result<Option<Arc<Form>>, InternalError>> {
        Box::pin(async move { Ok(Journey::form(self, form_id, version).await?) })
    }

    fn draft<'a>(
        &'a self,
        request: &'a http::request::Parts,
        form_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<DraftData>, InternalError>> {
        Box::pin(async move {
            let Some(session) = request.extensions.get::<tower_sessions::Session>() else {
                return Ok(None);
            };
            let journey = session::Journey::new(session.clone());
            let Some(draft) = self.open_draft(&journey, form_id).await? else {
                return Ok(None);
            };
            let answers = match draft.answers {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            let from_account = match self.form(form_id, Some(draft.form_version)).await? {
                Some(form) => prefill_values(session, &form)
                    .await?
                    .into_iter()
                    .map(|v| (v.field, v.editable))
                    .collect(),
                None => Default::default(),
            };
            Ok(Some(DraftData {
                form_version: draft.form_version,
                answers,
                attempted_steps: draft.attempted_steps,
                csrf: csrf::token(session).await?.as_str().to_owned(),
                from_account,
            }))
        })
    }

    fn csrf_token<'a>(
        &'a self,
        request: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<String, InternalError>> {
        Box::pin(async move {
            match request.extensions.get::<tower_sessions::Session>() {
                Some(session) => Ok(csrf::token(session).await?.as_str().to_owned()),
                None => Ok(String::new()),
            }
        })
    }

    fn submission<'a>(
        &'a self,
        request: &'a http::request::Parts,
        form_id: &'a str,
        submission_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<SubmissionData>, InternalError>> {
        Box::pin(async move {
            let Ok(id) = Uuid::parse_str(submission_id) else {
                return Ok(None);
            };
            let record = match self.db.delivery_record(id).await {
                Ok(r) if r.submission.form_id == form_id => r,
                Ok(_) | Err(StoreError::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            // The receipt holds every answer: only for the session whose
            // draft became this submission.
            let own = match request.extensions.get::<tower_sessions::Session>() {
                Some(session) => {
                    session::Journey::new(session.clone())
                        .draft_for(form_id)
                        .await?
                        == Some(record.submission.draft_id)
                }
                None => false,
            };
            let awaiting_payment = record.submission.fee_cents > 0
                && self.db.payment_overview(id).await?.status
                    == crate::store::payments::SubmissionPayment::Open;
            let s = &record.submission;
            Ok(Some(SubmissionData {
                form_version: s.form_version,
                reference: s.reference.to_string(),
                submitted_at: format_time(s.submitted_at),
                status: match s.status {
                    SubmissionStatus::Received if awaiting_payment => {
                        DeliveryStatus::AwaitingPayment
                    }
                    SubmissionStatus::Received => DeliveryStatus::Received,
                    SubmissionStatus::Delivered => DeliveryStatus::Delivered,
                    SubmissionStatus::Filed => DeliveryStatus::Filed,
                    SubmissionStatus::Failed => DeliveryStatus::NeedsAttention,
                },
                delivered_at: record.delivered_at.map(format_time),
                filed_at: record.filed_at.map(|t| {
                    let t = crate::resume::german_time(t);
                    format!("{:02}.{:02}.{}", t.day(), u8::from(t.month()), t.year())
                }),
                receipt_available: own && record.purged_at.is_none(),
            }))
        })
    }

    fn env(&self) -> Env {
        env()
    }

    fn evaluate(&self, form: &Form, answers: &Answers) -> Arc<amtsweg_forms::Evaluation> {
        self.evaluations.evaluate(form, answers, &env())
    }

    fn saved<'a>(
        &'a self,
        request: &'a http::request::Parts,
        form_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<SavedData>, InternalError>> {
        Box::pin(async move { Ok(resume::saved_data(self, request, form_id).await?) })
    }
}

/// `23.11.2026, 15:05 Uhr`, German time.
fn format_time(t: OffsetDateTime) -> String {
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

/// The journey's POST routes. The step route takes files: its body limit
/// is `step_limit` ([`journey_uploads::step_body_limit`]) instead of axum's 2 MB; its
/// urlencoded bodies keep [`FORM_BODY_LIMIT`].
pub fn router(step_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/forms/{id}/starten", post(start))
        .route("/forms/{id}/absenden", post(submit))
        .route(
            "/forms/{id}/{step}",
            post(save_step).layer(DefaultBodyLimit::max(step_limit)),
        )
}

/// Largest urlencoded step body (axum's default for forms).
pub const FORM_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// What a step's POST carries besides the answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Posted {
    /// The answers in the engine's raw shape.
    pub answers: Answers,
    /// `_action`.
    pub action: Action,
}

/// What the citizen asked for with the button they pressed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Action {
    /// Save and go on.
    #[default]
    Continue,
    /// `add:group`: a new, empty entry.
    Add(String),
    /// `remove:group:1`: remove an entry.
    Remove(String, usize),
    /// `remove-file:field:<upload id>`: remove an uploaded file.
    RemoveFile(String, String),
    /// `save-for-later`: save as entered, then show the resume link
    /// ([`resume`]).
    SaveForLater,
}

impl Action {
    fn parse(text: &str) -> Action {
        let mut parts = text.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("add"), Some(group), None) => Action::Add(group.to_owned()),
            (Some("save-for-later"), None, None) => Action::SaveForLater,
            (Some("remove-file"), Some(field), Some(id)) => {
                Action::RemoveFile(field.to_owned(), id.to_owned())
            }
            (Some("remove"), Some(group), Some(index)) => match index.parse() {
                Ok(i) => Action::Remove(group.to_owned(), i),
                Err(_) => Action::Continue,
            },
            _ => Action::Continue,
        }
    }
}

/// Parses `application/x-www-form-urlencoded` pairs: dotted names become
/// nested objects (`anschrift.street`), numeric segments array entries
/// (`haushalt.0.vorname`), repeated names arrays (checkboxes). Names
/// starting with `_` are controls (`_csrf`, `_action`).
/// The answers are read by [`form_data::answers_from_pairs`], the very
/// code the browser's live checks run.
pub fn parse_form(pairs: &[(String, String)]) -> Posted {
    let mut posted = Posted::default();
    for (name, value) in pairs {
        if name == "_action" {
            // Several buttons cannot be pressed at once; the last
            // non-"continue" one wins (the hidden default comes first).
            let action = Action::parse(value);
            if action != Action::Continue {
                posted.action = action;
            }
        }
    }
    posted.answers =
        form_data::answers_from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    posted
}

/// Puts the posted answers of a step into the raw answers (shared with the
/// browser, see [`form_data::merge_step`]).
pub use amtsweg_app::form_data::merge_step;

/// Applies "add" or "remove" to a group of the raw answers.
pub fn apply_action(raw: &mut Answers, action: &Action) {
    match action {
        // Files are removed by `journey_uploads::remove_file_answer`.
        Action::Continue | Action::RemoveFile(..) | Action::SaveForLater => {}
        Action::Add(group) => {
            let entries = raw
                .entry(group.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !entries.is_array() {
                *entries = Value::Array(Vec::new());
            }
            if let Value::Array(items) = entries
                && items.len() < form_data::MAX_INDEX
            {
                items.push(Value::Object(Map::new()));
            }
        }
        Action::Remove(group, index) => {
            if let Some(Value::Array(items)) = raw.get_mut(group)
                && *index < items.len()
            {
                items.remove(*index);
            }
        }
    }
}

/// The query string to pass on: only `zurueck` and `lang`.
fn kept_query(query: Option<&str>) -> Query {
    let mut kept = Query::default();
    for pair in query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if KEPT_QUERY.contains(&key) {
            match key {
                "zurueck" => kept.back_to_check = value == "pruefen",
                _ => kept.english = value.starts_with("en"),
            }
        }
    }
    kept
}

#[derive(Debug, Clone, Copy, Default)]
struct Query {
    back_to_check: bool,
    english: bool,
}

impl Query {
    fn url(&self, path: &str, with_back: bool) -> String {
        let mut params = Vec::new();
        if with_back && self.back_to_check {
            params.push("zurueck=pruefen");
        }
        if self.english {
            params.push("lang=en");
        }
        if params.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", params.join("&"))
        }
    }
}

fn see_other(to: String) -> Response {
    Redirect::to(&to).into_response()
}

/// `POST /forms/{id}/starten`: a new draft (or the open one), then the first
/// step.
async fn start(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
    RawQuery(query): RawQuery,
    session: tower_sessions::Session,
    _checked: CsrfForm,
) -> Result<Response, JourneyError> {
    let query = kept_query(query.as_deref());
    let journey = state.journey.clone();
    let form = journey
        .form(&form_id, None)
        .await?
        .ok_or(JourneyError::NotFound)?;
    let definition = form.definition();
    if !state.auth.may_use(&session, &definition.access).await? {
        // Login missing or not enough: the start page explains it.
        return Ok(see_other(query.url(&format!("/forms/{form_id}"), false)));
    }
    let sessions = session::Journey::new(session);
    let draft = match journey.open_draft(&sessions, &form_id).await? {
        Some(draft) => draft,
        None => {
            let expires = OffsetDateTime::now_utc()
                + time::Duration::days(i64::from(definition.draft_expiry_days));
            let (draft, _token) = journey
                .db
                .create_draft(&form_id, definition.version, expires)
                .await?;
            sessions.set_draft(&form_id, draft.id).await?;
            // Logged in: the draft is the account's ("Meine Anträge").
            crate::auth::accounts::claim_new_draft(&journey.db, sessions.session(), draft.id)
                .await?;
            draft
        }
    };
    let mut answers = match &draft.answers {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    // A logged-in citizen's account fills the fields that ask for it.
    let prefilled = prefill_values(sessions.session(), &form).await?;
    if prefill::apply(&mut answers, &prefilled, When::Start) {
        journey
            .db
            .save_draft(
                draft.id,
                &Value::Object(answers.clone()),
                &draft.attempted_steps,
                draft.contact_email.as_deref(),
            )
            .await?;
    }
    let eval = journey.evaluations.evaluate(&form, &answers, &env());
    let to = match eval.applicable_steps().next() {
        Some(step) => format!("/forms/{form_id}/{step}"),
        None => format!("/forms/{form_id}/pruefen"),
    };
    Ok(see_other(query.url(&to, false)))
}

/// `POST /forms/{id}/{step}`: save the step (and store its files), then go
/// on or back. Takes `application/x-www-form-urlencoded` and, for steps
/// with a file field, `multipart/form-data` ([`journey_uploads`]).
async fn save_step(
    State(state): State<AppState>,
    Path((form_id, step_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    session: tower_sessions::Session,
    request: Request,
) -> Response {
    let query = kept_query(query.as_deref());
    match save_step_inner(&state, &form_id, &step_id, query, session, request).await {
        Ok(response) | Err(response) => response,
    }
}

fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

async fn save_step_inner(
    state: &AppState,
    form_id: &str,
    step_id: &str,
    query: Query,
    session: tower_sessions::Session,
    request: Request,
) -> Result<Response, Response> {
    let journey = state.journey.clone();
    let sessions = session::Journey::new(session.clone());
    let start_page = query.url(&format!("/forms/{form_id}"), false);
    let draft = journey
        .open_draft(&sessions, form_id)
        .await
        .map_err(IntoResponse::into_response)?;
    let form = match &draft {
        Some(d) => Some(
            journey
                .form(form_id, Some(d.form_version))
                .await
                .map_err(IntoResponse::into_response)?
                .ok_or_else(|| JourneyError::NotFound.into_response())?,
        ),
        None => None,
    };
    let step = form
        .as_ref()
        .and_then(|f| f.definition().steps.iter().find(|s| s.id == step_id));
    if form.is_some() && step.is_none() {
        return Err(JourneyError::NotFound.into_response());
    }
    let mut raw = match draft.as_ref().map(|d| &d.answers) {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    };

    // Read the body; CSRF is checked before anything is stored.
    let (pairs, uploaded) = if is_multipart(&request) {
        csrf::check_origin(request.headers(), &state.public_url)
            .map_err(IntoResponse::into_response)?;
        let multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| CsrfRejection::Body(e.body_text()).into_response())?;
        let target = match (&draft, step) {
            (Some(d), Some(step)) => Some(UploadTarget {
                storage: &state.uploads,
                step,
                draft_id: d.id,
                raw: &raw,
            }),
            _ => None,
        };
        let limit = u64::try_from(journey_uploads::step_body_limit(
            state.uploads.settings().max_bytes,
        ))
        .unwrap_or(u64::MAX);
        let read = read_multipart(multipart, &session, target, limit)
            .await
            .map_err(IntoResponse::into_response)?;
        (read.pairs, Some((read.stored, read.failures)))
    } else {
        let request = request.map(|body| Body::new(Limited::new(body, FORM_BODY_LIMIT)));
        let CsrfForm(pairs) = CsrfForm::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        (pairs, None)
    };
    let (Some(draft), Some(form), Some(step)) = (draft, form.as_ref(), step) else {
        // No draft (expired, submitted, another browser): start again.
        return Ok(see_other(start_page));
    };
    let posted = parse_form(&pairs);
    let (stored, failures) = uploaded.unwrap_or_default();
    journey_uploads::add_files(&mut raw, stored);
    journey_uploads::set_upload_failures(&mut raw, step_id, &failures);

    let env = env();
    let before = journey.evaluations.evaluate(form, &raw, &env);
    let not_shown: Vec<String> = step
        .fields
        .iter()
        .filter(|f| f.visible_if.is_some() && !before.field(&f.id).visible)
        .map(|f| f.id.clone())
        .collect();
    // Read-only values from the account stay what the account says.
    let prefilled = prefill_values(&session, form)
        .await
        .map_err(|e| JourneyError::from(e).into_response())?;
    let lock = |raw: &mut Answers| {
        prefill::apply(raw, &prefilled, When::Save);
    };
    let mut attempted = draft.attempted_steps;
    let step_url = query.url(&format!("/forms/{form_id}/{step_id}"), true);
    let save = |raw: Answers, attempted: Vec<String>, email: Option<String>| {
        let journey = journey.clone();
        async move {
            journey
                .db
                .save_draft(draft.id, &Value::Object(raw), &attempted, email.as_deref())
                .await
                .map_err(|e| JourneyError::from(e).into_response())
        }
    };

    if posted.action == Action::SaveForLater {
        // Kept as entered, like "continue", but not checked: the step is
        // not marked as attempted.
        merge_step(&mut raw, step, &posted.answers, &not_shown, false);
        lock(&mut raw);
        save(raw, attempted, draft.contact_email.clone()).await?;
        resume::issue_link(state, &sessions, form, draft.id)
            .await
            .map_err(IntoResponse::into_response)?;
        let to = query.url(&format!("/forms/{form_id}/gespeichert"), false);
        return Ok(see_other(to));
    }

    if posted.action != Action::Continue {
        merge_step(&mut raw, step, &posted.answers, &not_shown, true);
        lock(&mut raw);
        apply_action(&mut raw, &posted.action);
        let removed = match &posted.action {
            Action::RemoveFile(field, id)
                if step
                    .fields
                    .iter()
                    .any(|f| &f.id == field && f.kind == FieldType::File) =>
            {
                journey_uploads::remove_file_answer(&mut raw, field, id).then_some(id.clone())
            }
            _ => None,
        };
        let group_len = |raw: &Answers, group: &str| match raw.get(group) {
            Some(Value::Array(items)) => items.len().saturating_sub(1),
            _ => 0,
        };
        let anchor = match &posted.action {
            Action::Add(group) => format!("#{group}.{}", group_len(&raw, group)),
            Action::Remove(group, _) | Action::RemoveFile(group, _) => format!("#{group}"),
            Action::Continue | Action::SaveForLater => String::new(),
        };
        if !failures.is_empty() {
            attempted.retain(|s| s != step_id);
            attempted.push(step_id.to_owned());
        }
        save(raw, attempted, draft.contact_email.clone()).await?;
        if let Some(id) = removed {
            // After the draft no longer refers to it.
            journey_uploads::delete_file(&state.uploads, &id).await;
        }
        return Ok(see_other(format!("{step_url}{anchor}")));
    }

    merge_step(&mut raw, step, &posted.answers, &not_shown, false);
    lock(&mut raw);
    let eval = journey.evaluations.evaluate(form, &raw, &env);
    let has_errors = eval.step_errors(step_id).next().is_some() || !failures.is_empty();
    attempted.retain(|s| s != step_id);
    if has_errors {
        attempted.push(step_id.to_owned());
    }
    let email = contact_email(form, &eval.answers).or(draft.contact_email.clone());
    save(raw, attempted, email).await?;
    if has_errors {
        return Ok(see_other(step_url));
    }
    let to = if query.back_to_check {
        format!("/forms/{form_id}/pruefen")
    } else {
        match eval.next_step(step_id) {
            Some(next) => format!("/forms/{form_id}/{next}"),
            None => format!("/forms/{form_id}/pruefen"),
        }
    };
    Ok(see_other(query.url(&to, false)))
}

/// The e-mail address the form's answers give for the confirmation mail:
/// the answer of the first e-mail field marked `autocomplete: "email"`
/// (the address of the person filling in the form), else the first valid
/// e-mail answer.
fn contact_email(form: &Form, answers: &Answers) -> Option<String> {
    let emails = || {
        form.definition()
            .steps
            .iter()
            .flat_map(|s| s.fields.iter())
            .filter(|f| f.kind == FieldType::Email)
    };
    let answer = |f: &amtsweg_forms::Field| {
        answers
            .get(&f.id)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
    };
    emails()
        .filter(|f| f.autocomplete.as_deref() == Some("email"))
        .find_map(answer)
        .or_else(|| emails().find_map(answer))
}

/// `POST /forms/{id}/absenden`: submit once; every repeat of the POST
/// answers with the same submission.
async fn submit(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
    RawQuery(query): RawQuery,
    session: tower_sessions::Session,
    _checked: CsrfForm,
) -> Result<Response, JourneyError> {
    let query = kept_query(query.as_deref());
    let journey = state.journey.clone();
    let sessions = session::Journey::new(session);
    let start_page = query.url(&format!("/forms/{form_id}"), false);
    let Some(draft_id) = sessions.draft_for(&form_id).await? else {
        return Ok(see_other(start_page));
    };
    let draft = match journey.db.draft(draft_id).await {
        Ok(draft) if draft.form_id == form_id => draft,
        Ok(_) | Err(StoreError::NotFound) => return Ok(see_other(start_page)),
        Err(e) => return Err(e.into()),
    };
    let confirmation = |id: Uuid| query.url(&format!("/forms/{form_id}/bestaetigung/{id}"), false);
    let payment = |id: Uuid| query.url(&format!("/forms/{form_id}/bezahlung/{id}"), false);
    if draft.state == DraftState::Submitted {
        if let Some(existing) = journey.db.submission_for_draft(draft.id).await? {
            // A repeated POST: where the first one led, while unpaid.
            if existing.fee_cents > 0
                && journey.db.payment_overview(existing.id).await?.status
                    == crate::store::payments::SubmissionPayment::Open
            {
                return Ok(see_other(payment(existing.id)));
            }
            return Ok(see_other(confirmation(existing.id)));
        }
        return Ok(see_other(start_page));
    }
    let form = journey
        .form(&form_id, Some(draft.form_version))
        .await?
        .ok_or(JourneyError::NotFound)?;
    if !state
        .auth
        .may_use(sessions.session(), &form.definition().access)
        .await?
    {
        return Ok(see_other(start_page));
    }
    let raw = match &draft.answers {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let eval = journey.evaluations.evaluate(&form, &raw, &env());
    if let Some(step) = eval.first_step_with_errors() {
        let mut url = query.url(&format!("/forms/{form_id}/{step}"), false);
        url.push_str(if url.contains('?') {
            "&fehler=1"
        } else {
            "?fehler=1"
        });
        return Ok(see_other(url));
    }
    let fee = u32::try_from(eval.fee_total_cents().max(0)).unwrap_or(u32::MAX);
    let login = crate::auth::login::current(sessions.session()).await?;
    let details = SubmissionDetails {
        summary_de: form.summary(&eval, Lang::De),
        summary_en: form.summary(&eval, Lang::En),
        lang: Some(if query.english { "en" } else { "de" }.to_owned()),
        // The form's own address, else the one given for the resume
        // link, else the service account's.
        contact_email: contact_email(&form, &eval.answers)
            .or(draft.contact_email.clone())
            .or(login.and_then(|l| l.claims.email)),
        fees: eval.fees.clone(),
    };
    let submission = match journey
        .db
        .submit_with_details(
            draft.id,
            &Value::Object(eval.answers.clone()),
            fee,
            &details,
            OffsetDateTime::now_utc(),
        )
        .await
    {
        Ok(s) => s,
        Err(StoreError::Expired) => return Ok(see_other(start_page)),
        Err(e) => return Err(e.into()),
    };
    // The package leaves now, not at the worker's next poll.
    if let Some(delivery) = &state.delivery {
        delivery.wake.notify_waiters();
    }
    tracing::info!(form = %form_id, "application submitted");
    if submission.fee_cents > 0 {
        // Stored; delivered once the fee is paid (`payment_journey`).
        return Ok(see_other(payment(submission.id)));
    }
    Ok(see_other(confirmation(submission.id)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn dotted_names_become_objects_and_arrays() {
        let posted = parse_form(&pairs(&[
            ("_csrf", "t"),
            ("name", "Erika"),
            ("anschrift.street", "Markt"),
            ("anschrift.postal_code", "99423"),
            ("haushalt.1.vorname", "Max"),
            ("haushalt.0.vorname", "Erika"),
            ("haushalt.0.rolle", "a"),
            ("haushalt.0.rolle", "b"),
            ("gruende", "x"),
            ("gruende", "y"),
        ]));
        assert_eq!(posted.action, Action::Continue);
        assert_eq!(
            Value::Object(posted.answers),
            json!({
                "name": "Erika",
                "anschrift": {"street": "Markt", "postal_code": "99423"},
                "haushalt": [{"vorname": "Erika", "rolle": ["a", "b"]}, {"vorname": "Max"}],
                "gruende": ["x", "y"],
            })
        );
    }

    #[test]
    fn actions_are_parsed_and_the_default_button_loses() {
        let posted = parse_form(&pairs(&[
            ("_action", "continue"),
            ("_action", "add:haushalt"),
        ]));
        assert_eq!(posted.action, Action::Add("haushalt".into()));
        let posted = parse_form(&pairs(&[("_action", "remove:haushalt:1")]));
        assert_eq!(posted.action, Action::Remove("haushalt".into(), 1));
        let posted = parse_form(&pairs(&[("_action", "remove:haushalt:x")]));
        assert_eq!(posted.action, Action::Continue);
    }

    #[test]
    fn hostile_names_are_ignored() {
        let posted = parse_form(&pairs(&[
            ("a.b.c.d.e", "deep"),
            ("g.1000.x", "far"),
            ("x..y", "empty segment"),
            ("_other", "control"),
            ("ok", "1"),
            ("ok.sub", "2"),
        ]));
        assert_eq!(Value::Object(posted.answers), json!({"ok": {"sub": "2"}}));
    }

    fn step() -> amtsweg_forms::Step {
        serde_json::from_value(json!({
            "id": "s", "title": {"de": "S"}, "fields": [
                {"id": "name", "type": "text", "label": {"de": "Name"}},
                {"id": "wahl", "type": "checkboxes", "label": {"de": "Wahl"},
                 "options": [{"value": "a", "label": {"de": "A"}}]},
                {"id": "ok", "type": "declaration", "label": {"de": "OK"}},
                {"id": "versteckt", "type": "text", "label": {"de": "V"}},
                {"id": "datei", "type": "file", "label": {"de": "D"}},
                {"id": "leute", "type": "group", "label": {"de": "Leute"}, "fields": [
                    {"id": "vorname", "type": "text", "label": {"de": "Vorname"}}
                ]}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn merge_touches_only_the_steps_fields() {
        let mut raw = json!({
            "anderer_schritt": "bleibt", "name": "alt", "wahl": ["a"], "ok": "true",
            "versteckt": "bleibt auch", "datei": [{"id": "f"}]
        })
        .as_object()
        .unwrap()
        .clone();
        let posted = parse_form(&pairs(&[
            ("name", "neu"),
            ("leute.0.vorname", "Erika"),
            ("leute.1.vorname", ""),
        ]))
        .answers;
        merge_step(&mut raw, &step(), &posted, &["versteckt".to_owned()], false);
        assert_eq!(
            Value::Object(raw),
            json!({
                "anderer_schritt": "bleibt", "name": "neu", "wahl": [],
                "versteckt": "bleibt auch", "datei": [{"id": "f"}],
                "leute": [{"vorname": "Erika"}]
            })
        );
    }

    #[test]
    fn add_and_remove_entries() {
        let mut raw = Map::new();
        apply_action(&mut raw, &Action::Add("leute".into()));
        apply_action(&mut raw, &Action::Add("leute".into()));
        assert_eq!(raw["leute"], json!([{}, {}]));
        apply_action(&mut raw, &Action::Remove("leute".into(), 0));
        apply_action(&mut raw, &Action::Remove("leute".into(), 5));
        assert_eq!(raw["leute"], json!([{}]));
    }

    #[test]
    fn query_keeps_language_and_return() {
        let q = kept_query(Some("lang=en&zurueck=pruefen&x=1"));
        assert_eq!(
            q.url("/forms/a/b", true),
            "/forms/a/b?zurueck=pruefen&lang=en"
        );
        assert_eq!(q.url("/forms/a", false), "/forms/a?lang=en");
        assert_eq!(kept_query(None).url("/forms/a", true), "/forms/a");
    }
}
