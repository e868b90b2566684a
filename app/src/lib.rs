//! `amtsweg-app`: the pages citizens see, as Leptos components.
//!
//! It owns the HTML shell, the routes and the pages, the texts of the user
//! interface (German first, English), and the server functions the pages
//! call. It must not own storage or configuration: the server crate hands
//! it data through the [`catalog::ssr::AppContext`] it provides as context
//! (feature `ssr`). Every page is rendered on the server and works without
//! JavaScript; the `hydrate` build (wasm32) only adds interactivity.
//!
//! Features: `ssr` (server) and `hydrate` (browser), never both.

pub mod auth;
pub mod catalog;
pub mod editor_live;
pub mod form_data;
pub mod i18n;
pub mod journey;
pub mod live;
pub mod pages;
pub mod saved;

use leptos::prelude::*;
use leptos_meta::{Html, Link, Meta, MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::i18n::use_lang;
use crate::pages::{
    AccountPage, CheckPage, ConfirmationPage, FormPage, HomePage, NotFoundPage, SavedPage, StepPage,
};

/// Where the stylesheet is served (see docs/architecture.md).
pub const STYLESHEET_PATH: &str = "/pkg/amtsweg.css";

/// The HTML document around the app, rendered on the server only.
///
/// `<html lang>` is set by [`App`] through `leptos_meta::Html`, so the shell
/// leaves it out.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // No favicon yet: an empty one saves every visitor a 404 request.
                <link rel="icon" href="data:," />
                // Before anything is painted: conditional fields may be
                // hidden at once where the wasm can run (see crate::live).
                <script nonce=leptos::nonce::use_nonce()>{live::ENHANCED_SCRIPT}</script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: routes and the page frame.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Link rel="stylesheet" href=STYLESHEET_PATH />
        <Meta name="color-scheme" content="light" />
        <Router>
            <LangAttribute />
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/forms/:id") view=FormPage ssr=SsrMode::Async />
                <Route path=path!("/konto/antraege") view=AccountPage ssr=SsrMode::Async />
                <Route path=path!("/forms/:id/pruefen") view=CheckPage ssr=SsrMode::Async />
                <Route path=path!("/forms/:id/gespeichert") view=SavedPage ssr=SsrMode::Async />
                <Route
                    path=path!("/forms/:id/bestaetigung/:submission")
                    view=ConfirmationPage
                    ssr=SsrMode::Async
                />
                <Route path=path!("/forms/:id/:step") view=StepPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

/// Sets `<html lang>` from the `lang` query parameter.
#[component]
fn LangAttribute() -> impl IntoView {
    let lang = use_lang();
    view! { <Html {..} lang=move || lang.get().tag() /> }
}

/// The browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // A marker for browser tests (and curious people): the page is live.
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("data-hydrated", "true");
    }
}
