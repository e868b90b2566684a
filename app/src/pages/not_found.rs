//! The 404 page, in German and English, with HTTP status 404.

use amtsweg_forms::Lang;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{Layout, set_status};
use crate::i18n::{href, ui, use_lang};

/// The router's fallback: any path that is not a page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout>
            {move || view! { <NotFoundContent lang=lang.get() /> }}
        </Layout>
    }
}

/// The content of the 404 page; sets the status on the server.
#[component]
pub fn NotFoundContent(lang: Lang) -> impl IntoView {
    set_status(404);
    let texts = ui(lang);
    view! {
        <Title text=format!("{} – Amtsweg", texts.not_found_title) />
        <h1>{texts.not_found_title}</h1>
        <p>{texts.not_found_text}</p>
        <p>
            <a href=href("/", lang)>{texts.back_to_overview}</a>
        </p>
    }
}
