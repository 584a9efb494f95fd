//! `ConnectionAttempt`: where a sign-in stands, and the accounts to choose from.

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::connection_attempt;

use super::{Integration, enums::Network};
use crate::{graphql::context::ContextExt, graphql::ids::AttemptGid, service::integrations};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::AttemptStatus")]
/// Where a sign-in stands.
pub enum AttemptStatus {
    /// Waiting for the user at the network.
    Started,
    /// The login administers several accounts: call `selectAccount`.
    AwaitingSelection,
    Completed,
    Failed,
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

#[Object]
impl ConnectionAttempt {
    async fn id(&self) -> AttemptGid {
        self.0.id.into()
    }
    async fn network(&self) -> Network {
        self.0.network.into()
    }
    async fn status(&self) -> AttemptStatus {
        self.0.status.into()
    }
    /// Why it failed, in words for the user.
    async fn failure(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// The accounts to choose from while AWAITING_SELECTION.
    async fn candidates(&self) -> Vec<AccountCandidate> {
        let Some(list) = self.0.candidates.as_ref().and_then(|c| c.as_array()) else {
            return Vec::new();
        };
        list.iter()
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
