//! The Daily Digest in the API: `viewer.notificationSettings`, the
//! `updateNotificationSettings` mutation and `digestPreview` (the same content as the
//! mail). Resolvers only convert; the rules live in `service::digest`.

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    context::ContextExt,
    ids::IntegrationGid,
    types::enums::{IntegrationStatus, Network, StatusReason},
};
use crate::{
    domain::{digest, notifications::NotificationChange},
    service::digest::{self as service, Composed, Settings},
};

/// The caller's Daily Digest settings.
pub struct NotificationSettings(pub Settings);

#[Object]
impl NotificationSettings {
    /// Whether the Daily Digest is sent.
    async fn daily_digest(&self) -> bool {
        self.0.daily_digest
    }
    /// IANA time zone of `hourOfDay`.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Local hour (0–23) the digest comes at.
    async fn hour_of_day(&self) -> i32 {
        self.0.hour_of_day
    }
    /// Where the digest goes: the address set here, else the token's `email` claim.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// True while no address was set here, so the token's is used.
    async fn email_from_token(&self) -> bool {
        self.0.email_from_token
    }
    /// An address chosen here that waits for its confirmation: a link was mailed to it,
    /// and the digest goes there once it is followed (within 48 hours). Until then the
    /// digest goes to `email`.
    async fn pending_email(&self) -> Option<&str> {
        self.0.pending_email.as_deref()
    }
    /// Whether the digest also lists the tenant's pending approvals and the problems
    /// that began since the day before (compliance and admins).
    async fn compliance_digest(&self) -> bool {
        self.0.compliance_digest
    }
}

/// New Daily Digest settings; omitted fields keep their value.
#[derive(InputObject, Debug, Default)]
pub struct NotificationSettingsInput {
    pub daily_digest: Option<bool>,
    /// An IANA name such as `Europe/Berlin`; anything else is BAD_USER_INPUT.
    pub time_zone: Option<String>,
    /// Local hour, 0–23 (new people start at 8).
    pub hour_of_day: Option<i32>,
    /// The address to send to; null goes back to the token's `email` claim. An
    /// address other than the token's (or the one confirmed before) takes effect once
    /// the person follows the link mailed to it; until then it is `pendingEmail`.
    pub email: MaybeUndefined<String>,
    /// Also list the tenant's pending approvals and new problems (compliance and
    /// admins only; FORBIDDEN for others).
    pub compliance_digest: Option<bool>,
}

impl From<NotificationSettingsInput> for NotificationChange {
    fn from(input: NotificationSettingsInput) -> Self {
        NotificationChange {
            daily_digest: input.daily_digest,
            time_zone: input.time_zone,
            hour_of_day: input.hour_of_day,
            email: match input.email {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(address) => Some(Some(address)),
            },
            compliance_digest: input.compliance_digest,
            pending_email: None,
        }
    }
}

/// Why an item is in the digest.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::digest::ItemKind")]
pub enum DigestItemKind {
    /// One of yours is EXPIRED or INVALID.
    Problem,
    /// A post of yours is held: its account could not publish.
    HeldPost,
    /// A post of yours is due after its account's token ends.
    PostAtRisk,
    /// One of yours stops working soon unless reconnected.
    ExpiringSoon,
    /// The tenant's, waiting for compliance.
    AwaitingApproval,
    /// The tenant's, EXPIRED or INVALID since the day before.
    NewProblem,
}

/// One line of the digest.
#[derive(SimpleObject)]
pub struct DigestItem {
    pub kind: DigestItemKind,
    pub integration_id: IntegrationGid,
    pub network: Network,
    /// The account's name at the network.
    pub account_name: String,
    pub status: IntegrationStatus,
    pub reason: StatusReason,
    /// What happened, in plain words.
    pub explanation: String,
    /// What to do about it.
    pub remedy: Option<String>,
    /// Since when it has had its status.
    pub since: DateTime<Utc>,
    /// When its token ends (items that stop working soon, posts at risk).
    pub expires_at: Option<DateTime<Utc>>,
    /// For a post: the start of its text.
    pub post: Option<String>,
    /// For a post: when it was (or is) due.
    pub due_at: Option<DateTime<Utc>>,
    pub review_url: String,
}

/// The caller's digest as it would be sent now.
#[derive(SimpleObject)]
pub struct DigestPreview {
    /// True when there is nothing to say: no mail would be sent.
    pub empty: bool,
    /// The caller's local date it is for, `YYYY-MM-DD`.
    pub date: String,
    pub subject: String,
    pub items: Vec<DigestItem>,
    /// Items beyond fifty of a kind, counted but not listed.
    pub left_out: i32,
    /// The plain-text part of the mail.
    pub text: String,
    /// The HTML part of the mail.
    pub html: String,
    /// Where the mail would go; null when the caller has no address.
    pub to: Option<String>,
}

fn preview(app: &crate::service::App, composed: Composed) -> DigestPreview {
    let items = composed
        .digest
        .items
        .iter()
        .map(|item: &digest::Item| {
            let id = IntegrationGid(item.integration_id);
            DigestItem {
                kind: item.kind.into(),
                review_url: service::review_url(app, &id.encoded()),
                integration_id: id,
                network: item.network.into(),
                account_name: item.account_name.clone(),
                status: item.status.into(),
                reason: item.reason.into(),
                explanation: item.explanation.to_owned(),
                remedy: item.remedy.map(str::to_owned),
                since: item.since,
                expires_at: item.expires_at,
                post: item.post.clone(),
                due_at: item.due_at,
            }
        })
        .collect();
    DigestPreview {
        empty: composed.digest.is_empty(),
        date: composed.date.to_string(),
        subject: composed.rendered.subject,
        items,
        left_out: i32::try_from(composed.digest.left_out).unwrap_or(i32::MAX),
        text: composed.rendered.text,
        html: composed.rendered.html,
        to: composed.to,
    }
}

#[derive(Default)]
pub struct DigestQuery;

#[Object]
impl DigestQuery {
    /// The caller's Daily Digest as it would be sent now: the same items, subject and
    /// parts as the mail (whether or not the digest is on).
    async fn digest_preview(&self, ctx: &Context<'_>) -> async_graphql::Result<DigestPreview> {
        let app = ctx.app()?;
        let composed = service::preview(app, ctx.actor().await?, crate::service::now())
            .await
            .extend()?;
        Ok(preview(app, composed))
    }
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Change the caller's Daily Digest settings.
    async fn update_notification_settings(
        &self,
        ctx: &Context<'_>,
        input: NotificationSettingsInput,
    ) -> async_graphql::Result<NotificationSettings> {
        let settings = service::update(ctx.app()?, ctx.actor().await?, input.into())
            .await
            .extend()?;
        Ok(NotificationSettings(settings))
    }
}
