//! Stored network tokens: opening them for use and moving them to the newest key.
//! Sealing is this layer's business; the store only keeps ciphertexts.

use entity::credential;

use super::lifecycle::Tokens;
use crate::{
    crypto::{Keyring, Sealed, binding},
    domain::{IntegrationId, TenantId},
    error::{AppError, AppResult},
    service::App,
    store::{Scope, Store, credentials::Ciphertext},
};

fn open_one(
    keyring: &Keyring,
    key_id: String,
    blob: Vec<u8>,
    aad: &[u8],
) -> AppResult<crate::config::Secret> {
    keyring.open(&Sealed { key_id, blob }, aad)
}

/// The tokens of integration `id` of `tenant` in the clear (for calls to its network;
/// returned only by `host_access`, audited). Callers found the integration in their
/// scope first.
pub async fn open(app: &App, tenant: TenantId, id: IntegrationId) -> AppResult<Option<Tokens>> {
    open_with(&app.store, &app.keyring, tenant, id).await
}

/// [`open`] with a given keyring (key rotation, and its checks).
pub async fn open_with(
    store: &Store,
    keyring: &Keyring,
    tenant: TenantId,
    id: IntegrationId,
) -> AppResult<Option<Tokens>> {
    let Some(row) = store.tenant(Scope::tenant(tenant)).credentials(id).await? else {
        return Ok(None);
    };
    let aad = binding(row.tenant_id.uuid(), row.integration_id.uuid());
    let access = open_one(keyring, row.key_id, row.access_token, &aad)?;
    let refresh = match (row.refresh_token, row.refresh_key_id) {
        (Some(blob), Some(key_id)) => Some(open_one(keyring, key_id, blob, &aad)?),
        (Some(_), None) => return Err(AppError::internal("refresh token without key id")),
        _ => None,
    };
    Ok(Some(Tokens {
        access,
        refresh,
        refresh_expires_at: row.refresh_expires_at,
    }))
}

/// `row`'s ciphertexts re-sealed under the newest key.
fn resealed(
    keyring: &Keyring,
    row: &credential::Model,
) -> AppResult<(Ciphertext, Option<Ciphertext>)> {
    let aad = binding(row.tenant_id.uuid(), row.integration_id.uuid());
    let seal = |key_id: &str, blob: &[u8]| -> AppResult<Ciphertext> {
        let plain = open_one(keyring, key_id.to_owned(), blob.to_vec(), &aad)?;
        let sealed = keyring.seal(plain.expose().as_bytes(), &aad)?;
        Ok(Ciphertext {
            key_id: sealed.key_id,
            blob: sealed.blob,
        })
    };
    let access = seal(&row.key_id, &row.access_token)?;
    let refresh = match (&row.refresh_token, &row.refresh_key_id) {
        (Some(blob), Some(key_id)) => Some(seal(key_id, blob)?),
        _ => None,
    };
    Ok((access, refresh))
}

/// Re-seals every row sealed with an older key under the newest one; returns how
/// many rows moved. Rows changed meanwhile are picked up on the next pass.
pub async fn reseal(store: &Store, keyring: &Keyring) -> AppResult<usize> {
    let newest = keyring.newest_id().to_owned();
    let mut moved = 0;
    loop {
        let rows = store
            .credentials_sealed_with_older_keys(&newest, 500)
            .await?;
        if rows.is_empty() {
            return Ok(moved);
        }
        let mut progressed = false;
        for row in rows {
            let (access, refresh) = resealed(keyring, &row)?;
            if store.reseal_credentials(&row, access, refresh).await? {
                moved += 1;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(moved);
        }
    }
}
