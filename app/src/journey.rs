//! The citizen journey as the pages see it: what each page shows (the
//! `*View` types, plain serializable data), the server functions that
//! build them, and the interface the server implements to provide forms,
//! drafts and submissions ([`ssr::JourneyBackend`]).
//!
//! The pages render only from a view, so they render the same on the
//! server and after hydration. Views are built on the server from the
//! form engine's [`Evaluation`](amtsweg_forms::Evaluation): which steps
//! apply, which fields are shown, the errors of steps the citizen already
//! tried to save, the summary and the fees.
//!
//! Decisions (see also docs/architecture.md, "Citizen journey"):
//! - A field whose `visible_if` reads only answers of earlier steps is shown
//!   or left out as the engine says. A field whose rule reads a field of the
//!   same step is always rendered (a page without JavaScript cannot react),
//!   with a hint saying when it applies ("Nur ausfüllen, wenn …"); the engine
//!   drops its answer after the POST if it does not apply.
//! - Errors are shown only for steps the citizen tried to save
//!   (`attempted_steps` of the draft) or when the check page sent them back
//!   (`?fehler=1`), so a first visit shows no errors.

use std::collections::HashMap;

use amtsweg_forms::{
    Answers, Authority, ChoiceOption, FeeLine, FieldError, Lang, Step, SummarySection, Text,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::catalog::CatalogError;

/// Key in a draft's raw answers under which the server keeps the upload
/// errors of each step's last POST: `{"<step>": [{"field", "message"}]}`.
/// The step page shows them like validation errors; the engine ignores
/// the key (it reads only defined fields) and posted names starting with
/// `_` are never merged, so a citizen cannot set it.
pub const UPLOAD_ERRORS_KEY: &str = "_upload_errors";

/// What a journey server function found: the page, a redirect, or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome<T> {
    /// Show the page.
    Show(T),
    /// Go elsewhere (the server has already set `303 See Other`).
    Redirect(String),
    /// No such form, step or submission.
    NotFound,
}

/// A fee as the start page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeInfo {
    pub purpose: Text,
    /// `None`: computed from the answers.
    pub amount_cents: Option<i64>,
}

/// The start page of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartView {
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub description: Option<Text>,
    pub requirements: Vec<Text>,
    pub duration_minutes: Option<u32>,
    pub privacy_notice: Option<Text>,
    pub authority: Authority,
    /// Whether the visitor may fill the form in (login with the
    /// Servicekonto, trust level, account type), see [`crate::auth`].
    pub access: crate::auth::FormAccess,
    pub fees: Vec<FeeInfo>,
    /// The citizen has a draft of this form: "continue" instead of "start".
    pub has_draft: bool,
    pub csrf: String,
}

/// One step of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub form_id: String,
    /// The form version the draft is pinned to (the live checks load its
    /// definition, see [`crate::live`]).
    pub version: u32,
    pub form_title: Text,
    /// The step's definition (fields, labels, hints, rules).
    pub step: Step,
    /// The options of each choice field (resolved code lists), by field id.
    pub options: HashMap<String, Vec<ChoiceOption>>,
    /// Position among the applicable steps, from 1.
    pub number: usize,
    /// Number of applicable steps.
    pub count: usize,
    /// The raw answers as the citizen entered them.
    pub answers: Answers,
    /// Errors to show on this step.
    pub errors: Vec<FieldError>,
    /// Paths of fields left out because a rule on an earlier step hides them.
    pub hidden: Vec<String>,
    /// When a field applies, for fields whose rule reads the same step.
    pub conditions: HashMap<String, Text>,
    /// Paths of those fields (group entries included) whose rule is false
    /// for the saved answers: hidden at once where the live checks run.
    pub unmet_conditions: Vec<String>,
    /// The previous applicable step (`None`: the start page).
    pub previous: Option<String>,
    /// Saving returns to the check page ("Ändern" link).
    pub return_to_check: bool,
    pub csrf: String,
    /// Fields filled from the service account: whether each may be changed.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub from_account: HashMap<String, bool>,
}

/// "Check your answers".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    pub form_id: String,
    pub form_title: Text,
    pub sections: Vec<SummarySection>,
    pub fees: Vec<FeeLine>,
    pub total_cents: i64,
    /// The last applicable step (back link).
    pub last_step: Option<String>,
    pub csrf: String,
}

/// The confirmation after submitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmationView {
    pub form_id: String,
    /// The submission's id (in the receipt's URL).
    pub submission_id: String,
    pub form_title: Text,
    pub authority: Authority,
    /// `AW-2026-000123`.
    pub reference: String,
    /// When it was received, German time (`01.12.2026, 14:03 Uhr`).
    pub submitted_at: String,
    /// Where it is on its way into the authority's e-file.
    pub status: DeliveryStatus,
    /// When it was handed to the authority's e-file, German time.
    pub delivered_at: Option<String>,
    /// When the e-file confirmed filing it, German date.
    pub filed_at: Option<String>,
    /// The receipt (PDF) can be downloaded in this browser: the session
    /// that submitted it, before the retention period ended.
    pub receipt_available: bool,
}

/// A submission's way into the authority's e-file, as the citizen sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    /// Stored; the package is on its way.
    Received,
    /// Handed to the authority's e-file.
    Delivered,
    /// The e-file confirmed that it is filed.
    Filed,
    /// The e-file did not take it; the operators take care of it.
    NeedsAttention,
    /// Stored, but the fee is not paid yet: not sent to the authority.
    AwaitingPayment,
}

/// The start page's data.
#[server(endpoint = "journey_start")]
pub async fn load_start(id: String) -> Result<Outcome<StartView>, CatalogError> {
    ssr::start(&id).await
}

/// One step's data.
#[server(endpoint = "journey_step")]
pub async fn load_step(
    id: String,
    step: String,
    show_errors: bool,
    return_to_check: bool,
    lang: Lang,
) -> Result<Outcome<StepView>, CatalogError> {
    ssr::step(&id, &step, show_errors, return_to_check, lang).await
}

/// The check page's data.
#[server(endpoint = "journey_check")]
pub async fn load_check(id: String, lang: Lang) -> Result<Outcome<CheckView>, CatalogError> {
    ssr::check(&id, lang).await
}

/// The confirmation page's data.
#[server(endpoint = "journey_confirmation")]
pub async fn load_confirmation(
    id: String,
    submission: String,
) -> Result<Outcome<ConfirmationView>, CatalogError> {
    ssr::confirmation(&id, &submission).await
}

/// The URL of a step, with `lang` kept.
pub fn step_href(form_id: &str, step_id: &str, lang: Lang) -> String {
    crate::i18n::href(&format!("/forms/{form_id}/{step_id}"), lang)
}

/// The URL of the check page, with `lang` kept.
pub fn check_href(form_id: &str, lang: Lang) -> String {
    crate::i18n::href(&format!("/forms/{form_id}/pruefen"), lang)
}

/// Server-only part: the interface the server implements and the builders
/// of the views.
#[cfg(feature = "ssr")]
pub mod ssr {
    use std::{collections::HashMap, sync::Arc};

    use amtsweg_forms::{
        Answers, Env, Evaluation, Field, FieldError, FieldType, Form, Lang, Text, rules,
    };
    use leptos::prelude::use_context;
    use serde_json::Value;

    use super::{
        CheckView, ConfirmationView, FeeInfo, Outcome, StartView, StepView, check_href, step_href,
    };
    use crate::catalog::{
        CatalogError,
        ssr::{AppContext, BoxFuture, InternalError},
    };
    use crate::i18n::href;

    /// A citizen's unfinished application, as the pages need it.
    #[derive(Debug, Clone, PartialEq)]
    pub struct DraftData {
        /// The form version the draft is pinned to.
        pub form_version: u32,
        /// Raw answers (kept even when invalid).
        pub answers: Answers,
        /// Steps the citizen tried to save with errors.
        pub attempted_steps: Vec<String>,
        /// The CSRF token to put into every form.
        pub csrf: String,
        /// Fields filled from the login's service account, by id: whether
        /// the citizen may change them (see the server's `auth::prefill`).
        pub from_account: HashMap<String, bool>,
    }

    /// A stored submission, as the confirmation page needs it.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SubmissionData {
        pub form_version: u32,
        pub reference: String,
        /// German time, as the page shows it.
        pub submitted_at: String,
        pub status: super::DeliveryStatus,
        pub delivered_at: Option<String>,
        pub filed_at: Option<String>,
        pub receipt_available: bool,
    }

    /// Forms, drafts and submissions, implemented by the server.
    pub trait JourneyBackend: Send + Sync + 'static {
        /// A published form: the given version, or the latest.
        fn form<'a>(
            &'a self,
            form_id: &'a str,
            version: Option<u32>,
        ) -> BoxFuture<'a, Result<Option<Arc<Form>>, InternalError>>;
        /// The requesting citizen's draft of a form (from the request's
        /// cookies).
        fn draft<'a>(
            &'a self,
            request: &'a http::request::Parts,
            form_id: &'a str,
        ) -> BoxFuture<'a, Result<Option<DraftData>, InternalError>>;
        /// The session's CSRF token (for the start page, which has no
        /// draft yet).
        fn csrf_token<'a>(
            &'a self,
            request: &'a http::request::Parts,
        ) -> BoxFuture<'a, Result<String, InternalError>>;
        /// A submission of a form by its UUID.
        fn submission<'a>(
            &'a self,
            request: &'a http::request::Parts,
            form_id: &'a str,
            submission_id: &'a str,
        ) -> BoxFuture<'a, Result<Option<SubmissionData>, InternalError>>;
        /// Today, for the engine.
        fn env(&self) -> Env;
        /// The engine's evaluation of `answers` today. The server keeps
        /// recent ones: the GET after a step's POST-redirect evaluates the
        /// very answers the POST just did.
        fn evaluate(&self, form: &Form, answers: &Answers) -> Arc<Evaluation> {
            Arc::new(form.evaluate(answers, &self.env()))
        }
        /// "Save and continue later": the saved page's data for the
        /// requesting citizen's open draft of a form (`None`: no open
        /// draft). Takes the link kept for this one GET out of the session.
        fn saved<'a>(
            &'a self,
            request: &'a http::request::Parts,
            form_id: &'a str,
        ) -> BoxFuture<'a, Result<Option<crate::saved::ssr::SavedData>, InternalError>>;
    }

    pub(crate) fn backend() -> Result<(Arc<dyn JourneyBackend>, http::request::Parts), CatalogError>
    {
        let context = use_context::<AppContext>();
        let parts = use_context::<http::request::Parts>();
        match (context, parts) {
            (Some(context), Some(parts)) => Ok((context.journey, parts)),
            _ => {
                tracing::error!("AppContext or request missing: the server did not provide it");
                Err(CatalogError::Unavailable)
            }
        }
    }

    pub(crate) fn log_error(error: InternalError) -> CatalogError {
        tracing::error!(error = %error, "the citizen journey could not read its data");
        CatalogError::Unavailable
    }

    /// Sends the browser elsewhere (303 on the server-rendered response).
    pub(crate) fn redirect<T>(to: String) -> Outcome<T> {
        leptos_axum::redirect(&to);
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(http::StatusCode::SEE_OTHER);
        }
        Outcome::Redirect(to)
    }

    /// The form of a draft: its pinned version.
    pub(crate) async fn form_and_draft(
        backend: &dyn JourneyBackend,
        parts: &http::request::Parts,
        id: &str,
    ) -> Result<Option<(Arc<Form>, Option<DraftData>)>, CatalogError> {
        let draft = backend.draft(parts, id).await.map_err(log_error)?;
        let version = draft.as_ref().map(|d| d.form_version);
        let form = backend.form(id, version).await.map_err(log_error)?;
        Ok(form.map(|form| (form, draft)))
    }

    pub(super) async fn start(id: &str) -> Result<Outcome<StartView>, CatalogError> {
        let (backend, parts) = backend()?;
        let Some(form) = backend.form(id, None).await.map_err(log_error)? else {
            return Ok(Outcome::NotFound);
        };
        let draft = backend.draft(&parts, id).await.map_err(log_error)?;
        let csrf = match &draft {
            Some(d) => d.csrf.clone(),
            None => backend.csrf_token(&parts).await.map_err(log_error)?,
        };
        let access = crate::auth::ssr::form_access(&form.definition().access).await?;
        Ok(Outcome::Show(start_view(
            &form,
            draft.is_some(),
            csrf,
            access,
        )))
    }

    /// The start page's view of a form.
    pub fn start_view(
        form: &Form,
        has_draft: bool,
        csrf: String,
        access: crate::auth::FormAccess,
    ) -> StartView {
        let d = form.definition();
        StartView {
            id: d.id.clone(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            description: d.description.clone(),
            requirements: d.requirements.clone(),
            duration_minutes: d.duration_minutes,
            privacy_notice: d.privacy_notice.clone(),
            authority: d.authority.clone(),
            access,
            fees: d
                .fees
                .iter()
                .map(|f| FeeInfo {
                    purpose: f.purpose.clone(),
                    amount_cents: if f.amount_rule.is_some() || f.applies_if.is_some() {
                        None
                    } else {
                        f.amount_cents
                    },
                })
                .collect(),
            has_draft,
            csrf,
        }
    }

    pub(super) async fn step(
        id: &str,
        step_id: &str,
        show_errors: bool,
        return_to_check: bool,
        lang: Lang,
    ) -> Result<Outcome<StepView>, CatalogError> {
        let (backend, parts) = backend()?;
        let Some((form, draft)) = form_and_draft(&*backend, &parts, id).await? else {
            return Ok(Outcome::NotFound);
        };
        if !form.definition().steps.iter().any(|s| s.id == step_id) {
            return Ok(Outcome::NotFound);
        }
        let Some(draft) = draft else {
            // No draft (new device, expired, cookies off): start again.
            return Ok(redirect(href(&format!("/forms/{id}"), lang)));
        };
        let eval = backend.evaluate(&form, &draft.answers);
        if !eval.is_applicable(step_id) {
            // A step that does not apply to these answers: the next one.
            let next = eval
                .next_step(step_id)
                .map(|s| step_href(id, s, lang))
                .unwrap_or_else(|| check_href(id, lang));
            return Ok(redirect(next));
        }
        let show_errors = show_errors || draft.attempted_steps.iter().any(|s| s == step_id);
        Ok(
            match step_view(&form, &draft, &eval, step_id, show_errors, lang) {
                Some(mut view) => {
                    view.return_to_check = return_to_check;
                    Outcome::Show(view)
                }
                None => Outcome::NotFound,
            },
        )
    }

    /// The view of one step for a draft and its evaluation, with the
    /// texts of `lang` only ([`Text::in_lang`]: the view is sent again as
    /// hydration data, and the other language would double it).
    pub fn step_view(
        form: &Form,
        draft: &DraftData,
        eval: &Evaluation,
        step_id: &str,
        show_errors: bool,
        lang: Lang,
    ) -> Option<StepView> {
        let d = form.definition();
        let step = d.steps.iter().find(|s| s.id == step_id)?;
        let applicable: Vec<&str> = eval.applicable_steps().collect();
        let number = applicable
            .iter()
            .position(|s| *s == step_id)
            .map_or(0, |p| p + 1);
        let step_fields: Vec<&str> = all_fields(&step.fields).map(|f| f.id.as_str()).collect();
        let mut options = HashMap::new();
        let mut conditions = HashMap::new();
        let mut hidden = Vec::new();
        for field in all_fields(&step.fields) {
            if field.kind.is_choice() {
                let choices = form.options(&field.id).iter();
                options.insert(field.id.clone(), choices.map(|o| o.in_lang(lang)).collect());
            }
            let Some(rule) = &field.visible_if else {
                continue;
            };
            let reads = rules::reads(&rule.0);
            let same_step = reads.dynamic
                || reads
                    .names
                    .iter()
                    .any(|name| step_fields.contains(&name.as_str()));
            if same_step {
                conditions.insert(
                    field.id.clone(),
                    condition_text(form, &rule.0).in_lang(lang),
                );
            }
        }
        // Top-level fields left out: hidden by rules on earlier steps, or by
        // a rule on this step that reads only fields left out here (nothing
        // on this page can change it, and its hint would name a question
        // that is not shown). In document order, so that chains follow.
        for field in &step.fields {
            let Some(rule) = &field.visible_if else {
                continue;
            };
            if eval.field(&field.id).visible {
                continue;
            }
            let fixed = !conditions.contains_key(&field.id) || {
                let reads = rules::reads(&rule.0);
                !reads.dynamic
                    && reads
                        .names
                        .iter()
                        .filter(|name| step_fields.contains(&name.as_str()))
                        .all(|name| hidden.contains(name))
            };
            if fixed {
                conditions.remove(&field.id);
                hidden.push(field.id.clone());
            }
        }
        let uploads = upload_errors(&draft.answers, step_id);
        let mut errors: Vec<FieldError> = uploads.clone();
        if show_errors {
            // An upload error says more than "please upload" for its field.
            errors.extend(
                eval.step_errors(step_id)
                    .filter(|e| !uploads.iter().any(|u| u.path == e.path))
                    .map(|e| FieldError {
                        message: e.message.in_lang(lang),
                        ..e.clone()
                    }),
            );
        }
        // The options of choice fields are in `options` (code lists
        // resolved): not a second time in the step.
        let mut step = step.in_lang(lang);
        fn drop_choices(fields: &mut [Field]) {
            for f in fields {
                if f.kind.is_choice() {
                    f.options.clear();
                }
                drop_choices(&mut f.fields);
            }
        }
        drop_choices(&mut step.fields);
        let unmet_conditions = crate::live::unmet_conditions(eval, conditions.keys());
        Some(StepView {
            form_id: d.id.clone(),
            version: d.version,
            form_title: d.title.in_lang(lang),
            options,
            number,
            count: applicable.len(),
            answers: draft.answers.clone(),
            errors,
            hidden,
            conditions,
            unmet_conditions,
            previous: eval.previous_step(step_id).map(str::to_owned),
            return_to_check: false,
            csrf: draft.csrf.clone(),
            from_account: draft.from_account.clone(),
            step,
        })
    }

    /// The upload errors the server kept for `step_id` (see
    /// [`UPLOAD_ERRORS_KEY`](super::UPLOAD_ERRORS_KEY)).
    pub fn upload_errors(answers: &Answers, step_id: &str) -> Vec<FieldError> {
        let Some(Value::Array(list)) = answers
            .get(super::UPLOAD_ERRORS_KEY)
            .and_then(|all| all.get(step_id))
        else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|item| {
                let field = item.get("field")?.as_str()?.to_owned();
                let message: Text = serde_json::from_value(item.get("message")?.clone()).ok()?;
                Some(FieldError {
                    path: field.clone(),
                    field_id: field,
                    step_id: step_id.to_owned(),
                    message,
                })
            })
            .collect()
    }

    /// Every field of a step, group children included, in order.
    fn all_fields(fields: &[Field]) -> impl Iterator<Item = &Field> {
        fields
            .iter()
            .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
    }

    /// "Nur ausfüllen, wenn …" for a rule: specific for the common shapes
    /// (`==`, `!=`, `in` on one field), generic otherwise.
    pub fn condition_text(form: &Form, rule: &Value) -> Text {
        specific_condition(form, rule).unwrap_or_else(|| {
            Text::new(
                "Nur ausfüllen, wenn es nach Ihren Angaben oben auf Sie zutrifft.",
                "Only answer this if it applies to you according to your answers above.",
            )
        })
    }

    fn specific_condition(form: &Form, rule: &Value) -> Option<Text> {
        let Value::Object(obj) = rule else {
            return None;
        };
        let (op, args) = obj.iter().next()?;
        let args = args.as_array()?;
        let var = |v: &Value| v.get("var").and_then(Value::as_str).map(str::to_owned);
        let answer = |field: &Field, v: &Value, lang: Lang| -> String {
            match (field.kind, v) {
                (_, Value::Bool(b)) => match (lang, b) {
                    (Lang::De, true) => "Ja".into(),
                    (Lang::De, false) => "Nein".into(),
                    (Lang::En, true) => "Yes".into(),
                    (Lang::En, false) => "No".into(),
                },
                (_, Value::String(s)) => form
                    .options(&field.id)
                    .iter()
                    .find(|o| &o.value == s)
                    .map(|o| o.label.get(lang).to_owned())
                    .unwrap_or_else(|| s.clone()),
                (_, other) => other.to_string(),
            }
        };
        let quote_list = |field: &Field, values: &[Value], lang: Lang| -> String {
            let sep = match lang {
                Lang::De => " oder ",
                Lang::En => " or ",
            };
            values
                .iter()
                .map(|v| quote(&answer(field, v, lang), lang))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let text = |field: &Field, values: &str, en_values: &str, negate: bool| {
            let de_label = field.label.get(Lang::De);
            let en_label = field.label.get(Lang::En);
            if negate {
                Text::new(
                    format!(
                        "Nur ausfüllen, wenn Sie bei {} nicht {} angegeben haben.",
                        quote(de_label, Lang::De),
                        values
                    ),
                    format!(
                        "Only answer this if your answer to {} is not {}.",
                        quote(en_label, Lang::En),
                        en_values
                    ),
                )
            } else {
                Text::new(
                    format!(
                        "Nur ausfüllen, wenn Sie bei {} {} angegeben haben.",
                        quote(de_label, Lang::De),
                        values
                    ),
                    format!(
                        "Only answer this if your answer to {} is {}.",
                        quote(en_label, Lang::En),
                        en_values
                    ),
                )
            }
        };
        match (op.as_str(), args.as_slice()) {
            ("==" | "===" | "!=" | "!==", [a, b]) => {
                let (name, value) = match (var(a), var(b)) {
                    (Some(n), None) => (n, b),
                    (None, Some(n)) => (n, a),
                    _ => return None,
                };
                let field = form.field(&name)?;
                let negate = op.starts_with('!');
                Some(text(
                    field,
                    &quote(&answer(field, value, Lang::De), Lang::De),
                    &quote(&answer(field, value, Lang::En), Lang::En),
                    negate,
                ))
            }
            ("in", [a, Value::Array(values)]) => {
                let field = form.field(&var(a)?)?;
                Some(text(
                    field,
                    &quote_list(field, values, Lang::De),
                    &quote_list(field, values, Lang::En),
                    false,
                ))
            }
            ("in", [value, b]) if !value.is_object() => {
                // A checkbox contains the value.
                let field = form.field(&var(b)?)?;
                Some(text(
                    field,
                    &quote(&answer(field, value, Lang::De), Lang::De),
                    &quote(&answer(field, value, Lang::En), Lang::En),
                    false,
                ))
            }
            _ => None,
        }
    }

    fn quote(text: &str, lang: Lang) -> String {
        match lang {
            Lang::De => format!("„{text}“"),
            Lang::En => format!("“{text}”"),
        }
    }

    pub(super) async fn check(id: &str, lang: Lang) -> Result<Outcome<CheckView>, CatalogError> {
        let (backend, parts) = backend()?;
        let Some((form, draft)) = form_and_draft(&*backend, &parts, id).await? else {
            return Ok(Outcome::NotFound);
        };
        let Some(draft) = draft else {
            return Ok(redirect(href(&format!("/forms/{id}"), lang)));
        };
        let eval = backend.evaluate(&form, &draft.answers);
        if let Some(step) = eval.first_step_with_errors() {
            // Not complete: the first step with errors, with its errors shown.
            let to = format!("/forms/{id}/{step}?fehler=1");
            let to = match lang {
                Lang::De => to,
                Lang::En => format!("{to}&lang=en"),
            };
            return Ok(redirect(to));
        }
        Ok(Outcome::Show(check_view(&form, &draft, &eval, lang)))
    }

    /// The check page's view.
    pub fn check_view(form: &Form, draft: &DraftData, eval: &Evaluation, lang: Lang) -> CheckView {
        let d = form.definition();
        CheckView {
            form_id: d.id.clone(),
            form_title: d.title.clone(),
            sections: form.summary(eval, lang),
            fees: eval.fees.clone(),
            total_cents: eval.fee_total_cents(),
            last_step: eval.applicable_steps().last().map(str::to_owned),
            csrf: draft.csrf.clone(),
        }
    }

    pub(super) async fn confirmation(
        id: &str,
        submission: &str,
    ) -> Result<Outcome<ConfirmationView>, CatalogError> {
        let (backend, request) = backend()?;
        let Some(stored) = backend
            .submission(&request, id, submission)
            .await
            .map_err(log_error)?
        else {
            return Ok(Outcome::NotFound);
        };
        let Some(form) = backend
            .form(id, Some(stored.form_version))
            .await
            .map_err(log_error)?
        else {
            return Ok(Outcome::NotFound);
        };
        let d = form.definition();
        Ok(Outcome::Show(ConfirmationView {
            form_id: d.id.clone(),
            submission_id: submission.to_owned(),
            form_title: d.title.clone(),
            authority: d.authority.clone(),
            reference: stored.reference,
            submitted_at: stored.submitted_at,
            status: stored.status,
            delivered_at: stored.delivered_at,
            filed_at: stored.filed_at,
            receipt_available: stored.receipt_available,
        }))
    }

    /// Whether a field type is stored by the step's POST (not info, not
    /// file: files come from the upload endpoint).
    pub fn posted(kind: FieldType) -> bool {
        !matches!(kind, FieldType::Info | FieldType::File)
    }
}
