//! Turning verified claims into an [`Actor`]: tenants and users are provisioned on
//! first sight, so an embedding product needs no separate sign-up call.

use std::{collections::BTreeSet, sync::Arc};

use crate::{
    auth::{Actor, Claims},
    error::AppResult,
    store::{Scope, Store, users::Profile},
};

/// Provisions (or finds) the caller's tenant and user. Two statements when both exist.
pub async fn authenticate(
    store: &Store,
    claims: &Claims,
    request_id: Option<String>,
) -> AppResult<Actor> {
    let tenant = store.provision_tenant(&claims.tenant_id).await?;
    let profile = Profile {
        email: claims.email.as_deref(),
        name: claims.name.as_deref(),
    };
    let user = store
        .tenant(Scope::tenant(tenant.id))
        .provision_user(&claims.sub, profile)
        .await?;
    Ok(Actor {
        tenant_id: tenant.id,
        user_id: user.id,
        subject: user.subject,
        roles: claims.roles.iter().copied().collect::<BTreeSet<_>>(),
        tenant: Arc::new(tenant),
        request_id,
    })
}
