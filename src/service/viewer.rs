//! Turning verified claims into an [`Actor`]: tenants and users are provisioned on
//! first sight, so an embedding product needs no separate sign-up call.

use std::{collections::BTreeSet, sync::Arc};

use crate::{
    auth::{Actor, Claims},
    domain::input::{self, Lines, MAX_EMAIL, MAX_NAME},
    error::{AppError, AppResult},
    store::{Scope, Store, users::Profile},
};

/// Refuses claims whose values could not be stored the same way on every engine.
fn check_claims(claims: &Claims) -> AppResult<()> {
    let single = |field: &str, value: &str, max: usize| {
        input::text(field, value, max, Lines::Single)
            .map(|_| ())
            .map_err(|why| AppError::BadUserInput(format!("the token's {why}")))
    };
    single("tenant_id claim", &claims.tenant_id, MAX_NAME)?;
    single("sub claim", &claims.sub, MAX_NAME)?;
    if let Some(email) = &claims.email {
        single("email claim", email, MAX_EMAIL)?;
    }
    if let Some(name) = &claims.name {
        single("name claim", name, MAX_NAME)?;
    }
    Ok(())
}

/// Provisions (or finds) the caller's tenant and user. Two statements when both exist.
pub async fn authenticate(
    store: &Store,
    claims: &Claims,
    request_id: Option<String>,
) -> AppResult<Actor> {
    check_claims(claims)?;
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
