//! A form's own page. For now it introduces the service (title, summary,
//! receiving authority); the step-by-step journey is added in a later
//! issue.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{Layout, fallback_lang, not_found::NotFoundContent, set_status};
use crate::catalog::published_form;
use crate::i18n::{href, ui, use_lang};

#[component]
pub fn FormPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let form = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        published_form,
    );
    view! {
        <Layout>
            <Suspense fallback=move || {
                view! { <p>{ui(lang.get()).loading}</p> }
            }>
                {move || {
                    let lang = lang.get();
                    Suspend::new(async move {
                        match form.await {
                            Ok(Some(form)) => {
                                let title = form.title.get(lang).to_owned();
                                view! {
                                    <Title text=format!("{title} – Amtsweg") />
                                    <h1 lang=fallback_lang(&form.title, lang)>{title}</h1>
                                    <p class="lead" lang=fallback_lang(&form.summary, lang)>
                                        {form.summary.get(lang).to_owned()}
                                    </p>
                                    <p class="service__authority">
                                        <span class="label">{ui(lang).authority_label} ": "</span>
                                        <span lang=fallback_lang(&form.authority.name, lang)>
                                            {form.authority.name.get(lang).to_owned()}
                                        </span>
                                    </p>
                                    <p class="notice">{ui(lang).form_coming}</p>
                                    <p>
                                        <a href=href("/", lang)>{ui(lang).back_to_overview}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(None) => view! { <NotFoundContent lang /> }.into_any(),
                            Err(_) => {
                                set_status(503);
                                view! {
                                    <Title text="Amtsweg" />
                                    <h1>{ui(lang).unavailable}</h1>
                                    <p>
                                        <a href=href("/", lang)>{ui(lang).back_to_overview}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}
