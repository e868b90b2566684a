//! The start page: the portal's heading and the list of published online
//! services, each with title, summary and receiving authority.

use amtsweg_forms::Lang;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{Layout, fallback_lang, set_status};
use crate::catalog::{FormSummary, published_forms};
use crate::i18n::{href, title_lang, ui, use_lang};

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let forms = Resource::new(|| (), |_| published_forms());
    let title_lang = title_lang(lang);
    view! {
        <Title text=move || format!("Amtsweg – {}", ui(title_lang()).services_heading) />
        <Layout>
            <h1>{move || ui(lang.get()).home_title}</h1>
            <p class="lead">{move || ui(lang.get()).home_intro}</p>
            <section aria-labelledby="services-heading">
                <h2 id="services-heading">{move || ui(lang.get()).services_heading}</h2>
                <Suspense fallback=move || {
                    view! { <p>{ui(lang.get()).loading}</p> }
                }>
                    {move || {
                        let lang = lang.get();
                        Suspend::new(async move {
                            match forms.await {
                                Ok(list) if list.is_empty() => {
                                    view! { <p>{ui(lang).no_services}</p> }.into_any()
                                }
                                Ok(list) => {
                                    view! {
                                        <ul class="services">
                                            {list
                                                .into_iter()
                                                .map(|form| service_item(form, lang))
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }
                                Err(_) => {
                                    set_status(503);
                                    view! {
                                        <p class="notice notice--error" role="alert">
                                            {ui(lang).unavailable}
                                        </p>
                                    }
                                        .into_any()
                                }
                            }
                        })
                    }}
                </Suspense>
            </section>
        </Layout>
    }
}

fn service_item(form: FormSummary, lang: Lang) -> impl IntoView {
    let link = href(&format!("/forms/{}", form.id), lang);
    view! {
        <li class="service">
            <h3 class="service__title">
                <a href=link lang=fallback_lang(&form.title, lang)>
                    {form.title.get(lang).to_owned()}
                </a>
            </h3>
            <p class="service__summary" lang=fallback_lang(&form.summary, lang)>
                {form.summary.get(lang).to_owned()}
            </p>
            <p class="service__authority">
                <span class="label">{ui(lang).authority_label} ": "</span>
                <span lang=fallback_lang(&form.authority.name, lang)>
                    {form.authority.name.get(lang).to_owned()}
                </span>
            </p>
        </li>
    }
}
