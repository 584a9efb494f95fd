//! Who may do what, by role and compliance mode. Visibility is decided
//! earlier by scope (another owner's or tenant's object is NOT_FOUND); these rules
//! decide what a caller who can see an integration may do to it.

use std::collections::BTreeSet;

use super::{ComplianceMode, Role};

/// A refusal with the sentence the caller will read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

fn reviewer(roles: &BTreeSet<Role>) -> bool {
    roles.contains(&Role::Compliance) || roles.contains(&Role::Admin)
}

/// Approve or reject: compliance or admin, and never one's own integration in a
/// BROKER_DEALER tenant (four eyes).
pub fn review(roles: &BTreeSet<Role>, is_owner: bool, mode: ComplianceMode) -> Result<(), Denied> {
    if !reviewer(roles) {
        return Err(Denied(
            "only compliance officers and admins approve or reject integrations".into(),
        ));
    }
    if is_owner && mode == ComplianceMode::BrokerDealer {
        return Err(Denied(
            "four-eyes rule: in a broker-dealer tenant nobody approves or rejects their own \
             integration; ask another compliance officer"
                .into(),
        ));
    }
    Ok(())
}

/// Write a compliance note: compliance or admin.
pub fn note(roles: &BTreeSet<Role>) -> Result<(), Denied> {
    if reviewer(roles) {
        Ok(())
    } else {
        Err(Denied(
            "only compliance officers and admins write compliance notes".into(),
        ))
    }
}

/// Disconnect: the owner, or an admin of the tenant.
pub fn disconnect(roles: &BTreeSet<Role>, is_owner: bool) -> Result<(), Denied> {
    if is_owner || roles.contains(&Role::Admin) {
        Ok(())
    } else {
        Err(Denied(
            "only the owner or an admin may disconnect an integration".into(),
        ))
    }
}

/// Reconnect: only the owner, since it needs their login at the network.
pub fn reconnect(is_owner: bool) -> Result<(), Denied> {
    if is_owner {
        Ok(())
    } else {
        Err(Denied(
            "only the owner can reconnect an integration (it needs their login)".into(),
        ))
    }
}

/// Change tenant settings: admins.
pub fn settings(roles: &BTreeSet<Role>) -> Result<(), Denied> {
    if roles.contains(&Role::Admin) {
        Ok(())
    } else {
        Err(Denied("only admins change tenant settings".into()))
    }
}

/// Have the tenant's review queue in one's Daily Digest: compliance or admin.
pub fn compliance_digest(roles: &BTreeSet<Role>) -> Result<(), Denied> {
    if reviewer(roles) {
        Ok(())
    } else {
        Err(Denied(
            "only compliance officers and admins can have the tenant's approvals in their digest"
                .into(),
        ))
    }
}

/// Read the audit trail, export it and verify the chain: compliance or admin.
pub fn audit(roles: &BTreeSet<Role>) -> Result<(), Denied> {
    if reviewer(roles) {
        Ok(())
    } else {
        Err(Denied(
            "only compliance officers and admins read the audit trail".into(),
        ))
    }
}
