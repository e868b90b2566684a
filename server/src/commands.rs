//! The operator commands behind `amtsweg serve`, `amtsweg migrate` and
//! `amtsweg worker` (`check-definition` is in [`crate::definitions`]), and
//! the editors' `amtsweg forms import-fim` / `amtsweg forms check`, thin
//! wrappers around `amtsweg_forms::{fim, json, quality}`.

use axum::serve::ListenerExt;
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
                .map_err(StartError::Login)?
                .with_session_policy(config.session),
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
    // Pages are streamed in several writes: without TCP_NODELAY, Nagle's
    // algorithm holds a later small write back until the client's delayed
    // ACK (40 ms on Linux), which capped small pages at ~800 per second
    // over 32 keep-alive connections (docs/benchmarks.md).
    let listener = listener.tap_io(|stream| {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
    });
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

/// Exit status of the `forms` commands: done (and, for `check`, no
/// problem).
pub const FORMS_OK: u8 = 0;
/// The input was read but rejected (`import-fim`), or has problems
/// (`check`).
pub const FORMS_PROBLEMS: u8 = 1;
/// A file could not be read or written.
pub const FORMS_IO: u8 = 2;

/// `amtsweg forms import-fim FILE [--out FILE]`: imports a FIM
/// Stammdatenschema (XDatenfelder 2.0 or 3.0.0) and writes the draft
/// definition's JSON to `out_file`, the report to `out`. Without
/// `--out` the JSON goes to `out` and the report to `report_out`, so the
/// JSON can be piped on.
pub fn forms_import_fim(
    file: &std::path::Path,
    out_file: Option<&std::path::Path>,
    out: &mut dyn std::io::Write,
    report_out: &mut dyn std::io::Write,
) -> std::io::Result<u8> {
    let name = file.display();
    let bytes = match std::fs::metadata(file) {
        Ok(m) if m.len() > amtsweg_forms::fim::MAX_BYTES as u64 => {
            writeln!(
                out,
                "{name}: Die Datei ist zu groß (höchstens {} MB) / the file is too large (at most {} MB)",
                amtsweg_forms::fim::MAX_BYTES / 1024 / 1024,
                amtsweg_forms::fim::MAX_BYTES / 1024 / 1024
            )?;
            return Ok(FORMS_PROBLEMS);
        }
        _ => match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) => {
                writeln!(
                    out,
                    "{name}: Datei nicht lesbar / cannot read the file: {e}"
                )?;
                return Ok(FORMS_IO);
            }
        },
    };
    let import = match amtsweg_forms::fim::import(&bytes) {
        Ok(import) => import,
        Err(e) => {
            writeln!(out, "{name}: {e}")?;
            return Ok(FORMS_PROBLEMS);
        }
    };
    let json = amtsweg_forms::json::export(&import.definition);
    match out_file {
        Some(path) => {
            if let Err(e) = std::fs::write(path, json.as_bytes()) {
                writeln!(
                    out,
                    "{}: Datei nicht schreibbar / cannot write the file: {e}",
                    path.display()
                )?;
                return Ok(FORMS_IO);
            }
            write!(out, "{}", import.report)?;
            writeln!(
                out,
                "Entwurf geschrieben / draft written: {}",
                path.display()
            )?;
        }
        None => {
            write!(report_out, "{}", import.report)?;
            write!(out, "{json}")?;
        }
    }
    Ok(FORMS_OK)
}

/// `amtsweg forms check FILE…`: the JSON import (the format, i.e. the JSON
/// Schema, and the engine's definition check) and then the quality check
/// before publishing. One line per problem: `FILE: POINTER [code]: de / en`.
pub fn forms_check(
    files: &[std::path::PathBuf],
    out: &mut dyn std::io::Write,
) -> std::io::Result<u8> {
    let mut status = FORMS_OK;
    for file in files {
        let name = file.display();
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                writeln!(
                    out,
                    "{name}: Datei nicht lesbar / cannot read the file: {e}"
                )?;
                status = FORMS_IO;
                continue;
            }
        };
        let problems: Vec<String> = match amtsweg_forms::json::import(&text) {
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
            Ok(form) => amtsweg_forms::quality::check(form.definition())
                .iter()
                .map(ToString::to_string)
                .collect(),
        };
        if problems.is_empty() {
            writeln!(out, "{name}: ok")?;
        } else {
            for p in &problems {
                writeln!(out, "{name}: {p}")?;
            }
            if status == FORMS_OK {
                status = FORMS_PROBLEMS;
            }
        }
    }
    Ok(status)
}
