//! Turning verified claims into an [`Actor`]: tenants and users are provisioned on
//! first sight, so an embedding product needs no separate sign-up call.

use std::{collections::BTreeSet, sync::Arc};

use crate::{
    auth::{Actor, Claims},
    error::AppResult,
    store::{Store, tenants, users},
};

/// Provisions (or finds) the caller's tenant and user. Two statements when both exist.
pub async fn authenticate(
    store: &Store,
    claims: &Claims,
    request_id: Option<String>,
) -> AppResult<Actor> {
    let db = store.db();
    let tenant = tenants::provision(db, &claims.tenant_id).await?;
    let profile = users::Profile {
        email: claims.email.as_deref(),
        name: claims.name.as_deref(),
    };
    let user = users::provision(db, tenant.id, &claims.sub, profile).await?;
    Ok(Actor {
        tenant_id: tenant.id,
        user_id: user.id,
        subject: user.subject,
        roles: claims.roles.iter().copied().collect::<BTreeSet<_>>(),
        tenant: Arc::new(tenant),
        request_id,
    })
}
