//! The catalog of published forms as the pages see it: the summary types,
//! the server functions that read them, and the user-facing error.
//!
//! The data itself comes from the server crate through
//! [`ssr::AppContext`]; this module never touches storage. Server
//! functions are thin: they read the context, ask the catalog, and map any
//! failure to [`CatalogError`], whose text is safe to show (the details are
//! logged on the server, never sent to the browser).

use amtsweg_forms::{Authority, Text};
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What the list of services shows of one published form.
///
/// Deserializable straight from a definition's JSON: fields not named here
/// are skipped, so a server reads a summary without the steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormSummary {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub summary: Text,
    pub authority: Authority,
}

/// A failure the browser may see. The texts are German and English because
/// the page shows them in either language (see `i18n`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CatalogError {
    /// Storage or the server could not answer; details are in the log.
    #[error("Der Dienst ist gerade nicht erreichbar. / The service is currently unavailable.")]
    Unavailable,
}

impl FromServerFnError for CatalogError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(_: ServerFnErrorErr) -> Self {
        // Transport or decoding problems: the citizen can only retry.
        CatalogError::Unavailable
    }
}

/// Every published form (latest version each), sorted by German title.
#[server(endpoint = "published_forms")]
pub async fn published_forms() -> Result<Vec<FormSummary>, CatalogError> {
    let catalog = ssr::catalog()?;
    catalog.published_forms().await.map_err(ssr::log_error)
}

/// One published form (latest version), or `None` if there is none.
#[server(endpoint = "published_form")]
pub async fn published_form(id: String) -> Result<Option<FormSummary>, CatalogError> {
    let catalog = ssr::catalog()?;
    catalog.published_form(&id).await.map_err(ssr::log_error)
}

/// Server-only part: the interface the server crate implements.
#[cfg(feature = "ssr")]
pub mod ssr {
    use std::{fmt, future::Future, pin::Pin, sync::Arc};

    use leptos::prelude::use_context;

    use super::{CatalogError, FormSummary};

    /// A boxed future, so [`FormCatalog`] can be used as `dyn`.
    pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    /// An internal error; logged, never shown.
    pub type InternalError = Box<dyn std::error::Error + Send + Sync>;

    /// Read access to the published forms, implemented by the server.
    pub trait FormCatalog: Send + Sync + 'static {
        /// Latest published version of every form.
        fn published_forms(&self) -> BoxFuture<'_, Result<Vec<FormSummary>, InternalError>>;
        /// Latest published version of one form.
        fn published_form<'a>(
            &'a self,
            id: &'a str,
        ) -> BoxFuture<'a, Result<Option<FormSummary>, InternalError>>;
    }

    /// What the server provides to every request as Leptos context.
    #[derive(Clone)]
    pub struct AppContext {
        pub catalog: Arc<dyn FormCatalog>,
        pub journey: Arc<dyn crate::journey::ssr::JourneyBackend>,
    }

    impl fmt::Debug for AppContext {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("AppContext").finish_non_exhaustive()
        }
    }

    pub(super) fn catalog() -> Result<Arc<dyn FormCatalog>, CatalogError> {
        match use_context::<AppContext>() {
            Some(context) => Ok(context.catalog),
            None => {
                tracing::error!("AppContext missing: the server did not provide it");
                Err(CatalogError::Unavailable)
            }
        }
    }

    pub(super) fn log_error(error: InternalError) -> CatalogError {
        tracing::error!(error = %error, "reading the form catalog failed");
        CatalogError::Unavailable
    }
}
