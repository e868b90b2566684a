//! Delivery: every submitted application into the receiving authority's
//! electronic file (E-Akte), exactly once and provably, through the
//! transactional outbox the submit wrote.
//!
//! - [`worker`]: leases due outbox jobs and runs them, with retries
//!   (exponential backoff with jitter) and dead letters; inside `amtsweg
//!   serve` by default, or as `amtsweg worker` in its own process.
//! - Job `deliver`: [`package`] builds the xdomea package (receipt PDF/A,
//!   JSON data, attachments) and [`transport`] hands it to the authority
//!   (drop folder, HTTP, SMTP; [`authorities`] says which).
//! - Jobs `confirm` and `notify`: the mails of [`mails`].
//! - Job `payment` (a submission with a fee): asks the payment provider
//!   until the fee is paid (`crate::payment_journey::check`; paying adds
//!   `deliver` and `confirm`), and gives up after
//!   `AMTSWEG_PAYMENT_ABANDON_HOURS` as a dead letter.
//! - [`confirmations`]: the E-Akte's `FVDaten.ImportBestaetigen.0630`
//!   marks a submission filed (or failed, with the reason).
//! - [`retention`]: after the form's retention period the personal data
//!   of a filed submission are deleted; an audit row stays.
//!
//! Nothing here is in the submit's way: the citizen's POST only writes the
//! outbox rows (`crate::store::submissions`) and wakes the worker.

pub mod authorities;
pub mod confirmations;
pub mod mails;
pub mod package;
pub mod retention;
pub mod routes;
pub mod transport;
pub mod worker;

use std::{path::PathBuf, sync::Arc};

use amtsweg_forms::Form;
use url::Url;

use crate::{
    config::WorkerConfig, db::Db, journey_routes::Journey, mail::Mailer, uploads::UploadStorage,
};

pub use authorities::Authorities;

/// Why a job did not finish; the text is for the operator (stored as the
/// job's `last_error`) and holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    /// Trying again later may work (the E-Akte is down, the disk full).
    pub retryable: bool,
    pub message: String,
}

impl DeliveryError {
    /// A failure that a later attempt may not have.
    pub fn retry(message: impl Into<String>) -> DeliveryError {
        DeliveryError {
            retryable: true,
            message: message.into(),
        }
    }

    /// A failure that repeats until someone changes something (a
    /// configuration, a refused package): the job becomes a dead letter.
    pub fn permanent(message: impl Into<String>) -> DeliveryError {
        DeliveryError {
            retryable: false,
            message: message.into(),
        }
    }

    /// A blocking task that did not finish (it panicked or was cancelled).
    pub fn internal(error: tokio::task::JoinError) -> DeliveryError {
        DeliveryError::retry(format!("background task failed: {error}"))
    }
}

/// Everything the worker, the confirmations and the retention need.
/// Cloning is cheap.
#[derive(Clone)]
pub struct DeliveryContext {
    pub db: Db,
    /// The forms, each version loaded once.
    pub journey: Arc<Journey>,
    pub uploads: UploadStorage,
    pub mailer: Mailer,
    pub authorities: Arc<Authorities>,
    /// `$AMTSWEG_DATA_DIR` (packages are kept in `packages/`).
    pub data_dir: PathBuf,
    /// `$AMTSWEG_PUBLIC_URL`, for the links in mails.
    pub public_url: Url,
    pub http: reqwest::Client,
    pub settings: WorkerConfig,
    /// Woken by every submit in this process, so the package leaves at
    /// once instead of at the next poll.
    pub wake: Arc<tokio::sync::Notify>,
    /// Who collects the fees, for the `payment` job (the same as the
    /// app's, so the demo provider's payments are seen by both).
    pub payments: Arc<crate::payment_journey::PaymentProviders>,
}

impl std::fmt::Debug for DeliveryContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryContext")
            .field("data_dir", &self.data_dir)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl DeliveryContext {
    /// What the payment flow needs, from this context.
    pub fn payment_context(&self) -> crate::payment_journey::PaymentContext<'_> {
        crate::payment_journey::PaymentContext {
            db: &self.db,
            journey: &self.journey,
            providers: &self.payments,
            public_url: &self.public_url,
        }
    }

    /// Form `id` in `version`, the one the submission is pinned to.
    pub async fn form(&self, id: &str, version: u32) -> Result<Arc<Form>, DeliveryError> {
        match self.journey.form(id, Some(version)).await {
            Ok(Some(form)) => Ok(form),
            Ok(None) => Err(DeliveryError::permanent(format!(
                "form {id} version {version} is not published"
            ))),
            Err(e) => Err(DeliveryError::retry(format!("loading form {id}: {e}"))),
        }
    }

    /// The confirmation page of a submission, absolute.
    pub fn status_url(&self, form_id: &str, submission: uuid::Uuid) -> String {
        format!(
            "{}/forms/{form_id}/bestaetigung/{submission}",
            self.public_url.as_str().trim_end_matches('/')
        )
    }
}
