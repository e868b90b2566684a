//! Paying the fee of a submitted application: the glue between the
//! journey, the store's payments ([`crate::store::payments`]) and the
//! providers ([`crate::payment`]).
//!
//! A submission with a fee is stored at once (reference number and all)
//! with its payment `open` and an outbox job `payment` instead of
//! `deliver`. The citizen is sent to the payment page ([`routes`]); its
//! button creates an attempt at the provider of the form's authority
//! ([`PaymentProviders`]) and sends the citizen there. Whatever brings the
//! citizen back, the outcome is only what [`check`] reads from the
//! provider; paid means [`crate::db::Db::record_paid`]: delivered,
//! confirmed, exactly once. The worker's `payment` job calls [`check`]
//! too, so a citizen who paid and closed the browser still gets the
//! application delivered.
//!
//! This module owns that flow and the per-authority choice of provider.
//! It does not render Leptos pages (its few pages are plain HTML in
//! [`routes`]) and does not speak any provider's protocol.

pub mod pages;
pub mod routes;

use std::{collections::HashMap, sync::Arc};

use amtsweg_forms::Lang;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use crate::{
    db::Db,
    delivery::Authorities,
    journey_routes::Journey,
    payment::{
        DemoProvider, PaymentError, PaymentItem, PaymentProvider, PaymentRequest, PaymentStatus,
        XBezahldienste, XBezahldiensteConfig,
    },
    store::{
        StoreError,
        payments::{NewAttempt, PaymentAttempt, PaymentOverview, SubmissionPayment},
    },
};

/// The providers: one per authority that configured XBezahldienste, and
/// the demo provider for every other. The demo's payments live in this
/// process, shared by the pages and the embedded worker.
#[derive(Clone)]
pub struct PaymentProviders {
    demo: DemoProvider,
    by_authority: HashMap<String, Arc<dyn PaymentProvider>>,
}

impl std::fmt::Debug for PaymentProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentProviders")
            .field("configured", &self.by_authority.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PaymentProviders {
    /// Only the demo provider, redirecting to `public_url`'s demo page.
    pub fn demo_only(public_url: Url) -> PaymentProviders {
        PaymentProviders {
            demo: DemoProvider::new(public_url),
            by_authority: HashMap::new(),
        }
    }

    /// The providers the authorities' file configures; the demo for the rest.
    pub fn from_authorities(
        authorities: &Authorities,
        public_url: Url,
    ) -> Result<PaymentProviders, String> {
        let mut providers = PaymentProviders::demo_only(public_url);
        for authority in authorities.configured() {
            if let Some(config) = &authority.payment {
                providers = providers
                    .with_xbezahldienste(&authority.id, config.clone())
                    .map_err(|e| format!("authority {:?}: payment.{e}", authority.id))?;
            }
        }
        Ok(providers)
    }

    /// The same, with authority `id`'s fees paid through XBezahldienste.
    pub fn with_xbezahldienste(
        mut self,
        id: &str,
        config: XBezahldiensteConfig,
    ) -> Result<PaymentProviders, crate::payment::XBezahldiensteConfigError> {
        let provider = XBezahldienste::new(config)?;
        self.by_authority.insert(id.to_owned(), Arc::new(provider));
        Ok(self)
    }

    /// The demo provider (for its pages).
    pub fn demo(&self) -> &DemoProvider {
        &self.demo
    }

    /// The provider that collects authority `id`'s fees.
    pub fn for_authority(&self, id: &str) -> Arc<dyn PaymentProvider> {
        match self.by_authority.get(id) {
            Some(p) => p.clone(),
            None => Arc::new(self.demo.clone()),
        }
    }

    /// The provider an attempt was made at (by the name it stored); `None`
    /// when that provider is no longer configured for the authority.
    fn for_attempt(&self, authority: &str, name: &str) -> Option<Arc<dyn PaymentProvider>> {
        let provider = self.for_authority(authority);
        (provider.name() == name).then_some(provider)
    }
}

/// What the payment flow needs; built from the app's state or the
/// worker's context.
#[derive(Clone, Copy)]
pub struct PaymentContext<'a> {
    pub db: &'a Db,
    pub journey: &'a Journey,
    pub providers: &'a PaymentProviders,
    /// `AMTSWEG_PUBLIC_URL`, for the return URL.
    pub public_url: &'a Url,
}

/// Why the payment flow could not go on. The citizen sees a clear page
/// (see [`routes`]); the texts are for the log and hold no personal data.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("no such submission")]
    NotFound,
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("form: {0}")]
    Form(String),
    /// The provider did not answer or refused.
    #[error("provider: {0}")]
    Provider(#[from] PaymentError),
    /// The provider says paid, but not the fee.
    #[error("the provider holds {held} cents, the fee is {fee}")]
    AmountMismatch { held: u64, fee: u64 },
}

impl PayError {
    /// Whether trying again later may work.
    pub fn is_retryable(&self) -> bool {
        match self {
            // Not found: the demo in another process, or a provider that
            // does not know the transaction yet; asked again until the
            // fee is given up.
            PayError::Provider(PaymentError::NotFound) => true,
            PayError::Provider(e) => e.is_retryable(),
            PayError::Store(_) => true,
            PayError::NotFound | PayError::Form(_) | PayError::AmountMismatch { .. } => false,
        }
    }
}

/// A submission's payment as its page shows it.
#[derive(Debug, Clone)]
pub struct PaymentView {
    pub submission_id: Uuid,
    pub form_id: String,
    pub form_title: amtsweg_forms::Text,
    /// The receiving authority's id: whose provider collects the fee.
    pub authority: String,
    pub reference: String,
    pub purpose: String,
    pub fees: Vec<amtsweg_forms::FeeLine>,
    pub overview: PaymentOverview,
    /// The fee goes to the demo provider: no money is moved.
    pub demo: bool,
}

/// What [`start`] came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// Send the citizen to the provider's page.
    Redirect(Url),
    /// Nothing to pay (any more): show the confirmation.
    Paid,
}

/// The submission `id` of form `form_id` with its payment; `NotFound`
/// when there is none (or it is of another form).
pub async fn view(
    ctx: PaymentContext<'_>,
    form_id: &str,
    id: Uuid,
) -> Result<PaymentView, PayError> {
    let record = match ctx.db.delivery_record(id).await {
        Ok(r) if r.submission.form_id == form_id => r,
        Ok(_) | Err(StoreError::NotFound) => return Err(PayError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let form = ctx
        .journey
        .form(form_id, Some(record.submission.form_version))
        .await
        .map_err(|e| PayError::Form(e.to_string()))?
        .ok_or(PayError::NotFound)?;
    let definition = form.definition();
    let overview = ctx.db.payment_overview(id).await?;
    let provider = ctx.providers.for_authority(&definition.authority.id);
    Ok(PaymentView {
        submission_id: id,
        form_id: form_id.to_owned(),
        form_title: definition.title.clone(),
        authority: definition.authority.id.clone(),
        reference: record.submission.reference.to_string(),
        purpose: purpose(&definition.title.de),
        fees: record.details.fees,
        overview,
        demo: provider.name() == "demo",
    })
}

/// The purpose of payment the provider shows: the application's title.
fn purpose(title_de: &str) -> String {
    let mut text = format!("Gebühr: {title_de}");
    // XBezahldienste allows short purposes; cut on a character boundary.
    if text.chars().count() > 100 {
        text = text.chars().take(100).collect();
    }
    text
}

/// The payment's positions: the fee lines with an amount, or one line
/// with the whole fee when they do not add up to it.
fn items(fees: &[amtsweg_forms::FeeLine], total: u64) -> Vec<PaymentItem> {
    let lines: Vec<PaymentItem> = fees
        .iter()
        .filter_map(|f| {
            let cents = u64::try_from(f.amount_cents).ok().filter(|c| *c > 0)?;
            Some(PaymentItem {
                description: f.purpose.de.clone(),
                amount_cents: cents,
                quantity: 1,
                reference: Some(f.id.clone()),
                booking_data: Default::default(),
            })
        })
        .collect();
    let sum = lines
        .iter()
        .try_fold(0u64, |sum, i| sum.checked_add(i.amount_cents));
    if !lines.is_empty() && sum == Some(total) {
        return lines;
    }
    vec![PaymentItem {
        description: "Verwaltungsgebühr".to_owned(),
        amount_cents: total,
        quantity: 1,
        reference: None,
        booking_data: Default::default(),
    }]
}

/// The citizen pressed "pay": create (or continue) the attempt at the
/// provider and answer where to send the citizen. The transaction id is
/// stored before the answer. An attempt that was already created and
/// may still be paid is asked about first, so a second attempt is only
/// ever made once the first has failed or was cancelled.
pub async fn start(
    ctx: PaymentContext<'_>,
    view: &PaymentView,
    lang: Lang,
) -> Result<Started, PayError> {
    let authority = view.authority.clone();
    let provider = ctx.providers.for_authority(&authority);
    for _ in 0..3 {
        let attempt = match ctx
            .db
            .new_payment_attempt(
                view.submission_id,
                provider.name(),
                &view.purpose,
                OffsetDateTime::now_utc(),
            )
            .await?
        {
            NewAttempt::Attempt(a) => *a,
            NewAttempt::AlreadyPaid | NewAttempt::NoFee => return Ok(Started::Paid),
        };
        if let (Some(_), Some(url)) = (&attempt.transaction_id, &attempt.redirect_url) {
            // Created before (the citizen came back without finishing, or
            // pressed twice): finished meanwhile?
            match check_attempt(ctx, &authority, &attempt, Asker::Citizen).await? {
                PaymentStatus::Paid => return Ok(Started::Paid),
                PaymentStatus::Initial => {
                    if let Ok(url) = Url::parse(url) {
                        return Ok(Started::Redirect(url));
                    }
                }
                // Cancelled or failed: recorded; the next round makes a new attempt.
                PaymentStatus::Canceled | PaymentStatus::Failed => {}
            }
            continue;
        }
        let provider = ctx
            .providers
            .for_attempt(&authority, &attempt.provider)
            .unwrap_or_else(|| provider.clone());
        let request = PaymentRequest {
            idempotency_key: attempt.id,
            reference: view.reference.clone(),
            purpose: view.purpose.clone(),
            items: items(&view.fees, attempt.amount_cents),
            total_cents: attempt.amount_cents,
            return_url: return_url(ctx.public_url, &view.form_id, view.submission_id, lang)?,
            notify_url: None,
            lang,
        };
        match provider.create(&request).await {
            Ok(created) => {
                // A concurrent request (a second tab) that met this
                // transaction as `AlreadyExists` before it was recorded may
                // have given the attempt up: nobody may be sent to it then.
                // The store decides in one statement which of the two won.
                if !ctx
                    .db
                    .record_payment_created(
                        attempt.id,
                        &created.transaction_id,
                        created.redirect_url.as_str(),
                    )
                    .await?
                {
                    continue;
                }
                tracing::info!(
                    provider = provider.name(),
                    attempt = attempt.attempt,
                    "payment created"
                );
                return Ok(Started::Redirect(created.redirect_url));
            }
            Err(PaymentError::AlreadyExists) => {
                // Created at the provider, but its answer was lost (a
                // timeout after the create): the citizen never saw that
                // transaction's page, so give it up and make a new
                // attempt — unless a concurrent request (a second tab, a
                // double click) has stored it meanwhile and sent its
                // citizen there: then the next round goes there too. One
                // conditional statement decides, so there is no window.
                if ctx
                    .db
                    .give_up_uncreated_attempt(attempt.id, OffsetDateTime::now_utc())
                    .await?
                {
                    tracing::warn!(
                        attempt = attempt.attempt,
                        "payment attempt exists at the provider without its id; starting a new one"
                    );
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(PayError::Provider(PaymentError::AlreadyExists))
}

/// `{public}/forms/{id}/bezahlung/{submission}/zurueck[?lang=en]`.
fn return_url(
    public_url: &Url,
    form_id: &str,
    submission: Uuid,
    lang: Lang,
) -> Result<Url, PayError> {
    let base = public_url.as_str().trim_end_matches('/');
    let mut text = format!("{base}/forms/{form_id}/bezahlung/{submission}/zurueck");
    if lang == Lang::En {
        text.push_str("?lang=en");
    }
    Url::parse(&text).map_err(|e| PayError::Form(format!("return URL: {e}")))
}

/// Asks the provider about `attempt` and records the answer; the state it
/// has now.
async fn check_attempt(
    ctx: PaymentContext<'_>,
    authority: &str,
    attempt: &PaymentAttempt,
    asker: Asker,
) -> Result<PaymentStatus, PayError> {
    if attempt.status.is_final() {
        return Ok(attempt.status);
    }
    let Some(transaction_id) = &attempt.transaction_id else {
        return Ok(PaymentStatus::Initial);
    };
    let Some(provider) = ctx.providers.for_attempt(authority, &attempt.provider) else {
        return Err(PayError::Form(format!(
            "the attempt's provider {:?} is no longer configured",
            attempt.provider
        )));
    };
    let state = match provider.status(transaction_id).await {
        Ok(state) => state,
        // The demo forgets its payments at a restart: for the citizen in
        // front of it that attempt is gone. Not for the worker: a separate
        // `amtsweg worker` never sees the demo's payments, which may still
        // be paid in the serving process.
        Err(PaymentError::NotFound) if attempt.provider == "demo" && asker == Asker::Citizen => {
            ctx.db
                .record_payment_unpaid(attempt.id, PaymentStatus::Failed, OffsetDateTime::now_utc())
                .await?;
            return Ok(PaymentStatus::Failed);
        }
        Err(e) => return Err(e.into()),
    };
    let now = OffsetDateTime::now_utc();
    match state.status {
        PaymentStatus::Paid => {
            if let Some(held) = state.amount_cents
                && held != attempt.amount_cents
            {
                return Err(PayError::AmountMismatch {
                    held,
                    fee: attempt.amount_cents,
                });
            }
            let newly = ctx
                .db
                .record_paid(
                    attempt.id,
                    state.paid_at.unwrap_or(now),
                    state.payment_method.as_deref(),
                    now,
                )
                .await?;
            if newly {
                tracing::info!(
                    provider = provider.name(),
                    attempt = attempt.attempt,
                    "fee paid"
                );
            } else if ctx
                .db
                .paid_attempt(attempt.submission_id)
                .await?
                .is_some_and(|paid| paid.id != attempt.id)
            {
                // Cannot happen by design (a new attempt only after the last
                // one failed); if a provider ever does it, someone must refund.
                tracing::error!(
                    provider = provider.name(),
                    attempt = attempt.attempt,
                    "a second attempt of a paid fee was paid at the provider: refund it"
                );
            }
            Ok(PaymentStatus::Paid)
        }
        other => {
            ctx.db.record_payment_unpaid(attempt.id, other, now).await?;
            Ok(other)
        }
    }
}

/// Who asks the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// The citizen's request (the return URL, "pay").
    Citizen,
    /// The worker's `payment` job.
    Worker,
}

/// Reads the outcome of submission `id`'s latest attempt from the
/// provider and records it: the return URL and the worker call this.
/// `Paid` also when it was paid before.
pub async fn check(
    ctx: PaymentContext<'_>,
    id: Uuid,
    asker: Asker,
) -> Result<PaymentStatus, PayError> {
    let overview = ctx.db.payment_overview(id).await?;
    match overview.status {
        SubmissionPayment::Paid | SubmissionPayment::None => return Ok(PaymentStatus::Paid),
        SubmissionPayment::Open => {}
    }
    let Some(latest) = overview.latest() else {
        return Ok(PaymentStatus::Initial);
    };
    let submission = ctx.db.submission(id).await?;
    let form = ctx
        .journey
        .form(&submission.form_id, Some(submission.form_version))
        .await
        .map_err(|e| PayError::Form(e.to_string()))?
        .ok_or(PayError::NotFound)?;
    check_attempt(ctx, &form.definition().authority.id, latest, asker).await
}
