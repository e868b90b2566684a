//! Errors and where they become output: [`HttpError`] is the one place an
//! error turns into an HTTP response (German first, English second, never
//! internal details); [`StartError`] is what stops `amtsweg serve` or
//! `amtsweg migrate`, printed as one line for the operator.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use thiserror::Error;

use crate::{config::ConfigError, db::DbError, definitions::PublishError};

/// An error answered over HTTP outside the Leptos pages.
#[derive(Debug, Error)]
pub enum HttpError {
    /// The database (or another dependency) does not answer.
    #[error("service unavailable: {0}")]
    Unavailable(#[source] DbError),
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        // The details go to the log, the citizen gets a clear sentence.
        tracing::warn!(error = %self, "request failed");
        let (status, text) = match self {
            HttpError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Der Dienst ist gerade nicht erreichbar. / The service is currently unavailable.\n",
            ),
        };
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response()
    }
}

/// Why the server (or a command) could not start.
#[derive(Debug, Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("AMTSWEG_DEFINITIONS_DIR: {0:?} does not exist")]
    MissingDefinitionsDir(String),
    #[error("AMTSWEG_DATA_DIR: cannot create {dir:?}: {source}")]
    DataDir { dir: String, source: std::io::Error },
    #[error("AMTSWEG_LISTEN: cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("the HTTP server stopped: {0}")]
    Serve(std::io::Error),
    #[error("AMTSWEG_DATA_DIR: cannot prepare the upload directory files/: {0}")]
    Uploads(std::io::Error),
    /// Login cannot be set up (see `auth::Auth::new`); names the setting.
    #[error("{0}")]
    Login(String),
    /// The mail transport cannot be set up (`AMTSWEG_SMTP_URL` or the
    /// data dir's `mail/`).
    #[error("AMTSWEG_SMTP_URL / AMTSWEG_DATA_DIR: mail cannot be set up: {0}")]
    Mail(#[from] crate::mail::MailError),
    #[error("AMTSWEG_DATABASE_URL: {0}")]
    Store(crate::store::StoreError),
}
