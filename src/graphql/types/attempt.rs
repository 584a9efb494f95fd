//! `ConnectionAttempt`: where a sign-in stands, and the accounts to choose from.

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::connection_attempt;

use super::{Integration, enums::Network};
use crate::{graphql::context::ContextExt, graphql::ids::AttemptGid, service::integrations};

/// Where a sign-in stands, and so what the frontend does next.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptStatus {
    /// Waiting for the person at the network: nothing to do until the popup (or the
    /// redirect to `returnTo`) hands back the completion code.
    Started,
    /// One account to confirm: the login offers exactly one, or the attempt is a
    /// reconnect, which is bound to its integration's account. Call
    /// `completeConnection(attemptId, completionCode)` without `accountId`.
    AwaitingConfirmation,
    /// The login administers several accounts: let the person choose one of
    /// `candidates` and pass it as `accountId` to `completeConnection`.
    AwaitingSelection,
    /// Connected: `integration` is the result.
    Completed,
    /// Nothing was connected: `failureCode` says why, `failure` in words.
    Failed,
}

/// Why a sign-in ended without a connection. The first five are the person's to act
/// on, and the sentence in `failure` says how.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ConnectFailure")]
pub enum ConnectFailure {
    /// The person declined at the network's consent screen.
    Cancelled,
    /// A Facebook login that shared no Page: a personal profile (which cannot be
    /// connected), or no Page ticked in Facebook's Page picker.
    PersonalProfile,
    /// Facebook Pages, but none where the person may create content.
    NoPostingRole,
    /// The person unticked, in the network's dialog, a permission needed to post
    /// (Facebook `pages_manage_posts`, Instagram `instagram_business_content_publish`).
    PermissionDeclined,
    /// A personal Instagram account: only business or creator accounts connect.
    PersonalInstagramAccount,
    /// The sign-in took longer than its ten minutes.
    SignInExpired,
    /// The network sent back a sign-in this server did not start.
    SignInUnknown,
    /// The sign-in was already finished once.
    SignInUsed,
    /// The person's slots of the network were used meanwhile.
    LimitReached,
    /// A reconnect signed in as another account than the integration's.
    AccountMismatch,
    /// The integration changed so that the connection may not finish.
    NotAllowed,
    /// The network is over its rate limit: try again later.
    RateLimited,
    /// The network failed to answer properly: try again later.
    ProviderError,
    /// Our fault; logged.
    Internal,
}

/// An account offered for `selectAccount` (never with its token).
#[derive(SimpleObject)]
pub struct AccountCandidate {
    /// Pass this as `accountId`.
    pub id: String,
    pub name: String,
    pub profile_url: Option<String>,
}

pub struct ConnectionAttempt(pub connection_attempt::Model);

impl ConnectionAttempt {
    fn candidates_list(&self) -> &[serde_json::Value] {
        self.0
            .candidates
            .as_ref()
            .and_then(|c| c.as_array())
            .map_or(&[], Vec::as_slice)
    }
}

#[Object]
impl ConnectionAttempt {
    async fn id(&self) -> AttemptGid {
        self.0.id.into()
    }
    async fn network(&self) -> Network {
        self.0.network.into()
    }
    async fn status(&self) -> AttemptStatus {
        use entity::enums::AttemptStatus as Stored;
        match self.0.status {
            Stored::Started => AttemptStatus::Started,
            Stored::AwaitingSelection
                if self.0.integration_id.is_some() || self.candidates_list().len() == 1 =>
            {
                AttemptStatus::AwaitingConfirmation
            }
            Stored::AwaitingSelection => AttemptStatus::AwaitingSelection,
            Stored::Completed => AttemptStatus::Completed,
            Stored::Failed => AttemptStatus::Failed,
        }
    }
    /// Why it failed, for the frontend to switch on.
    async fn failure_code(&self) -> Option<ConnectFailure> {
        self.0.failure_code.map(Into::into)
    }
    /// Why it failed, in words for the person.
    async fn failure(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// The accounts offered: one to confirm, or several to choose from.
    async fn candidates(&self) -> Vec<AccountCandidate> {
        self.candidates_list()
            .iter()
            .filter_map(|c| {
                Some(AccountCandidate {
                    id: c.get("id")?.as_str()?.to_owned(),
                    name: c.get("name")?.as_str()?.to_owned(),
                    profile_url: c
                        .get("profileUrl")
                        .and_then(|u| u.as_str())
                        .map(str::to_owned),
                })
            })
            .collect()
    }
    /// The integration it created or renewed, once COMPLETED.
    async fn integration(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Integration>> {
        let Some(id) = self.0.integration_id else {
            return Ok(None);
        };
        if self.0.status != entity::enums::AttemptStatus::Completed {
            return Ok(None);
        }
        use async_graphql::ResultExt;
        let model = integrations::get(ctx.app()?, ctx.actor().await?, id)
            .await
            .extend()?;
        Ok(Some(Integration(model)))
    }
}
