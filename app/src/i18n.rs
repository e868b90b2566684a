//! Language of the page and the texts of the user interface.
//!
//! German is the default; `?lang=en` switches to English. The language
//! travels in the query string (not a cookie) so every page is a plain,
//! shareable URL that renders the same with and without JavaScript.
//! Texts from form definitions come in both languages from the definition;
//! the texts here are the portal's own.

use amtsweg_forms::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page's language, from the `lang` query parameter.
pub fn use_lang() -> Memo<Lang> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("lang")
            .map(|tag| Lang::from_tag(&tag))
            .unwrap_or_default()
    })
}

/// `path` with the query that keeps `lang` (nothing for German).
pub fn href(path: &str, lang: Lang) -> String {
    match lang {
        Lang::De => path.to_owned(),
        Lang::En => format!("{path}?lang=en"),
    }
}

/// The portal's own texts in one language.
#[derive(Debug)]
pub struct Ui {
    pub skip_link: &'static str,
    pub site_tagline: &'static str,
    pub other_language_name: &'static str,
    pub other_language_label: &'static str,
    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub services_heading: &'static str,
    pub no_services: &'static str,
    pub authority_label: &'static str,
    pub loading: &'static str,
    pub unavailable: &'static str,
    pub form_coming: &'static str,
    pub back_to_overview: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub footer_text: &'static str,
    pub footer_nav_label: &'static str,
}

const DE: Ui = Ui {
    skip_link: "Zum Inhalt springen",
    site_tagline: "Online-Anträge an Ihre Verwaltung",
    other_language_name: "English",
    other_language_label: "Switch to English",
    home_title: "Amtsweg",
    home_intro: "Stellen Sie Ihren Antrag online – rund um die Uhr, Schritt für Schritt. \
                 Ihr Antrag geht direkt an die zuständige Behörde.",
    services_heading: "Online-Dienste",
    no_services: "Zurzeit sind keine Online-Dienste veröffentlicht.",
    authority_label: "Zuständig",
    loading: "Wird geladen …",
    unavailable: "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.",
    form_coming: "Die Online-Antragstellung für diesen Dienst wird gerade eingerichtet. \
                  Bitte versuchen Sie es in Kürze erneut.",
    back_to_overview: "Zurück zur Übersicht",
    not_found_title: "Seite nicht gefunden",
    not_found_text: "Diese Seite gibt es nicht. Vielleicht ist der Link veraltet oder die Adresse enthält einen Tippfehler.",
    footer_text: "Amtsweg – das Open-Source-Antragsportal nach dem Onlinezugangsgesetz (OZG).",
    footer_nav_label: "Service",
};

const EN: Ui = Ui {
    skip_link: "Skip to content",
    site_tagline: "Online applications to your public administration",
    other_language_name: "Deutsch",
    other_language_label: "Auf Deutsch wechseln",
    home_title: "Amtsweg",
    home_intro: "Apply online – at any time, one step at a time. \
                 Your application goes straight to the responsible authority.",
    services_heading: "Online services",
    no_services: "No online services are published at the moment.",
    authority_label: "Responsible authority",
    loading: "Loading …",
    unavailable: "The service is currently unavailable. Please try again later.",
    form_coming: "Online applications for this service are being set up. Please try again soon.",
    back_to_overview: "Back to the overview",
    not_found_title: "Page not found",
    not_found_text: "This page does not exist. The link may be out of date, or the address may contain a typo.",
    footer_text: "Amtsweg – the open-source application portal under Germany's Online Access Act (OZG).",
    footer_nav_label: "Service",
};

/// The texts for `lang`.
pub fn ui(lang: Lang) -> &'static Ui {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_keeps_english_only() {
        assert_eq!(href("/forms/x", Lang::De), "/forms/x");
        assert_eq!(href("/forms/x", Lang::En), "/forms/x?lang=en");
    }
}
