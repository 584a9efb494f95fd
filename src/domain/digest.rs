//! What goes into a person's Daily Digest, decided from rows and a moment; no I/O.
//!
//! - Their own integrations that are EXPIRED or INVALID, every day until resolved
//!   (reconnected or disconnected), with the reason in plain words.
//! - Their own PENDING or ACTIVE integrations whose token ends within the "expires
//!   soon" window, so they renew in time.
//! - For compliance people who asked for it: the tenant's integrations waiting for
//!   approval, and other people's integrations that became EXPIRED or INVALID since
//!   the previous day's digest time (`new_since`).
//!
//! Disconnected integrations never appear. An empty digest is not sent.

use chrono::{DateTime, Duration, Utc};
use entity::integration;

use super::{IntegrationId, Network, Status, StatusReason, UserId, reason};

/// Most items of one kind listed; the rest are counted in [`Digest::left_out`] so a
/// tenant with thousands pending gets a readable mail.
pub const MAX_PER_KIND: usize = 50;

/// Why an item is in the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// One of yours is EXPIRED or INVALID.
    Problem,
    /// One of yours stops working soon unless reconnected.
    ExpiringSoon,
    /// The tenant's: waiting for compliance.
    AwaitingApproval,
    /// The tenant's: became EXPIRED or INVALID since the last digest.
    NewProblem,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [
        ItemKind::Problem,
        ItemKind::ExpiringSoon,
        ItemKind::AwaitingApproval,
        ItemKind::NewProblem,
    ];

    /// The heading of its section.
    pub fn heading(self) -> &'static str {
        match self {
            ItemKind::Problem => "Your accounts that stopped working",
            ItemKind::ExpiringSoon => "Your accounts that stop working soon",
            ItemKind::AwaitingApproval => "Waiting for compliance approval",
            ItemKind::NewProblem => "Accounts in your firm that stopped working since yesterday",
        }
    }
}

/// One line of the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    pub integration_id: IntegrationId,
    pub owner_id: UserId,
    pub network: Network,
    /// The account's name at the network (Page name, profile name).
    pub account_name: String,
    pub status: Status,
    pub reason: StatusReason,
    /// What happened, in plain words.
    pub explanation: &'static str,
    /// What to do about it, when anything.
    pub remedy: Option<&'static str>,
    /// Since when the integration has had its status.
    pub since: DateTime<Utc>,
    /// When its token ends, for items that stop working soon.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A composed digest: the items in section order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    pub items: Vec<Item>,
    /// Items beyond [`MAX_PER_KIND`] of their kind, not listed.
    pub left_out: usize,
}

impl Digest {
    /// Nothing to say: no mail.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.left_out == 0
    }

    /// The items of one kind.
    pub fn of(&self, kind: ItemKind) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.kind == kind)
    }
}

/// What a digest is composed from.
pub struct Facts<'a> {
    pub user_id: UserId,
    /// The person's integrations (others are ignored).
    pub own: &'a [integration::Model],
    /// The tenant's integrations, for a compliance digest; `None` otherwise.
    pub tenant: Option<&'a [integration::Model]>,
    pub now: DateTime<Utc>,
    /// How far ahead "stops working soon" looks.
    pub soon: Duration,
    /// Problems that began after this are new (the previous digest time).
    pub new_since: DateTime<Utc>,
}

/// The digest these facts make.
pub fn compose(facts: &Facts<'_>) -> Digest {
    let mut items = Vec::new();
    for row in facts
        .own
        .iter()
        .filter(|r| live(r) && r.owner_id == facts.user_id)
    {
        match row.status {
            Status::Expired | Status::Invalid => items.push(item(row, ItemKind::Problem)),
            Status::Pending | Status::Active
                if row
                    .token_expires_at
                    .is_some_and(|at| at <= facts.now + facts.soon) =>
            {
                items.push(item(row, ItemKind::ExpiringSoon));
            }
            _ => {}
        }
    }
    for row in facts.tenant.unwrap_or_default().iter().filter(|r| live(r)) {
        match row.status {
            Status::Pending => items.push(item(row, ItemKind::AwaitingApproval)),
            Status::Expired | Status::Invalid
                if row.owner_id != facts.user_id && row.status_changed_at > facts.new_since =>
            {
                items.push(item(row, ItemKind::NewProblem));
            }
            _ => {}
        }
    }
    items.sort_by_key(|i| (i.kind, i.since, i.integration_id));
    let mut digest = Digest::default();
    for kind in ItemKind::ALL {
        let mut of_kind = items.iter().filter(|i| i.kind == kind);
        digest
            .items
            .extend(of_kind.by_ref().take(MAX_PER_KIND).cloned());
        digest.left_out += of_kind.count();
    }
    digest
}

fn live(row: &integration::Model) -> bool {
    row.disconnected_at.is_none()
}

fn item(row: &integration::Model, kind: ItemKind) -> Item {
    let (explanation, remedy) = match kind {
        ItemKind::ExpiringSoon => (
            "The network's sign-in for this account ends soon.",
            Some("Reconnect the account before then to renew it."),
        ),
        ItemKind::AwaitingApproval => (
            reason::explanation(row.status_reason),
            Some("Review it: approve or reject it."),
        ),
        ItemKind::Problem | ItemKind::NewProblem => (
            reason::explanation(row.status_reason),
            reason::remedy(row.status, row.status_reason),
        ),
    };
    Item {
        kind,
        integration_id: row.id,
        owner_id: row.owner_id,
        network: row.network,
        account_name: row.display_name.clone(),
        status: row.status,
        reason: row.status_reason,
        explanation,
        remedy,
        since: row.status_changed_at,
        expires_at: row
            .token_expires_at
            .filter(|_| kind == ItemKind::ExpiringSoon),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use entity::enums::AccountKind;

    use super::*;

    fn row(owner: UserId, status: Status, changed_hours_ago: i64) -> integration::Model {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
        integration::Model {
            id: IntegrationId::generate(),
            tenant_id: entity::ids::TenantId::generate(),
            owner_id: owner,
            network: Network::Linkedin,
            account_kind: AccountKind::MemberProfile,
            external_account_id: "x".into(),
            network_user_id: None,
            display_name: "X".into(),
            profile_url: None,
            status,
            status_reason: StatusReason::TokenExpired,
            status_changed_at: now - Duration::hours(changed_hours_ago),
            connected_at: now,
            approved_at: None,
            granted_scopes: String::new(),
            approved_scopes: None,
            token_expires_at: None,
            last_checked_at: None,
            last_check_outcome: None,
            consecutive_failures: 0,
            version: 1,
            disconnected_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn own_problems_stay_and_tenant_problems_are_new_for_a_day() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
        let (me, other) = (UserId::generate(), UserId::generate());
        let old_problem = row(me, Status::Expired, 24 * 30);
        let mut soon = row(me, Status::Active, 1);
        soon.token_expires_at = Some(now + Duration::days(3));
        let mut later = row(me, Status::Active, 1);
        later.token_expires_at = Some(now + Duration::days(30));
        let mut gone = row(me, Status::Invalid, 1);
        gone.disconnected_at = Some(now);
        let own = [old_problem.clone(), soon.clone(), later, gone];
        let fresh = row(other, Status::Invalid, 2);
        let stale = row(other, Status::Expired, 30);
        let pending = row(other, Status::Pending, 100);
        let tenant = [fresh.clone(), stale, pending.clone(), old_problem.clone()];
        let facts = Facts {
            user_id: me,
            own: &own,
            tenant: Some(&tenant),
            now,
            soon: Duration::days(14),
            new_since: now - Duration::days(1),
        };
        let digest = compose(&facts);
        let got: Vec<_> = digest
            .items
            .iter()
            .map(|i| (i.kind, i.integration_id))
            .collect();
        assert_eq!(
            got,
            [
                (ItemKind::Problem, old_problem.id),
                (ItemKind::ExpiringSoon, soon.id),
                (ItemKind::AwaitingApproval, pending.id),
                (ItemKind::NewProblem, fresh.id),
            ]
        );
        let nothing = compose(&Facts {
            own: &[],
            tenant: None,
            ..facts
        });
        assert!(nothing.is_empty());
    }
}
