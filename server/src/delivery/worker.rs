//! The delivery worker: `concurrency` loops that each lease the next due
//! outbox job and run it, one loop that reads the drop folders'
//! confirmations, and one that deletes personal data after the retention
//! period. It runs inside `amtsweg serve` (the default) or alone as
//! `amtsweg worker`; several workers (processes or machines on one
//! PostgreSQL) share the work through the leases.
//!
//! A failed job is tried again after `retry_base · 2^(attempt-1)`, capped
//! at `retry_max`, of which a random part between a half and the whole is
//! waited (so jobs that failed together do not come back together). After
//! `max_attempts` attempts, or at once when the failure is permanent, the
//! job is a dead letter: `amtsweg outbox` lists them and `amtsweg outbox
//! retry` sends them again.
//!
//! A worker that dies (SIGKILL, power cut) leaves its jobs leased; the
//! lease runs out and another loop takes them over. Every job is
//! idempotent per submission, so running one twice delivers the same
//! package under the same name again, never a second application.

use std::{future::Future, time::Duration};

use tracing::Instrument;

use amtsweg_forms::Lang;
use time::OffsetDateTime;

use super::{
    DeliveryContext, DeliveryError, confirmations, mails,
    package::{self, PackageInput},
    retention, transport,
};
use crate::store::{
    LeasedJob, StoreError,
    submissions::{CONFIRM, DELIVER, NOTIFY, PAYMENT},
};

/// How long a leased job belongs to its worker without a sign of life.
/// While the job runs, the worker renews the lease every third of it (a
/// slow transport keeps its job); a worker that died gives its jobs up
/// after at most this long.
pub const LEASE: time::Duration = time::Duration::seconds(30);

/// How often personal data past their retention period are looked for.
pub const RETENTION_EVERY: Duration = Duration::from_secs(10 * 60);

/// What running a job came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Tried again later (this many seconds from now).
    Retry(u64),
    Dead,
    /// Another worker holds the job now; nothing was recorded.
    LeaseLost,
}

/// The delay before attempt `attempts + 1`, before jitter.
pub fn backoff(settings: &crate::config::WorkerConfig, attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(30);
    let delay = settings
        .retry_base
        .saturating_mul(1u32.checked_shl(exponent).unwrap_or(u32::MAX));
    delay.min(settings.retry_max)
}

/// `delay` with jitter: between half of it and all of it.
fn jittered(delay: Duration) -> Duration {
    let half = delay / 2;
    half + delay.saturating_sub(half).mul_f64(rand::random::<f64>())
}

/// Leases and runs one due job; `None` when nothing is due.
pub async fn run_one(ctx: &DeliveryContext) -> Result<Option<JobOutcome>, StoreError> {
    let Some(job) = ctx.db.lease_job(OffsetDateTime::now_utc(), LEASE).await? else {
        return Ok(None);
    };
    // Attempts are counted at the lease, so one past the limit means the
    // worker stopped (killed, crashed) during the last attempt without a
    // result. A job that kills its worker every time must not take down
    // one worker after another: it is a dead letter. (Payments poll the
    // provider and are not counted against the limit.)
    if job.kind != PAYMENT && job.attempts > ctx.settings.max_attempts {
        tracing::error!(kind = %job.kind, attempt = job.attempts, "the worker stopped during the last attempt: dead letter");
        let message = "attempts used up: the worker stopped during the last attempt";
        return Ok(Some(
            if ctx
                .db
                .bury_job(&job, OffsetDateTime::now_utc(), message)
                .await?
            {
                JobOutcome::Dead
            } else {
                JobOutcome::LeaseLost
            },
        ));
    }
    let span = tracing::info_span!("job", kind = %job.kind, attempt = job.attempts);
    let heartbeat = {
        let (db, job) = (ctx.db.clone(), job.clone());
        tokio::spawn(async move {
            let every = Duration::from_secs(u64::try_from(LEASE.whole_seconds() / 3).unwrap_or(10));
            loop {
                tokio::time::sleep(every).await;
                match db
                    .extend_lease(&job, OffsetDateTime::now_utc() + LEASE)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!(error = %e, "renewing a lease failed"),
                }
            }
        })
    };
    if job.kind == PAYMENT {
        let outcome = reconcile_payment(ctx, &job).instrument(span).await;
        heartbeat.abort();
        return outcome.map(Some);
    }
    let result = async {
        match job.kind.as_str() {
            DELIVER => deliver(ctx, &job).await.map(Some),
            CONFIRM => confirm(ctx, &job).await.map(|()| None),
            NOTIFY => notify(ctx, &job).await.map(|()| None),
            other => Err(DeliveryError::permanent(format!(
                "unknown job kind {other:?}"
            ))),
        }
    }
    .instrument(span)
    .await;
    heartbeat.abort();
    let now = OffsetDateTime::now_utc();
    let outcome = match result {
        // `deliver` finished its own job together with the submission, or
        // found that another worker holds it now.
        Ok(Some(true)) => JobOutcome::Done,
        Ok(Some(false)) => JobOutcome::LeaseLost,
        Ok(None) => {
            if ctx.db.complete_job(&job, now).await? {
                JobOutcome::Done
            } else {
                JobOutcome::LeaseLost
            }
        }
        Err(e) if e.retryable && job.attempts < ctx.settings.max_attempts => {
            let delay = jittered(backoff(&ctx.settings, job.attempts));
            let at = now + delay;
            tracing::warn!(kind = %job.kind, attempt = job.attempts, error = %e, retry_in_s = delay.as_secs(), "job failed; will retry");
            if ctx.db.retry_job_later(&job, at, &e.message).await? {
                JobOutcome::Retry(delay.as_secs())
            } else {
                JobOutcome::LeaseLost
            }
        }
        Err(e) => {
            tracing::error!(kind = %job.kind, attempt = job.attempts, error = %e, "job failed for good: dead letter");
            if ctx.db.bury_job(&job, now, &e.message).await? {
                JobOutcome::Dead
            } else {
                JobOutcome::LeaseLost
            }
        }
    };
    Ok(Some(outcome))
}

/// The `deliver` job: build the package, hand it over, and in one
/// transaction finish the job and mark the submission delivered. `true`:
/// this worker finished the job; `false`: its lease was lost meanwhile.
async fn deliver(ctx: &DeliveryContext, job: &LeasedJob) -> Result<bool, DeliveryError> {
    let record = ctx
        .db
        .delivery_record(job.submission_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => DeliveryError::permanent("the submission is gone"),
            e => DeliveryError::retry(format!("storage: {e}")),
        })?;
    if record.purged_at.is_some() {
        return Err(DeliveryError::permanent(
            "the submission's personal data were deleted after its retention period",
        ));
    }
    let form = ctx
        .form(&record.submission.form_id, record.submission.form_version)
        .await?;
    let definition = form.definition();
    let authority = ctx
        .authorities
        .get(&definition.authority.id, &definition.authority.name.de)
        .ok_or_else(|| {
            DeliveryError::permanent(format!(
                "authority id {:?} cannot name a drop folder",
                definition.authority.id
            ))
        })?;
    let built = package::build(PackageInput {
        record: &record,
        definition,
        authority: &authority,
        sender: ctx.authorities.sender(),
        uploads: &ctx.uploads,
        data_dir: &ctx.data_dir,
    })
    .await?;
    if record.package_name.as_deref() != Some(built.name.as_str())
        || record.delivered_hashes.as_ref() != Some(&built.hashes)
    {
        ctx.db
            .record_package(record.submission.id, &built.name, &built.hashes)
            .await
            .map_err(|e| DeliveryError::retry(format!("storage: {e}")))?;
    }
    let reference = record.submission.reference.to_string();
    transport::deliver(
        &authority,
        &built,
        &transport::Envelope {
            reference: &reference,
            form_title: &definition.title.de,
        },
        &ctx.mailer,
        &ctx.http,
    )
    .await?;
    let notify = authority.notify_email.is_some();
    let finished = ctx
        .db
        .finish_delivery(job, OffsetDateTime::now_utc(), notify)
        .await
        .map_err(|e| DeliveryError::retry(format!("storage: {e}")))?;
    if finished {
        tracing::info!(authority = %authority.id, transport = %authority.transport.describe(), "package delivered");
    } else {
        // The lease ran out meanwhile: the worker that holds the job now
        // delivers the same package under the same name and notes it.
        tracing::warn!(authority = %authority.id, "package handed over, but the job's lease was lost; the new holder finishes it");
    }
    Ok(finished)
}

/// The `payment` job: asks the provider whether the fee is paid. Paid:
/// [`crate::db::Db::record_paid`] adds `deliver` and `confirm` and
/// finishes this job. Not yet: asked again after `payment_poll`, doubling
/// up to `retry_max` (not counted against `max_attempts`: a citizen may
/// take a while). Given up `payment_abandon_after` the submission: a dead
/// letter the operator sees, the application stored but not delivered.
async fn reconcile_payment(
    ctx: &DeliveryContext,
    job: &LeasedJob,
) -> Result<JobOutcome, StoreError> {
    let now = OffsetDateTime::now_utc();
    let result = crate::payment_journey::check(
        ctx.payment_context(),
        job.submission_id,
        crate::payment_journey::Asker::Worker,
    )
    .await;
    let finished = match &result {
        Ok(crate::payment::PaymentStatus::Paid) => true,
        Ok(_) => false,
        Err(e) if !e.is_retryable() => {
            tracing::error!(error = %e, "payment cannot be reconciled: dead letter");
            return Ok(if ctx.db.bury_job(job, now, &e.to_string()).await? {
                JobOutcome::Dead
            } else {
                JobOutcome::LeaseLost
            });
        }
        Err(e) => {
            tracing::warn!(error = %e, "asking the payment provider failed; will ask again");
            false
        }
    };
    if finished {
        // `record_paid` finished this job already (or it was paid before).
        let _ = ctx.db.complete_job(job, now).await?;
        ctx.wake.notify_waiters();
        return Ok(JobOutcome::Done);
    }
    let submitted_at = ctx.db.submission(job.submission_id).await?.submitted_at;
    if now - submitted_at >= ctx.settings.payment_abandon_after {
        tracing::warn!(
            "fee not paid within the abandonment period: the application is not delivered"
        );
        return Ok(
            if ctx
                .db
                .bury_job(job, now, "payment abandoned: the fee was not paid")
                .await?
            {
                JobOutcome::Dead
            } else {
                JobOutcome::LeaseLost
            },
        );
    }
    let exponent = job.attempts.saturating_sub(1).min(30);
    let delay = ctx
        .settings
        .payment_poll
        .saturating_mul(1u32.checked_shl(exponent).unwrap_or(u32::MAX))
        .min(ctx.settings.retry_max.max(ctx.settings.payment_poll));
    let message = match &result {
        Err(e) => format!("payment provider: {e}"),
        Ok(_) => "fee not paid yet".to_owned(),
    };
    Ok(
        if ctx
            .db
            .retry_job_later(job, now + jittered(delay), &message)
            .await?
        {
            JobOutcome::Retry(delay.as_secs())
        } else {
            JobOutcome::LeaseLost
        },
    )
}

/// What both mails tell of a submission, owned.
struct Facts {
    record: crate::store::DeliveryRecord,
    reference: String,
    title_de: String,
    title_en: String,
    authority: String,
    url: String,
    /// The authority's notification address, if it set one.
    notify_to: Option<String>,
}

impl Facts {
    async fn of(ctx: &DeliveryContext, job: &LeasedJob) -> Result<Facts, DeliveryError> {
        let record = ctx
            .db
            .delivery_record(job.submission_id)
            .await
            .map_err(|e| DeliveryError::retry(format!("storage: {e}")))?;
        let form = ctx
            .form(&record.submission.form_id, record.submission.form_version)
            .await?;
        let d = form.definition();
        let authority = ctx.authorities.get(&d.authority.id, &d.authority.name.de);
        Ok(Facts {
            reference: record.submission.reference.to_string(),
            title_de: d.title.de.clone(),
            title_en: d.title.get(Lang::En).to_owned(),
            authority: authority
                .as_ref()
                .map_or_else(|| d.authority.name.de.clone(), |a| a.party.name.clone()),
            url: ctx.status_url(&record.submission.form_id, record.submission.id),
            notify_to: authority.and_then(|a| a.notify_email),
            record,
        })
    }

    fn mail_facts(&self) -> mails::MailFacts<'_> {
        mails::MailFacts {
            reference: &self.reference,
            form_title_de: &self.title_de,
            form_title_en: &self.title_en,
            authority: &self.authority,
            submitted_at: self.record.submission.submitted_at,
            status_url: &self.url,
        }
    }
}

fn mail_error(e: crate::mail::MailError) -> DeliveryError {
    match &e {
        crate::mail::MailError::Address(_) | crate::mail::MailError::NotConfigured => {
            DeliveryError::permanent(format!("mail: {}", e.kind()))
        }
        crate::mail::MailError::Smtp(s) if s.is_permanent() => {
            DeliveryError::permanent(format!("mail: {}", e.kind()))
        }
        _ => DeliveryError::retry(format!("mail: {}", e.kind())),
    }
}

/// The `confirm` job: the confirmation mail to the citizen.
async fn confirm(ctx: &DeliveryContext, job: &LeasedJob) -> Result<(), DeliveryError> {
    let facts = Facts::of(ctx, job).await?;
    // No address: deleted after the retention period (or never given).
    let Some(to) = &facts.record.details.contact_email else {
        return Ok(());
    };
    let lang = match facts.record.details.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::De,
    };
    ctx.mailer
        .send(mails::confirmation(to, lang, &facts.mail_facts()))
        .await
        .map_err(mail_error)
}

/// The `notify` job: the mail to the authority.
async fn notify(ctx: &DeliveryContext, job: &LeasedJob) -> Result<(), DeliveryError> {
    let facts = Facts::of(ctx, job).await?;
    let Some(to) = &facts.notify_to else {
        return Ok(());
    };
    ctx.mailer
        .send(mails::notification(to, &facts.mail_facts()))
        .await
        .map_err(mail_error)
}

/// Runs until `shutdown` resolves: the job loops, the inbox scan and the
/// retention.
pub async fn run(ctx: DeliveryContext, shutdown: impl Future<Output = ()> + Send + 'static) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..ctx.settings.concurrency.max(1) {
        let ctx = ctx.clone();
        let mut stop = stop_rx.clone();
        tasks.spawn(async move {
            loop {
                if *stop.borrow() {
                    break;
                }
                // Registered before looking, so a submit between the look
                // and the wait still wakes this loop.
                let woken = ctx.wake.notified();
                match run_one(&ctx).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "leasing an outbox job failed"),
                }
                tokio::select! {
                    () = woken => {}
                    () = tokio::time::sleep(ctx.settings.poll) => {}
                    _ = stop.changed() => break,
                }
            }
        });
    }
    {
        let ctx = ctx.clone();
        let mut stop = stop_rx.clone();
        tasks.spawn(async move {
            loop {
                confirmations::scan_inboxes(&ctx, OffsetDateTime::now_utc()).await;
                tokio::select! {
                    () = tokio::time::sleep(ctx.settings.poll) => {}
                    _ = stop.changed() => break,
                }
            }
        });
    }
    {
        let ctx = ctx.clone();
        let mut stop = stop_rx;
        tasks.spawn(async move {
            loop {
                match retention::purge_due(&ctx, OffsetDateTime::now_utc()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(
                        submissions = n,
                        "personal data deleted after the retention period"
                    ),
                    Err(e) => tracing::error!(error = %e, "deleting personal data failed"),
                }
                tokio::select! {
                    () = tokio::time::sleep(RETENTION_EVERY) => {}
                    _ = stop.changed() => break,
                }
            }
        });
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WorkerConfig;

    #[test]
    fn the_backoff_doubles_up_to_the_cap_and_the_jitter_stays_within_it() {
        let settings = WorkerConfig::default();
        assert_eq!(backoff(&settings, 1), Duration::from_secs(30));
        assert_eq!(backoff(&settings, 2), Duration::from_secs(60));
        assert_eq!(backoff(&settings, 5), Duration::from_secs(480));
        assert_eq!(backoff(&settings, 8), Duration::from_secs(3600));
        assert_eq!(backoff(&settings, 200), Duration::from_secs(3600));
        for _ in 0..100 {
            let d = jittered(Duration::from_secs(60));
            assert!(
                d >= Duration::from_secs(30) && d <= Duration::from_secs(60),
                "{d:?}"
            );
        }
        // The default retries reach past a day before a job is dead.
        let total: Duration = (1..settings.max_attempts)
            .map(|a| backoff(&settings, a) / 2)
            .sum();
        assert!(total > Duration::from_secs(24 * 3600), "{total:?}");
    }
}
