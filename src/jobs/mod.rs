//! Background work that runs by itself: named jobs on intervals, each run guarded by a
//! lease in the database so that with several instances on one database each run
//! happens once, and a lease left by a crashed instance is taken over when it expires.
//!
//! `serve` runs the scheduler unless `SOCIALGATE_JOBS=false` (leave it to another
//! process); an embedding host gets it from [`crate::Socialgate::jobs`] and spawns
//! [`Jobs::run`] where it likes; `socialgate run-job NAME` runs one job once by hand.
//! Each job works tenant by tenant in the whole tenant's scope, as the system, and
//! changes integrations only through the service layer's change roads.

mod digest;
mod expiry;
pub mod probe;
pub mod publish;
mod refresh;

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use serde::Serialize;
use tokio::sync::watch;

use crate::{
    error::{AppError, AppResult},
    service::App,
};

/// How long a lease lasts before another instance may take the job over; a running
/// job renews it between batches.
pub const LEASE: Duration = Duration::from_secs(60);

/// The jobs there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Integrations whose token has expired become EXPIRED.
    Expiry,
    /// PENDING and ACTIVE integrations are asked about at the network.
    Probe,
    /// Tokens the network lets us renew are renewed before they end.
    Refresh,
    /// Abandoned sign-ins lose the grant they kept sealed; Meta callbacks past their
    /// window are forgotten.
    Attempts,
    /// Daily Digest mail to each person whose local hour has come.
    Digest,
    /// Due posts are published; held ones leave once their account works again.
    Publish,
}

impl Job {
    pub const ALL: [Job; 6] = [
        Job::Expiry,
        Job::Probe,
        Job::Refresh,
        Job::Attempts,
        Job::Digest,
        Job::Publish,
    ];

    /// The name used for its lease and by `socialgate run-job`.
    pub fn name(self) -> &'static str {
        match self {
            Job::Expiry => "expiry",
            Job::Probe => "probe",
            Job::Refresh => "refresh",
            Job::Attempts => "attempts",
            Job::Digest => "digest",
            Job::Publish => "publish",
        }
    }

    /// The job called `name`.
    pub fn named(name: &str) -> AppResult<Job> {
        Job::ALL
            .into_iter()
            .find(|j| j.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Job::ALL.iter().map(|j| j.name()).collect();
                AppError::BadUserInput(format!(
                    "no job called {name:?}; there are: {}",
                    known.join(", ")
                ))
            })
    }

    fn every(self, app: &App) -> Duration {
        match self {
            Job::Expiry => Duration::from_secs(app.config.expiry_interval_secs.max(1)),
            // Rounds come often; each probes only the integrations whose turn it is.
            Job::Probe => app.config.probe_interval().min(Duration::from_secs(60)),
            // Renewal starts a day before the expiring-soon window: hourly is plenty.
            Job::Refresh => app.config.probe_interval().min(Duration::from_secs(3600)),
            Job::Attempts => Duration::from_secs(10 * 60),
            // Hours start on the minute in every time zone; a run finds who is due.
            Job::Digest => Duration::from_secs(60),
            Job::Publish => Duration::from_secs(app.config.publish_interval_secs.max(1)),
        }
    }
}

/// Abandoned sign-ins lose what they kept sealed, and Meta callbacks older than the
/// window their signatures are taken in are forgotten; returns how many sign-ins.
async fn housekeeping(app: &App) -> AppResult<usize> {
    let now = crate::store::now();
    let cleared = app.store.clear_expired_attempts(now).await?;
    let before = now - crate::service::meta_callbacks::FRESH_FOR - chrono::Duration::minutes(5);
    app.store.forget_callbacks_before(before).await?;
    Ok(usize::try_from(cleared).unwrap_or(usize::MAX))
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub job: &'static str,
    /// False when another instance held the job's lease: nothing was done here.
    pub ran: bool,
    /// Integrations changed (for `attempts`: sign-ins cleared; for `digest`: mails
    /// sent; for `publish`: deliveries moved).
    pub changed: usize,
}

/// The jobs of one instance; cheap to clone.
#[derive(Clone)]
pub struct Jobs {
    app: Arc<App>,
    /// Who holds leases taken here: unique per instance and start.
    holder: String,
    /// Networks that asked the probes of this instance to wait.
    paused: Arc<probe::Paused>,
}

impl Jobs {
    pub fn new(app: Arc<App>) -> Jobs {
        let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        for job in Job::ALL {
            crate::metrics::job_known(job.name());
        }
        Jobs {
            app,
            holder,
            paused: Arc::default(),
        }
    }

    /// Takes (or renews) `job`'s lease for another [`LEASE`].
    async fn lease(&self, job: Job) -> AppResult<bool> {
        let until = Utc::now() + LEASE;
        self.app
            .store
            .take_lease(job.name(), &self.holder, until)
            .await
    }

    /// Runs `job` once if its lease is free (or ours), and gives the lease back.
    pub async fn run_once(&self, job: Job) -> AppResult<Report> {
        self.run_once_at(job, crate::store::now()).await
    }

    /// Like [`Jobs::run_once`], with the digest job taking `now` as the present (which
    /// local hours have come, which date is today), so a test or a catch-up can say when.
    /// The other jobs read the clock.
    pub async fn run_once_at(&self, job: Job, now: chrono::DateTime<Utc>) -> AppResult<Report> {
        let result = self.run_at(job, now).await;
        crate::metrics::job_run(job.name(), result.is_ok());
        result
    }

    async fn run_at(&self, job: Job, now: chrono::DateTime<Utc>) -> AppResult<Report> {
        let mut report = Report {
            job: job.name(),
            ..Report::default()
        };
        if !self.lease(job).await? {
            return Ok(report);
        }
        report.ran = true;
        let result = match job {
            Job::Expiry => expiry::run(self).await,
            Job::Probe => probe::run(self).await,
            Job::Refresh => refresh::run(self).await,
            Job::Attempts => housekeeping(&self.app).await,
            Job::Digest => digest::run(self, crate::store::at_stored_precision(now)).await,
            Job::Publish => publish::run(self).await,
        };
        self.app
            .store
            .release_lease(job.name(), &self.holder)
            .await?;
        report.changed = result?;
        Ok(report)
    }

    /// Runs every job on its interval until `shutdown` turns true. A run in progress
    /// is never cut short: shutdown is noticed between runs.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let start = tokio::time::Instant::now();
        let mut due: Vec<(Job, tokio::time::Instant)> =
            Job::ALL.iter().map(|job| (*job, start)).collect();
        loop {
            let Some((index, at)) = due
                .iter()
                .enumerate()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(i, (_, at))| (i, *at))
            else {
                return;
            };
            tokio::select! {
                () = tokio::time::sleep_until(at) => {}
                _ = shutdown.wait_for(|down| *down) => return,
            }
            let job = due[index].0;
            match self.run_once(job).await {
                Ok(report) if report.changed > 0 => {
                    tracing::info!(job = report.job, changed = report.changed, "job ran");
                }
                Ok(_) => {}
                Err(error) => tracing::error!(job = job.name(), %error, "job failed"),
            }
            due[index].1 = tokio::time::Instant::now() + job.every(&self.app);
        }
    }
}
