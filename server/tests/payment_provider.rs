//! The XBezahldienste adapter against the test double on loopback: the
//! whole exchange (create, the citizen on the payment page, the status
//! read), idempotency, and every kind of failure a caller must tell apart.
//! The page is driven by plain HTTP, as a browser without JavaScript
//! would: GET the form, POST the chosen button.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{collections::BTreeMap, time::Duration};

use amtsweg_forms::Lang;
use amtsweg_server::payment::{
    PaymentError, PaymentItem, PaymentProvider, PaymentRequest, PaymentStatus, Secret,
    XBezahldienste, XBezahldiensteAuth,
    test_double::{DoubleAuth, DoubleSettings, Failure, TransactionIds, XBezahldiensteDouble},
};
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

const PASSWORD: &str = "double-password-4711";

fn request(total_cents: u64) -> PaymentRequest {
    let mut booking = BTreeMap::new();
    booking.insert("haushaltsstelle".to_owned(), "1.2345.678".to_owned());
    PaymentRequest {
        idempotency_key: Uuid::new_v4(),
        reference: "AW-2026-000123".into(),
        purpose: "Gebühr für den Bewohnerparkausweis".into(),
        items: vec![PaymentItem {
            description: "Verwaltungsgebühr".into(),
            amount_cents: total_cents,
            quantity: 1,
            reference: Some("gebuehr".into()),
            booking_data: booking,
        }],
        total_cents,
        return_url: Url::parse("http://127.0.0.1:3000/forms/parken/bezahlung/zurueck").unwrap(),
        notify_url: None,
        lang: Lang::De,
    }
}

async fn double() -> XBezahldiensteDouble {
    XBezahldiensteDouble::start_default().await.unwrap()
}

fn adapter(double: &XBezahldiensteDouble) -> XBezahldienste {
    XBezahldienste::new(double.config()).unwrap()
}

/// A browser without JavaScript: no redirects followed, so the test sees
/// where the page sends the citizen.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Opens the payment page, checks it offers the three buttons, submits
/// one; answers where the page sends the citizen.
async fn choose_on_page(redirect_url: &Url, outcome: &str) -> Url {
    let browser = browser();
    let page = browser.get(redirect_url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for button in [
        "value=\"pay\">Bezahlen",
        "value=\"cancel\">Abbrechen",
        "value=\"fail\">",
    ] {
        assert!(html.contains(button), "{button} missing in {html}");
    }
    assert!(html.contains("AW-2026-000123"), "{html}");
    let done = browser
        .post(redirect_url.clone())
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let location = done
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    Url::parse(&location).unwrap()
}

#[tokio::test]
async fn create_redirect_pay_on_the_page_then_the_status_is_paid() {
    let double = double().await;
    let provider = adapter(&double);
    let request = request(3050);

    let created = provider.create(&request).await.unwrap();
    assert_eq!(created.status, PaymentStatus::Initial);
    assert!(created.transaction_id.starts_with("tx-"));
    assert_eq!(
        created.redirect_url,
        double.pay_page_url(&created.transaction_id)
    );

    // What the provider received: the interface's fields, no personal data.
    let stored = double.transaction(&created.transaction_id).unwrap();
    assert_eq!(
        stored.request["requestId"],
        request.idempotency_key.to_string()
    );
    assert_eq!(stored.request["purpose"], "AW-2026-000123");
    assert_eq!(stored.request["grosAmount"], 30.5);
    assert_eq!(stored.request["redirectUrl"], request.return_url.as_str());
    assert_eq!(
        stored.request["items"][0]["bookingData"]["haushaltsstelle"],
        "1.2345.678"
    );
    assert!(stored.request.get("requestor").is_none());

    let before = provider.status(&created.transaction_id).await.unwrap();
    assert_eq!(before.status, PaymentStatus::Initial);
    assert_eq!(before.paid_at, None);
    assert_eq!(before.amount_cents, Some(3050));

    let back = choose_on_page(&created.redirect_url, "pay").await;
    assert_eq!(back, request.return_url);

    let after = provider.status(&created.transaction_id).await.unwrap();
    assert_eq!(after.status, PaymentStatus::Paid);
    assert_eq!(after.amount_cents, Some(3050));
    assert_eq!(after.payment_method.as_deref(), Some("CREDITCARD"));
    assert!(after.provider_reference.is_some());
    let paid_at = after.paid_at.expect("a paid transaction has its time");
    let age = OffsetDateTime::now_utc() - paid_at;
    assert!(age >= time::Duration::ZERO && age < time::Duration::minutes(1));

    // The page of a finished payment cannot be submitted again.
    let again = browser()
        .post(created.redirect_url.clone())
        .form(&[("outcome", "cancel")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn cancelled_on_the_page() {
    let double = double().await;
    let provider = adapter(&double);
    let request = request(1200);
    let created = provider.create(&request).await.unwrap();
    assert_eq!(
        choose_on_page(&created.redirect_url, "cancel").await,
        request.return_url
    );
    let state = provider.status(&created.transaction_id).await.unwrap();
    assert_eq!(state.status, PaymentStatus::Canceled);
    assert_eq!(state.paid_at, None);
    assert_eq!(state.payment_method, None);
}

#[tokio::test]
async fn failed_on_the_page() {
    let double = double().await;
    let provider = adapter(&double);
    let request = request(1200);
    let created = provider.create(&request).await.unwrap();
    choose_on_page(&created.redirect_url, "fail").await;
    let state = provider.status(&created.transaction_id).await.unwrap();
    assert_eq!(state.status, PaymentStatus::Failed);
    assert_eq!(state.paid_at, None);
}

#[tokio::test]
async fn the_status_is_initial_before_anything_happens() {
    let double = double().await;
    let provider = adapter(&double);
    let created = provider.create(&request(700)).await.unwrap();
    for _ in 0..3 {
        let state = provider.status(&created.transaction_id).await.unwrap();
        assert_eq!(state.status, PaymentStatus::Initial);
        assert_eq!(state.paid_at, None);
        assert_eq!(state.payment_method, None);
    }
}

#[tokio::test]
async fn abandoned_then_paid_later_reads_paid_later() {
    let double = double().await;
    let provider = adapter(&double);
    let request = request(2500);
    let created = provider.create(&request).await.unwrap();
    // The citizen closes the tab: nothing comes back, the worker keeps
    // reading INITIAL …
    assert_eq!(
        provider
            .status(&created.transaction_id)
            .await
            .unwrap()
            .status,
        PaymentStatus::Initial
    );
    // … until the citizen opens the page again and pays.
    choose_on_page(&created.redirect_url, "pay").await;
    let later = provider.status(&created.transaction_id).await.unwrap();
    assert_eq!(later.status, PaymentStatus::Paid);
    assert_eq!(later.amount_cents, Some(2500));

    // A provider that decides on its own (a late bank confirmation) is
    // read the same way.
    let second = provider.create(&self::request(900)).await.unwrap();
    assert!(double.force_status(&second.transaction_id, PaymentStatus::Paid));
    assert_eq!(
        provider
            .status(&second.transaction_id)
            .await
            .unwrap()
            .status,
        PaymentStatus::Paid
    );
}

#[tokio::test]
async fn the_same_key_twice_never_makes_a_second_transaction() {
    // A provider with its own ids: the second create is refused with
    // PAYMENT_EXISTS and cannot be read back by key.
    let double = double().await;
    let provider = adapter(&double);
    let request = request(3050);
    let first = provider.create(&request).await.unwrap();
    assert_eq!(
        provider.create(&request).await,
        Err(PaymentError::AlreadyExists)
    );
    assert_eq!(double.create_attempts(request.idempotency_key), 2);
    assert_eq!(double.transactions_for(request.idempotency_key), 1);
    // The stored id still works.
    assert_eq!(
        provider.status(&first.transaction_id).await.unwrap().status,
        PaymentStatus::Initial
    );
}

#[tokio::test]
async fn the_same_key_twice_gives_the_same_transaction_where_the_request_id_is_the_id() {
    let double = XBezahldiensteDouble::start(DoubleSettings {
        transaction_ids: TransactionIds::RequestId,
        ..DoubleSettings::default()
    })
    .await
    .unwrap();
    let provider = adapter(&double);
    let request = request(3050);
    let first = provider.create(&request).await.unwrap();
    assert_eq!(first.transaction_id, request.idempotency_key.to_string());
    let second = provider.create(&request).await.unwrap();
    assert_eq!(second, first);
    assert_eq!(double.transactions_for(request.idempotency_key), 1);

    // Once paid, a repeated create answers the finished transaction and
    // sends the citizen back to the portal instead of to a payment page.
    choose_on_page(&first.redirect_url, "pay").await;
    let third = provider.create(&request).await.unwrap();
    assert_eq!(third.transaction_id, first.transaction_id);
    assert_eq!(third.status, PaymentStatus::Paid);
    assert_eq!(third.redirect_url, request.return_url);

    // The same key with another amount is not this request.
    let mut other = request.clone();
    other.total_cents = 4000;
    other.items[0].amount_cents = 4000;
    assert!(matches!(
        provider.create(&other).await,
        Err(PaymentError::InvalidResponse { .. })
    ));
    assert_eq!(double.transactions_for(request.idempotency_key), 1);
}

#[tokio::test]
async fn a_provider_that_is_down_is_retryable_and_comes_back() {
    let double = double().await;
    let provider = adapter(&double);
    let created = provider.create(&request(100)).await.unwrap();

    double.go_down().await;
    let error = provider.status(&created.transaction_id).await.unwrap_err();
    assert!(
        matches!(error, PaymentError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let error = provider.create(&request(100)).await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");

    double.come_back().await.unwrap();
    assert_eq!(
        provider
            .status(&created.transaction_id)
            .await
            .unwrap()
            .status,
        PaymentStatus::Initial
    );
}

#[tokio::test]
async fn connection_refused_is_unreachable_and_retryable() {
    let double = double().await;
    let mut config = double.config();
    // A port nobody listens on any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    config.endpoint = Url::parse(&format!("http://127.0.0.1:{port}/api/")).unwrap();
    let provider = XBezahldienste::new(config).unwrap();
    let error = provider.create(&request(100)).await.unwrap_err();
    assert_eq!(
        error,
        PaymentError::Unreachable {
            reason: "no connection"
        }
    );
    assert!(error.is_retryable());
    assert!(error.message_de().contains("nicht erreichbar"));
}

#[tokio::test]
async fn server_errors_are_retryable_and_the_next_try_works() {
    let double = double().await;
    let provider = adapter(&double);
    let request = request(100);
    double.fail_next(Failure::Status(500));
    let error = provider.create(&request).await.unwrap_err();
    assert_eq!(error, PaymentError::Unavailable { status: 500 });
    assert!(error.is_retryable());
    // Nothing was stored, so the retry with the same key creates it.
    assert_eq!(double.transactions_for(request.idempotency_key), 0);
    let created = provider.create(&request).await.unwrap();

    double.fail_next(Failure::Status(503));
    let error = provider.status(&created.transaction_id).await.unwrap_err();
    assert_eq!(error, PaymentError::Unavailable { status: 503 });
    assert!(error.is_retryable());
    assert_eq!(
        provider
            .status(&created.transaction_id)
            .await
            .unwrap()
            .status,
        PaymentStatus::Initial
    );
}

#[tokio::test]
async fn a_bad_request_is_not_retryable() {
    let double = double().await;
    let provider = adapter(&double);
    double.fail_next(Failure::Status(400));
    let error = provider.create(&request(100)).await.unwrap_err();
    assert!(
        matches!(error, PaymentError::Rejected { status: 400, .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_wrong_originator_or_endpoint_is_rejected_with_its_code() {
    let double = double().await;
    let mut config = double.config();
    config.end_point_id = "09162000".into();
    let provider = XBezahldienste::new(config).unwrap();
    assert_eq!(
        provider.create(&request(100)).await,
        Err(PaymentError::Rejected {
            status: 400,
            functional_code: Some("NO_VALID_ORIGINATOR_OR_ENDPOINT"),
        })
    );
}

#[tokio::test]
async fn a_timeout_is_retryable() {
    let double = double().await;
    let mut config = double.config();
    config.timeout = Duration::from_millis(300);
    let provider = XBezahldienste::new(config).unwrap();
    double.fail_next(Failure::Delay(Duration::from_secs(3)));
    let error = provider.create(&request(100)).await.unwrap_err();
    assert_eq!(error, PaymentError::Timeout);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn malformed_answers_are_invalid_responses() {
    let double = double().await;
    let provider = adapter(&double);

    double.fail_next(Failure::WrongAmount);
    let error = provider.create(&request(3050)).await.unwrap_err();
    assert_eq!(
        error,
        PaymentError::InvalidResponse {
            what: "paymentRequest.grosAmount is 3150 cents, 3050 were requested".into()
        }
    );
    assert!(!error.is_retryable());

    let created = provider.create(&request(3050)).await.unwrap();
    double.fail_next(Failure::UnknownStatus);
    assert_eq!(
        provider.status(&created.transaction_id).await,
        Err(PaymentError::InvalidResponse {
            what: "unknown status \"PENDING\"".into()
        })
    );
    double.fail_next(Failure::MissingTransactionId);
    assert!(matches!(
        provider.status(&created.transaction_id).await,
        Err(PaymentError::InvalidResponse { what }) if what.contains("transactionId")
    ));
    double.fail_next(Failure::NotJson);
    assert!(matches!(
        provider.status(&created.transaction_id).await,
        Err(PaymentError::InvalidResponse { .. })
    ));
    // An amount changed after creation is reported as the provider holds
    // it; the caller compares it with the fee.
    double.fail_next(Failure::WrongAmount);
    assert_eq!(
        provider
            .status(&created.transaction_id)
            .await
            .unwrap()
            .amount_cents,
        Some(3150)
    );
}

#[tokio::test]
async fn an_unknown_transaction_is_not_found() {
    let double = double().await;
    let provider = adapter(&double);
    assert_eq!(
        provider.status("tx-does-not-exist").await,
        Err(PaymentError::NotFound)
    );
    // An id the interface does not allow is not sent at all.
    assert!(matches!(
        provider.status("../../oauth/token").await,
        Err(PaymentError::InvalidRequest { .. })
    ));
    assert_eq!(double.api_requests(), 1);
}

#[tokio::test]
async fn wrong_credentials_are_refused_and_never_shown() {
    let double = double().await;
    let created = adapter(&double).create(&request(100)).await.unwrap();
    let mut config = double.config();
    let wrong = "wrong-password-0815";
    config.auth = XBezahldiensteAuth::Basic {
        username: "amtsweg".into(),
        password: Secret::new(wrong),
    };
    let provider = XBezahldienste::new(config.clone()).unwrap();
    let create_error = provider.create(&request(100)).await.unwrap_err();
    assert_eq!(create_error, PaymentError::Unauthorized { status: 401 });
    assert!(!create_error.is_retryable());
    let status_error = provider.status(&created.transaction_id).await.unwrap_err();
    assert_eq!(status_error, PaymentError::Unauthorized { status: 401 });

    let mut shown = vec![
        format!("{config:?}"),
        format!("{provider:?}"),
        format!("{:?}", double.config()),
    ];
    for error in [create_error, status_error] {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
        shown.push(error.message_de().into());
        shown.push(error.message_en().into());
    }
    for text in shown {
        assert!(!text.contains(wrong), "{text}");
        assert!(!text.contains(PASSWORD), "{text}");
    }
}

fn oauth_settings() -> DoubleSettings {
    DoubleSettings {
        auth: DoubleAuth::OAuth2 {
            client_id: "amtsweg-portal".into(),
            client_secret: Secret::new("client-secret-4711"),
        },
        ..DoubleSettings::default()
    }
}

#[tokio::test]
async fn oauth_client_credentials_fetch_keep_and_renew_the_token() {
    let double = XBezahldiensteDouble::start(oauth_settings()).await.unwrap();
    let provider = adapter(&double);
    let created = provider.create(&request(1500)).await.unwrap();
    provider.status(&created.transaction_id).await.unwrap();
    assert_eq!(double.token_requests(), 1, "the token is kept");

    // The provider forgot the token: one 401, a new token, the same call.
    double.expire_tokens();
    let state = provider.status(&created.transaction_id).await.unwrap();
    assert_eq!(state.status, PaymentStatus::Initial);
    assert_eq!(double.token_requests(), 2);
}

#[tokio::test]
async fn a_wrong_client_secret_is_unauthorized_and_never_shown() {
    let double = XBezahldiensteDouble::start(oauth_settings()).await.unwrap();
    let mut config = double.config();
    config.auth = XBezahldiensteAuth::OAuth2ClientCredentials {
        token_url: double.token_url(),
        client_id: "amtsweg-portal".into(),
        client_secret: Secret::new("not-the-secret"),
    };
    let provider = XBezahldienste::new(config.clone()).unwrap();
    let error = provider.create(&request(100)).await.unwrap_err();
    assert_eq!(error, PaymentError::Unauthorized { status: 401 });
    assert!(!error.is_retryable());
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{config:?}"),
    ] {
        assert!(!text.contains("not-the-secret"), "{text}");
    }
    assert_eq!(double.api_requests(), 0, "no API call without a token");
}

/// The double is no stub that says yes: it refuses what a provider
/// refuses. Raw requests, bypassing the adapter's own checks.
#[tokio::test]
async fn the_double_refuses_what_a_provider_refuses() {
    let double = double().await;
    let url = double
        .endpoint()
        .join("paymenttransaction/amtsweg-test/16051000")
        .unwrap();
    let good = serde_json::json!({
        "requestId": "r-1",
        "requestTimestamp": "2026-03-01T10:00:00Z",
        "currency": "EUR",
        "grosAmount": 12.5,
        "purpose": "AW-2026-000123",
        "redirectUrl": "https://portal.example/zurueck",
        "items": [{
            "id": "1", "description": "Gebühr", "quantity": 1,
            "totalNetAmount": 12.5, "totalTaxAmount": 0
        }]
    });
    let post = |body: serde_json::Value, password: &str| {
        let url = url.clone();
        let password = password.to_owned();
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .basic_auth("amtsweg", Some(password))
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap();
            (
                status,
                body["functionalCode"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let spoil = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut body = good.clone();
        edit(&mut body);
        body
    };

    assert_eq!(post(good.clone(), "wrong").await, (401, "FORBIDDEN".into()));
    assert_eq!(
        post(spoil(&|b| b["grosAmount"] = 13.into()), PASSWORD).await,
        (400, "CALCULATION_ERROR".into())
    );
    let refused: [fn(&mut serde_json::Value); 6] = [
        |b| b["currency"] = "USD".into(),
        |b| b["purpose"] = "AW/2026/000123".into(),
        |b| b["grosAmount"] = 12.505.into(),
        |b| b["items"] = serde_json::json!([]),
        |b| b["grossAmount"] = 12.5.into(),
        |b| {
            b.as_object_mut().unwrap().remove("requestTimestamp");
        },
    ];
    for edit in refused {
        assert_eq!(
            post(spoil(&edit), PASSWORD).await,
            (400, "VALIDATION_ERROR".into())
        );
    }
    assert_eq!(post(good.clone(), PASSWORD).await.0, 200);
    assert_eq!(post(good, PASSWORD).await, (400, "PAYMENT_EXISTS".into()));
}

/// The create timed out at the portal, but the provider had stored the
/// transaction: the retry with the same key never makes a second one. A
/// provider with its own ids refuses it (`payment_journey` then gives
/// that attempt up: nobody saw its page); one whose transaction id is the
/// request id answers the stored transaction.
///
/// The double cannot lose an answer by itself: when the client gives up,
/// the server drops the delayed request before it stores anything (checked
/// first). So the provider's side of the lost exchange, the stored
/// transaction, is made by the same request sent by another client.
#[tokio::test]
async fn a_create_that_timed_out_after_the_provider_stored_it_is_not_created_twice() {
    for ids in [TransactionIds::Own, TransactionIds::RequestId] {
        let double = XBezahldiensteDouble::start(DoubleSettings {
            transaction_ids: ids,
            ..DoubleSettings::default()
        })
        .await
        .unwrap();
        let mut config = double.config();
        config.timeout = Duration::from_millis(300);
        let provider = XBezahldienste::new(config).unwrap();
        let request = request(3050);
        double.fail_next(Failure::Delay(Duration::from_millis(600)));
        assert_eq!(
            provider.create(&request).await,
            Err(PaymentError::Timeout),
            "{ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(double.transactions_for(request.idempotency_key), 0);
        // What the provider stored of the exchange the portal lost.
        let stored = adapter(&double).create(&request).await.unwrap();

        let again = provider.create(&request).await;
        match ids {
            TransactionIds::Own => assert_eq!(again, Err(PaymentError::AlreadyExists)),
            TransactionIds::RequestId => assert_eq!(again.unwrap(), stored),
        }
        assert_eq!(
            double.transactions_for(request.idempotency_key),
            1,
            "{ids:?}"
        );
        assert_eq!(
            provider
                .status(&stored.transaction_id)
                .await
                .unwrap()
                .status,
            PaymentStatus::Initial
        );
    }
}
