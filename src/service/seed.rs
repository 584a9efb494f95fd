//! Realistic demo and benchmark data (`socialgate seed`).
//!
//! Every row goes through the same store functions as real traffic, and every status
//! is reached by a legal transition recorded in the audit chain, so seeded tenants
//! verify like real ones.

use chrono::Duration;
use entity::{
    enums::{EventKind, Network, Status, StatusReason},
    integration,
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::{
        network::account_kind,
        status::{Change, transition},
    },
    error::AppResult,
    store::{
        Store,
        events::{Chain, NewEvent},
        integrations, notes, now, tenants, users,
    },
};

/// How much to create.
#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    pub tenants: usize,
    pub users_per_tenant: usize,
    /// Same seed, same shape of data (ids and tenant names still differ per run).
    pub rng_seed: u64,
}

/// One created tenant, printed as a JSON line so tokens can be minted for it.
#[derive(Debug, Clone, Serialize)]
pub struct SeededTenant {
    /// The `tenant_id` claim to put in tokens.
    pub tenant_id: String,
    /// A subject that owns integrations (role advisor).
    pub advisor: String,
    /// A compliance officer's subject.
    pub compliance: String,
    pub integrations: usize,
}

const FIRST: [&str; 12] = [
    "Avery", "Jordan", "Morgan", "Riley", "Casey", "Taylor", "Quinn", "Harper", "Rowan", "Elliot",
    "Sasha", "Devon",
];
const LAST: [&str; 12] = [
    "Chen",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Patel",
    "Garcia",
    "Nakamura",
    "Kowalski",
    "Byrne",
    "Haddad",
    "Silva",
    "Novak",
];
const INVALID_REASONS: [StatusReason; 5] = [
    StatusReason::PasswordChanged,
    StatusReason::AccessRevoked,
    StatusReason::PageRoleLost,
    StatusReason::CheckpointRequired,
    StatusReason::TokenInvalidated,
];

/// Creates `options.tenants` tenants, each in one transaction.
pub async fn seed(store: &Store, options: SeedOptions) -> AppResult<Vec<SeededTenant>> {
    let mut rng = StdRng::seed_from_u64(options.rng_seed);
    let mut created = Vec::with_capacity(options.tenants);
    for _ in 0..options.tenants {
        created.push(seed_tenant(store, &mut rng, options.users_per_tenant).await?);
    }
    Ok(created)
}

async fn seed_tenant(
    store: &Store,
    rng: &mut StdRng,
    users_count: usize,
) -> AppResult<SeededTenant> {
    let txn = store.begin_write().await?;
    let external_id = format!("demo-{}", &Uuid::new_v4().simple().to_string()[..8]);
    let tenant = tenants::provision(&txn, &external_id).await?;
    let mut chain = Chain::lock(&txn, tenant.id).await?;
    let compliance = users::provision(
        &txn,
        tenant.id,
        "compliance-1",
        users::Profile {
            email: Some("compliance@example.com"),
            name: Some("Dana Compliance"),
        },
    )
    .await?;
    let mut integration_count = 0;
    for n in 1..=users_count.max(1) {
        let first = *FIRST.choose(rng).unwrap_or(&"Alex");
        let last = *LAST.choose(rng).unwrap_or(&"Smith");
        let name = format!("{first} {last}");
        let email = format!(
            "{}.{}{n}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let subject = format!("advisor-{n}");
        let owner = users::provision(
            &txn,
            tenant.id,
            &subject,
            users::Profile {
                email: Some(&email),
                name: Some(&name),
            },
        )
        .await?;
        // At most the default limits: two LinkedIn profiles, one Page, one Instagram.
        let mut slots = vec![
            Network::Linkedin,
            Network::Facebook,
            Network::Instagram,
            Network::Linkedin,
        ];
        let wanted = rng.random_range(1..=4);
        slots.truncate(wanted);
        for (i, network) in slots.into_iter().enumerate() {
            let target = *[
                Status::Pending,
                Status::Active,
                Status::Active,
                Status::Active,
                Status::Expired,
                Status::Invalid,
                Status::Rejected,
            ]
            .choose(rng)
            .unwrap_or(&Status::Pending);
            seed_integration(
                &txn,
                &mut chain,
                rng,
                tenant.id,
                owner.id,
                compliance.id,
                network,
                (&name, last, i),
                target,
            )
            .await?;
            integration_count += 1;
        }
    }
    txn.commit().await?;
    Ok(SeededTenant {
        tenant_id: external_id,
        advisor: "advisor-1".to_owned(),
        compliance: "compliance-1".to_owned(),
        integrations: integration_count,
    })
}

#[allow(clippy::too_many_arguments)]
async fn seed_integration(
    txn: &sea_orm::DatabaseTransaction,
    chain: &mut Chain,
    rng: &mut StdRng,
    tenant_id: Uuid,
    owner_id: Uuid,
    reviewer_id: Uuid,
    network: Network,
    (owner_name, last, index): (&str, &str, usize),
    target: Status,
) -> AppResult<()> {
    let at = now();
    let connected_at = at - Duration::days(rng.random_range(1..50));
    let (display_name, external_id, profile_url) = match network {
        Network::Linkedin => {
            let id = format!("li-{}", Uuid::new_v4().simple());
            (
                owner_name.to_owned(),
                id.clone(),
                Some(format!("https://www.linkedin.com/in/{id}")),
            )
        }
        Network::Facebook => {
            let id = format!(
                "{}",
                rng.random_range(100_000_000_000_000u64..999_999_999_999_999)
            );
            (
                format!("{last} Wealth Partners"),
                id.clone(),
                Some(format!("https://www.facebook.com/{id}")),
            )
        }
        Network::Instagram => {
            let handle = format!("{}.wealth{index}", last.to_lowercase());
            let id = format!(
                "{}",
                rng.random_range(17_000_000_000_000_000u64..17_999_999_999_999_999)
            );
            (
                format!("@{handle}"),
                id,
                Some(format!("https://www.instagram.com/{handle}")),
            )
        }
    };
    let expires_at = match target {
        Status::Expired => at - Duration::days(rng.random_range(1..10)),
        _ => connected_at + Duration::days(60),
    };
    let id = Uuid::now_v7();
    let inserted = integrations::insert(
        txn,
        integration::Model {
            id,
            tenant_id,
            owner_id,
            network,
            account_kind: account_kind(network),
            external_account_id: external_id,
            display_name,
            profile_url,
            status: Status::Pending,
            status_reason: StatusReason::Connected,
            status_changed_at: connected_at,
            connected_at,
            granted_scopes: scopes_of(network).to_owned(),
            approved_at: None,
            approved_scopes: None,
            token_expires_at: Some(expires_at),
            last_checked_at: Some(at - Duration::hours(rng.random_range(1..24))),
            consecutive_failures: 0,
            version: 1,
            disconnected_at: None,
            created_at: connected_at,
            updated_at: at,
        },
    )
    .await?;
    let event = |from, to, reason, actor, note: Option<&str>| NewEvent {
        integration_id: id,
        kind: EventKind::Transition,
        actor_id: actor,
        from_status: from,
        to_status: Some(to),
        reason: Some(reason),
        note: note.map(str::to_owned),
        self_approval: false,
        request_id: Some("seed".to_owned()),
    };
    chain
        .append(
            txn,
            event(
                None,
                Status::Pending,
                StatusReason::Connected,
                Some(owner_id),
                None,
            ),
        )
        .await?;

    // Walk legal transitions to the target status.
    let mut path: Vec<(Change, Option<Uuid>, Option<&str>)> = Vec::new();
    match target {
        Status::Pending => {}
        Status::Active => path.push((
            Change::Approve,
            Some(reviewer_id),
            Some("Profile matches the advisor's registration."),
        )),
        Status::Expired => {
            path.push((Change::Approve, Some(reviewer_id), None));
            path.push((Change::Expire(StatusReason::TokenExpired), None, None));
        }
        Status::Invalid => {
            let reason = *INVALID_REASONS
                .choose(rng)
                .unwrap_or(&StatusReason::AccessRevoked);
            path.push((Change::Approve, Some(reviewer_id), None));
            path.push((Change::Invalidate(reason), None, None));
        }
        Status::Rejected => path.push((
            Change::Reject,
            Some(reviewer_id),
            Some("Page name does not match the registered business name."),
        )),
    }
    let mut current = inserted;
    for (change, actor, note) in path {
        let Ok((to, reason)) = transition(current.status, change) else {
            continue;
        };
        chain
            .append(txn, event(Some(current.status), to, reason, actor, note))
            .await?;
        let mut changed = current.clone();
        if change == Change::Approve {
            changed.approved_at = Some(at);
            changed.approved_scopes = Some(changed.granted_scopes.clone());
        }
        changed.status = to;
        changed.status_reason = reason;
        changed.status_changed_at = at;
        current = integrations::save(txn, &current, changed).await?;
    }
    if rng.random_bool(0.3) {
        let body = "Reviewed disclosures on the profile; nothing further needed.";
        notes::insert(txn, tenant_id, id, reviewer_id, body).await?;
        let mut note = event(
            None,
            current.status,
            StatusReason::Connected,
            Some(reviewer_id),
            Some(body),
        );
        note.kind = EventKind::Note;
        note.to_status = None;
        note.reason = None;
        chain.append(txn, note).await?;
    }
    Ok(())
}

/// What a real grant of each network holds (PROVIDERS.md).
fn scopes_of(network: Network) -> &'static str {
    match network {
        Network::Linkedin => "openid profile email w_member_social",
        Network::Facebook => {
            "pages_show_list pages_read_engagement pages_manage_posts CREATE_CONTENT"
        }
        Network::Instagram => "instagram_business_basic instagram_business_content_publish",
    }
}
