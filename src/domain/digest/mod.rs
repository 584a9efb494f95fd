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
//! - Their posts HELD because an account of theirs could not publish, and their
//!   scheduled posts due after their account's token ends (they would be held).
//!
//! Disconnected integrations never appear. An empty digest is not sent.

use chrono::{DateTime, Duration, Utc};
use entity::{enums::DeliveryState, integration, post_delivery};

use super::{
    IntegrationId, Network, Status, StatusReason, UserId,
    reason::{self, Audience},
};

/// Most items of one kind listed; the rest are counted in [`Digest::left_out`] so a
/// tenant with thousands pending gets a readable mail.
pub const MAX_PER_KIND: usize = 50;

/// Why an item is in the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// One of yours is EXPIRED or INVALID.
    Problem,
    /// A post of yours is held: its account could not publish.
    HeldPost,
    /// A post of yours is due after its account's token ends.
    PostAtRisk,
    /// One of yours stops working soon unless reconnected.
    ExpiringSoon,
    /// The tenant's: waiting for compliance.
    AwaitingApproval,
    /// The tenant's: became EXPIRED or INVALID since the last digest.
    NewProblem,
}

impl ItemKind {
    pub const ALL: [ItemKind; 6] = [
        ItemKind::Problem,
        ItemKind::HeldPost,
        ItemKind::PostAtRisk,
        ItemKind::ExpiringSoon,
        ItemKind::AwaitingApproval,
        ItemKind::NewProblem,
    ];

    /// The heading of its section.
    pub fn heading(self) -> &'static str {
        match self {
            ItemKind::Problem => "Your accounts that stopped working",
            ItemKind::HeldPost => "Your posts held because their account could not publish",
            ItemKind::PostAtRisk => "Your posts due after their account stops working",
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
    /// When its token ends, for items that stop working soon (and posts at risk).
    pub expires_at: Option<DateTime<Utc>>,
    /// For a post: the start of its text.
    pub post: Option<String>,
    /// For a post: when it was (or is) due.
    pub due_at: Option<DateTime<Utc>>,
}

/// A post's delivery waiting to leave through one of the person's accounts.
pub struct PostFact<'a> {
    pub delivery: &'a post_delivery::Model,
    pub text: &'a str,
    pub account: &'a integration::Model,
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
    /// The person's held and scheduled deliveries, with their posts and accounts.
    pub posts: &'a [PostFact<'a>],
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
    for fact in facts
        .posts
        .iter()
        .filter(|f| live(f.account) && f.account.owner_id == facts.user_id)
    {
        let due = fact.delivery.due_at;
        let ends = fact.account.token_expires_at;
        match fact.delivery.status {
            DeliveryState::Held => items.push(post_item(fact, ItemKind::HeldPost)),
            DeliveryState::Scheduled if due.zip(ends).is_some_and(|(d, e)| d > e) => {
                items.push(post_item(fact, ItemKind::PostAtRisk));
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

/// Most characters of a post's text a digest line shows.
const EXCERPT: usize = 80;

fn post_item(fact: &PostFact<'_>, kind: ItemKind) -> Item {
    let account = fact.account;
    let mut item = item(account, kind);
    (item.explanation, item.remedy) = match kind {
        ItemKind::HeldPost if account.status == Status::Active => (
            "The post was held while its account could not publish, for longer than it may wait.",
            Some("Pick a new time for it, or cancel it."),
        ),
        ItemKind::HeldPost => (
            "The post fell due while its account could not publish: it waits.",
            reason::remedy(account.status, account.status_reason),
        ),
        _ => (
            "The post is due after the network's sign-in for its account ends.",
            Some("Reconnect the account before then, or the post will be held."),
        ),
    };
    let text = fact.text.trim();
    let mut excerpt: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        excerpt.push('…');
    }
    item.post = Some(excerpt);
    item.due_at = fact.delivery.due_at;
    item.since = fact.delivery.due_at.unwrap_or(item.since);
    item.expires_at = account
        .token_expires_at
        .filter(|_| kind == ItemKind::PostAtRisk);
    item
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
        ItemKind::AwaitingApproval | ItemKind::NewProblem => (
            reason::explanation(row.status_reason),
            reason::remedy_for(row.status, row.status_reason, Audience::Reviewer),
        ),
        ItemKind::Problem | ItemKind::HeldPost | ItemKind::PostAtRisk => (
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
        post: None,
        due_at: None,
    }
}

#[cfg(test)]
mod tests;
