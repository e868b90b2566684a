//! The payment's pages, plain HTML from the server: the payment page
//! (amount, purpose, "Jetzt bezahlen" as a real POST form), the page that
//! forwards to an external provider, the error page when the provider
//! cannot be reached, and the demo provider's own page. They work without
//! JavaScript and use the portal's stylesheet; the citizen's language is
//! `?lang=en` as everywhere in the journey.

use amtsweg_forms::{Lang, values::format_money};
use axum::{
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

use super::PaymentView;
use crate::payment::{DEMO_NOTICE_DE, DEMO_NOTICE_EN, DemoPayment, PaymentStatus};

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `path` with `?lang=en` for English.
pub fn with_lang(path: &str, lang: Lang) -> String {
    match lang {
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
        _ => path.to_owned(),
    }
}

fn pick(lang: Lang, de: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { de }
}

fn cents(value: u64) -> String {
    format_money(i64::try_from(value).unwrap_or(i64::MAX))
}

fn document(lang: Lang, title: &str, body: &str) -> String {
    let code = if lang == Lang::En { "en" } else { "de" };
    format!(
        r#"<!DOCTYPE html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Amtsweg</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<main id="main" class="container">
{body}
</main>
</body>
</html>
"#,
        title = escape(title),
        css = amtsweg_app::STYLESHEET_PATH,
    )
}

fn page(status: StatusCode, lang: Lang, title: &str, body: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(document(lang, title, body)),
    )
        .into_response()
}

/// A message above the payment page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    None,
    /// The status could not be read now; the portal keeps asking.
    Unchecked,
}

/// The payment page of `view`.
pub fn payment_page(view: &PaymentView, lang: Lang, csrf: &str, notice: Notice) -> Response {
    let title = pick(lang, "Gebühr bezahlen", "Pay the fee");
    let action = with_lang(
        &format!("/forms/{}/bezahlung/{}", view.form_id, view.submission_id),
        lang,
    );
    let confirmation = with_lang(
        &format!(
            "/forms/{}/bestaetigung/{}",
            view.form_id, view.submission_id
        ),
        lang,
    );
    let latest = view.overview.latest().map(|a| a.status);
    let message = match (notice, latest) {
        (Notice::Unchecked, _) => Some(pick(
            lang,
            "Der Stand Ihrer Zahlung konnte gerade nicht abgefragt werden. Wir prüfen ihn \
             automatisch; haben Sie bezahlt, wird Ihr Antrag danach übermittelt.",
            "The state of your payment could not be read just now. We check it \
             automatically; if you have paid, your application is sent on afterwards.",
        )),
        (_, Some(PaymentStatus::Canceled)) => Some(pick(
            lang,
            "Sie haben die Zahlung abgebrochen. Es wurde nichts abgebucht.",
            "You cancelled the payment. Nothing was charged.",
        )),
        (_, Some(PaymentStatus::Failed)) => Some(pick(
            lang,
            "Die Zahlung ist fehlgeschlagen. Es wurde nichts abgebucht.",
            "The payment failed. Nothing was charged.",
        )),
        (_, Some(PaymentStatus::Initial))
            if view
                .overview
                .latest()
                .is_some_and(|a| a.transaction_id.is_some()) =>
        {
            Some(pick(
                lang,
                "Ihre Zahlung ist noch nicht abgeschlossen.",
                "Your payment is not finished yet.",
            ))
        }
        _ => None,
    };
    let message = message
        .map(|m| format!("<div class=\"error-summary\" role=\"alert\"><p>{m}</p></div>\n"))
        .unwrap_or_default();
    let demo = if view.demo {
        format!(
            "<p class=\"notice\" role=\"note\"><strong>{}</strong></p>\n",
            pick(lang, DEMO_NOTICE_DE, DEMO_NOTICE_EN)
        )
    } else {
        String::new()
    };
    let mut rows = String::new();
    for fee in view.fees.iter().filter(|f| f.amount_cents != 0) {
        rows.push_str(&format!(
            "<div class=\"summary__row\"><dt class=\"summary__key\">{}</dt><dd class=\"summary__value\">{}</dd></div>\n",
            escape(fee.purpose.get(lang)),
            format_money(fee.amount_cents)
        ));
    }
    let button = if latest.is_some() && latest != Some(PaymentStatus::Initial) {
        pick(lang, "Erneut bezahlen", "Pay again")
    } else {
        pick(lang, "Jetzt bezahlen", "Pay now")
    };
    let body = format!(
        r#"<h1>{title}</h1>
{message}{demo}<p>{intro}</p>
<dl class="summary">
<div class="summary__row"><dt class="summary__key">{form_label}</dt><dd class="summary__value">{form_title}</dd></div>
<div class="summary__row"><dt class="summary__key">{reference_label}</dt><dd class="summary__value"><strong class="reference">{reference}</strong></dd></div>
{rows}<div class="summary__row"><dt class="summary__key">{total_label}</dt><dd class="summary__value"><strong>{total}</strong></dd></div>
</dl>
<form method="post" action="{action}">
<input type="hidden" name="_csrf" value="{csrf}">
<button type="submit" class="button">{button}</button>
</form>
<p>{later}</p>
<p><a href="{confirmation}">{leave}</a></p>
"#,
        intro = pick(
            lang,
            "Ihr Antrag ist gespeichert. Er wird an die Behörde übermittelt, sobald die Gebühr bezahlt ist.",
            "Your application is saved. It is sent to the authority as soon as the fee is paid.",
        ),
        form_label = pick(lang, "Antrag", "Application"),
        form_title = escape(view.form_title.get(lang)),
        reference_label = pick(lang, "Vorgangsnummer", "Reference number"),
        reference = escape(&view.reference),
        total_label = pick(lang, "Zu zahlen", "To pay"),
        total = cents(view.overview.fee_cents),
        action = escape(&action),
        csrf = escape(csrf),
        later = pick(
            lang,
            "Sie werden zum Bezahldienst weitergeleitet und danach hierher zurückgeschickt.",
            "You are sent to the payment service and brought back here afterwards.",
        ),
        confirmation = escape(&confirmation),
        leave = pick(
            lang,
            "Jetzt nicht bezahlen (der Antrag bleibt gespeichert, wird aber nicht übermittelt)",
            "Do not pay now (the application stays saved but is not sent)",
        ),
    );
    page(StatusCode::OK, lang, title, &body)
}

/// Forwards to an external provider's page. A form POST may not be
/// redirected to another origin under the portal's `form-action 'self'`
/// policy, so this page moves on by itself (a meta refresh) and has a link.
pub fn forward_page(to: &str, lang: Lang) -> Response {
    let href = escape(to);
    let title = pick(lang, "Weiter zum Bezahldienst", "On to the payment service");
    let body = format!(
        "<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n<h1>{title}</h1>\n<p><a class=\"button\" href=\"{href}\">{title}</a></p>\n"
    );
    page(StatusCode::OK, lang, title, &body)
}

/// The provider cannot be reached (or refused): nothing is lost, try again.
pub fn provider_error_page(message_de: &str, message_en: &str, back: &str, lang: Lang) -> Response {
    let title = pick(lang, "Bezahlung nicht möglich", "Payment not possible");
    let body = format!(
        "<h1>{title}</h1>\n<p>{message}</p>\n<p>{kept}</p>\n<p><a class=\"button\" href=\"{back}\">{retry}</a></p>\n",
        message = escape(if lang == Lang::En {
            message_en
        } else {
            message_de
        }),
        kept = pick(
            lang,
            "Ihr Antrag ist gespeichert; es ist nichts verloren gegangen.",
            "Your application is saved; nothing was lost.",
        ),
        back = escape(&with_lang(back, lang)),
        retry = pick(lang, "Zurück zur Bezahlung", "Back to the payment"),
    );
    page(StatusCode::SERVICE_UNAVAILABLE, lang, title, &body)
}

/// The demo provider's page: "Bezahlen (Demo)", "Abbrechen",
/// "Fehlschlag simulieren", clearly labelled as a demo.
pub fn demo_page(payment: &DemoPayment, csrf: &str, lang: Lang) -> Response {
    let title = pick(lang, "Demo-Bezahlung", "Demo payment");
    let action = escape(&with_lang(
        &crate::payment::demo::demo_page_path(&payment.transaction_id),
        lang,
    ));
    let finished = payment.status != PaymentStatus::Initial;
    let buttons = if finished {
        format!(
            "<p>{}</p>\n<p><a class=\"button\" href=\"{}\">{}</a></p>\n",
            pick(
                lang,
                "Dieser Bezahlvorgang ist abgeschlossen.",
                "This payment is finished."
            ),
            escape(payment.return_url.as_str()),
            pick(lang, "Zurück zum Portal", "Back to the portal")
        )
    } else {
        format!(
            r#"<form method="post" action="{action}">
<input type="hidden" name="_csrf" value="{csrf}">
<button type="submit" class="button" name="_action" value="pay">{pay}</button>
<button type="submit" class="button button--secondary" name="_action" value="cancel">{cancel}</button>
<button type="submit" class="button button--secondary" name="_action" value="fail">{fail}</button>
</form>
"#,
            csrf = escape(csrf),
            pay = pick(lang, "Bezahlen (Demo)", "Pay (demo)"),
            cancel = pick(lang, "Abbrechen", "Cancel"),
            fail = pick(lang, "Fehlschlag simulieren", "Simulate a failure"),
        )
    };
    let body = format!(
        r#"<p class="notice" role="note"><strong>{notice}</strong></p>
<h1>{title}</h1>
<dl class="summary">
<div class="summary__row"><dt class="summary__key">{purpose_label}</dt><dd class="summary__value">{purpose}</dd></div>
<div class="summary__row"><dt class="summary__key">{reference_label}</dt><dd class="summary__value">{reference}</dd></div>
<div class="summary__row"><dt class="summary__key">{total_label}</dt><dd class="summary__value"><strong>{total}</strong></dd></div>
</dl>
{buttons}"#,
        notice = pick(lang, DEMO_NOTICE_DE, DEMO_NOTICE_EN),
        purpose_label = pick(lang, "Verwendungszweck", "Purpose"),
        purpose = escape(&payment.purpose),
        reference_label = pick(lang, "Vorgangsnummer", "Reference number"),
        reference = escape(&payment.reference),
        total_label = pick(lang, "Betrag", "Amount"),
        total = cents(payment.total_cents),
    );
    page(StatusCode::OK, lang, title, &body)
}

/// An unknown demo payment (e.g. after a restart: the demo keeps its
/// payments in memory).
pub fn demo_unknown_page(lang: Lang) -> Response {
    let title = pick(lang, "Bezahlvorgang unbekannt", "Unknown payment");
    let body = format!(
        "<p class=\"notice\"><strong>{}</strong></p>\n<h1>{title}</h1>\n<p>{}</p>\n<p><a href=\"{}\">{}</a></p>\n",
        pick(lang, DEMO_NOTICE_DE, DEMO_NOTICE_EN),
        pick(
            lang,
            "Diesen Bezahlvorgang gibt es nicht (mehr). Bitte starten Sie die Bezahlung auf der Seite Ihres Antrags erneut.",
            "This payment does not exist (any more). Please start the payment again from your application's page.",
        ),
        with_lang("/", lang),
        pick(lang, "Zur Startseite", "To the start page"),
    );
    page(StatusCode::NOT_FOUND, lang, title, &body)
}
