//! Stored network tokens: opening them for use and moving them to the newest key.

use uuid::Uuid;

use super::lifecycle::Tokens;
use crate::{
    crypto::{Keyring, Sealed, binding},
    error::{AppError, AppResult},
    store::{Store, credentials},
};

/// The integration's tokens in the clear (for calls to its network; never returned).
pub async fn open(
    store: &Store,
    keyring: &Keyring,
    tenant_id: Uuid,
    integration_id: Uuid,
) -> AppResult<Option<Tokens>> {
    let Some(row) = credentials::get(store.db(), tenant_id, integration_id).await? else {
        return Ok(None);
    };
    let aad = binding(tenant_id, integration_id);
    let access = keyring.open(
        &Sealed {
            key_id: row.key_id,
            blob: row.access_token,
        },
        &aad,
    )?;
    let refresh = match (row.refresh_token, row.refresh_key_id) {
        (Some(blob), Some(key_id)) => Some(keyring.open(&Sealed { key_id, blob }, &aad)?),
        (Some(_), None) => return Err(AppError::internal("refresh token without key id")),
        _ => None,
    };
    Ok(Some(Tokens {
        access,
        refresh,
        refresh_expires_at: row.refresh_expires_at,
    }))
}

/// Re-seals every row sealed with an older key under the newest one; returns how
/// many rows moved. Rows changed meanwhile are picked up on the next pass.
pub async fn reseal(store: &Store, keyring: &Keyring) -> AppResult<usize> {
    let newest = keyring.newest_id().to_owned();
    let mut moved = 0;
    loop {
        let rows = credentials::sealed_with_older_keys(store.db(), &newest, 500).await?;
        if rows.is_empty() {
            return Ok(moved);
        }
        let mut progressed = false;
        for row in rows {
            let aad = binding(row.tenant_id, row.integration_id);
            let access = keyring.open(
                &Sealed {
                    key_id: row.key_id.clone(),
                    blob: row.access_token.clone(),
                },
                &aad,
            )?;
            let refresh = match (&row.refresh_token, &row.refresh_key_id) {
                (Some(blob), Some(key_id)) => {
                    let plain = keyring.open(
                        &Sealed {
                            key_id: key_id.clone(),
                            blob: blob.clone(),
                        },
                        &aad,
                    )?;
                    Some(keyring.seal(plain.expose().as_bytes(), &aad)?)
                }
                _ => None,
            };
            let access = keyring.seal(access.expose().as_bytes(), &aad)?;
            if credentials::reseal(store.db(), &row, access, refresh).await? {
                moved += 1;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(moved);
        }
    }
}
