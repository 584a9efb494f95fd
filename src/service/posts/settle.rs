//! A person settles an UNCERTAIN delivery: the publisher could not tell whether the
//! network got it (its sender died between the call and the record, or a duplicate
//! refusal followed a try without an answer), so someone who can see the post looks at
//! the account and says. Published, with the link they found, it is recorded as any
//! publication is; not published, it leaves again now. Either way the decision is an
//! audit event naming the person, with their note.

use entity::{enums::DeliveryState, ids::PostDeliveryId};

use super::{PostView, bad, road};
use crate::{
    auth::Actor,
    domain::input,
    error::{AppError, AppResult},
    service::{App, change::Who, scope_of},
    store::now,
};

/// What the person found at the network.
#[derive(Debug, Clone)]
pub struct Found {
    pub published: bool,
    /// Where they saw it (only with `published`).
    pub permalink: Option<String>,
    pub note: Option<String>,
}

/// Settles the UNCERTAIN delivery `id` by what `found` says.
pub async fn settle(
    app: &App,
    actor: &Actor,
    id: PostDeliveryId,
    found: Found,
) -> AppResult<PostView> {
    let note = found
        .note
        .as_deref()
        .map(|n| input::text("note", n.trim(), input::MAX_NOTE, input::Lines::Multi))
        .transpose()
        .map_err(bad)?
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let permalink = match (found.published, found.permalink.as_deref().map(str::trim)) {
        (false, Some(_)) => return Err(bad("a permalink goes only with published: true")),
        (_, Some(link)) if !link.is_empty() => Some(link_of(link)?),
        _ => None,
    };
    let scope = scope_of(actor);
    let delivery = app
        .store
        .tenant(scope)
        .delivery(id)
        .await?
        .ok_or(AppError::NotFound("delivery"))?;
    let at = now();
    let written = road::apply(
        app,
        scope,
        delivery.post_id,
        None,
        &Who::from(actor),
        |shown| {
            let mut deliveries = shown.deliveries.to_vec();
            let next = deliveries
                .iter_mut()
                .find(|d| d.id == id)
                .ok_or(AppError::NotFound("delivery"))?;
            if next.status != DeliveryState::Uncertain {
                return Err(AppError::InvalidTransition(
                    "only an UNCERTAIN delivery is settled by hand".into(),
                ));
            }
            next.claimed_until = None;
            if found.published {
                next.status = DeliveryState::Published;
                next.permalink = permalink;
                next.published_at = Some(at);
                next.published_hash = Some(shown.post.content_hash.clone());
                next.detail = Some("marked published by a person who checked the account".into());
            } else {
                next.status = DeliveryState::Scheduled;
                next.due_at = Some(at);
                next.next_attempt_at = None;
                next.detail = None;
            }
            Ok(road::Decision {
                post: shown.post.clone(),
                deliveries,
                note,
                self_approval: false,
            })
        },
    )
    .await?;
    Ok(written.into())
}

/// An absolute https link.
fn link_of(link: &str) -> AppResult<String> {
    let link = input::text("permalink", link, input::MAX_URL, input::Lines::Single).map_err(bad)?;
    match url::Url::parse(link) {
        Ok(url) if url.scheme() == "https" && url.host_str().is_some() => Ok(url.to_string()),
        _ => Err(bad(format!(
            "permalink must be an absolute https URL: {link:?}"
        ))),
    }
}
