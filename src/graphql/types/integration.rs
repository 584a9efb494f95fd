//! `Integration`, its notes, and the list filter input.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, ResultExt};
use chrono::{DateTime, Utc};
use entity::{compliance_note, integration};

use super::{
    AuditEvent, User,
    enums::{
        AccountKind, CheckOutcome, IntegrationAction, IntegrationStatus, Network, StatusReason,
    },
};
use crate::{
    auth::Actor,
    domain::{
        coverage, reason,
        status::{Action, Situation, available_actions, expires_soon},
    },
    error::AppError,
    graphql::{
        context::ContextExt,
        ids::{IntegrationGid, NoteGid, UserGid},
    },
    service::{
        integrations::{self, ListFilter},
        now, relations,
    },
};

/// A connected account of one user.
pub struct Integration(pub integration::Model);

#[Object]
impl Integration {
    async fn id(&self) -> IntegrationGid {
        self.0.id.into()
    }
    /// Bumped by every change; pass it as `expectedVersion` to act only on what you saw.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn network(&self) -> Network {
        self.0.network.into()
    }
    async fn account_kind(&self) -> AccountKind {
        self.0.account_kind.into()
    }
    /// The account's id at the network (member id, Page id, Instagram user id).
    async fn external_account_id(&self) -> &str {
        &self.0.external_account_id
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn profile_url(&self) -> Option<&str> {
        self.0.profile_url.as_deref()
    }
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        ctx.user(self.0.owner_id).await
    }
    async fn status(&self) -> IntegrationStatus {
        self.0.status.into()
    }
    async fn status_reason(&self) -> StatusReason {
        self.0.status_reason.into()
    }
    /// The reason in plain words.
    async fn status_explanation(&self) -> &'static str {
        reason::explanation(self.0.status_reason)
    }
    /// What the viewer should do about it, in words for who they are: its owner is
    /// told to reconnect or wait for review, a reviewer to approve or reject; null
    /// when nothing.
    async fn status_remedy(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<&'static str>> {
        if self.0.disconnected_at.is_some() {
            return Ok(None);
        }
        let actor = ctx.actor().await?;
        let audience = match actor.user_id == self.0.owner_id
            && !available_actions(self.situation(actor)).contains(&Action::Approve)
        {
            true => reason::Audience::Owner,
            false => reason::Audience::Reviewer,
        };
        Ok(reason::remedy_for(
            self.0.status,
            self.0.status_reason,
            audience,
        ))
    }
    async fn status_changed_at(&self) -> DateTime<Utc> {
        self.0.status_changed_at
    }
    async fn connected_at(&self) -> DateTime<Utc> {
        self.0.connected_at
    }
    /// Permissions the current grant holds (scopes, Page tasks).
    async fn permissions(&self) -> Vec<&str> {
        self.0.granted_scopes.split_whitespace().collect()
    }
    /// When compliance approved it; null if never, or since rejected.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    async fn token_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.token_expires_at
    }
    /// The token of a usable integration ends within the server's warning window
    /// (`SOCIALGATE_EXPIRES_SOON_DAYS`, two weeks by default).
    async fn expires_soon(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let window = ctx.app()?.config.expires_soon_window();
        Ok(expires_soon(
            self.0.status,
            self.0.token_expires_at,
            now(),
            window,
        ))
    }
    /// When the integration stops working unless renewed or reconnected: its token's
    /// end, when the network gives one (a Facebook Page's token has none). The expiry
    /// sweep turns it EXPIRED then, with TOKEN_EXPIRED.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.token_expires_at
    }
    /// Last time the network was asked whether the token still works.
    async fn last_checked_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_checked_at
    }
    /// How the last check ended; null before the first.
    async fn last_check_outcome(&self) -> Option<CheckOutcome> {
        self.0.last_check_outcome.map(Into::into)
    }
    /// Passing faults in a row at the last checks (timeouts, 5xx); they never change
    /// the status by themselves.
    async fn consecutive_failures(&self) -> i32 {
        self.0.consecutive_failures
    }
    /// Set once disconnected; the row and its history are kept.
    async fn disconnected_at(&self) -> Option<DateTime<Utc>> {
        self.0.disconnected_at
    }
    /// The newest `last` compliance notes (default 20, at most 100), oldest first;
    /// every note is also in the history and in `auditTrail`.
    #[graphql(complexity = "newest_cost(last, child_complexity)")]
    async fn compliance_notes(
        &self,
        ctx: &Context<'_>,
        last: Option<i32>,
    ) -> async_graphql::Result<Vec<ComplianceNote>> {
        let last = relations::last_size(last).extend()?;
        let notes = ctx
            .loaders()
            .await?
            .notes
            .load_one((self.0.id, Some(last)))
            .await
            .map_err(|e| e.extend())?;
        Ok(notes
            .unwrap_or_default()
            .into_iter()
            .map(ComplianceNote)
            .collect())
    }
    /// Posts still to leave through this account (approved, scheduled or held),
    /// soonest first: what a broken connection would hold. The `first` (default 20,
    /// at most 100); `posts` pages through every one.
    #[graphql(complexity = "crate::graphql::query::page_cost(first, child_complexity)")]
    async fn upcoming_deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<super::post::PostDelivery>> {
        let first = integrations::page_size(first).extend()?;
        let rows = ctx
            .loaders()
            .await?
            .upcoming
            .load_one((self.0.id, Some(first)))
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|d| super::post::PostDelivery(d, None))
            .collect())
    }
    /// The newest `last` status changes and notes (default 20, at most 100), oldest
    /// first; `auditTrail` has the whole history, its posts' deliveries included.
    #[graphql(complexity = "newest_cost(last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        last: Option<i32>,
    ) -> async_graphql::Result<Vec<AuditEvent>> {
        let last = relations::last_size(last).extend()?;
        let events = ctx
            .loaders()
            .await?
            .history
            .load_one((self.0.id, Some(last)))
            .await
            .map_err(|e| e.extend())?;
        Ok(events
            .unwrap_or_default()
            .into_iter()
            .map(AuditEvent)
            .collect())
    }
    /// How long it was ACTIVE in `[from, to)` (default: since connection, until now)
    /// and the gaps when it was not; derived from the audit events.
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> async_graphql::Result<Coverage> {
        // Every status change: the card's `history` is only the newest entries.
        let events = ctx
            .loaders()
            .await?
            .history
            .load_one((self.0.id, None))
            .await
            .map_err(|e| e.extend())?;
        let changes: Vec<_> = events
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| {
                e.to_status
                    .filter(|_| e.from_status != e.to_status)
                    .map(|s| (e.occurred_at, s))
            })
            .collect();
        let (from, to) = coverage::window(from, to, self.0.connected_at, now())
            .map_err(|why| AppError::BadUserInput(why.into()).extend())?;
        Ok(Coverage(coverage::compute(
            &changes,
            self.0.disconnected_at,
            from,
            to,
        )))
    }
    /// What the viewer may do now (drives the "Review" button).
    async fn available_actions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<IntegrationAction>> {
        let actor = ctx.actor().await?;
        let actions = available_actions(self.situation(actor));
        Ok(actions.into_iter().map(IntegrationAction::from).collect())
    }
}

impl Integration {
    /// Where the viewer stands with this integration.
    fn situation<'a>(&self, actor: &'a Actor) -> Situation<'a> {
        Situation {
            viewer_roles: &actor.roles,
            viewer_is_owner: actor.user_id == self.0.owner_id,
            mode: actor.tenant.compliance_mode,
            status: self.0.status,
            disconnected: self.0.disconnected_at.is_some(),
        }
    }
}

/// A note compliance wrote on an integration.
pub struct ComplianceNote(pub compliance_note::Model);

#[Object]
impl ComplianceNote {
    async fn id(&self) -> NoteGid {
        self.0.id.into()
    }
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        ctx.user(self.0.author_id).await
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Which integrations to list. Every field narrows; omitted fields do not.
#[derive(InputObject, Default, Debug)]
pub struct IntegrationFilter {
    pub statuses: Option<Vec<IntegrationStatus>>,
    pub networks: Option<Vec<Network>>,
    /// Only this owner's (a `User` id).
    pub owner: Option<UserGid>,
    /// Only those whose token expires before this time.
    pub expiring_before: Option<DateTime<Utc>>,
    /// Include disconnected integrations (hidden by default).
    #[graphql(default = false)]
    pub include_disconnected: bool,
}

impl From<IntegrationFilter> for ListFilter {
    fn from(input: IntegrationFilter) -> Self {
        ListFilter {
            statuses: input
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            networks: input
                .networks
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            owner_id: input.owner.map(|owner| owner.0),
            expiring_before: input.expiring_before,
            include_disconnected: input.include_disconnected,
        }
    }
}

/// Supervision coverage of an integration over a window.
pub struct Coverage(pub coverage::Coverage);

#[Object]
impl Coverage {
    async fn from(&self) -> DateTime<Utc> {
        self.0.from
    }
    async fn to(&self) -> DateTime<Utc> {
        self.0.to
    }
    /// Seconds the integration was ACTIVE (approved and usable).
    async fn active_seconds(&self) -> i64 {
        self.0.active_seconds
    }
    /// Share of the window it was ACTIVE, 0 to 1.
    async fn active_ratio(&self) -> f64 {
        let total = (self.0.to - self.0.from).num_seconds();
        if total <= 0 {
            0.0
        } else {
            self.0.active_seconds as f64 / total as f64
        }
    }
    /// The stretches when it was not ACTIVE.
    async fn gaps(&self) -> Vec<CoverageGap> {
        self.0
            .gaps
            .iter()
            .map(|g| CoverageGap {
                from: g.from,
                to: g.to,
                status: g.status.map(Into::into),
            })
            .collect()
    }
}

/// A stretch when the integration was not ACTIVE.
#[derive(async_graphql::SimpleObject)]
pub struct CoverageGap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The status then; null before connection or after disconnection.
    pub status: Option<IntegrationStatus>,
}

/// A newest-first list costs what it may hold: `last` (default 20) times its children.
pub(crate) fn newest_cost(last: Option<i32>, child_complexity: usize) -> usize {
    let size = last.map_or(relations::DEFAULT_LAST as usize, |n| n.max(0) as usize);
    size.max(1) * child_complexity + 1
}
