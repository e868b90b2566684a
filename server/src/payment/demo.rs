//! The **demo payment provider**: the embedded default when no real
//! provider is configured, so that `cargo run` shows the whole journey
//! including the fee. No money is moved, and every page that shows it must
//! say so ([`DEMO_NOTICE_DE`], [`DEMO_NOTICE_EN`]).
//!
//! It behaves like XBezahldienste without the network: [`DemoProvider::create`]
//! stores the payment and answers a redirect to the portal's own page
//! `/demo-bezahlung/{transaction_id}` ([`demo_page_path`]; the page belongs
//! to the app/server routes, not to this module). That page shows
//! [`DemoProvider::payment`] and, on the citizen's choice, calls
//! [`DemoProvider::complete`], then sends the citizen to the payment's
//! return URL. [`DemoProvider::status`] reads the stored state, as the
//! worker reads a real provider.
//!
//! **One process.** The state is in memory, shared by the clones of one
//! `DemoProvider`: the page and the worker must be in the same process
//! (`amtsweg serve` with its embedded worker). A separate `amtsweg worker`
//! does not see the payments and reads [`PaymentError::NotFound`]; so does
//! anyone after a restart — the citizen starts the payment again, which is
//! acceptable for a demo and the reason it is only the default, not a
//! production setting. Persisting it would mean a table for a fake; a real
//! provider is the way to more than one process.
//!
//! It must not look like a real payment: the method is `DEMO`, the
//! transaction ids start with `demo-`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use async_trait::async_trait;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use amtsweg_forms::Lang;

use super::{
    CreatedPayment, PaymentError, PaymentProvider, PaymentRequest, PaymentState, PaymentStatus,
};

/// Shown on every page of the demo payment, in German.
pub const DEMO_NOTICE_DE: &str = "Demo-Bezahldienst – es wird kein Geld bewegt";
/// Shown on every page of the demo payment, in English.
pub const DEMO_NOTICE_EN: &str = "Demo payment provider – no money is moved";

/// The payment method the demo reports.
pub const DEMO_PAYMENT_METHOD: &str = "DEMO";

/// The path of the portal's demo payment page for a transaction:
/// `/demo-bezahlung/{transaction_id}`.
pub fn demo_page_path(transaction_id: &str) -> String {
    format!("/demo-bezahlung/{transaction_id}")
}

/// What the citizen chose on the demo page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    Paid,
    Canceled,
    Failed,
}

impl DemoOutcome {
    fn status(self) -> PaymentStatus {
        match self {
            DemoOutcome::Paid => PaymentStatus::Paid,
            DemoOutcome::Canceled => PaymentStatus::Canceled,
            DemoOutcome::Failed => PaymentStatus::Failed,
        }
    }
}

/// A demo payment as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPayment {
    pub transaction_id: String,
    pub idempotency_key: Uuid,
    pub reference: String,
    pub purpose: String,
    /// `(description, quantity, total in cents)` per item.
    pub items: Vec<(String, u32, u64)>,
    pub total_cents: u64,
    pub return_url: Url,
    pub lang: Lang,
    pub status: PaymentStatus,
    pub paid_at: Option<OffsetDateTime>,
}

/// The demo provider; clones share the payments.
#[derive(Debug, Clone)]
pub struct DemoProvider {
    public_url: Url,
    state: Arc<Mutex<DemoState>>,
}

#[derive(Debug, Default)]
struct DemoState {
    payments: HashMap<String, DemoPayment>,
    by_key: HashMap<Uuid, String>,
}

impl DemoProvider {
    /// `public_url` is the portal's `AMTSWEG_PUBLIC_URL`; the redirects
    /// point at its demo page.
    pub fn new(public_url: Url) -> Self {
        DemoProvider {
            public_url,
            state: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, DemoState> {
        // A poisoned lock means a panic while holding it; the maps are
        // still consistent (every change is a single insert or field).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The payment, for the demo page; `None` for an unknown id.
    pub fn payment(&self, transaction_id: &str) -> Option<DemoPayment> {
        self.lock().payments.get(transaction_id).cloned()
    }

    /// Records the citizen's choice. Only an `INITIAL` payment can be
    /// completed; completing it again with the same outcome answers the
    /// same state (a reloaded page), another outcome is refused.
    pub fn complete(
        &self,
        transaction_id: &str,
        outcome: DemoOutcome,
    ) -> Result<PaymentState, PaymentError> {
        let mut state = self.lock();
        let payment = state
            .payments
            .get_mut(transaction_id)
            .ok_or(PaymentError::NotFound)?;
        match payment.status {
            PaymentStatus::Initial => {
                payment.status = outcome.status();
                if outcome == DemoOutcome::Paid {
                    payment.paid_at = Some(OffsetDateTime::now_utc());
                }
            }
            done if done == outcome.status() => {}
            _ => {
                return Err(PaymentError::Rejected {
                    status: 409,
                    functional_code: None,
                });
            }
        }
        Ok(state_of(payment))
    }

    fn redirect_for(&self, payment: &DemoPayment) -> Result<Url, PaymentError> {
        // Relative to the public URL, so that a portal under a path
        // (`https://example.org/antraege/`) keeps it.
        let mut base = self.public_url.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut url = base
            .join(demo_page_path(&payment.transaction_id).trim_start_matches('/'))
            .map_err(|_| PaymentError::InvalidRequest {
                what: "the public URL cannot carry the demo page's path".into(),
            })?;
        if payment.lang == Lang::En {
            url.set_query(Some("lang=en"));
        }
        Ok(url)
    }
}

fn state_of(payment: &DemoPayment) -> PaymentState {
    PaymentState {
        status: payment.status,
        paid_at: payment.paid_at,
        amount_cents: Some(payment.total_cents),
        payment_method: (payment.status == PaymentStatus::Paid)
            .then(|| DEMO_PAYMENT_METHOD.to_owned()),
        provider_reference: None,
    }
}

#[async_trait]
impl PaymentProvider for DemoProvider {
    fn name(&self) -> &'static str {
        "demo"
    }

    /// A second create with the same key answers the first transaction
    /// (the page, or the return URL once finished) if the amount is the
    /// same, and [`PaymentError::AlreadyExists`] if it is not.
    async fn create(&self, request: &PaymentRequest) -> Result<CreatedPayment, PaymentError> {
        request.validate()?;
        let payment = {
            let mut state = self.lock();
            match state.by_key.get(&request.idempotency_key) {
                Some(id) => {
                    let existing = state
                        .payments
                        .get(id)
                        .cloned()
                        .ok_or(PaymentError::NotFound)?;
                    if existing.total_cents != request.total_cents {
                        return Err(PaymentError::AlreadyExists);
                    }
                    existing
                }
                None => {
                    let payment = DemoPayment {
                        transaction_id: format!("demo-{}", Uuid::new_v4().simple()),
                        idempotency_key: request.idempotency_key,
                        reference: request.reference.clone(),
                        purpose: request.purpose.clone(),
                        items: request
                            .items
                            .iter()
                            .map(|item| {
                                (
                                    item.description.clone(),
                                    item.quantity,
                                    item.total_cents().unwrap_or(0),
                                )
                            })
                            .collect(),
                        total_cents: request.total_cents,
                        return_url: request.return_url.clone(),
                        lang: request.lang,
                        status: PaymentStatus::Initial,
                        paid_at: None,
                    };
                    state
                        .by_key
                        .insert(request.idempotency_key, payment.transaction_id.clone());
                    state
                        .payments
                        .insert(payment.transaction_id.clone(), payment.clone());
                    payment
                }
            }
        };
        let redirect_url = if payment.status == PaymentStatus::Initial {
            self.redirect_for(&payment)?
        } else {
            payment.return_url.clone()
        };
        Ok(CreatedPayment {
            transaction_id: payment.transaction_id,
            redirect_url,
            status: payment.status,
        })
    }

    async fn status(&self, transaction_id: &str) -> Result<PaymentState, PaymentError> {
        let state = self.lock();
        state
            .payments
            .get(transaction_id)
            .map(state_of)
            .ok_or(PaymentError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::payment::tests::request;

    fn demo() -> DemoProvider {
        DemoProvider::new(Url::parse("http://127.0.0.1:3000/").unwrap())
    }

    #[tokio::test]
    async fn create_complete_status() {
        let demo = demo();
        let request = request(3050);
        let created = demo.create(&request).await.unwrap();
        assert!(created.transaction_id.starts_with("demo-"));
        assert_eq!(created.status, PaymentStatus::Initial);
        assert_eq!(
            created.redirect_url.as_str(),
            format!(
                "http://127.0.0.1:3000/demo-bezahlung/{}",
                created.transaction_id
            )
        );
        let before = demo.status(&created.transaction_id).await.unwrap();
        assert_eq!(before.status, PaymentStatus::Initial);
        assert_eq!(before.paid_at, None);
        assert_eq!(before.payment_method, None);

        let page = demo.payment(&created.transaction_id).unwrap();
        assert_eq!(page.total_cents, 3050);
        assert_eq!(page.reference, "AW-2026-000123");
        assert_eq!(page.return_url, request.return_url);

        let done = demo
            .complete(&created.transaction_id, DemoOutcome::Paid)
            .unwrap();
        assert_eq!(done.status, PaymentStatus::Paid);
        let after = demo.status(&created.transaction_id).await.unwrap();
        assert_eq!(after, done);
        assert_eq!(after.amount_cents, Some(3050));
        assert_eq!(after.payment_method.as_deref(), Some("DEMO"));
        assert!(after.paid_at.is_some());
    }

    #[tokio::test]
    async fn cancelled_and_failed_and_no_change_after_the_end() {
        let demo = demo();
        for outcome in [DemoOutcome::Canceled, DemoOutcome::Failed] {
            let created = demo.create(&request(500)).await.unwrap();
            let state = demo.complete(&created.transaction_id, outcome).unwrap();
            assert_eq!(state.status, outcome.status());
            assert_eq!(state.paid_at, None);
            // The same choice again (a reloaded page) is fine, another is not.
            assert_eq!(
                demo.complete(&created.transaction_id, outcome).unwrap(),
                state
            );
            assert!(
                demo.complete(&created.transaction_id, DemoOutcome::Paid)
                    .is_err()
            );
        }
        assert_eq!(
            demo.complete("demo-unknown", DemoOutcome::Paid),
            Err(PaymentError::NotFound)
        );
        assert_eq!(
            demo.status("demo-unknown").await,
            Err(PaymentError::NotFound)
        );
    }

    #[tokio::test]
    async fn the_same_key_gives_the_same_transaction() {
        let demo = demo();
        let request = request(1200);
        let first = demo.create(&request).await.unwrap();
        let second = demo.create(&request).await.unwrap();
        assert_eq!(first, second);
        demo.complete(&first.transaction_id, DemoOutcome::Paid)
            .unwrap();
        let third = demo.create(&request).await.unwrap();
        assert_eq!(third.transaction_id, first.transaction_id);
        assert_eq!(third.status, PaymentStatus::Paid);
        assert_eq!(third.redirect_url, request.return_url);

        let mut other_amount = request.clone();
        other_amount.total_cents = 1300;
        other_amount.items[0].amount_cents = 1300;
        assert_eq!(
            demo.create(&other_amount).await,
            Err(PaymentError::AlreadyExists)
        );
    }

    #[tokio::test]
    async fn english_pages_keep_the_language_and_clones_share_state() {
        let demo = demo();
        let mut request = request(100);
        request.lang = Lang::En;
        let created = demo.create(&request).await.unwrap();
        assert_eq!(created.redirect_url.query(), Some("lang=en"));
        let page_side = demo.clone();
        page_side
            .complete(&created.transaction_id, DemoOutcome::Canceled)
            .unwrap();
        assert_eq!(
            demo.status(&created.transaction_id).await.unwrap().status,
            PaymentStatus::Canceled
        );
    }

    #[tokio::test]
    async fn a_portal_under_a_path_keeps_it() {
        let demo = DemoProvider::new(Url::parse("https://example.org/antraege").unwrap());
        let created = demo.create(&request(100)).await.unwrap();
        assert_eq!(
            created.redirect_url.as_str(),
            format!(
                "https://example.org/antraege/demo-bezahlung/{}",
                created.transaction_id
            )
        );
    }

    #[tokio::test]
    async fn an_invalid_request_is_refused() {
        let mut request = request(100);
        request.total_cents = 99;
        assert!(matches!(
            demo().create(&request).await,
            Err(PaymentError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn it_says_it_is_a_demo() {
        assert!(DEMO_NOTICE_DE.contains("kein Geld"));
        assert!(DEMO_NOTICE_EN.contains("no money"));
    }
}
