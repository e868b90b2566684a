//! The pages and the frame around them (skip link, header with the
//! language switch, main, footer). One `h1` per page, landmarks for screen
//! readers, plain links and forms that work without JavaScript.

mod account;
mod check;
mod confirmation;
mod fields;
mod form;
mod home;
mod not_found;
mod saved;
mod step;

pub use account::AccountPage;
pub use check::{CheckPage, check_page};
pub use confirmation::ConfirmationPage;
pub use form::FormPage;
pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use saved::SavedPage;
pub use step::{StepPage, step_page};

use amtsweg_forms::{Lang, Text};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::catalog::CatalogError;
use crate::i18n::{href, ui, use_lang};
use crate::journey::Outcome;

/// The frame every page shares.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let other = move || match lang.get() {
        Lang::De => Lang::En,
        Lang::En => Lang::De,
    };
    let switch_href = move || href(&location.pathname.get(), other());
    view! {
        // `target="_self"`: the browser, not the router, follows the link,
        // so the focus moves into <main> with JavaScript on too.
        <a class="skip-link" href="#main" target="_self">
            {move || ui(lang.get()).skip_link}
        </a>
        <header class="site-header">
            <div class="container site-header__inner">
                <a class="site-name" href=move || href("/", lang.get())>
                    "Amtsweg"
                </a>
                <span class="site-tagline">{move || ui(lang.get()).site_tagline}</span>
                <nav class="lang-switch" aria-label="Sprache / Language">
                    <a
                        href=switch_href
                        hreflang=move || other().tag()
                        lang=move || other().tag()
                        aria-label=move || ui(lang.get()).other_language_label
                    >
                        {move || ui(lang.get()).other_language_name}
                    </a>
                </nav>
                <crate::auth::AccountNav />
            </div>
        </header>
        <main id="main" class="container" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <div class="container">
                <p>{move || ui(lang.get()).footer_text}</p>
            </div>
        </footer>
    }
}

/// The `lang` attribute for a text shown in `lang`: `Some("de")` when an
/// English page falls back to the German text, so screen readers switch
/// pronunciation.
pub(crate) fn fallback_lang(text: &Text, lang: Lang) -> Option<&'static str> {
    (lang == Lang::En && text.get(Lang::En) == text.de).then_some("de")
}

/// Sets the HTTP status of the server-rendered response (no-op in the
/// browser).
pub(crate) fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// The page when the service cannot answer (status 503).
pub(crate) fn unavailable(lang: Lang) -> impl IntoView {
    set_status(503);
    view! {
        <Title text="Amtsweg" />
        <h1>{ui(lang).unavailable}</h1>
        <p>
            <a href=href("/", lang)>{ui(lang).back_to_overview}</a>
        </p>
    }
}

/// The body of every journey page: waits for the page's loader, then shows
/// the page, the link of a redirect (the server already answered `303`), the
/// "not found" content, or the "unavailable" page.
pub(crate) fn outcome_page<T>(
    data: Resource<Result<Outcome<T>, CatalogError>>,
    lang: Memo<Lang>,
    page: fn(T, Lang) -> AnyView,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    view! {
        <Layout>
            <Suspense fallback=move || {
                view! { <p>{ui(lang.get()).loading}</p> }
            }>
                {move || {
                    let lang = lang.get();
                    Suspend::new(async move {
                        match data.await {
                            Ok(Outcome::Show(view)) => page(view, lang),
                            Ok(Outcome::Redirect(to)) => moved(to, lang).into_any(),
                            Ok(Outcome::NotFound) => view! { <not_found::NotFoundContent lang /> }.into_any(),
                            Err(_) => unavailable(lang).into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

/// The body of a redirect response (the server sent `303` with
/// `Location`); after hydration it is a plain link.
pub(crate) fn moved(to: String, lang: Lang) -> impl IntoView {
    view! {
        <Title text="Amtsweg" />
        <p>
            <a href=to>{ui(lang).continue_button}</a>
        </p>
    }
}
