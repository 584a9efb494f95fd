//! Publishing one delivery, exactly once. The publish job claims due deliveries (they
//! are PUBLISHING, committed, before any network is called); [`send`] calls the
//! network once and records its answer through the post road with the audit event:
//!
//! - accepted: PUBLISHED with the network's id, permalink, time and the content hash;
//! - the token refused: the integration turns EXPIRED or INVALID through its own change
//!   road, and the delivery is HELD with that reason;
//! - a passing fault (timeout, 5xx, throttle, publishing quota): SCHEDULED again for a
//!   later try with backoff ([`crate::domain::publishing::retry_at`]), FAILED once the
//!   tries are used up;
//! - refused for its content: FAILED in the network's words. A duplicate refusal after
//!   an earlier try that ended without an answer is UNCERTAIN instead: that try may
//!   have published it;
//! - no record at all (the instance died after calling the network): the claim lapses
//!   and [`lapsed`] makes it UNCERTAIN for a person to check. It is never sent again
//!   blind.

use chrono::{DateTime, Utc};
use entity::{
    enums::{DeliveryState, Status, StatusReason},
    integration, post, post_delivery,
};

use super::road;
use crate::{
    domain::{posts::Content, publishing},
    error::{AppError, AppResult},
    providers::{
        ProviderError,
        publishing::{Outgoing, Published},
    },
    service::{App, change::Who, lifecycle, tokens},
    store::{Scope, now},
};

/// Where a delivery goes next.
#[derive(Debug, Clone)]
pub enum Outcome {
    Published(Published),
    /// Its integration cannot publish: the reason and what to do.
    Held(StatusReason, String),
    /// Tried again at this time, after this fault.
    Retry(DateTime<Utc>, String),
    Failed(String),
    /// Nobody knows whether it left: a person checks the account.
    Uncertain(String),
    /// Held, and leaves now that its integration works again.
    Resumed,
}

/// Moves the delivery `delivery` by `outcome`, if it is still in one of `from` (another
/// instance or a person may have moved it meanwhile: then nothing happens and this
/// returns false).
pub async fn settle(
    app: &App,
    delivery: &post_delivery::Model,
    from: &[DeliveryState],
    outcome: Outcome,
) -> AppResult<bool> {
    let scope = Scope::tenant(delivery.tenant_id);
    let at = now();
    let written = road::apply(
        app,
        scope,
        delivery.post_id,
        None,
        &Who::system(),
        |shown| {
            let mut deliveries = shown.deliveries.to_vec();
            let Some(next) = deliveries.iter_mut().find(|d| d.id == delivery.id) else {
                return Err(AppError::NotFound("delivery"));
            };
            if !from.contains(&next.status) {
                return Err(AppError::InvalidTransition("the delivery moved on".into()));
            }
            apply(next, shown.post, outcome, at);
            Ok(road::Decision {
                post: shown.post.clone(),
                deliveries,
                note: None,
                self_approval: false,
            })
        },
    )
    .await;
    match written {
        Ok(_) => Ok(true),
        Err(AppError::InvalidTransition(_) | AppError::Conflict(_)) => Ok(false),
        Err(error) => Err(error),
    }
}

fn apply(next: &mut post_delivery::Model, post: &post::Model, outcome: Outcome, at: DateTime<Utc>) {
    next.claimed_until = None;
    match outcome {
        Outcome::Published(published) => {
            next.status = DeliveryState::Published;
            next.network_post_id = Some(published.network_post_id);
            next.permalink = published.permalink;
            next.published_at = Some(at);
            next.published_hash = Some(post.content_hash.clone());
            next.detail = None;
            next.reason = None;
        }
        Outcome::Held(reason, detail) => {
            next.status = DeliveryState::Held;
            next.reason = Some(reason);
            next.detail = Some(detail);
        }
        Outcome::Retry(when, why) => {
            next.status = DeliveryState::Scheduled;
            next.next_attempt_at = Some(when);
            next.detail = Some(format!("will try again: {why}"));
        }
        Outcome::Failed(why) => {
            next.status = DeliveryState::Failed;
            next.detail = Some(why);
        }
        Outcome::Uncertain(why) => {
            next.status = DeliveryState::Uncertain;
            next.detail = Some(why);
        }
        Outcome::Resumed => {
            next.status = DeliveryState::Scheduled;
            next.due_at = Some(at);
            next.next_attempt_at = None;
            next.reason = None;
            next.detail = None;
        }
    }
}

/// What a held delivery says: the integration's state, what happened, what to do.
pub fn held(integration: &integration::Model) -> Outcome {
    let reason = integration.status_reason;
    let status = if integration.disconnected_at.is_some() {
        "disconnected"
    } else {
        crate::domain::status::word(integration.status)
    };
    let mut detail = format!(
        "Held: the account is {status}. {}",
        crate::domain::reason::explanation(reason)
    );
    if let Some(remedy) = crate::domain::reason::remedy(integration.status, reason) {
        detail.push(' ');
        detail.push_str(remedy);
    }
    Outcome::Held(reason, detail)
}

/// Sends the claimed `delivery` to its network once and records the answer.
pub async fn send(app: &App, delivery: &post_delivery::Model) -> AppResult<bool> {
    let outcome = attempt(app, delivery).await?;
    settle(app, delivery, &[DeliveryState::Publishing], outcome).await
}

async fn attempt(app: &App, delivery: &post_delivery::Model) -> AppResult<Outcome> {
    let data = app.store.tenant(Scope::tenant(delivery.tenant_id));
    let post = data
        .post(delivery.post_id)
        .await?
        .ok_or(AppError::NotFound("post"))?;
    if post.approved_hash.as_deref() != Some(post.content_hash.as_str()) {
        return Ok(Outcome::Failed(
            "the content differs from what compliance approved; it was not sent".into(),
        ));
    }
    let integration = data
        .integration(delivery.integration_id)
        .await?
        .ok_or(AppError::NotFound("integration"))?;
    if integration.status != Status::Active || integration.disconnected_at.is_some() {
        return Ok(held(&integration));
    }
    let Some(tokens) = tokens::open(app, delivery.tenant_id, integration.id).await? else {
        return Ok(Outcome::Failed(
            "no token is stored for the account; reconnect it".into(),
        ));
    };
    let content = Content {
        text: post.text.clone(),
        link: post.link.clone(),
        image_urls: serde_json::from_str(&post.image_urls).unwrap_or_default(),
    };
    let sent = publishing::rendition(&content, integration.network);
    let outgoing = Outgoing {
        account: &integration.external_account_id,
        text: &sent.text,
        link: sent.link.as_deref(),
        image_urls: &sent.image_urls,
    };
    let answer = app
        .providers
        .get(integration.network)?
        .publish(&tokens.access, &outgoing)
        .await;
    crate::metrics::publish_outcome(integration.network, outcome_label(&answer));
    answered(app, delivery, &integration, answer).await
}

fn outcome_label<T>(answer: &Result<T, ProviderError>) -> &'static str {
    match answer {
        Ok(_) => "published",
        Err(ProviderError::Dead(_)) => "refused_token",
        Err(ProviderError::RateLimited(..) | ProviderError::Transient(_)) => "passing",
        Err(ProviderError::Duplicate(_)) => "duplicate",
        Err(ProviderError::Refused(..) | ProviderError::Failed(_)) => "failed",
    }
}

/// What the network's `answer` makes of the delivery.
async fn answered(
    app: &App,
    delivery: &post_delivery::Model,
    integration: &integration::Model,
    answer: Result<Published, ProviderError>,
) -> AppResult<Outcome> {
    let passing = |why: String, wait| match publishing::retry_at(delivery.attempts, now(), wait) {
        Some(when) => Outcome::Retry(when, why),
        None => Outcome::Failed(format!(
            "gave up after {} tries; the last: {why}",
            delivery.attempts
        )),
    };
    Ok(match answer {
        Ok(published) => Outcome::Published(published),
        Err(ProviderError::Dead(reason)) => {
            let (tenant, id) = (integration.tenant_id, integration.id);
            lifecycle::network_said(app, tenant, id, Some(integration.version), reason).await?;
            let now_is = app
                .store
                .tenant(Scope::tenant(tenant))
                .integration(id)
                .await?
                .ok_or(AppError::NotFound("integration"))?;
            match held(&now_is) {
                // Changed meanwhile (a reconnect): hold it with the network's reason.
                Outcome::Held(_, detail) if now_is.status == Status::Active => {
                    Outcome::Held(reason, detail)
                }
                held => held,
            }
        }
        Err(ProviderError::RateLimited(why, wait)) => passing(why, wait),
        Err(ProviderError::Transient(why)) => passing(why, None),
        Err(ProviderError::Duplicate(why)) if delivery.attempts > 1 => Outcome::Uncertain(format!(
            "{why}. An earlier try ended without an answer and may have published it: \
             check the account, then mark it published or send it again"
        )),
        Err(ProviderError::Duplicate(why) | ProviderError::Failed(why)) => Outcome::Failed(why),
        Err(ProviderError::Refused(_, why)) => Outcome::Failed(why),
    })
}

/// A claim that lapsed: whether the network got the post is unknown.
pub async fn lapsed(app: &App, delivery: &post_delivery::Model) -> AppResult<bool> {
    let why = "the instance sending it stopped before the network's answer was recorded: \
               check the account, then mark it published or send it again"
        .to_owned();
    settle(
        app,
        delivery,
        &[DeliveryState::Publishing],
        Outcome::Uncertain(why),
    )
    .await
}
