//! Online fee payment: the provider layer. It owns the [`PaymentProvider`]
//! trait, the request and answer types every provider shares, the
//! [`PaymentError`]s a caller must tell apart, and the providers:
//!
//! - [`xbezahldienste`]: FITKO's XBezahldienste interface (ePayBL,
//!   pmPayment, ePay21 and others speak it): create a payment transaction,
//!   send the citizen to the provider's page, read the outcome by GET;
//! - [`demo`]: the embedded default, a clearly labelled demo in which no
//!   money is moved;
//! - [`test_double`]: an XBezahldienste provider on a loopback port, for
//!   tests only.
//!
//! The flow every provider follows: the journey (`crate::payment_journey`)
//! calls [`PaymentProvider::create`] with the payment attempt's id (derived
//! from the submission's id, `crate::store::payments::attempt_id`) as
//! idempotency key
//! and stores the [`CreatedPayment::transaction_id`] *before* it sends the
//! citizen to [`CreatedPayment::redirect_url`]; the provider sends the
//! citizen back to [`PaymentRequest::return_url`]; the outcome is only ever
//! what [`PaymentProvider::status`] reads (XBezahldienste has no push, and
//! a return to the portal proves nothing: anyone can open that URL).
//!
//! This module must not know about submissions, the database, the outbox
//! or pages: it talks to providers and answers in its own types. It never
//! logs or returns credentials, and sends no personal data of the citizen
//! to a provider (no `requestor`): the reference number identifies the
//! payment.

pub mod demo;
mod error;
mod money;
pub mod test_double;
pub mod xbezahldienste;

use std::{collections::BTreeMap, fmt, str::FromStr};

use amtsweg_forms::Lang;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

pub use demo::{DEMO_NOTICE_DE, DEMO_NOTICE_EN, DemoOutcome, DemoPayment, DemoProvider};
pub use error::PaymentError;
pub use xbezahldienste::{
    Secret, XBezahldienste, XBezahldiensteAuth, XBezahldiensteConfig, XBezahldiensteConfigError,
};

/// The most positions one payment may have (XBezahldienste allows 1 to 99).
pub const MAX_ITEMS: usize = 99;

/// Something that collects a fee: creates a payment, and tells later how
/// it went. Object-safe, so the server can hold an `Arc<dyn
/// PaymentProvider>` chosen by configuration.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// A short, stable name for logs, metrics and the stored payment row:
    /// `"xbezahldienste"`, `"demo"`.
    fn name(&self) -> &'static str;

    /// Creates the payment at the provider. Creating twice with the same
    /// [`PaymentRequest::idempotency_key`] never creates a second
    /// transaction; what the second call answers depends on the provider
    /// (see [`xbezahldienste`] and [`demo`]).
    async fn create(&self, request: &PaymentRequest) -> Result<CreatedPayment, PaymentError>;

    /// Reads the payment's state now. There is no push: the worker calls
    /// this until the state is final ([`PaymentStatus::is_final`]).
    async fn status(&self, transaction_id: &str) -> Result<PaymentState, PaymentError>;
}

/// A fee to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// The payment attempt's id (one per try of a submission's fee).
    /// XBezahldienste stores it as `requestId` and refuses a second
    /// transaction with it.
    pub idempotency_key: Uuid,
    /// The reference number (`AW-2026-000123`): the purpose of payment on
    /// the bank statement, by which the authority matches the money.
    pub reference: String,
    /// What is paid for, shown on the provider's page ("Gebühr für …").
    pub purpose: String,
    /// The positions; at least one, at most [`MAX_ITEMS`].
    pub items: Vec<PaymentItem>,
    /// The sum of the items' [`PaymentItem::total_cents`], in euro cents.
    pub total_cents: u64,
    /// Where the provider sends the citizen back, whatever the outcome.
    pub return_url: Url,
    /// Where a provider with push would report; XBezahldienste has none
    /// and ignores it.
    pub notify_url: Option<Url>,
    /// The citizen's language, for the provider's page where it has one.
    pub lang: Lang,
}

/// One position of a payment: a fee, `quantity` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentItem {
    /// What the position is ("Verwaltungsgebühr"), shown on the page.
    pub description: String,
    /// The price of one, in euro cents.
    pub amount_cents: u64,
    /// How many; at least 1.
    pub quantity: u32,
    /// The fee's code in the form definition, sent as the item's
    /// `reference` where the provider has one.
    pub reference: Option<String>,
    /// Key–value pairs the provider's bookkeeping needs (Haushaltsstelle,
    /// Objektnummer, …), agreed with the authority's cash office. Sent as
    /// the item's `bookingData`.
    pub booking_data: BTreeMap<String, String>,
}

impl PaymentItem {
    /// `amount_cents × quantity`, or `None` when that overflows.
    pub fn total_cents(&self) -> Option<u64> {
        self.amount_cents.checked_mul(u64::from(self.quantity))
    }
}

impl PaymentRequest {
    /// Checks what every provider needs: items present and consistent with
    /// the total, a positive total, a web return URL. Providers call this
    /// before they send anything.
    pub fn validate(&self) -> Result<(), PaymentError> {
        let invalid = |what: String| Err(PaymentError::InvalidRequest { what });
        if self.reference.trim().is_empty() {
            return invalid("the reference is empty".into());
        }
        if self.items.is_empty() {
            return invalid("a payment needs at least one item".into());
        }
        if self.items.len() > MAX_ITEMS {
            return invalid(format!("{} items, at most {MAX_ITEMS}", self.items.len()));
        }
        let mut sum: u64 = 0;
        for (index, item) in self.items.iter().enumerate() {
            let position = index + 1;
            if item.quantity == 0 {
                return invalid(format!("item {position} has quantity 0"));
            }
            if item.description.trim().is_empty() {
                return invalid(format!("item {position} has no description"));
            }
            let Some(total) = item.total_cents() else {
                return invalid(format!("item {position}'s amount overflows"));
            };
            let Some(next) = sum.checked_add(total) else {
                return invalid("the items' sum overflows".into());
            };
            sum = next;
        }
        if sum != self.total_cents {
            return invalid(format!(
                "the items add up to {} cents, the total is {}",
                sum, self.total_cents
            ));
        }
        if self.total_cents == 0 {
            return invalid("nothing to pay: the total is 0".into());
        }
        if !matches!(self.return_url.scheme(), "https" | "http") {
            return invalid("the return URL is not an http(s) URL".into());
        }
        Ok(())
    }
}

/// What [`PaymentProvider::create`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPayment {
    /// The provider's id of the transaction, for [`PaymentProvider::status`].
    /// Store it before the citizen is redirected.
    pub transaction_id: String,
    /// Where to send the citizen: the provider's payment page, or — when
    /// an existing transaction was found already finished — the
    /// [`PaymentRequest::return_url`].
    pub redirect_url: Url,
    /// The transaction's state; [`PaymentStatus::Initial`] for a new one.
    pub status: PaymentStatus,
}

/// What [`PaymentProvider::status`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentState {
    pub status: PaymentStatus,
    /// When the payment succeeded, if the provider says so.
    pub paid_at: Option<OffsetDateTime>,
    /// The amount the provider holds for the transaction, in euro cents;
    /// the caller compares it with the fee before it counts a payment.
    pub amount_cents: Option<u64>,
    /// The means the citizen chose (`CREDITCARD`, `PAYPAL`, `GIROPAY`,
    /// `PAYDIRECT`, `OTHER`, `DEMO`), once paid.
    pub payment_method: Option<String>,
    /// The provider's business reference of the payment (the
    /// Kassenzeichen), when it gives one; for the authority's records.
    pub provider_reference: Option<String>,
}

/// A payment's state, as XBezahldienste's status model defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    /// Created; the citizen has not finished (or is still on the page).
    Initial,
    /// Paid (XBezahldienste's `PAYED`).
    Paid,
    /// The citizen cancelled.
    Canceled,
    /// The provider ended it (declined, fraud check, timed out).
    Failed,
}

impl PaymentStatus {
    /// Whether the state can no longer change.
    pub fn is_final(self) -> bool {
        !matches!(self, PaymentStatus::Initial)
    }

    /// The lowercase name, for storage: `initial`, `paid`, `canceled`,
    /// `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Initial => "initial",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Canceled => "canceled",
            PaymentStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of [`PaymentStatus::as_str`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown payment status")]
pub struct UnknownPaymentStatus;

impl FromStr for PaymentStatus {
    type Err = UnknownPaymentStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "initial" => Ok(PaymentStatus::Initial),
            "paid" => Ok(PaymentStatus::Paid),
            "canceled" => Ok(PaymentStatus::Canceled),
            "failed" => Ok(PaymentStatus::Failed),
            _ => Err(UnknownPaymentStatus),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    pub(crate) fn request(total_cents: u64) -> PaymentRequest {
        PaymentRequest {
            idempotency_key: Uuid::new_v4(),
            reference: "AW-2026-000123".into(),
            purpose: "Gebühr für den Bewohnerparkausweis".into(),
            items: vec![PaymentItem {
                description: "Verwaltungsgebühr".into(),
                amount_cents: total_cents,
                quantity: 1,
                reference: Some("gebuehr".into()),
                booking_data: BTreeMap::new(),
            }],
            total_cents,
            return_url: Url::parse("https://portal.example/bezahlung/zurueck").unwrap(),
            notify_url: None,
            lang: Lang::De,
        }
    }

    #[test]
    fn a_consistent_request_is_valid() {
        request(3050).validate().unwrap();
    }

    #[test]
    fn the_total_must_equal_the_items() {
        let mut r = request(3050);
        r.total_cents = 3000;
        assert!(matches!(
            r.validate(),
            Err(PaymentError::InvalidRequest { .. })
        ));
        let mut r = request(1000);
        r.items[0].quantity = 3;
        r.total_cents = 3000;
        r.validate().unwrap();
    }

    #[test]
    fn nothing_to_pay_no_items_zero_quantity_and_overflow_are_refused() {
        assert!(request(0).validate().is_err());
        let mut r = request(100);
        r.items.clear();
        assert!(r.validate().is_err());
        let mut r = request(100);
        r.items[0].quantity = 0;
        assert!(r.validate().is_err());
        let mut r = request(u64::MAX);
        r.items[0].quantity = 2;
        assert!(r.validate().is_err());
        let mut r = request(100);
        r.return_url = Url::parse("ftp://portal.example/").unwrap();
        assert!(r.validate().is_err());
    }

    #[test]
    fn status_names_round_trip() {
        for status in [
            PaymentStatus::Initial,
            PaymentStatus::Paid,
            PaymentStatus::Canceled,
            PaymentStatus::Failed,
        ] {
            assert_eq!(status.as_str().parse::<PaymentStatus>(), Ok(status));
        }
        assert!("PAYED".parse::<PaymentStatus>().is_err());
        assert!(!PaymentStatus::Initial.is_final());
        assert!(PaymentStatus::Paid.is_final());
    }
}
