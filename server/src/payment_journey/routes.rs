//! The payment's routes; thin: parse, call [`super`], answer.
//!
//! ```text
//! GET  /forms/{id}/bezahlung/{submission}          the payment page (paid: → confirmation)
//! POST /forms/{id}/bezahlung/{submission}          create the attempt → 303 provider's page
//! GET  /forms/{id}/bezahlung/{submission}/zurueck  the provider sent the citizen back: read the
//!                                                  status from the provider → 303 confirmation
//!                                                  (paid) or the payment page (not paid)
//! GET  /demo-bezahlung/{tx}                        the demo provider's page
//! POST /demo-bezahlung/{tx}                        _action=pay|cancel|fail → 303 return URL
//! ```

use amtsweg_forms::Lang;
use axum::{
    Router,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use uuid::Uuid;

use super::{PayError, PaymentContext, Started, pages};
use crate::{
    csrf::{self, CsrfForm},
    payment::{DemoOutcome, PaymentStatus},
    routes::AppState,
    store::payments::SubmissionPayment,
};

/// The payment routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/forms/{id}/bezahlung/{submission}",
            get(payment_page).post(pay),
        )
        .route("/forms/{id}/bezahlung/{submission}/zurueck", get(returned))
        .route("/demo-bezahlung/{tx}", get(demo_page).post(demo_choice))
}

fn lang_of(query: Option<&str>) -> Lang {
    let english = query
        .unwrap_or("")
        .split('&')
        .any(|pair| pair == "lang=en" || pair.starts_with("lang=en"));
    if english { Lang::En } else { Lang::De }
}

fn context(state: &AppState) -> PaymentContext<'_> {
    PaymentContext {
        db: &state.db,
        journey: &state.journey,
        providers: &state.payments,
        public_url: &state.public_url,
    }
}

fn confirmation(form_id: &str, id: Uuid, lang: Lang) -> Response {
    Redirect::to(&pages::with_lang(
        &format!("/forms/{form_id}/bestaetigung/{id}"),
        lang,
    ))
    .into_response()
}

fn payment_path(form_id: &str, id: Uuid) -> String {
    format!("/forms/{form_id}/bezahlung/{id}")
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "Diese Seite gibt es nicht. / This page does not exist.\n",
    )
        .into_response()
}

/// A failure the citizen sees as a clear page; the log has the details.
fn failure(error: &PayError, form_id: &str, id: Uuid, lang: Lang) -> Response {
    match error {
        PayError::NotFound => not_found(),
        PayError::Provider(e) => {
            tracing::warn!(error = %e, "payment provider call failed");
            pages::provider_error_page(
                e.message_de(),
                e.message_en(),
                &payment_path(form_id, id),
                lang,
            )
        }
        other => {
            tracing::error!(error = %other, "payment request failed");
            pages::provider_error_page(
                "Die Bezahlung kann gerade nicht durchgeführt werden. Ihr Antrag ist gespeichert; bitte versuchen Sie es später noch einmal.",
                "The payment cannot be made right now. Your application is saved; please try again later.",
                &payment_path(form_id, id),
                lang,
            )
        }
    }
}

async fn payment_page(
    State(state): State<AppState>,
    Path((form_id, submission)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    session: tower_sessions::Session,
) -> Response {
    let lang = lang_of(query.as_deref());
    let Ok(id) = Uuid::parse_str(&submission) else {
        return not_found();
    };
    show(&state, &form_id, id, lang, &session, pages::Notice::None).await
}

async fn show(
    state: &AppState,
    form_id: &str,
    id: Uuid,
    lang: Lang,
    session: &tower_sessions::Session,
    notice: pages::Notice,
) -> Response {
    let view = match super::view(context(state), form_id, id).await {
        Ok(v) => v,
        Err(e) => return failure(&e, form_id, id, lang),
    };
    if view.overview.status != SubmissionPayment::Open {
        return confirmation(form_id, id, lang);
    }
    let token = match csrf::token(session).await {
        Ok(t) => t,
        Err(e) => return crate::csrf::CsrfRejection::Session(e).into_response(),
    };
    pages::payment_page(&view, lang, token.as_str(), notice)
}

async fn pay(
    State(state): State<AppState>,
    Path((form_id, submission)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    _checked: CsrfForm,
) -> Response {
    let lang = lang_of(query.as_deref());
    let Ok(id) = Uuid::parse_str(&submission) else {
        return not_found();
    };
    let ctx = context(&state);
    let view = match super::view(ctx, &form_id, id).await {
        Ok(v) => v,
        Err(e) => return failure(&e, &form_id, id, lang),
    };
    match super::start(ctx, &view, lang).await {
        Ok(Started::Paid) => confirmation(&form_id, id, lang),
        Ok(Started::Redirect(url)) => {
            if url.origin() == state.public_url.origin() {
                Redirect::to(url.as_str()).into_response()
            } else {
                pages::forward_page(url.as_str(), lang)
            }
        }
        Err(e) => failure(&e, &form_id, id, lang),
    }
}

async fn returned(
    State(state): State<AppState>,
    Path((form_id, submission)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    session: tower_sessions::Session,
) -> Response {
    let lang = lang_of(query.as_deref());
    let Ok(id) = Uuid::parse_str(&submission) else {
        return not_found();
    };
    let ctx = context(&state);
    // Only submissions of this form.
    if let Err(e) = super::view(ctx, &form_id, id).await {
        return failure(&e, &form_id, id, lang);
    }
    match super::check(ctx, id, super::Asker::Citizen).await {
        Ok(PaymentStatus::Paid) => {
            if let Some(delivery) = &state.delivery {
                delivery.wake.notify_waiters();
            }
            confirmation(&form_id, id, lang)
        }
        Ok(_) => Redirect::to(&pages::with_lang(&payment_path(&form_id, id), lang)).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "reading the payment status after the return failed");
            show(
                &state,
                &form_id,
                id,
                lang,
                &session,
                pages::Notice::Unchecked,
            )
            .await
        }
    }
}

async fn demo_page(
    State(state): State<AppState>,
    Path(tx): Path<String>,
    RawQuery(query): RawQuery,
    session: tower_sessions::Session,
) -> Response {
    let lang = lang_of(query.as_deref());
    let Some(payment) = state.payments.demo().payment(&tx) else {
        return pages::demo_unknown_page(lang);
    };
    match csrf::token(&session).await {
        Ok(token) => pages::demo_page(&payment, token.as_str(), lang),
        Err(e) => crate::csrf::CsrfRejection::Session(e).into_response(),
    }
}

async fn demo_choice(
    State(state): State<AppState>,
    Path(tx): Path<String>,
    RawQuery(query): RawQuery,
    CsrfForm(pairs): CsrfForm,
) -> Response {
    let lang = lang_of(query.as_deref());
    let demo = state.payments.demo();
    let Some(payment) = demo.payment(&tx) else {
        return pages::demo_unknown_page(lang);
    };
    let outcome = match pairs
        .iter()
        .find(|(name, _)| name == "_action")
        .map(|(_, v)| v.as_str())
    {
        Some("pay") => DemoOutcome::Paid,
        Some("cancel") => DemoOutcome::Canceled,
        Some("fail") => DemoOutcome::Failed,
        _ => {
            return Redirect::to(&pages::with_lang(
                &crate::payment::demo::demo_page_path(&tx),
                lang,
            ))
            .into_response();
        }
    };
    // A second, different choice (another tab) is refused; the return
    // shows what counts either way.
    if let Err(e) = demo.complete(&tx, outcome) {
        tracing::info!(error = %e, "demo payment already finished");
    }
    Redirect::to(payment.return_url.as_str()).into_response()
}
