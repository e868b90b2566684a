//! The operator commands behind `amtsweg serve`, `amtsweg migrate` and
//! `amtsweg worker` (`check-definition` is in [`crate::definitions`]).

use tokio::net::TcpListener;

use crate::{
    cleanup,
    config::Config,
    db::Db,
    definitions,
    error::StartError,
    routes::{AppState, router},
    session,
    uploads::UploadStorage,
};

/// Opens (and for SQLite creates) the database and migrates it.
pub async fn open_database(config: &Config) -> Result<Db, StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        dir: config.data_dir.display().to_string(),
        source,
    })?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    tracing::info!(backend = db.backend(), "database ready");
    Ok(db)
}

/// Publishes the definitions directory, if there is one.
pub async fn publish_definitions(config: &Config, db: &Db) -> Result<(), StartError> {
    let dir = &config.definitions_dir;
    if !dir.is_dir() {
        if config.definitions_dir_explicit {
            return Err(StartError::MissingDefinitionsDir(dir.display().to_string()));
        }
        tracing::warn!(dir = %dir.display(), "no definitions directory; nothing published");
        return Ok(());
    }
    let report = definitions::publish_dir(db, dir).await?;
    tracing::info!(
        new = report.new.len(),
        unchanged = report.unchanged.len(),
        dir = %dir.display(),
        "form definitions published"
    );
    Ok(())
}

/// `amtsweg migrate`: apply the migrations and stop.
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    let db = open_database(config).await?;
    db.close().await;
    Ok(())
}

/// `amtsweg serve`: migrate, publish, and answer HTTP until SIGINT/SIGTERM.
pub async fn serve(config: &Config) -> Result<(), StartError> {
    let db = open_database(config).await?;
    publish_definitions(config, &db).await?;
    if !config.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %config.site_root.display(),
            "no built site (pkg/): pages are served without hydration; run scripts/build-site.sh"
        );
    }
    let site_root = config.site_root.to_string_lossy();
    let uploads = UploadStorage::from_config(db.clone(), config)
        .await
        .map_err(StartError::Uploads)?;
    let state = AppState::new(db.clone(), &site_root, config.listen, uploads)
        .with_public_url(config.public_url.clone())
        .with_auth(
            crate::auth::Auth::new(config.oidc.as_ref(), &config.public_url)
                .map_err(StartError::Login)?,
        )
        .with_mailer(crate::mail::Mailer::from_config(config)?);
    tracing::info!(to = %state.mailer.describe(), "mails go to");
    // Housekeeping while the server runs: expired drafts (with their
    // uploads) and sessions.
    let draft_cleanup = cleanup::spawn(
        db.clone(),
        state.uploads.clone(),
        config.draft_cleanup_interval,
    );
    let app = router(state);
    let session_cleanup = session::spawn_expired_deletion(&db);
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    tracing::info!(
        listen = %config.listen,
        public_url = %config.public_url,
        "Amtsweg is listening"
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartError::Serve)?;
    draft_cleanup.abort();
    session_cleanup.abort();
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
