//! The JSON of XBezahldienste 1.0.0 as the adapter writes and reads it:
//! `PaymentRequest` and its `items` going out, `PaymentTransaction`
//! (`paymentRequest` + `paymentInformation`) and the problem document
//! (`application/problem+json` with a `functionalCode`) coming in, plus
//! the interface's text rules (lengths and patterns from the OpenAPI
//! description). Field names are the interface's, spelling included
//! (`grosAmount`, `endPointId`).
//!
//! Reading is lenient in shape (every field optional, unknown fields
//! ignored: providers add their own) and strict in meaning, which is
//! checked in the adapter: a field the adapter needs and does not get is
//! an error there, not a default here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Number;

/// Longest id the interface allows (`requestId`, item `id`, `reference`,
/// `originatorId`, `endPointId`).
pub const ID_MAX: usize = 36;
/// Longest `purpose` (Verwendungszweck): 27 characters, the SEPA
/// remittance line of many banks.
pub const PURPOSE_MAX: usize = 27;
/// Longest `description` and booking data value.
pub const DESCRIPTION_MAX: usize = 250;
/// Longest `transactionId` the adapter accepts. The interface leaves the
/// length to the provider; 64 leaves room for a UUID with a prefix.
pub const TRANSACTION_ID_MAX: usize = 64;

/// `^[\w\d-]+$`, at most [`ID_MAX`]: letters, digits, `_`, `-` (ASCII, as
/// `\w` is in the OpenAPI description's ECMAScript patterns).
pub fn is_id(s: &str) -> bool {
    (1..=ID_MAX).contains(&s.len()) && s.bytes().all(is_word_or_dash)
}

/// A transaction id we may put into a URL path: like [`is_id`], up to
/// [`TRANSACTION_ID_MAX`].
pub fn is_transaction_id(s: &str) -> bool {
    (1..=TRANSACTION_ID_MAX).contains(&s.len()) && s.bytes().all(is_word_or_dash)
}

fn is_word_or_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `purpose`: `^[\w\d\s-]+$`, at most [`PURPOSE_MAX`].
pub fn is_purpose(s: &str) -> bool {
    !s.trim().is_empty()
        && s.chars().count() <= PURPOSE_MAX
        && s.chars()
            .all(|c| c.is_ascii() && (is_word_or_dash(c as u8) || c.is_ascii_whitespace()))
}

/// One character of `^[\w\d\s-,\.\u00C0-\u017F]+$` (`description`,
/// booking data): ASCII word characters, white space, `-`, `,`, `.` and
/// the Latin-1/Latin Extended-A letters (umlauts, ß).
pub fn is_description_char(c: char) -> bool {
    (c.is_ascii() && (is_word_or_dash(c as u8) || c.is_ascii_whitespace() || c == ',' || c == '.'))
        || ('\u{C0}'..='\u{17F}').contains(&c)
}

/// A text as a `description`: characters outside the pattern become
/// spaces (a description is shown, not booked, so "Gebühr (Ausweis)" may
/// become "Gebühr Ausweis"), runs of spaces collapse, at most
/// [`DESCRIPTION_MAX`] characters. `None` when nothing is left.
pub fn description(text: &str) -> Option<String> {
    let replaced: String = text
        .chars()
        .map(|c| if is_description_char(c) { c } else { ' ' })
        .collect();
    let collapsed = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = collapsed.chars().take(DESCRIPTION_MAX).collect();
    let cut = cut.trim_end().to_owned();
    (!cut.is_empty()).then_some(cut)
}

/// A booking data value as sent: it must already fit the pattern —
/// bookkeeping data is not rewritten.
pub fn is_booking_value(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= DESCRIPTION_MAX && s.chars().all(is_description_char)
}

/// The `PaymentRequest` body of `POST /paymenttransaction/{originatorId}/{endPointId}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingRequest<'a> {
    pub request_id: String,
    /// RFC 3339, UTC.
    pub request_timestamp: String,
    pub currency: &'static str,
    pub gros_amount: Number,
    pub purpose: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub redirect_url: &'a str,
    pub items: Vec<OutgoingItem<'a>>,
}

/// One of [`OutgoingRequest::items`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingItem<'a> {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<&'a str>,
    pub description: String,
    pub tax_rate: Number,
    pub quantity: u32,
    pub total_net_amount: Number,
    pub total_tax_amount: Number,
    pub single_net_amount: Number,
    pub single_tax_amount: Number,
    /// Left out when empty: some providers refuse an empty object.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub booking_data: &'a BTreeMap<String, String>,
}

/// The `PaymentTransaction` a POST and a GET answer.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentTransaction {
    pub payment_request: Option<EchoedRequest>,
    pub payment_information: Option<PaymentInformation>,
}

/// The stored `paymentRequest`, as far as the adapter checks it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EchoedRequest {
    pub request_id: Option<String>,
    pub currency: Option<String>,
    pub gros_amount: Option<Number>,
    pub items: Option<Vec<EchoedItem>>,
}

/// One echoed item, as far as the adapter checks it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EchoedItem {
    pub total_net_amount: Option<Number>,
    pub total_tax_amount: Option<Number>,
}

/// `paymentInformation`: the provider's side of the transaction. Not read:
/// `transactionUrl` (the adapter builds the URL from its configuration, so
/// a provider cannot redirect the status reads and the credentials
/// elsewhere), `paymentMethodDetail` and `statusDetail` (free text).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInformation {
    /// The provider's payment page; only while `INITIAL`.
    pub transaction_redirect_url: Option<String>,
    pub transaction_id: Option<String>,
    /// The business reference (Kassenzeichen), possibly only after payment.
    pub transaction_reference: Option<String>,
    /// When the payment succeeded.
    pub transaction_timestamp: Option<String>,
    pub payment_method: Option<String>,
    /// `INITIAL`, `PAYED`, `CANCELED`, `FAILED`.
    pub status: Option<String>,
}

/// The problem document of an error answer.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub functional_code: Option<String>,
}

/// The interface's `functionalCode`s, as `'static` texts so that an error
/// can name one without carrying provider text.
pub fn known_functional_code(code: &str) -> Option<&'static str> {
    [
        "NO_VALID_ORIGINATOR_OR_DESTINATION",
        "NO_VALID_ORIGINATOR_OR_ENDPOINT",
        "PAYMENT_EXISTS",
        "CALCULATION_ERROR",
        "BOOKING_DATA_MISSING",
        "VALIDATION_ERROR",
        "UNSPECIFIED",
        "FORBIDDEN",
    ]
    .into_iter()
    .find(|known| *known == code)
}

/// The access token answer of an OAuth 2.0 token endpoint (RFC 6749 §5.1).
#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    pub access_token: Option<String>,
    pub token_type: Option<String>,
    pub expires_in: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_pattern_and_length() {
        assert!(is_id("3f2b1c9e-0d4a-4c1e-9a57-1f0e2d3c4b5a"));
        assert!(is_id("gebuehr_1"));
        assert!(!is_id(""));
        assert!(!is_id("a/b"));
        assert!(!is_id("ä"));
        assert!(!is_id(&"a".repeat(37)));
        assert!(is_transaction_id(&"a".repeat(64)));
        assert!(!is_transaction_id("../status"));
    }

    #[test]
    fn the_reference_number_is_a_valid_purpose() {
        assert!(is_purpose("AW-2026-000123"));
        assert!(!is_purpose("AW/2026/000123"));
        assert!(!is_purpose(&"A".repeat(28)));
        assert!(!is_purpose("   "));
    }

    #[test]
    fn descriptions_keep_umlauts_and_lose_what_the_pattern_forbids() {
        assert_eq!(
            description("Gebühr für den Bewohnerparkausweis (Zone 3) – 1 Jahr").as_deref(),
            Some("Gebühr für den Bewohnerparkausweis Zone 3 1 Jahr")
        );
        assert_eq!(description("„“()"), None);
        assert_eq!(
            description(&"ä".repeat(300)).map(|d| d.chars().count()),
            Some(250)
        );
        assert!(is_booking_value("Haushaltsstelle 1.2345.678"));
        assert!(!is_booking_value("a/b"));
    }
}
