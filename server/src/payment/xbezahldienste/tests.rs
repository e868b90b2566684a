//! Unit tests of the adapter's checks: configuration, the body it sends,
//! and what it accepts as an answer. The exchanges with a provider are
//! tested against the test double in `server/tests/payment_provider.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use crate::payment::PaymentItem;

fn config() -> XBezahldiensteConfig {
    XBezahldiensteConfig {
        endpoint: Url::parse("https://epay.example/xbezahldienste/api/v1.0.0/").unwrap(),
        originator_id: "parkausweis".into(),
        end_point_id: "16051000".into(),
        auth: XBezahldiensteAuth::Basic {
            username: "amtsweg".into(),
            password: Secret::new("very-secret-password"),
        },
        timeout: Duration::from_secs(10),
    }
}

fn request() -> PaymentRequest {
    let mut booking = BTreeMap::new();
    booking.insert("haushaltsstelle".to_owned(), "1.2345.678".to_owned());
    PaymentRequest {
        idempotency_key: uuid::Uuid::parse_str("3f2b1c9e-0d4a-4c1e-9a57-1f0e2d3c4b5a").unwrap(),
        reference: "AW-2026-000123".into(),
        purpose: "Gebühr für den Bewohnerparkausweis (Zone 3)".into(),
        items: vec![
            PaymentItem {
                description: "Verwaltungsgebühr".into(),
                amount_cents: 1250,
                quantity: 2,
                reference: Some("gebuehr".into()),
                booking_data: booking,
            },
            PaymentItem {
                description: "Auslagen".into(),
                amount_cents: 550,
                quantity: 1,
                reference: None,
                booking_data: BTreeMap::new(),
            },
        ],
        total_cents: 3050,
        return_url: Url::parse("https://portal.example/zahlung/zurueck?s=1").unwrap(),
        notify_url: None,
        lang: amtsweg_forms::Lang::De,
    }
}

#[test]
fn a_good_configuration_is_accepted() {
    config().validate().unwrap();
    let mut local = config();
    local.endpoint = Url::parse("http://127.0.0.1:8080/api/").unwrap();
    local.validate().unwrap();
}

#[test]
fn wrong_settings_are_named() {
    let mut c = config();
    c.endpoint = Url::parse("http://epay.example/api/").unwrap();
    assert!(matches!(
        c.validate(),
        Err(XBezahldiensteConfigError::Endpoint(_))
    ));
    let mut c = config();
    c.endpoint = Url::parse("https://user:pw@epay.example/api/").unwrap();
    assert!(matches!(
        c.validate(),
        Err(XBezahldiensteConfigError::Endpoint(_))
    ));
    let mut c = config();
    c.originator_id = "a/b".into();
    assert_eq!(c.validate(), Err(XBezahldiensteConfigError::OriginatorId));
    let mut c = config();
    c.end_point_id = String::new();
    assert_eq!(c.validate(), Err(XBezahldiensteConfigError::EndPointId));
    let mut c = config();
    c.auth = XBezahldiensteAuth::Basic {
        username: "a:b".into(),
        password: Secret::new("x"),
    };
    assert_eq!(c.validate(), Err(XBezahldiensteConfigError::Username));
    let mut c = config();
    c.auth = XBezahldiensteAuth::OAuth2ClientCredentials {
        token_url: Url::parse("http://auth.example/token").unwrap(),
        client_id: "amtsweg".into(),
        client_secret: Secret::new("x"),
    };
    assert!(matches!(
        c.validate(),
        Err(XBezahldiensteConfigError::TokenUrl(_))
    ));
    let mut c = config();
    c.timeout = Duration::ZERO;
    assert_eq!(c.validate(), Err(XBezahldiensteConfigError::Timeout));
    assert_eq!(
        XBezahldiensteConfigError::OriginatorId.to_string(),
        "originator_id: must be 1 to 36 letters, digits, '_' or '-'"
    );
}

#[test]
fn debug_output_shows_no_secret() {
    let mut c = config();
    let basic = format!("{c:?}");
    assert!(!basic.contains("very-secret-password"), "{basic}");
    assert!(basic.contains("Secret(***)"));
    let adapter = format!("{:?}", XBezahldienste::new(c.clone()).unwrap());
    assert!(!adapter.contains("very-secret-password"), "{adapter}");
    c.auth = XBezahldiensteAuth::OAuth2ClientCredentials {
        token_url: Url::parse("https://auth.example/token").unwrap(),
        client_id: "amtsweg".into(),
        client_secret: Secret::new("client-secret-0815"),
    };
    assert!(!format!("{c:?}").contains("client-secret-0815"));
}

#[test]
fn urls_are_built_segment_by_segment() {
    let adapter = XBezahldienste::new(config()).unwrap();
    assert_eq!(
        adapter.transaction_url(None).unwrap().as_str(),
        "https://epay.example/xbezahldienste/api/v1.0.0/paymenttransaction/parkausweis/16051000"
    );
    assert_eq!(
        adapter.transaction_url(Some("tx-1")).unwrap().as_str(),
        "https://epay.example/xbezahldienste/api/v1.0.0/paymenttransaction/parkausweis/16051000/tx-1"
    );
    let mut no_slash = config();
    no_slash.endpoint = Url::parse("https://epay.example/api").unwrap();
    let adapter = XBezahldienste::new(no_slash).unwrap();
    assert_eq!(
        adapter.transaction_url(None).unwrap().as_str(),
        "https://epay.example/api/paymenttransaction/parkausweis/16051000"
    );
}

#[test]
fn the_body_follows_the_interface() {
    let adapter = XBezahldienste::new(config()).unwrap();
    let request = request();
    let body = adapter
        .outgoing(&request, "2026-03-01T10:00:00Z".into())
        .unwrap();
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(
        json,
        json!({
            "requestId": "3f2b1c9e-0d4a-4c1e-9a57-1f0e2d3c4b5a",
            "requestTimestamp": "2026-03-01T10:00:00Z",
            "currency": "EUR",
            "grosAmount": 30.5,
            "purpose": "AW-2026-000123",
            "description": "Gebühr für den Bewohnerparkausweis Zone 3",
            "redirectUrl": "https://portal.example/zahlung/zurueck?s=1",
            "items": [
                {
                    "id": "1",
                    "reference": "gebuehr",
                    "description": "Verwaltungsgebühr",
                    "taxRate": 0,
                    "quantity": 2,
                    "totalNetAmount": 25.0,
                    "totalTaxAmount": 0.0,
                    "singleNetAmount": 12.5,
                    "singleTaxAmount": 0.0,
                    "bookingData": { "haushaltsstelle": "1.2345.678" }
                },
                {
                    "id": "2",
                    "description": "Auslagen",
                    "taxRate": 0,
                    "quantity": 1,
                    "totalNetAmount": 5.5,
                    "totalTaxAmount": 0.0,
                    "singleNetAmount": 5.5,
                    "singleTaxAmount": 0.0
                }
            ]
        })
    );
}

#[test]
fn what_the_interface_does_not_allow_is_not_sent() {
    let adapter = XBezahldienste::new(config()).unwrap();
    let mut r = request();
    r.reference = "AW/2026/000123".into();
    assert!(matches!(
        adapter.outgoing(&r, String::new()),
        Err(PaymentError::InvalidRequest { .. })
    ));
    let mut r = request();
    r.items[0]
        .booking_data
        .insert("konto".into(), "12/34".into());
    assert!(adapter.outgoing(&r, String::new()).is_err());
    let mut r = request();
    r.items[1].reference = Some("mit leerzeichen".into());
    assert!(adapter.outgoing(&r, String::new()).is_err());
    let mut r = request();
    r.items[1].description = "()".into();
    assert!(adapter.outgoing(&r, String::new()).is_err());
}

/// A provider's answer for [`request`], to be spoiled by each test.
fn answer() -> Value {
    json!({
        "paymentRequest": {
            "requestId": "3f2b1c9e-0d4a-4c1e-9a57-1f0e2d3c4b5a",
            "currency": "EUR",
            "grosAmount": 30.50,
            "purpose": "AW-2026-000123",
            "items": [
                { "id": "1", "totalNetAmount": 25, "totalTaxAmount": 0 },
                { "id": "2", "totalNetAmount": 5.5, "totalTaxAmount": 0 }
            ]
        },
        "paymentInformation": {
            "transactionUrl": "https://elsewhere.example/steal",
            "transactionRedirectUrl": "https://epay.example/paypage/tx-1",
            "transactionId": "tx-1",
            "status": "INITIAL"
        }
    })
}

fn check(answer: Value, expected_id: Option<&str>) -> Result<Checked, PaymentError> {
    let transaction: wire::PaymentTransaction = serde_json::from_value(answer).unwrap();
    check_transaction(transaction, expected_id, Some(&request()))
}

fn invalid_what(result: Result<Checked, PaymentError>) -> String {
    match result {
        Err(PaymentError::InvalidResponse { what }) => what,
        other => panic!("expected an invalid response, got {other:?}"),
    }
}

#[test]
fn a_fitting_answer_is_accepted() {
    let checked = check(answer(), Some("tx-1")).unwrap();
    assert_eq!(checked.transaction_id, "tx-1");
    assert_eq!(checked.status, PaymentStatus::Initial);
    assert_eq!(checked.amount_cents, 3050);
    assert_eq!(
        checked.redirect_url.unwrap().as_str(),
        "https://epay.example/paypage/tx-1"
    );
}

#[test]
fn a_paid_answer_has_time_method_and_reference() {
    let mut a = answer();
    a["paymentInformation"] = json!({
        "transactionId": "tx-1",
        "transactionReference": "KZ 2026/4711",
        "transactionTimestamp": "2026-03-01T10:05:00+01:00",
        "paymentMethod": "PAYPAL",
        "status": "PAYED"
    });
    let checked = check(a, Some("tx-1")).unwrap();
    assert_eq!(checked.status, PaymentStatus::Paid);
    assert_eq!(
        checked.paid_at,
        Some(time::macros::datetime!(2026-03-01 09:05 UTC))
    );
    assert_eq!(checked.payment_method.as_deref(), Some("PAYPAL"));
    assert_eq!(checked.provider_reference.as_deref(), Some("KZ 2026/4711"));
    assert_eq!(checked.redirect_url, None);
}

#[test]
fn answers_that_do_not_fit_are_refused() {
    let mut a = answer();
    a["paymentInformation"]["status"] = json!("PENDING");
    assert_eq!(invalid_what(check(a, None)), "unknown status \"PENDING\"");

    let mut a = answer();
    a["paymentInformation"]["status"] = json!("payed; DROP TABLE");
    assert_eq!(
        invalid_what(check(a, None)),
        "unknown status (not a status name)"
    );

    let mut a = answer();
    a["paymentInformation"]
        .as_object_mut()
        .unwrap()
        .remove("transactionId");
    assert!(invalid_what(check(a, None)).contains("transactionId is missing"));

    let mut a = answer();
    a["paymentInformation"]["transactionId"] = json!("../../admin");
    assert!(invalid_what(check(a, None)).contains("transactionId"));

    assert!(invalid_what(check(answer(), Some("tx-2"))).contains("not the transaction asked for"));

    let mut a = answer();
    a["paymentRequest"]["grosAmount"] = json!(31.50);
    a["paymentRequest"]["items"][0]["totalNetAmount"] = json!(26);
    assert_eq!(
        invalid_what(check(a, None)),
        "paymentRequest.grosAmount is 3150 cents, 3050 were requested"
    );

    let mut a = answer();
    a["paymentRequest"]["items"][0]["totalNetAmount"] = json!(26);
    assert!(invalid_what(check(a, None)).contains("do not add up"));

    let mut a = answer();
    a["paymentRequest"]["grosAmount"] = json!(30.505);
    assert!(invalid_what(check(a, None)).contains("grosAmount"));

    let mut a = answer();
    a["paymentRequest"]["requestId"] = json!("another-request");
    assert!(invalid_what(check(a, None)).contains("requestId"));

    let mut a = answer();
    a["paymentRequest"]["currency"] = json!("USD");
    assert!(invalid_what(check(a, None)).contains("currency"));

    let mut a = answer();
    a.as_object_mut().unwrap().remove("paymentRequest");
    assert!(invalid_what(check(a, None)).contains("paymentRequest is missing"));

    let mut a = answer();
    a["paymentInformation"]["transactionRedirectUrl"] = json!("http://epay.example/paypage");
    assert!(invalid_what(check(a, None)).contains("transactionRedirectUrl"));

    let mut a = answer();
    a["paymentInformation"]["transactionRedirectUrl"] = json!("javascript:alert(1)");
    assert!(invalid_what(check(a, None)).contains("transactionRedirectUrl"));

    let mut a = answer();
    a["paymentInformation"]["status"] = json!("PAYED");
    a["paymentInformation"]["transactionTimestamp"] = json!("01.03.2026 10:05");
    assert!(invalid_what(check(a, None)).contains("transactionTimestamp"));

    let mut a = answer();
    a["paymentInformation"]["status"] = json!("PAYED");
    a["paymentInformation"]["paymentMethod"] = json!("<script>");
    assert!(invalid_what(check(a, None)).contains("paymentMethod"));
}

#[test]
fn an_initial_transaction_without_a_page_cannot_be_used() {
    let mut a = answer();
    a["paymentInformation"]
        .as_object_mut()
        .unwrap()
        .remove("transactionRedirectUrl");
    let checked = check(a, None).unwrap();
    assert!(matches!(
        checked.into_created(&request()),
        Err(PaymentError::InvalidResponse { .. })
    ));
    let mut a = answer();
    a["paymentInformation"]["status"] = json!("CANCELED");
    let created = check(a, None).unwrap().into_created(&request()).unwrap();
    assert_eq!(created.redirect_url, request().return_url);
    assert_eq!(created.status, PaymentStatus::Canceled);
}

#[test]
fn http_statuses_map_to_what_the_caller_does() {
    let s = |code| StatusCode::from_u16(code).unwrap();
    assert_eq!(
        status_error(s(401), None, false),
        PaymentError::Unauthorized { status: 401 }
    );
    assert_eq!(
        status_error(s(400), Some("FORBIDDEN"), false),
        PaymentError::Unauthorized { status: 400 }
    );
    assert_eq!(status_error(s(404), None, true), PaymentError::NotFound);
    assert_eq!(
        status_error(s(404), None, false),
        PaymentError::Rejected {
            status: 404,
            functional_code: None
        }
    );
    assert!(status_error(s(503), None, false).is_retryable());
    assert!(status_error(s(429), None, false).is_retryable());
    assert_eq!(status_error(s(408), None, true), PaymentError::Timeout);
    assert_eq!(
        status_error(s(400), Some("CALCULATION_ERROR"), false),
        PaymentError::Rejected {
            status: 400,
            functional_code: Some("CALCULATION_ERROR")
        }
    );
    assert!(matches!(
        status_error(s(302), None, false),
        PaymentError::InvalidResponse { .. }
    ));
}
