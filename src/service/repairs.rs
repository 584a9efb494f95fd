//! Repairs the server makes at start, for rows an earlier version left wrong. Each goes
//! through the change road, so every row it moves gets its audit event (saying why) and
//! its subscription event, and each is safe to run on several instances at once: a row
//! another instance moved first is simply skipped.
//!
//! - Facebook Pages expired on their person's data-access date (DATA_ACCESS_EXPIRED).
//!   Meta lists the Page permissions among those that do not expire with data access,
//!   and Page tokens from a long-lived user token have no expiry, so those Pages never
//!   stopped working: they go back to ACTIVE when their approval stood, else to
//!   PENDING, with the reason EXPIRY_WITHDRAWN.

use super::lifecycle;
use crate::{
    domain::{Network, StatusReason},
    error::{AppError, AppResult},
    service::App,
};

/// Runs every repair; returns how many integrations they moved.
pub async fn run(app: &App) -> AppResult<usize> {
    let mistaken = app
        .store
        .expired_for(Network::Facebook, StatusReason::DataAccessExpired)
        .await?;
    let mut moved = 0;
    for row in mistaken {
        let target = (row.tenant_id, row.id, row.version);
        match lifecycle::withdraw_expiry(app, target, row.approved).await {
            Ok(_) => moved += 1,
            // Moved meanwhile (another instance, or the person reconnected).
            Err(AppError::InvalidTransition(_) | AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    if moved > 0 {
        tracing::info!(
            moved,
            "Facebook Pages expired on their data-access date were put back"
        );
    }
    Ok(moved)
}
