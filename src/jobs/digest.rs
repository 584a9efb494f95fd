//! The Daily Digest job: for each person with the digest on whose local hour has come
//! and whose digest of today (their local date) is not done, claim the day's delivery,
//! compose the digest, and send it, or record that there was nothing to say.
//!
//! Exactly once per (person, local date): the delivery row is claimed before anything
//! is sent (see [`crate::store::digests`]). A claim lasts [`CLAIM_FOR`], far longer than
//! one SMTP conversation may take; a runner that died between claim and send leaves a
//! claim that a later run takes over once it has lapsed. A failed send is recorded with
//! its error and tried again after [`RETRY_AFTER`], doubling, at most
//! [`MAX_ATTEMPTS`](crate::store::digests::MAX_ATTEMPTS) times; a retry keeps the day's
//! Message-ID, so a mail that did go out before a crash shows once in the mailbox.
//! Each day stands alone: a digest still failing at midnight stays recorded as failed.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{enums::DeliveryStatus, user};

use super::{Job, Jobs};
use crate::{
    domain::notifications,
    error::AppResult,
    mail::Outgoing,
    service::digest::{self as content, zone_of},
    store::{
        Scope,
        digests::{Claim, MAX_ATTEMPTS, Outcome},
    },
};

/// How long a claim holds before another run may take it over.
pub const CLAIM_FOR: Duration = Duration::minutes(5);
/// The wait after a first failed send; it doubles with each failure.
pub const RETRY_AFTER: Duration = Duration::minutes(5);

/// Sends every digest due at `now`; returns how many mails went out.
pub(super) async fn run(jobs: &Jobs, now: DateTime<Utc>) -> AppResult<usize> {
    let app = &jobs.app;
    if !app.mailer.is_on() {
        return Ok(0);
    }
    let mut sent = 0;
    for tenant in app.store.tenant_ids().await? {
        let data = app.store.tenant(Scope::tenant(tenant));
        let due: Vec<(user::Model, String)> = data
            .digest_subscribers()
            .await?
            .into_iter()
            .filter_map(|person| {
                let date = notifications::due(now, zone_of(&person), person.digest_hour)?;
                Some((person, date.to_string()))
            })
            .collect();
        if due.is_empty() {
            continue;
        }
        let mut dates: Vec<String> = due.iter().map(|(_, d)| d.clone()).collect();
        dates.sort();
        dates.dedup();
        let rows: HashMap<_, _> = data
            .deliveries_on(&dates)
            .await?
            .into_iter()
            .map(|row| ((row.user_id, row.digest_date.clone()), row))
            .collect();
        for (person, date) in due {
            // Done today, someone else's live claim, or out of attempts: no statement needed.
            let open = rows.get(&(person.id, date.clone())).is_none_or(|row| {
                matches!(row.status, DeliveryStatus::Claimed | DeliveryStatus::Failed)
                    && row.claimed_until.is_some_and(|until| until < now)
                    && row.attempts < MAX_ATTEMPTS
            });
            if open && deliver(jobs, &person, &date, now).await? {
                sent += 1;
            }
        }
        // A long run renews its lease between tenants and stops if it lost it.
        if !jobs.lease(Job::Digest).await? {
            break;
        }
    }
    Ok(sent)
}

/// Claims, composes and sends one person's digest; true when a mail went out.
async fn deliver(
    jobs: &Jobs,
    person: &user::Model,
    date: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let app = &jobs.app;
    let data = app.store.tenant(Scope::tenant(person.tenant_id));
    let id_domain = app.mailer.id_domain();
    let claim = Claim {
        user_id: person.id,
        date,
        holder: &jobs.holder,
        now,
        until: now + CLAIM_FOR,
        id_domain: &id_domain,
    };
    let Some(row) = data.claim_digest(&claim).await? else {
        return Ok(false);
    };
    let failed = |error: String| {
        let wait = RETRY_AFTER * 2_i32.pow(u32::try_from(row.attempts - 1).unwrap_or(0).min(8));
        tracing::warn!(user = %person.id, date, attempt = row.attempts, %error, "digest not sent");
        Outcome {
            status: DeliveryStatus::Failed,
            item_count: 0,
            error: Some(error),
            sent_at: None,
            retry_at: Some(now + wait),
        }
    };
    let outcome = match content::compose(app, person, person.reviewer, now).await {
        Err(error) => failed(error.to_string()),
        Ok(composed) if composed.digest.is_empty() => Outcome {
            status: DeliveryStatus::Skipped,
            item_count: 0,
            error: None,
            sent_at: None,
            retry_at: None,
        },
        Ok(composed) => {
            let count = i32::try_from(composed.digest.items.len()).unwrap_or(i32::MAX);
            let message_id = row.message_id.clone().unwrap_or_default();
            let stem = format!("{date}-{}-{}", file_safe(&person.subject), row.id);
            let sent = match &composed.to {
                None => Err("the person has no e-mail address (token claim or setting)".into()),
                Some(to) => {
                    app.mailer
                        .send(Outgoing {
                            to,
                            rendered: &composed.rendered,
                            message_id: &message_id,
                            date: now,
                            unsubscribe_url: Some(&composed.unsubscribe_url),
                            file_stem: &stem,
                        })
                        .await
                }
            };
            match sent {
                Ok(()) => Outcome {
                    status: DeliveryStatus::Sent,
                    item_count: count,
                    error: None,
                    sent_at: Some(now),
                    retry_at: None,
                },
                Err(error) => failed(error),
            }
        }
    };
    let was_sent = outcome.status == DeliveryStatus::Sent;
    if !data.finish_digest(row.id, &jobs.holder, outcome).await? {
        tracing::warn!(user = %person.id, date, "digest claim lapsed before it was recorded");
    }
    Ok(was_sent)
}

/// `text` with only letters, digits, `-` and `_`, for a file name.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}
