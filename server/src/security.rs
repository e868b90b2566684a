//! Security headers on every response, and the per-response CSP nonce.
//!
//! Leptos' hydration scripts are inline `<script>`s. Instead of allowing
//! `'unsafe-inline'`, each response gets a fresh nonce: this middleware
//! mints it, puts it into the request's extensions ([`CspNonce`]), and
//! names it in the `Content-Security-Policy` header; the Leptos context
//! (see `routes`) hands the same value to Leptos as its `Nonce`, so
//! `HydrationScripts` and the resource scripts carry it. `'wasm-unsafe-eval'`
//! lets the browser compile the app's WebAssembly, nothing else.

use std::sync::Arc;

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;

/// The nonce of the current response, in the request's extensions.
#[derive(Debug, Clone)]
pub struct CspNonce(pub Arc<str>);

/// The Content-Security-Policy for a response with `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    policy(nonce, "'none'")
}

fn policy(nonce: &str, frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// Whether `path` may be shown in a frame of the portal's own pages: the
/// editor's preview (`/redaktion/{id}/vorschau…`), which the edit page
/// shows beside the forms as a live preview. Nothing else is ever framed.
pub fn framed_by_self(path: &str) -> bool {
    let mut parts = path.split('/');
    parts.next() == Some("")
        && parts.next() == Some("redaktion")
        && parts.next().is_some_and(|id| !id.is_empty())
        && parts.next() == Some("vorschau")
}

/// Adds the security headers (and the CSP nonce) to every response.
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let nonce: Arc<str> = Nonce::new().as_inner().clone();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let framed = framed_by_self(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let csp = if framed {
        policy(&nonce, "'self'")
    } else {
        content_security_policy(&nonce)
    };
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static(if framed { "SAMEORIGIN" } else { "DENY" }),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::framed_by_self;

    #[test]
    fn only_the_editors_preview_may_be_framed() {
        assert!(framed_by_self("/redaktion/hund/vorschau"));
        assert!(framed_by_self("/redaktion/hund/vorschau/halter"));
        assert!(!framed_by_self("/redaktion/hund/bearbeiten"));
        assert!(!framed_by_self("/redaktion//vorschau"));
        assert!(!framed_by_self("/redaktion/vorschau"));
        assert!(!framed_by_self("/forms/hund/vorschau"));
        assert!(!framed_by_self("/"));
    }
}
