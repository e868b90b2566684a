//! Login with the Servicekonto as the pages see it: who is logged in
//! ([`Viewer`]), whether a form may be filled in with that login
//! ([`decide`] → [`FormAccess`]), the start page's "Anmeldung" section
//! ([`access_section`]), the header's "Angemeldet als … / Abmelden"
//! ([`AccountNav`]) with the login's end and the warning before it
//! ([`SessionWarning`]), the data of "Meine Anträge" ([`MyApplications`],
//! page in `pages/account.rs`), and the interface the server implements
//! ([`ssr::AuthBackend`]).
//!
//! The login itself (subject, verified claims, tokens) stays in the
//! server's session; pages get only the name to show, the account type and
//! the trust level. The server enforces access on every route of a form
//! (`server/src/auth/access.rs`) with the same [`decide`]; the pages only
//! explain it.
//!
//! The texts of this module are its own small catalogue ([`texts`]),
//! German first, English second.

use amtsweg_forms::{Access, AccountType, Lang, TrustLevel};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::catalog::CatalogError;
use crate::i18n::use_lang;

/// What the pages may know of a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginSummary {
    /// "Erika Mustermann", or for a business "Kita Sonnenschein gGmbH
    /// (Sabine Sonnig)"; empty when the provider sent no name.
    pub name: String,
    pub account_type: AccountType,
    /// `None`: the provider's `acr` is not one the portal knows.
    pub trust_level: Option<TrustLevel>,
    /// The login has a staff role (the header links the back-office).
    #[serde(default)]
    pub staff: bool,
}

/// When the login ends, for the header's sentence and the warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimes {
    /// German time, `14:35`.
    pub ends_at: String,
    /// Seconds from this response to the end.
    pub seconds_left: i64,
    /// The warning shows this long before the end.
    pub warn_seconds: i64,
    /// The end is the absolute one: staying active does not move it.
    pub absolute: bool,
}

/// An open draft in "Meine Anträge".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDraftView {
    pub id: String,
    pub form_id: String,
    pub form_title: amtsweg_forms::Text,
    /// Last saved, German time.
    pub updated_at: String,
    /// Deleted after this day, German date.
    pub expires_at: String,
}

/// A submission in "Meine Anträge".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSubmissionView {
    pub id: String,
    pub form_id: String,
    pub form_title: amtsweg_forms::Text,
    pub reference: String,
    /// German time.
    pub submitted_at: String,
    pub status: crate::journey::DeliveryStatus,
}

/// "Meine Anträge": the logged-in account's drafts and submissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyApplications {
    pub drafts: Vec<AccountDraftView>,
    pub submissions: Vec<AccountSubmissionView>,
    /// For the resume and delete forms.
    pub csrf: String,
}

/// The visitor, as far as login goes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Viewer {
    /// The portal has a Servicekonto connected (`AMTSWEG_OIDC_*`).
    pub login_enabled: bool,
    pub login: Option<LoginSummary>,
    /// The session's CSRF token, for the logout form (empty when not
    /// logged in).
    pub csrf: String,
    /// When the login ends (none when not logged in).
    #[serde(default)]
    pub session: Option<SessionTimes>,
}

/// Whether a form may be filled in, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormAccess {
    /// The form needs no login.
    Anonymous,
    /// The form needs a login, and the visitor's is good enough.
    Allowed,
    /// The form needs a login, but this portal has none connected.
    LoginOff,
    /// Not logged in.
    LoginRequired {
        min: TrustLevel,
        account_types: Vec<AccountType>,
    },
    /// Logged in at a lower trust level than the form needs.
    TooLow {
        have: Option<TrustLevel>,
        need: TrustLevel,
    },
    /// Logged in with a kind of account the form is not for.
    WrongAccountType {
        have: AccountType,
        allowed: Vec<AccountType>,
    },
}

impl FormAccess {
    /// The form may be filled in.
    pub fn allows(&self) -> bool {
        matches!(self, FormAccess::Anonymous | FormAccess::Allowed)
    }
}

/// Decides whether a form with `access` may be filled in by a visitor
/// whose login (if any) has `trust_level` and `account_type`. Pure: the
/// server's enforcement and the start page use the same rule.
///
/// A wrong account type is reported before a low trust level: a new login
/// at a higher level with the same account would not help.
pub fn decide(
    access: &Access,
    login_enabled: bool,
    login: Option<(Option<TrustLevel>, AccountType)>,
) -> FormAccess {
    let Access::ServiceAccount {
        min_trust_level,
        account_types,
    } = access
    else {
        return FormAccess::Anonymous;
    };
    if !login_enabled {
        return FormAccess::LoginOff;
    }
    let Some((trust_level, account_type)) = login else {
        return FormAccess::LoginRequired {
            min: *min_trust_level,
            account_types: account_types.clone(),
        };
    };
    if !account_types.is_empty() && !account_types.contains(&account_type) {
        return FormAccess::WrongAccountType {
            have: account_type,
            allowed: account_types.clone(),
        };
    }
    if trust_level.is_none_or(|have| have < *min_trust_level) {
        return FormAccess::TooLow {
            have: trust_level,
            need: *min_trust_level,
        };
    }
    FormAccess::Allowed
}

/// The name of a trust level in a sentence.
pub fn trust_level_name(level: TrustLevel, lang: Lang) -> &'static str {
    match (level, lang) {
        (TrustLevel::Basis, Lang::De) => "basis",
        (TrustLevel::Substanziell, Lang::De) => "substanziell",
        (TrustLevel::Hoch, Lang::De) => "hoch",
        (TrustLevel::Basis, Lang::En) => "low",
        (TrustLevel::Substanziell, Lang::En) => "substantial",
        (TrustLevel::Hoch, Lang::En) => "high",
    }
}

/// The value of `acr=` in a login link (`/auth/login?acr=substanziell`).
pub fn trust_level_param(level: TrustLevel) -> &'static str {
    match level {
        TrustLevel::Basis => "basis",
        TrustLevel::Substanziell => "substanziell",
        TrustLevel::Hoch => "hoch",
    }
}

/// The link that starts a login and comes back to `next` (a local path;
/// `?lang=en` is added to it and to the login URL for English).
pub fn login_href(next: &str, level: Option<TrustLevel>, lang: Lang) -> String {
    let next = crate::i18n::href(next, lang);
    let mut url = format!("/auth/login?next={}", encode_component(&next));
    if let Some(level) = level {
        url.push_str("&acr=");
        url.push_str(trust_level_param(level));
    }
    if lang == Lang::En {
        url.push_str("&lang=en");
    }
    url
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The texts of login and access, in one language.
#[derive(Debug)]
pub struct Texts {
    pub logged_in_as: &'static str,
    pub logged_in_anonymous: &'static str,
    pub logout: &'static str,
    pub account_label: &'static str,
    pub citizen_account: &'static str,
    pub business_account: &'static str,
    pub login_button: &'static str,
    pub login_again_button: &'static str,
    pub other_account_button: &'static str,
    pub login_off: &'static str,
    pub login_required: &'static str,
    pub for_citizens: &'static str,
    pub for_businesses: &'static str,
    pub logged_in_ok: &'static str,
    pub too_low_heading: &'static str,
    pub too_low: &'static str,
    pub too_low_unknown: &'static str,
    pub wrong_type_heading: &'static str,
    pub wrong_type_business: &'static str,
    pub wrong_type_citizen: &'static str,
    pub my_applications: &'static str,
    pub back_office: &'static str,
    pub ends_idle: &'static str,
    pub ends_absolute: &'static str,
    pub warning_idle: &'static str,
    pub warning_absolute: &'static str,
    pub stay_logged_in: &'static str,
    pub extended: &'static str,
    pub ended: &'static str,
}

const DE: Texts = Texts {
    logged_in_as: "Angemeldet als {}",
    logged_in_anonymous: "Mit Servicekonto angemeldet",
    logout: "Abmelden",
    account_label: "Servicekonto",
    citizen_account: "Bürgerkonto",
    business_account: "Unternehmenskonto",
    login_button: "Mit Servicekonto anmelden",
    login_again_button: "Erneut mit Servicekonto anmelden",
    other_account_button: "Mit einem anderen Konto anmelden",
    login_off: "Für diesen Antrag müssen Sie sich mit Ihrem Servicekonto anmelden. \
                In diesem Portal ist die Anmeldung mit dem Servicekonto nicht eingerichtet. \
                Sie können diesen Antrag deshalb hier nicht online stellen.",
    login_required: "Für diesen Antrag melden Sie sich mit Ihrem Servicekonto an. Nötig ist \
                     mindestens das Vertrauensniveau „{}“. Nach der Anmeldung kommen Sie \
                     hierher zurück.",
    for_citizens: "Der Antrag ist für Privatpersonen (Bürgerkonto).",
    for_businesses: "Der Antrag ist für Unternehmen und Organisationen (Unternehmenskonto).",
    logged_in_ok: "Sie sind mit Ihrem Servicekonto angemeldet.",
    too_low_heading: "Ihr Vertrauensniveau reicht für diesen Antrag nicht aus",
    too_low: "Sie sind mit dem Vertrauensniveau „{}“ angemeldet. Für diesen Antrag ist \
              mindestens „{}“ nötig, zum Beispiel mit der Online-Ausweisfunktion Ihres \
              Personalausweises. Melden Sie sich bitte erneut an. Was Sie schon \
              eingegeben haben, bleibt gespeichert.",
    too_low_unknown: "Das Vertrauensniveau Ihrer Anmeldung ist nicht bekannt. Für diesen \
                      Antrag ist mindestens „{}“ nötig. Melden Sie sich bitte erneut an.",
    wrong_type_heading: "Dieser Antrag ist nicht für Ihre Kontoart",
    wrong_type_business: "Sie sind mit einem Bürgerkonto angemeldet. Dieser Antrag ist nur \
                          für Unternehmen und Organisationen. Melden Sie sich bitte mit einem \
                          Unternehmenskonto an.",
    wrong_type_citizen: "Sie sind mit einem Unternehmenskonto angemeldet. Dieser Antrag ist \
                         nur für Privatpersonen. Melden Sie sich bitte mit Ihrem Bürgerkonto \
                         an.",
    my_applications: "Meine Anträge",
    back_office: "Verwaltung",
    ends_idle: "Ihre Anmeldung endet um {} Uhr, wenn Sie nichts tun.",
    ends_absolute: "Ihre Anmeldung endet um {} Uhr.",
    warning_idle: "Ihre Anmeldung endet bald, um {} Uhr, wenn Sie nichts tun. Möchten Sie \
                   angemeldet bleiben? Ihre Entwürfe bleiben in jedem Fall gespeichert.",
    warning_absolute: "Ihre Anmeldung endet bald, um {} Uhr, und kann nicht verlängert \
                       werden. Ihre Entwürfe bleiben gespeichert; danach melden Sie sich \
                       bitte erneut an.",
    stay_logged_in: "Angemeldet bleiben",
    extended: "Sie bleiben angemeldet, bis {} Uhr, wenn Sie nichts tun.",
    ended: "Ihre Anmeldung ist abgelaufen. Ihre Entwürfe bleiben gespeichert. Bitte melden \
            Sie sich erneut an.",
};

const EN: Texts = Texts {
    logged_in_as: "Logged in as {}",
    logged_in_anonymous: "Logged in with a service account",
    logout: "Log out",
    account_label: "Service account",
    citizen_account: "citizen account",
    business_account: "business account",
    login_button: "Log in with your service account",
    login_again_button: "Log in again with your service account",
    other_account_button: "Log in with another account",
    login_off: "For this application you must log in with your service account \
                (Servicekonto). Login with the service account is not set up on this \
                portal, so you cannot submit this application online here.",
    login_required: "For this application you log in with your service account \
                     (Servicekonto), at trust level “{}” or higher. After logging in you \
                     come back here.",
    for_citizens: "This application is for private individuals (citizen account).",
    for_businesses: "This application is for companies and organisations (business account).",
    logged_in_ok: "You are logged in with your service account.",
    too_low_heading: "Your trust level is not high enough for this application",
    too_low: "You are logged in at trust level “{}”. This application needs at least \
              “{}”, for example with the online function of your ID card. Please log in \
              again. What you have already entered stays saved.",
    too_low_unknown: "The trust level of your login is not known. This application needs \
                      at least “{}”. Please log in again.",
    wrong_type_heading: "This application is not for your kind of account",
    wrong_type_business: "You are logged in with a citizen account. This application is \
                          only for companies and organisations. Please log in with a \
                          business account.",
    wrong_type_citizen: "You are logged in with a business account. This application is \
                         only for private individuals. Please log in with your citizen \
                         account.",
    my_applications: "My applications",
    back_office: "Back office",
    ends_idle: "Your login ends at {} if you do nothing.",
    ends_absolute: "Your login ends at {}.",
    warning_idle: "Your login ends soon, at {}, if you do nothing. Do you want to stay \
                   logged in? Your drafts stay saved in any case.",
    warning_absolute: "Your login ends soon, at {}, and cannot be extended. Your drafts stay \
                       saved; please log in again afterwards.",
    stay_logged_in: "Stay logged in",
    extended: "You stay logged in until {} if you do nothing.",
    ended: "Your login has expired. Your drafts stay saved. Please log in again.",
};

/// The texts for `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

/// The start page's login section for a form at `form_path`
/// (`/forms/<id>`): the explanation and, where a login helps, the login
/// link. `None` for [`FormAccess::Allowed`] and [`FormAccess::Anonymous`]
/// — then the page shows its start button.
pub fn access_section(access: &FormAccess, form_path: &str, lang: Lang) -> Option<AnyView> {
    let t = texts(lang);
    let fill = crate::i18n::fill;
    let audience = |types: &[AccountType]| match types {
        [AccountType::Citizen] => Some(t.for_citizens),
        [AccountType::Business] => Some(t.for_businesses),
        _ => None,
    };
    let view = match access {
        FormAccess::Anonymous | FormAccess::Allowed => return None,
        FormAccess::LoginOff => view! { <p class="notice">{t.login_off}</p> }.into_any(),
        FormAccess::LoginRequired { min, account_types } => {
            let href = login_href(form_path, Some(*min), lang);
            view! {
                <p>{fill(t.login_required, &[trust_level_name(*min, lang)])}</p>
                {audience(account_types).map(|text| view! { <p>{text}</p> })}
                <p>
                    <a class="button button--start" href=href rel="external">
                        {t.login_button}
                        <span aria-hidden="true">" →"</span>
                    </a>
                </p>
            }
            .into_any()
        }
        FormAccess::TooLow { have, need } => {
            let href = login_href(form_path, Some(*need), lang);
            let text = match have {
                Some(have) => fill(
                    t.too_low,
                    &[trust_level_name(*have, lang), trust_level_name(*need, lang)],
                ),
                None => fill(t.too_low_unknown, &[trust_level_name(*need, lang)]),
            };
            view! {
                <div class="notice" role="status">
                    <h3 class="notice__title">{t.too_low_heading}</h3>
                    <p>{text}</p>
                </div>
                <p>
                    <a class="button" href=href rel="external">{t.login_again_button}</a>
                </p>
            }
            .into_any()
        }
        FormAccess::WrongAccountType { have, allowed } => {
            let need = allowed.first().copied().unwrap_or(AccountType::Citizen);
            let href = login_href(form_path, None, lang);
            let text = match (have, need) {
                (AccountType::Citizen, _) => t.wrong_type_business,
                (AccountType::Business, _) => t.wrong_type_citizen,
            };
            view! {
                <div class="notice" role="status">
                    <h3 class="notice__title">{t.wrong_type_heading}</h3>
                    <p>{text}</p>
                </div>
                <p>
                    <a class="button" href=href rel="external">{t.other_account_button}</a>
                </p>
            }
            .into_any()
        }
    };
    Some(view)
}

/// The visitor's login (for the header).
#[server(endpoint = "auth_viewer")]
pub async fn load_viewer() -> Result<Viewer, CatalogError> {
    ssr::viewer().await
}

/// "Stay logged in" from the warning: the login's idle time starts anew.
/// `None`: no live login, or the token does not match.
#[server(endpoint = "auth_extend")]
pub async fn extend_session(csrf: String) -> Result<Option<SessionTimes>, CatalogError> {
    ssr::extend(&csrf).await
}

/// The data of "Meine Anträge"; `None` when not logged in.
#[server(endpoint = "auth_applications")]
pub async fn load_my_applications() -> Result<Option<MyApplications>, CatalogError> {
    ssr::applications().await
}

/// The header's account area: "Angemeldet als …", the links to "Meine
/// Anträge" (and the back-office for staff), when the login ends, the
/// warning before it, and the logout button (a POST form with the CSRF
/// token); nothing when not logged in.
#[component]
pub fn AccountNav() -> impl IntoView {
    let lang = use_lang();
    let viewer = Resource::new(|| (), |_| load_viewer());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let lang = lang.get();
                Suspend::new(async move {
                    match viewer.await {
                        Ok(Viewer { login: Some(login), csrf, session, .. }) => {
                            account_nav(login, csrf, session, lang).into_any()
                        }
                        _ => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn account_nav(
    login: LoginSummary,
    csrf: String,
    session: Option<SessionTimes>,
    lang: Lang,
) -> impl IntoView {
    let t = texts(lang);
    let who = if login.name.is_empty() {
        t.logged_in_anonymous.to_owned()
    } else {
        crate::i18n::fill(t.logged_in_as, &[&login.name])
    };
    let action = crate::i18n::href("/auth/logout", lang);
    let staff = login.staff.then(|| {
        view! {
            <a class="account-nav__link" href=crate::i18n::href("/verwaltung", lang) rel="external">
                {t.back_office}
            </a>
        }
    });
    let warning = session.map(|times| {
        view! { <SessionWarning times csrf=csrf.clone() lang /> }
    });
    view! {
        <div class="account-nav">
            <span class="account-nav__who">{who}</span>
            <a class="account-nav__link" href=crate::i18n::href("/konto/antraege", lang)>
                {t.my_applications}
            </a>
            {staff}
            <form method="post" action=action class="account-nav__logout">
                <input type="hidden" name="_csrf" value=csrf.clone() />
                <button type="submit" class="button button--secondary button--small">
                    {t.logout}
                </button>
            </form>
            {warning}
        </div>
    }
}

/// Milliseconds since the epoch in the browser (0 on the server, where
/// the warning's clock never runs).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// When the login ends, as a sentence (works without JavaScript), and
/// with hydration a polite live region that warns `warn_seconds` before
/// the end, with a "stay logged in" button; the button is a plain POST
/// form to `/auth/extend` (with the CSRF token), which the hydrated page
/// sends in the background instead.
#[component]
pub fn SessionWarning(times: SessionTimes, csrf: String, lang: Lang) -> impl IntoView {
    let t = texts(lang);
    let location = leptos_router::hooks::use_location();
    let next = Memo::new(move |_| {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!(
                "{}?{}",
                location.pathname.get(),
                search.trim_start_matches('?')
            )
        }
    });
    let ends_at = RwSignal::new(times.ends_at.clone());
    let absolute = RwSignal::new(times.absolute);
    let warn = times.warn_seconds;
    // Seconds left, as the browser's clock counts; only the browser moves it.
    let left = RwSignal::new(times.seconds_left);
    let extended = RwSignal::new(false);
    let deadline = StoredValue::new(now_ms() + (times.seconds_left as f64) * 1000.0);
    Effect::new(move |_| {
        deadline.set_value(now_ms() + (left.get_untracked() as f64) * 1000.0);
        let tick = move || {
            let remaining = ((deadline.get_value() - now_ms()) / 1000.0).ceil() as i64;
            left.set(remaining.max(0));
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(5)) {
            on_cleanup(move || handle.clear());
        }
    });
    let sentence = move || {
        let template = if absolute.get() {
            t.ends_absolute
        } else {
            t.ends_idle
        };
        crate::i18n::fill(template, &[&ends_at.get()])
    };
    let csrf_for_submit = csrf.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = csrf_for_submit.clone();
        leptos::task::spawn_local(async move {
            if let Ok(Some(new)) = extend_session(token).await {
                deadline.set_value(now_ms() + (new.seconds_left as f64) * 1000.0);
                ends_at.set(new.ends_at);
                absolute.set(new.absolute);
                left.set(new.seconds_left);
                extended.set(true);
            }
        });
    };
    let warning = move || {
        let left = left.get();
        if left <= 0 {
            return view! {
                <p>{t.ended}</p>
                <p>
                    <a class="button" href=login_href(&next.get(), None, lang) rel="external">
                        {t.login_again_button}
                    </a>
                </p>
            }
            .into_any();
        }
        if left <= warn {
            let text = if absolute.get() {
                t.warning_absolute
            } else {
                t.warning_idle
            };
            let button = (!absolute.get()).then(|| {
                view! {
                    <form method="post" action="/auth/extend" on:submit=on_submit.clone()>
                        <input type="hidden" name="_csrf" value=csrf.clone() />
                        <input type="hidden" name="next" value=move || next.get() />
                        <button type="submit" class="button button--small">
                            {t.stay_logged_in}
                        </button>
                    </form>
                }
            });
            return view! {
                <p>{crate::i18n::fill(text, &[&ends_at.get()])}</p>
                {button}
            }
            .into_any();
        }
        if extended.get() {
            return view! { <p>{crate::i18n::fill(t.extended, &[&ends_at.get()])}</p> }.into_any();
        }
        ().into_any()
    };
    view! {
        <p class="account-nav__ends">{sentence}</p>
        <div class="session-warning" role="status" aria-live="polite" aria-atomic="true">
            {warning}
        </div>
    }
}

/// Server-only part: the interface the server implements.
#[cfg(feature = "ssr")]
pub mod ssr {
    use std::{fmt, sync::Arc};

    use amtsweg_forms::Access;
    use leptos::prelude::use_context;

    use super::{FormAccess, MyApplications, SessionTimes, Viewer, decide};
    use crate::catalog::{
        CatalogError,
        ssr::{BoxFuture, InternalError},
    };

    /// The visitor's login, implemented by the server (from the session).
    pub trait AuthBackend: Send + Sync + 'static {
        /// Who is logged in on `request` (from its session cookie).
        fn viewer<'a>(
            &'a self,
            request: &'a http::request::Parts,
        ) -> BoxFuture<'a, Result<Viewer, InternalError>>;

        /// "Stay logged in": the login's idle time starts anew, if
        /// `csrf` is the session's token; the new end, or `None`.
        fn extend<'a>(
            &'a self,
            request: &'a http::request::Parts,
            csrf: &'a str,
        ) -> BoxFuture<'a, Result<Option<SessionTimes>, InternalError>>;

        /// The logged-in account's drafts and submissions (`None`: not
        /// logged in).
        fn applications<'a>(
            &'a self,
            request: &'a http::request::Parts,
        ) -> BoxFuture<'a, Result<Option<MyApplications>, InternalError>>;
    }

    /// What the server provides as Leptos context for login. Without it,
    /// pages behave as if login were off.
    #[derive(Clone)]
    pub struct AuthContext {
        pub backend: Arc<dyn AuthBackend>,
    }

    impl fmt::Debug for AuthContext {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("AuthContext").finish_non_exhaustive()
        }
    }

    /// The current request's visitor.
    pub async fn viewer() -> Result<Viewer, CatalogError> {
        let (Some(context), Some(parts)) = (
            use_context::<AuthContext>(),
            use_context::<http::request::Parts>(),
        ) else {
            return Ok(Viewer::default());
        };
        context.backend.viewer(&parts).await.map_err(|error| {
            tracing::error!(error = %error, "reading the login failed");
            CatalogError::Unavailable
        })
    }

    /// "Stay logged in" for the current request's session.
    pub async fn extend(csrf: &str) -> Result<Option<SessionTimes>, CatalogError> {
        let (Some(context), Some(parts)) = (
            use_context::<AuthContext>(),
            use_context::<http::request::Parts>(),
        ) else {
            return Ok(None);
        };
        context.backend.extend(&parts, csrf).await.map_err(|error| {
            tracing::error!(error = %error, "extending the login failed");
            CatalogError::Unavailable
        })
    }

    /// The current request's "Meine Anträge".
    pub async fn applications() -> Result<Option<MyApplications>, CatalogError> {
        let (Some(context), Some(parts)) = (
            use_context::<AuthContext>(),
            use_context::<http::request::Parts>(),
        ) else {
            return Ok(None);
        };
        context.backend.applications(&parts).await.map_err(|error| {
            tracing::error!(error = %error, "reading the account's applications failed");
            CatalogError::Unavailable
        })
    }

    /// Whether the current visitor may fill in a form with `access`.
    pub async fn form_access(access: &Access) -> Result<FormAccess, CatalogError> {
        if matches!(access, Access::Anonymous) {
            return Ok(FormAccess::Anonymous);
        }
        let viewer = viewer().await?;
        Ok(decide(
            access,
            viewer.login_enabled,
            viewer.login.map(|l| (l.trust_level, l.account_type)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(min: TrustLevel, types: &[AccountType]) -> Access {
        Access::ServiceAccount {
            min_trust_level: min,
            account_types: types.to_vec(),
        }
    }

    #[test]
    fn anonymous_forms_need_nothing() {
        assert_eq!(
            decide(&Access::Anonymous, false, None),
            FormAccess::Anonymous
        );
        assert!(decide(&Access::Anonymous, true, None).allows());
    }

    #[test]
    fn service_account_forms_need_login_level_and_type() {
        let wohngeld = service(TrustLevel::Substanziell, &[AccountType::Citizen]);
        assert_eq!(decide(&wohngeld, false, None), FormAccess::LoginOff);
        assert_eq!(
            decide(&wohngeld, true, None),
            FormAccess::LoginRequired {
                min: TrustLevel::Substanziell,
                account_types: vec![AccountType::Citizen]
            }
        );
        assert_eq!(
            decide(
                &wohngeld,
                true,
                Some((Some(TrustLevel::Basis), AccountType::Citizen))
            ),
            FormAccess::TooLow {
                have: Some(TrustLevel::Basis),
                need: TrustLevel::Substanziell
            }
        );
        assert!(!decide(&wohngeld, true, Some((None, AccountType::Citizen))).allows());
        assert_eq!(
            decide(
                &wohngeld,
                true,
                Some((Some(TrustLevel::Substanziell), AccountType::Citizen))
            ),
            FormAccess::Allowed
        );
        assert!(
            decide(
                &wohngeld,
                true,
                Some((Some(TrustLevel::Hoch), AccountType::Citizen))
            )
            .allows()
        );
        // A business login at a high level is still the wrong kind of account.
        assert_eq!(
            decide(
                &wohngeld,
                true,
                Some((Some(TrustLevel::Hoch), AccountType::Business))
            ),
            FormAccess::WrongAccountType {
                have: AccountType::Business,
                allowed: vec![AccountType::Citizen]
            }
        );
        // Login switched off: a stale login does not open the form.
        assert_eq!(
            decide(
                &wohngeld,
                false,
                Some((Some(TrustLevel::Hoch), AccountType::Citizen))
            ),
            FormAccess::LoginOff
        );
    }

    #[test]
    fn no_account_types_means_every_kind() {
        let form = service(TrustLevel::Basis, &[]);
        assert!(
            decide(
                &form,
                true,
                Some((Some(TrustLevel::Basis), AccountType::Business))
            )
            .allows()
        );
        assert!(
            decide(
                &form,
                true,
                Some((Some(TrustLevel::Basis), AccountType::Citizen))
            )
            .allows()
        );
    }

    #[test]
    fn login_links_come_back_to_the_form() {
        assert_eq!(
            login_href("/forms/wohngeld", Some(TrustLevel::Substanziell), Lang::De),
            "/auth/login?next=%2Fforms%2Fwohngeld&acr=substanziell"
        );
        assert_eq!(
            login_href("/forms/wohngeld", None, Lang::En),
            "/auth/login?next=%2Fforms%2Fwohngeld%3Flang%3Den&lang=en"
        );
    }
}
