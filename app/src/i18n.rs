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

/// The language for a `<Title text=move || …>` closure.
///
/// On the server leptos_meta calls a title closure after the page has
/// rendered, outside the request's reactive arena (`sandboxed-arenas`):
/// reading a signal there finds a disposed value (a panic) or the value
/// of another request that happens to sit in the same slot (a German page
/// with an English title, seen under load). So on the server the closure
/// gets the language the page started with, which cannot change during a
/// request; in the browser it follows the live signal, so a client-side
/// switch of the language retitles the page.
pub fn title_lang(lang: Memo<Lang>) -> impl Fn() -> Lang + Copy + Send + Sync + 'static {
    let at_start = lang.get_untracked();
    move || {
        if cfg!(feature = "hydrate") {
            lang.get()
        } else {
            at_start
        }
    }
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
    pub start_now: &'static str,
    pub continue_draft: &'static str,
    pub start_over_note: &'static str,
    pub what_you_need: &'static str,
    pub duration_label: &'static str,
    pub duration_minutes: &'static str,
    pub fees_heading: &'static str,
    pub no_fees: &'static str,
    pub fee_depends: &'static str,
    pub privacy_heading: &'static str,
    pub login_heading: &'static str,
    pub login_not_needed: &'static str,
    pub step_of: &'static str,
    pub back: &'static str,
    pub continue_button: &'static str,
    pub save_and_check: &'static str,
    pub error_title_prefix: &'static str,
    pub error_summary_title: &'static str,
    pub optional: &'static str,
    pub date_hint: &'static str,
    /// Note on a field filled from the service account, may be changed.
    pub from_account_editable: &'static str,
    /// Note on a field filled from the service account, read-only.
    pub from_account_locked: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub select_placeholder: &'static str,
    pub add_entry: &'static str,
    pub add_another: &'static str,
    pub remove_entry: &'static str,
    pub address_street: &'static str,
    pub address_house_number: &'static str,
    pub address_addition: &'static str,
    pub address_postal_code: &'static str,
    pub address_city: &'static str,
    pub file_pending: &'static str,
    pub file_uploaded: &'static str,
    pub file_remove: &'static str,
    pub file_add_more: &'static str,
    pub check_title: &'static str,
    pub change: &'static str,
    pub fees_total: &'static str,
    pub submit_heading: &'static str,
    pub submit_text: &'static str,
    pub submit_button: &'static str,
    pub confirmation_title: &'static str,
    pub reference_label: &'static str,
    pub next_heading: &'static str,
    pub next_text: &'static str,
    pub status_label: &'static str,
    pub status_received: &'static str,
    pub submitted_at_label: &'static str,
    pub status_delivered: &'static str,
    pub status_filed: &'static str,
    pub status_needs_attention: &'static str,
    pub delivered_at_label: &'static str,
    pub filed_at_label: &'static str,
    /// Said of a step that has not happened yet.
    pub pending: &'static str,
    pub needs_attention_text: &'static str,
    pub status_awaiting_payment: &'static str,
    pub awaiting_payment_text: &'static str,
    pub pay_now_link: &'static str,
    pub receipt_link: &'static str,
    pub receipt_hint: &'static str,
    pub nothing_answered: &'static str,
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
    start_now: "Jetzt starten",
    continue_draft: "Weiter ausfüllen",
    start_over_note: "Sie haben diesen Antrag bereits begonnen. Ihre bisherigen Angaben sind gespeichert.",
    what_you_need: "Was Sie brauchen",
    duration_label: "Dauer",
    duration_minutes: "Etwa {} Minuten",
    fees_heading: "Gebühren",
    no_fees: "Für diesen Antrag fallen keine Gebühren an.",
    fee_depends: "hängt von Ihren Angaben ab",
    privacy_heading: "Datenschutz",
    login_heading: "Anmeldung",
    login_not_needed: "Sie brauchen kein Nutzerkonto.",
    step_of: "Schritt {} von {}",
    back: "Zurück",
    continue_button: "Weiter",
    save_and_check: "Speichern und zur Übersicht",
    error_title_prefix: "Fehler: ",
    error_summary_title: "Es gibt ein Problem",
    optional: "(freiwillig)",
    date_hint: "Zum Beispiel 17.03.1985",
    from_account_editable: "Aus Ihrem Servicekonto übernommen. Sie können die Angabe ändern.",
    from_account_locked: "Aus Ihrem Servicekonto übernommen (bestätigte Angabe). \
                          Sie können sie hier nicht ändern, nur in Ihrem Servicekonto.",
    yes: "Ja",
    no: "Nein",
    select_placeholder: "Bitte auswählen",
    add_entry: "{} hinzufügen",
    add_another: "Weitere {} hinzufügen",
    remove_entry: "{} entfernen",
    address_street: "Straße",
    address_house_number: "Hausnummer",
    address_addition: "Adresszusatz (freiwillig)",
    address_postal_code: "Postleitzahl",
    address_city: "Ort",
    file_pending: "Das Hochladen von Dateien wird gerade eingerichtet. Sie können Nachweise noch nicht hier hochladen.",
    file_uploaded: "Hochgeladene Dateien",
    file_remove: "Datei entfernen",
    file_add_more: "Sie können weitere Dateien hochladen, höchstens {0} insgesamt.",
    check_title: "Prüfen Sie Ihre Angaben",
    change: "Ändern",
    fees_total: "Gesamt",
    submit_heading: "Antrag absenden",
    submit_text: "Mit dem Absenden geht Ihr Antrag an die zuständige Behörde. Sie erhalten eine Vorgangsnummer.",
    submit_button: "Antrag verbindlich absenden",
    confirmation_title: "Antrag eingegangen",
    reference_label: "Ihre Vorgangsnummer",
    next_heading: "Wie es weitergeht",
    next_text: "Ihr Antrag wird an die zuständige Behörde übermittelt. Die Behörde bearbeitet ihn und meldet sich bei Ihnen. Geben Sie bei Rückfragen bitte Ihre Vorgangsnummer an.",
    status_label: "Stand der Übermittlung",
    status_received: "eingegangen",
    submitted_at_label: "Eingegangen am",
    status_delivered: "an die Behörde übermittelt",
    status_filed: "in der E-Akte der Behörde abgelegt",
    status_needs_attention: "wird geprüft",
    delivered_at_label: "An die Behörde übermittelt am",
    filed_at_label: "In der E-Akte abgelegt am",
    pending: "noch nicht",
    status_awaiting_payment: "Zahlung ausstehend",
    awaiting_payment_text: "Ihr Antrag ist gespeichert. Er wird an die Behörde übermittelt, sobald die Gebühr bezahlt ist.",
    pay_now_link: "Gebühr jetzt bezahlen",
    needs_attention_text: "Die elektronische Akte der Behörde hat Ihren Antrag noch nicht übernommen. Wir kümmern uns darum; Sie müssen nichts tun. Ihr Antrag ist sicher gespeichert.",
    receipt_link: "Eingangsbestätigung herunterladen (PDF)",
    receipt_hint: "Die Eingangsbestätigung enthält alle Ihre Angaben. Bewahren Sie sie gut auf.",
    nothing_answered: "Keine Angaben",
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
    start_now: "Start now",
    continue_draft: "Continue",
    start_over_note: "You have already started this application. Your answers so far are saved.",
    what_you_need: "What you need",
    duration_label: "Time needed",
    duration_minutes: "About {} minutes",
    fees_heading: "Fees",
    no_fees: "There is no fee for this application.",
    fee_depends: "depends on your answers",
    privacy_heading: "Privacy",
    login_heading: "Login",
    login_not_needed: "You do not need a user account.",
    step_of: "Step {} of {}",
    back: "Back",
    continue_button: "Continue",
    save_and_check: "Save and return to the summary",
    error_title_prefix: "Error: ",
    error_summary_title: "There is a problem",
    optional: "(optional)",
    date_hint: "For example 17.03.1985",
    from_account_editable: "Taken from your service account. You can change it.",
    from_account_locked: "Taken from your service account (verified). \
                          You cannot change it here, only in your service account.",
    yes: "Yes",
    no: "No",
    select_placeholder: "Please select",
    add_entry: "Add {}",
    add_another: "Add another {}",
    remove_entry: "Remove {}",
    address_street: "Street",
    address_house_number: "House number",
    address_addition: "Address line 2 (optional)",
    address_postal_code: "Postcode",
    address_city: "Town or city",
    file_pending: "File upload is being set up. You cannot upload documents here yet.",
    file_uploaded: "Uploaded files",
    file_remove: "Remove file",
    file_add_more: "You can upload more files, {0} at most in total.",
    check_title: "Check your answers",
    change: "Change",
    fees_total: "Total",
    submit_heading: "Submit your application",
    submit_text: "When you submit, your application goes to the responsible authority. You will get a reference number.",
    submit_button: "Submit application",
    confirmation_title: "Application received",
    reference_label: "Your reference number",
    next_heading: "What happens next",
    next_text: "Your application is passed on to the responsible authority. The authority will process it and contact you. Please quote your reference number if you have questions.",
    status_label: "Delivery status",
    status_received: "received",
    submitted_at_label: "Received on",
    status_delivered: "delivered to the authority",
    status_filed: "filed in the authority's electronic file",
    status_needs_attention: "being checked",
    delivered_at_label: "Delivered to the authority on",
    filed_at_label: "Filed in the electronic file on",
    pending: "not yet",
    status_awaiting_payment: "awaiting payment",
    awaiting_payment_text: "Your application is saved. It is sent to the authority as soon as the fee is paid.",
    pay_now_link: "Pay the fee now",
    needs_attention_text: "The authority's electronic file has not taken your application yet. We are taking care of it; you do not need to do anything. Your application is stored safely.",
    receipt_link: "Download the receipt (PDF)",
    receipt_hint: "The receipt contains all your answers. Keep it safe.",
    nothing_answered: "No answers",
};

/// `template` with each `{}` replaced by the next of `args`.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(pos) = rest.find("{}") {
        out.push_str(&rest[..pos]);
        out.push_str(args.next().copied().unwrap_or(""));
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}

/// The texts for `lang`.
pub fn ui(lang: Lang) -> &'static Ui {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

/// The texts of "save and continue later": the step's button and the
/// saved page (`app/src/saved.rs`).
#[derive(Debug)]
pub struct SavedUi {
    pub button: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub link_label: &'static str,
    pub expires_label: &'static str,
    pub keep_secret: &'static str,
    pub link_gone: &'static str,
    pub new_link: &'static str,
    pub kept_until: &'static str,
    pub email_heading: &'static str,
    pub email_intro: &'static str,
    pub email_label: &'static str,
    pub email_button: &'static str,
    /// `{}`: the address.
    pub email_sent: &'static str,
    pub email_failed: &'static str,
    pub email_too_many: &'static str,
    pub continue_now: &'static str,
}

const SAVED_DE: SavedUi = SavedUi {
    button: "Speichern und später fortsetzen",
    title: "Ihre Angaben sind gespeichert",
    intro: "Mit diesem Link können Sie den Antrag später weiter ausfüllen, auch auf einem anderen Gerät.",
    link_label: "Ihr Link",
    expires_label: "Gültig bis",
    keep_secret: "Halten Sie den Link geheim: Wer ihn kennt, kann Ihre Angaben sehen und ändern. \
                  Speichern Sie ihn zum Beispiel als Lesezeichen oder schreiben Sie ihn auf. \
                  Aus Sicherheitsgründen wird der Link nur dieses eine Mal angezeigt.",
    link_gone: "Aus Sicherheitsgründen wird der Link nur einmal angezeigt. Wenn Sie ihn nicht \
                gespeichert haben, erstellen Sie einen neuen Link. Der bisherige Link ist danach ungültig.",
    new_link: "Neuen Link erstellen",
    kept_until: "Ihre Angaben bleiben bis {} gespeichert. Danach werden sie gelöscht.",
    email_heading: "Link per E-Mail",
    email_intro: "Wir schicken Ihnen den Link auch gern per E-Mail. Die E-Mail enthält nur den Link, \
                  keine Angaben aus Ihrem Antrag. Ihre Adresse wird mit dem Antrag gespeichert.",
    email_label: "E-Mail-Adresse",
    email_button: "Link per E-Mail senden",
    email_sent: "Wir haben den Link an {} geschickt. Wenn keine E-Mail ankommt, \
                 sehen Sie bitte auch im Spam-Ordner nach.",
    email_failed: "Die E-Mail konnte gerade nicht verschickt werden. Ihre Angaben sind gespeichert. \
                   Bitte speichern Sie den Link selbst oder versuchen Sie es später noch einmal.",
    email_too_many: "Sie haben den Link schon mehrmals per E-Mail angefordert. \
                     Weitere E-Mails sind aus Sicherheitsgründen nicht möglich. \
                     Bitte speichern Sie den Link selbst.",
    continue_now: "Antrag jetzt weiter ausfüllen",
};

const SAVED_EN: SavedUi = SavedUi {
    button: "Save and continue later",
    title: "Your answers have been saved",
    intro: "With this link you can continue your application later, also on another device.",
    link_label: "Your link",
    expires_label: "Valid until",
    keep_secret: "Keep the link secret: anyone who has it can see and change your answers. \
                  Save it, for example as a bookmark, or write it down. \
                  For your security the link is shown only this once.",
    link_gone: "For your security the link is shown only once. If you have not saved it, \
                create a new link. The previous link then stops working.",
    new_link: "Create a new link",
    kept_until: "Your answers are kept until {}. After that they are deleted.",
    email_heading: "Link by e-mail",
    email_intro: "We can also send you the link by e-mail. The e-mail contains only the link, \
                  none of your answers. Your address is saved with your application.",
    email_label: "E-mail address",
    email_button: "Send the link by e-mail",
    email_sent: "We have sent the link to {}. If no e-mail arrives, please also look in your \
                 spam folder.",
    email_failed: "The e-mail could not be sent just now. Your answers are saved. \
                   Please save the link yourself or try again later.",
    email_too_many: "You have already asked for the link by e-mail several times. \
                     For your security no more e-mails can be sent. Please save the link yourself.",
    continue_now: "Continue your application now",
};

/// The "save and continue later" texts for `lang`.
pub fn saved_ui(lang: Lang) -> &'static SavedUi {
    match lang {
        Lang::De => &SAVED_DE,
        Lang::En => &SAVED_EN,
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

    #[test]
    fn fill_replaces_placeholders_in_order() {
        assert_eq!(fill("Schritt {} von {}", &["2", "5"]), "Schritt 2 von 5");
        assert_eq!(fill("{} hinzufügen", &["Person"]), "Person hinzufügen");
        assert_eq!(fill("kein Platzhalter", &["x"]), "kein Platzhalter");
    }
}
