//! The operator commands behind `amtsweg serve`, `amtsweg migrate` and
//! `amtsweg worker` (`check-definition` is in [`crate::definitions`]).

use tokio::net::TcpListener;

use crate::{
    cleanup,
    config::Config,
    db::Db,
    definitions, delivery,
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
    let authorities = load_authorities(config)?;
    let state = state.with_payments(payment_providers(config, &authorities)?);
    let delivery =
        state.delivery_context(authorities, config.data_dir.clone(), config.worker.clone());
    let state = state.with_delivery(delivery.clone());
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = config.worker.embedded.then(|| {
        tracing::info!(
            concurrency = config.worker.concurrency,
            "delivery worker runs in this process"
        );
        tokio::spawn(delivery::worker::run(delivery, async move {
            let _ = worker_stopped.await;
        }))
    });
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
    let _ = stop_worker.send(());
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The receiving authorities: the configured file, or only the default
/// drop folders under the data dir.
pub fn load_authorities(config: &Config) -> Result<delivery::Authorities, StartError> {
    let authorities = match &config.authorities_file {
        Some(path) => {
            delivery::Authorities::load(path, &config.data_dir, |name| std::env::var(name).ok())?
        }
        None => delivery::Authorities::defaults(&config.data_dir),
    };
    for a in authorities.configured() {
        tracing::info!(authority = %a.id, transport = %a.transport.describe(), "receiving authority");
    }
    Ok(authorities)
}

/// Who collects the fees: XBezahldienste for the authorities that
/// configure it, the demo provider for the rest.
pub fn payment_providers(
    config: &Config,
    authorities: &delivery::Authorities,
) -> Result<crate::payment_journey::PaymentProviders, StartError> {
    let providers = crate::payment_journey::PaymentProviders::from_authorities(
        authorities,
        config.public_url.clone(),
    )
    .map_err(|message| {
        StartError::Config(crate::config::ConfigError {
            setting: "AMTSWEG_AUTHORITIES".into(),
            message,
        })
    })?;
    for a in authorities.configured().filter(|a| a.payment.is_some()) {
        tracing::info!(authority = %a.id, "fees are paid through XBezahldienste");
    }
    Ok(providers)
}

/// `amtsweg worker`: the delivery worker alone, until SIGINT/SIGTERM (for
/// `AMTSWEG_WORKER=off` servers, or more workers on one PostgreSQL).
pub async fn worker(config: &Config) -> Result<(), StartError> {
    let db = open_database(config).await?;
    let uploads = UploadStorage::from_config(db.clone(), config)
        .await
        .map_err(StartError::Uploads)?;
    let state = AppState::new(db.clone(), "", config.listen, uploads)
        .with_public_url(config.public_url.clone())
        .with_mailer(crate::mail::Mailer::from_config(config)?);
    let authorities = load_authorities(config)?;
    let state = state.with_payments(payment_providers(config, &authorities)?);
    let ctx = state.delivery_context(authorities, config.data_dir.clone(), config.worker.clone());
    tracing::info!(
        concurrency = config.worker.concurrency,
        "delivery worker started"
    );
    delivery::worker::run(ctx, shutdown_signal()).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `amtsweg outbox`: the jobs that are not done (`dead`: only the dead
/// letters), one line each, for operators.
pub async fn outbox_list(config: &Config, dead_only: bool) -> Result<(), StartError> {
    let db = open_database(config).await?;
    let filter = if dead_only {
        crate::store::JobFilter::Dead
    } else {
        crate::store::JobFilter::Open
    };
    let jobs = db.jobs(filter).await.map_err(StartError::Store)?;
    if jobs.is_empty() {
        println!("no jobs");
    }
    for job in jobs {
        println!(
            "{}\t{}\t{}\t{}\tattempts {}\tnext {}\t{}",
            job.id,
            job.reference,
            job.kind,
            job.status,
            job.attempts,
            job.next_attempt_at,
            job.last_error.unwrap_or_default()
        );
    }
    db.close().await;
    Ok(())
}

/// `amtsweg outbox retry ID…` / `--all-dead`: sends dead jobs again.
pub async fn outbox_retry(config: &Config, ids: &[i64], all_dead: bool) -> Result<(), StartError> {
    let db = open_database(config).await?;
    let mut ids = ids.to_vec();
    if all_dead {
        ids.extend(
            db.jobs(crate::store::JobFilter::Dead)
                .await
                .map_err(StartError::Store)?
                .iter()
                .map(|j| j.id),
        );
    }
    let now = time::OffsetDateTime::now_utc();
    for id in ids {
        if db.revive_job(id, now).await.map_err(StartError::Store)? {
            println!("{id}\tsent again");
        } else {
            println!("{id}\tno dead job with this id");
        }
    }
    db.close().await;
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
