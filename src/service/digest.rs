//! The Daily Digest as a use case: each person's notification settings, what their
//! digest says (read through their own scope, and the tenant's for a compliance digest),
//! rendered as the mail and as `digestPreview`, and the one-click unsubscribe.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{enums::DeliveryState, integration, post, post_delivery, user};

use crate::{
    auth::Actor,
    domain::{
        digest::{self, Digest, Facts, Item, PostFact},
        notifications::{self, NotificationChange},
        policy,
    },
    error::{AppError, AppResult},
    mail::{
        render::{self, Rendered},
        unsubscribe::{Link, Refused},
    },
    service::App,
    store::Scope,
};

/// A person's digest settings as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub daily_digest: bool,
    pub time_zone: String,
    pub hour_of_day: i32,
    /// Where the digest goes: the chosen address, else the token's.
    pub email: Option<String>,
    /// Whether `email` is the token's (no address of their own chosen).
    pub email_from_token: bool,
    /// A chosen address that waits for its confirmation link.
    pub pending_email: Option<String>,
    pub compliance_digest: bool,
}

impl From<&user::Model> for Settings {
    fn from(row: &user::Model) -> Self {
        Settings {
            daily_digest: row.digest_enabled,
            time_zone: row.timezone.clone(),
            hour_of_day: row.digest_hour,
            email: row.digest_email.clone().or_else(|| row.email.clone()),
            email_from_token: row.digest_email.is_none(),
            pending_email: row.digest_email_pending.clone(),
            compliance_digest: row.digest_tenant_review,
        }
    }
}

/// A composed digest, ready to send or show.
#[derive(Debug, Clone)]
pub struct Composed {
    pub digest: Digest,
    pub rendered: Rendered,
    /// The person's local date it is for.
    pub date: NaiveDate,
    /// Where it goes; `None` when the person has no address.
    pub to: Option<String>,
    pub unsubscribe_url: String,
}

async fn me(app: &App, actor: &Actor) -> AppResult<user::Model> {
    app.store
        .tenant(Scope::tenant(actor.tenant_id))
        .user(actor.user_id)
        .await?
        .ok_or(AppError::NotFound("user"))
}

/// The caller's settings.
pub async fn settings(app: &App, actor: &Actor) -> AppResult<Settings> {
    Ok(Settings::from(&me(app, actor).await?))
}

mod confirmation;

pub use confirmation::confirm_address;
use confirmation::send_confirmation;

/// Changes the caller's settings. Only compliance officers and admins may have the
/// tenant's review queue in their digest. An address nobody vouched for yet waits, and
/// a link to confirm it is mailed there (see `NotificationChange::confirming`).
pub async fn update(
    app: &App,
    actor: &Actor,
    mut change: NotificationChange,
) -> AppResult<Settings> {
    change.validate().map_err(AppError::BadUserInput)?;
    if change.compliance_digest == Some(true) {
        policy::compliance_digest(&actor.roles)?;
    }
    let current = me(app, actor).await?;
    let confirm = change.confirming(current.email.as_deref(), current.digest_email.as_deref());
    if confirm.is_some() && !app.mailer.is_on() {
        return Err(AppError::BadUserInput(
            "mail is off on this server, so an address other than your sign-in's cannot be \
             confirmed"
                .to_owned(),
        ));
    }
    let row = app
        .store
        .tenant(Scope::tenant(actor.tenant_id))
        .update_notifications(actor.user_id, &change)
        .await?;
    if let Some(address) = confirm {
        send_confirmation(app, &row, &address, crate::service::now()).await?;
    }
    Ok(Settings::from(&row))
}

/// What the caller's digest would say now: the same content the mail has. The tenant's
/// review queue is in it only when the caller's token carries the role now.
pub async fn preview(app: &App, actor: &Actor, now: DateTime<Utc>) -> AppResult<Composed> {
    let reviews = policy::compliance_digest(&actor.roles).is_ok();
    compose(app, &me(app, actor).await?, reviews, now).await
}

/// The person's time zone; a stored name that no longer parses reads as UTC.
pub fn zone_of(person: &user::Model) -> Tz {
    notifications::time_zone(&person.timezone).unwrap_or(Tz::UTC)
}

/// Composes `person`'s digest as of `now`. The tenant's review queue is in it when they
/// asked for it and `reviews`: they hold the role now (the caller's token for a
/// preview, the role as last seen at sign-in for the mail).
pub async fn compose(
    app: &App,
    person: &user::Model,
    reviews: bool,
    now: DateTime<Utc>,
) -> AppResult<Composed> {
    let soon = app.config.expires_soon_window();
    let own = app
        .store
        .tenant(Scope::owner(person.tenant_id, person.id))
        .needing_attention(now + soon, false)
        .await?;
    let whole = app.store.tenant(Scope::tenant(person.tenant_id));
    let tenant = match person.digest_tenant_review && reviews {
        true => Some(whole.needing_attention(now, true).await?),
        false => None,
    };
    let (waiting, posts, accounts) = waiting_posts(app, person).await?;
    let posts: HashMap<_, _> = posts.iter().map(|p| (p.id, p.text.as_str())).collect();
    let accounts: HashMap<_, _> = accounts.iter().map(|a| (a.id, a)).collect();
    let post_facts: Vec<PostFact<'_>> = waiting
        .iter()
        .filter_map(|delivery| {
            Some(PostFact {
                delivery,
                text: posts.get(&delivery.post_id)?,
                account: accounts.get(&delivery.integration_id)?,
            })
        })
        .collect();
    let digest = digest::compose(&Facts {
        user_id: person.id,
        own: &own,
        tenant: tenant.as_deref(),
        now,
        soon,
        // The previous day's digest went out a day ago.
        new_since: now - Duration::days(1),
        posts: &post_facts,
    });
    let mut owner_ids: Vec<_> = digest.items.iter().map(|i| i.owner_id).collect();
    owner_ids.sort();
    owner_ids.dedup();
    let owners: HashMap<_, _> = whole
        .users_by_ids(&owner_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name.unwrap_or(u.subject)))
        .collect();
    let zone = zone_of(person);
    let date = now.with_timezone(&zone).date_naive();
    let unsubscribe_url = unsubscribe_url(app, person, now);
    let review_url = |item: &Item| {
        review_url(
            app,
            &crate::domain::api_id::integration(item.integration_id),
        )
    };
    let rendered = render::render(
        &digest,
        &render::Context {
            name: person.name.as_deref(),
            zone,
            date,
            owners: &owners,
            review_url: &review_url,
            unsubscribe_url: unsubscribe_url.clone(),
        },
    )?;
    Ok(Composed {
        digest,
        rendered,
        date,
        // A token's address goes through the same rule as a chosen one.
        to: person
            .digest_email
            .clone()
            .or_else(|| person.email.clone())
            .filter(|to| notifications::email(to).is_ok()),
        unsubscribe_url,
    })
}

/// The one-click unsubscribe link of `person`'s digest, bound to their settings' version.
fn unsubscribe_url(app: &App, person: &user::Model, now: DateTime<Utc>) -> String {
    let link = Link {
        tenant: person.tenant_id,
        user: person.id,
        version: Some(person.digest_version),
    };
    let token = app.mailer.signer().sign(link, now);
    format!(
        "{}/digest/unsubscribe?token={token}",
        app.config.public_url()
    )
}

/// Deliveries that wait to leave through the person's own accounts (held, or
/// scheduled), with their posts and accounts: three statements.
async fn waiting_posts(
    app: &App,
    person: &user::Model,
) -> AppResult<(
    Vec<post_delivery::Model>,
    Vec<post::Model>,
    Vec<integration::Model>,
)> {
    let mine = app.store.tenant(Scope::owner(person.tenant_id, person.id));
    let states = [DeliveryState::Held, DeliveryState::Scheduled];
    let waiting = mine.deliveries_in(&states, 500).await?;
    if waiting.is_empty() {
        return Ok((waiting, Vec::new(), Vec::new()));
    }
    let mut post_ids: Vec<_> = waiting.iter().map(|d| d.post_id).collect();
    post_ids.sort();
    post_ids.dedup();
    let mut account_ids: Vec<_> = waiting.iter().map(|d| d.integration_id).collect();
    account_ids.sort();
    account_ids.dedup();
    let posts = mine.posts_by_ids(&post_ids).await?;
    let accounts = mine.integrations_by_ids(&account_ids).await?;
    Ok((waiting, posts, accounts))
}

/// The link a digest gives for reviewing integration `id` (its API id): under the
/// configured frontend URL, or that URL with `{id}` replaced when it has the placeholder.
/// Without one, the built-in console's view of the account when the console is served
/// (a link must lead somewhere a person can act), else the server's own URL.
pub fn review_url(app: &App, id: &str) -> String {
    let config = &app.config;
    let base = match &config.frontend_url {
        Some(url) => url.clone(),
        None if config.console_enabled() => {
            return format!("{}/console/?integration={id}", config.public_url());
        }
        None => config.public_url(),
    };
    if base.contains("{id}") {
        base.replace("{id}", id)
    } else {
        format!("{}/integrations/{id}", base.trim_end_matches('/'))
    }
}

/// Turns the digest off for the person an unsubscribe link names; no sign-in needed,
/// the signed link is the credential.
pub async fn unsubscribe(app: &App, token: &str, now: DateTime<Utc>) -> AppResult<()> {
    let link = app.mailer.signer().verify(token, now).map_err(|why| {
        AppError::BadUserInput(match why {
            Refused::Forged => "this unsubscribe link is not valid".to_owned(),
            Refused::Expired => {
                "this unsubscribe link has expired; turn the digest off in your settings".to_owned()
            }
        })
    })?;
    let (tenant, user) = (link.tenant, link.user);
    let data = app.store.tenant(Scope::tenant(tenant));
    if !data.stop_digest(user, link.version).await? {
        return match data.user(user).await? {
            None => Err(AppError::NotFound("person")),
            // The link was used, or the settings changed after the mail was sent: a
            // link from an old mail must not switch off a digest turned on since.
            Some(_) => Err(AppError::BadUserInput(
                "this unsubscribe link was already used, or your digest settings changed \
                 after this mail was sent; turn the digest off in your settings"
                    .to_owned(),
            )),
        };
    }
    tracing::info!(%tenant, %user, "daily digest turned off by its unsubscribe link");
    Ok(())
}
