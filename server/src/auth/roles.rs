//! Staff roles from the login's claims, and the server-side guard of
//! every route that needs one.
//!
//! - [`read_roles`]: the configured claim (`AMTSWEG_OIDC_ROLES_CLAIM`,
//!   default `roles`) → [`StaffRoles`] (editor, admin, caseworker of
//!   authorities), by the mapping in [`RoleMapping`]; kept in the session
//!   with the [`Login`](super::Login) (a new login reads them anew);
//! - [`RequireRole`]: an axum extractor. Not logged in → 303 to the login
//!   with `next` (401-style); logged in without the role → 403 with a page
//!   in German and English; login off → the "not configured" page. The
//!   markers [`AnyStaff`], [`Editor`], [`Admin`], [`Caseworker`] name what
//!   a route needs; a caseworker route checks the authority itself with
//!   [`StaffRoles::is_caseworker_of`];
//! - `GET /verwaltung`: the back-office landing page ([`router`]), linking
//!   the delivery list (`crate::backoffice`).
//!
//! Roles are independent: an admin is not an editor or a caseworker
//! unless the claims say so too (an administrator does not read citizens'
//! applications by default).

use std::marker::PhantomData;

use amtsweg_app::auth::login_href;
use amtsweg_forms::Lang;
use axum::{
    Router,
    extract::{FromRequestParts, State},
    http::{StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tower_sessions::Session;

use super::{
    login::{self, Login},
    pages::{Problem, escape, problem_page},
};
use crate::{config::RoleMapping, routes::AppState};

/// A staff member's roles. Empty for citizens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRoles {
    /// May edit and publish form definitions.
    #[serde(default)]
    pub editor: bool,
    /// May run the portal (operators' back-office).
    #[serde(default)]
    pub admin: bool,
    /// The authorities (their ids) whose applications this person handles.
    #[serde(default)]
    pub caseworker_of: Vec<String>,
}

impl StaffRoles {
    /// Whether any role is held.
    pub fn is_staff(&self) -> bool {
        self.editor || self.admin || !self.caseworker_of.is_empty()
    }

    /// Whether this person is a caseworker of `authority`.
    pub fn is_caseworker_of(&self, authority: &str) -> bool {
        self.caseworker_of.iter().any(|a| a == authority)
    }
}

/// The claim's values: a JSON array of strings, or one string of values
/// separated by spaces or commas.
fn claim_values(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(Value::String(text)) => text
            .split([' ', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Longest authority id taken from a claim.
const MAX_AUTHORITY_ID: usize = 100;

/// The roles `claims` give under `mapping`. Unknown values are ignored;
/// an authority id must be a plain id (letters, digits, `-`, `_`, `.`).
pub fn read_roles(claims: &Map<String, Value>, mapping: &RoleMapping) -> StaffRoles {
    let mut roles = StaffRoles::default();
    for value in claim_values(claims.get(&mapping.claim)) {
        if value == mapping.editor {
            roles.editor = true;
        } else if value == mapping.admin {
            roles.admin = true;
        } else if let Some(authority) = value.strip_prefix(&mapping.caseworker_prefix) {
            let plain = !authority.is_empty()
                && authority.len() <= MAX_AUTHORITY_ID
                && authority
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if plain && !roles.is_caseworker_of(authority) {
                roles.caseworker_of.push(authority.to_owned());
            }
        }
    }
    roles.caseworker_of.sort();
    roles
}

/// What a route needs.
pub trait RequiredRole: Send + Sync + 'static {
    /// The role's name in the 403 page, German and English.
    const NAME: (&'static str, &'static str);
    /// Whether `roles` satisfy it.
    fn allows(roles: &StaffRoles) -> bool;
}

/// Any staff role.
#[derive(Debug)]
pub struct AnyStaff;
/// Form editor.
#[derive(Debug)]
pub struct Editor;
/// Administrator.
#[derive(Debug)]
pub struct Admin;
/// Caseworker of at least one authority (the route checks which).
#[derive(Debug)]
pub struct Caseworker;

impl RequiredRole for AnyStaff {
    const NAME: (&'static str, &'static str) = ("Mitarbeiterin oder Mitarbeiter", "staff member");
    fn allows(roles: &StaffRoles) -> bool {
        roles.is_staff()
    }
}

impl RequiredRole for Editor {
    const NAME: (&'static str, &'static str) = ("Formular-Redaktion", "form editor");
    fn allows(roles: &StaffRoles) -> bool {
        roles.editor
    }
}

impl RequiredRole for Admin {
    const NAME: (&'static str, &'static str) = ("Administration", "administrator");
    fn allows(roles: &StaffRoles) -> bool {
        roles.admin
    }
}

impl RequiredRole for Caseworker {
    const NAME: (&'static str, &'static str) = ("Sachbearbeitung", "caseworker");
    fn allows(roles: &StaffRoles) -> bool {
        !roles.caseworker_of.is_empty()
    }
}

/// The extractor: the login of someone holding role `R`.
#[derive(Debug)]
pub struct RequireRole<R: RequiredRole> {
    pub login: Login,
    role: PhantomData<R>,
}

/// Why [`RequireRole`] refused a request.
#[derive(Debug)]
pub enum RoleRejection {
    /// Login is not set up on this portal.
    LoginOff,
    /// Not logged in: to the login, then back to `next`.
    NotLoggedIn { next: String, lang: Lang },
    /// Logged in without the role.
    Forbidden {
        role: (&'static str, &'static str),
        next: String,
    },
    /// The session could not be read.
    Internal,
}

impl IntoResponse for RoleRejection {
    fn into_response(self) -> Response {
        match self {
            RoleRejection::LoginOff => problem_page(Problem::NotConfigured, None, "/"),
            RoleRejection::NotLoggedIn { next, lang } => (
                [(header::CACHE_CONTROL, "no-store")],
                Redirect::to(&login_href(&next, None, lang)),
            )
                .into_response(),
            RoleRejection::Forbidden { role, next } => forbidden_page(role, &next),
            RoleRejection::Internal => super::routes::internal_text(),
        }
    }
}

/// The request's path and query, if it is a local path (for `next`).
fn next_of(parts: &Parts) -> (String, Lang) {
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let english = parts
        .uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "lang=en"));
    // The login link adds `lang=en` itself.
    let path = path
        .replace("?lang=en&", "?")
        .replace("&lang=en", "")
        .replace("?lang=en", "");
    (
        login::local_next(Some(&path)),
        if english { Lang::En } else { Lang::De },
    )
}

impl<R: RequiredRole> FromRequestParts<AppState> for RequireRole<R> {
    type Rejection = RoleRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.auth.enabled() {
            return Err(RoleRejection::LoginOff);
        }
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or(RoleRejection::Internal)?;
        let login = login::current(&session).await.map_err(|e| {
            tracing::error!(error = %e, "reading the login for a role check failed");
            RoleRejection::Internal
        })?;
        let (next, lang) = next_of(parts);
        let Some(login) = login else {
            return Err(RoleRejection::NotLoggedIn { next, lang });
        };
        if !R::allows(&login.roles) {
            tracing::info!(route = %parts.uri.path(), "role check refused a login");
            return Err(RoleRejection::Forbidden {
                role: R::NAME,
                next,
            });
        }
        Ok(RequireRole {
            login,
            role: PhantomData,
        })
    }
}

/// The 403 page: who may see this, and how to log in with another account.
pub fn forbidden_page(role: (&'static str, &'static str), next: &str) -> Response {
    let login_de = escape(&login_href(next, None, Lang::De));
    let login_en = escape(&login_href(next, None, Lang::En));
    let (role_de, role_en) = role;
    let body = format!(
        r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kein Zugriff – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main" class="container">
<h1>Kein Zugriff</h1>
<p>Diese Seite ist nur für Beschäftigte mit der Rolle „{role_de}“. Ihr Konto hat diese Rolle nicht. Wenn Sie die Rolle haben sollten, wenden Sie sich an die Administration Ihrer Behörde, oder melden Sie sich mit einem anderen Konto an.</p>
<p><a class="button" href="{login_de}">Mit einem anderen Konto anmelden</a></p>
<p><a href="/">Zur Startseite</a></p>
<section lang="en">
<h2>No access</h2>
<p>This page is only for staff with the role “{role_en}”. Your account does not have this role. If it should, please contact your authority's administration, or log in with another account.</p>
<p><a href="{login_en}">Log in with another account</a> · <a href="/?lang=en">To the start page</a></p>
</section>
</main>
</body>
</html>
"#
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

/// `GET /verwaltung`.
pub fn router() -> Router<AppState> {
    Router::new().route("/verwaltung", get(back_office))
}

/// The back-office landing page: the staff member's roles and, for
/// caseworkers, their authorities (with names where configured).
async fn back_office(State(state): State<AppState>, staff: RequireRole<AnyStaff>) -> Response {
    let roles = &staff.login.roles;
    let name = escape(&staff.login.display_name());
    let mut items_de = Vec::new();
    let mut items_en = Vec::new();
    if roles.admin {
        items_de.push("<li>Administration</li>".to_owned());
        items_en.push("<li>Administrator</li>".to_owned());
    }
    if roles.editor {
        items_de.push("<li>Formular-Redaktion</li>".to_owned());
        items_en.push("<li>Form editor</li>".to_owned());
    }
    if !roles.caseworker_of.is_empty() {
        let authorities: Vec<String> = roles
            .caseworker_of
            .iter()
            .map(|id| {
                let known = state.delivery.as_ref().and_then(|d| {
                    d.authorities
                        .configured()
                        .find(|a| a.id == *id)
                        .map(|a| a.party.name.clone())
                });
                match known {
                    Some(name) => format!("<li>{} ({})</li>", escape(&name), escape(id)),
                    None => format!("<li>{}</li>", escape(id)),
                }
            })
            .collect();
        items_de.push(format!(
            "<li>Sachbearbeitung für:<ul class=\"authorities\">{}</ul></li>",
            authorities.join("")
        ));
        items_en.push(format!(
            "<li>Caseworker for:<ul>{}</ul></li>",
            authorities.join("")
        ));
    }
    let body = format!(
        r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verwaltung – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main" class="container">
<h1>Verwaltung</h1>
<p>Angemeldet als {name}.</p>
<h2>Ihre Rollen</h2>
<ul class="roles">{roles_de}</ul>
{editor_de}{list_de}<p><a href="/">Zur Startseite</a></p>
<section lang="en">
<h2>Back office</h2>
<p>Your roles:</p>
<ul>{roles_en}</ul>
{editor_en}{list_en}</section>
</main>
</body>
</html>
"#,
        roles_de = items_de.join(""),
        roles_en = items_en.join(""),
        editor_de = if roles.editor {
            "<p><a href=\"/redaktion\">Zur Formular-Redaktion</a></p>\n"
        } else {
            ""
        },
        editor_en = if roles.editor {
            "<p><a href=\"/redaktion?lang=en\">To the form editor</a></p>\n"
        } else {
            ""
        },
        list_de = if roles.admin || !roles.caseworker_of.is_empty() {
            "<p><a href=\"/verwaltung/antraege\">Eingereichte Anträge und ihre Zustellung</a></p>\n"
        } else {
            ""
        },
        list_en = if roles.admin || !roles.caseworker_of.is_empty() {
            "<p><a href=\"/verwaltung/antraege?lang=en\">Submitted applications and their delivery</a></p>\n"
        } else {
            ""
        },
    );
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn roles(claims: Value, mapping: &RoleMapping) -> StaffRoles {
        read_roles(claims.as_object().unwrap(), mapping)
    }

    #[test]
    fn claim_values_map_to_roles() {
        let m = RoleMapping::default();
        let r = roles(
            json!({"roles": ["amtsweg-editor", "amtsweg-caseworker:lra-weimar",
                             "amtsweg-caseworker:stadt-erfurt", "amtsweg-caseworker:lra-weimar",
                             "something-else"]}),
            &m,
        );
        assert!(r.editor && !r.admin);
        assert_eq!(r.caseworker_of, ["lra-weimar", "stadt-erfurt"]);
        assert!(r.is_caseworker_of("lra-weimar") && !r.is_caseworker_of("lra-jena"));
        assert!(Editor::allows(&r) && Caseworker::allows(&r) && AnyStaff::allows(&r));
        assert!(!Admin::allows(&r));

        let admin = roles(json!({"roles": "amtsweg-admin"}), &m);
        assert!(admin.admin && !admin.editor && admin.caseworker_of.is_empty());
        assert!(Admin::allows(&admin) && !Editor::allows(&admin));
    }

    #[test]
    fn citizens_and_odd_values_get_no_role() {
        let m = RoleMapping::default();
        for claims in [
            json!({}),
            json!({"roles": []}),
            json!({"roles": 42}),
            json!({"roles": [1, null, {"a": 1}]}),
            json!({"roles": ["Amtsweg-Admin", "amtsweg-caseworker:", "amtsweg-caseworker:a b",
                             "amtsweg-caseworker:<script>", "x-amtsweg-editor"]}),
            json!({"groups": ["amtsweg-admin"]}),
        ] {
            let r = roles(claims.clone(), &m);
            assert_eq!(r, StaffRoles::default(), "{claims}");
            assert!(!AnyStaff::allows(&r));
        }
    }

    #[test]
    fn the_mapping_is_configurable() {
        let m = RoleMapping {
            claim: "groups".into(),
            editor: "redaktion".into(),
            admin: "betrieb".into(),
            caseworker_prefix: "sb/".into(),
        };
        let r = roles(json!({"groups": "redaktion, sb/lra-jena"}), &m);
        assert!(r.editor);
        assert_eq!(r.caseworker_of, ["lra-jena"]);
        // The default names mean nothing under this mapping.
        assert_eq!(
            roles(json!({"groups": ["amtsweg-admin"]}), &m),
            StaffRoles::default()
        );
    }
}
