//! `hostAccessToken`: the host's server-side code reads an ACTIVE integration's access
//! token where the tenant allows it, each read audited (see `service::host_access`).

use async_graphql::{Context, Object, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};

use super::{context::ContextExt, ids::IntegrationGid, types::enums::Network};
use crate::service::host_access;

/// Whether the request came from a browser: it carried an `Origin` header. Requests
/// without this marker (sockets) count as from a browser.
#[derive(Debug, Clone, Copy)]
pub struct FromBrowser(pub bool);

/// An integration's access token, for the host's own publishing pipeline.
#[derive(SimpleObject)]
pub struct HostAccessToken {
    /// The network's access token, acting as the account. Keep it in memory only.
    pub access_token: String,
    /// When it stops working; null when the network gives it no end.
    pub expires_at: Option<DateTime<Utc>>,
    pub network: Network,
    /// The network's id of the account (member `sub`, Page id, Instagram user id).
    pub account_id: String,
}

#[derive(Default)]
pub struct HostAccessMutation;

#[Object]
impl HostAccessMutation {
    /// The access token of an ACTIVE integration, for the host's server-side code: a
    /// token with the role `service`, sent without a browser's `Origin`, in a tenant
    /// whose admins turned on `hostTokenAccess`. Every read is an audit event
    /// (`TOKEN_READ`) naming the caller. Any other status is `INVALID_TRANSITION`.
    async fn host_access_token(
        &self,
        ctx: &Context<'_>,
        integration_id: IntegrationGid,
    ) -> async_graphql::Result<HostAccessToken> {
        let from_browser = ctx.data_opt::<FromBrowser>().is_none_or(|b| b.0);
        let token = host_access::read(
            ctx.app()?,
            ctx.actor().await?,
            integration_id.0,
            from_browser,
        )
        .await
        .extend()?;
        Ok(HostAccessToken {
            access_token: token.access_token.expose().to_owned(),
            expires_at: token.expires_at,
            network: token.network.into(),
            account_id: token.account_id,
        })
    }
}
