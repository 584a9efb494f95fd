//! Realistic demo and benchmark data (`socialgate seed`).
//!
//! The seed drives the same services a user would: the advisor connects (through the
//! one change road), a compliance officer approves or rejects, and the system expires
//! or invalidates. So every status is reached by a legal transition recorded in the
//! audit chain and announced to subscribers, and seeded tenants verify like real ones.

use std::{collections::BTreeSet, sync::Arc};

use chrono::Duration;
use entity::enums::{Network, Status, StatusReason};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use serde::Serialize;
use uuid::Uuid;

use super::{
    lifecycle::{self, NewAccount},
    review,
};
use crate::{
    auth::{Actor, Role},
    domain::IntegrationId,
    error::AppResult,
    service::App,
    store::{Scope, now, users::Profile},
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

/// Creates `options.tenants` tenants.
pub async fn seed(app: &App, options: SeedOptions) -> AppResult<Vec<SeededTenant>> {
    let mut rng = StdRng::seed_from_u64(options.rng_seed);
    let mut created = Vec::with_capacity(options.tenants);
    for _ in 0..options.tenants {
        created.push(seed_tenant(app, &mut rng, options.users_per_tenant).await?);
    }
    Ok(created)
}

/// A person of a seeded tenant, acting as the services see a caller.
async fn person(
    app: &App,
    tenant: &Arc<entity::tenant::Model>,
    subject: &str,
    profile: Profile<'_>,
    role: Role,
) -> AppResult<Actor> {
    let user = app
        .store
        .tenant(Scope::tenant(tenant.id))
        .provision_user(subject, profile)
        .await?;
    Ok(Actor {
        tenant_id: tenant.id,
        user_id: user.id,
        subject: user.subject,
        roles: BTreeSet::from([role]),
        tenant: tenant.clone(),
        request_id: Some("seed".to_owned()),
    })
}

async fn seed_tenant(app: &App, rng: &mut StdRng, users_count: usize) -> AppResult<SeededTenant> {
    let external_id = format!("demo-{}", &Uuid::new_v4().simple().to_string()[..8]);
    let tenant = Arc::new(app.store.provision_tenant(&external_id).await?);
    let profile = Profile {
        email: Some("compliance@example.com"),
        name: Some("Dana Compliance"),
        reviewer: true,
    };
    let compliance = person(app, &tenant, "compliance-1", profile, Role::Compliance).await?;
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
        let profile = Profile {
            email: Some(&email),
            name: Some(&name),
            reviewer: false,
        };
        let owner = person(
            app,
            &tenant,
            &format!("advisor-{n}"),
            profile,
            Role::Advisor,
        )
        .await?;
        // At most the default limits: two LinkedIn profiles, one Page, one Instagram.
        let mut slots = vec![
            Network::Linkedin,
            Network::Facebook,
            Network::Instagram,
            Network::Linkedin,
        ];
        slots.truncate(rng.random_range(1..=4));
        for (i, network) in slots.into_iter().enumerate() {
            let account = account(rng, network, (&name, last, i));
            let target = *TARGETS.choose(rng).unwrap_or(&Status::Pending);
            seed_integration(app, rng, &owner, &compliance, account, target).await?;
            integration_count += 1;
        }
    }
    Ok(SeededTenant {
        tenant_id: external_id,
        advisor: "advisor-1".to_owned(),
        compliance: "compliance-1".to_owned(),
        integrations: integration_count,
    })
}

/// The statuses seeded integrations end in, ACTIVE the most common.
const TARGETS: [Status; 7] = [
    Status::Pending,
    Status::Active,
    Status::Active,
    Status::Active,
    Status::Expired,
    Status::Invalid,
    Status::Rejected,
];

/// A plausible account of `network` for the advisor `owner_name`.
fn account(
    rng: &mut StdRng,
    network: Network,
    (owner_name, last, index): (&str, &str, usize),
) -> NewAccount {
    let (display_name, external_account_id, profile_url) = match network {
        Network::Linkedin => {
            let id = format!("li-{}", Uuid::new_v4().simple());
            let url = format!("https://www.linkedin.com/in/{id}");
            (owner_name.to_owned(), id, url)
        }
        Network::Facebook => {
            let id = rng
                .random_range(100_000_000_000_000u64..999_999_999_999_999)
                .to_string();
            let url = format!("https://www.facebook.com/{id}");
            (format!("{last} Wealth Partners"), id, url)
        }
        Network::Instagram => {
            let handle = format!("{}.wealth{index}", last.to_lowercase());
            let id = rng
                .random_range(17_000_000_000_000_000u64..17_999_999_999_999_999)
                .to_string();
            let url = format!("https://www.instagram.com/{handle}");
            (format!("@{handle}"), id, url)
        }
    };
    NewAccount {
        network,
        external_account_id,
        network_user_id: None,
        display_name,
        profile_url: Some(profile_url),
        scopes: scopes_of(network)
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        token_expires_at: Some(now() + Duration::days(rng.random_range(1..60))),
        tokens: None,
    }
}

/// Connects `account` as `owner` and walks legal transitions to `target`.
async fn seed_integration(
    app: &App,
    rng: &mut StdRng,
    owner: &Actor,
    compliance: &Actor,
    account: NewAccount,
    target: Status,
) -> AppResult<()> {
    let id: IntegrationId = lifecycle::connected(app, owner, account)
        .await?
        .integration
        .id;
    match target {
        Status::Pending => {}
        Status::Active => {
            let note = Some("Profile matches the advisor's registration.");
            review::approve(app, compliance, id, note, None).await?;
        }
        Status::Expired => {
            review::approve(app, compliance, id, None, None).await?;
            lifecycle::expire(app, owner.tenant_id, id, StatusReason::TokenExpired).await?;
        }
        Status::Invalid => {
            let reason = *INVALID_REASONS
                .choose(rng)
                .unwrap_or(&StatusReason::AccessRevoked);
            review::approve(app, compliance, id, None, None).await?;
            lifecycle::invalidate(app, owner.tenant_id, id, reason).await?;
        }
        Status::Rejected => {
            let note = "Page name does not match the registered business name.";
            review::reject(app, compliance, id, note, None).await?;
        }
    }
    if rng.random_bool(0.3) {
        let body = "Reviewed disclosures on the profile; nothing further needed.";
        review::add_note(app, compliance, id, body).await?;
    }
    Ok(())
}

/// What a real grant of each network holds.
fn scopes_of(network: Network) -> &'static str {
    match network {
        Network::Linkedin => "openid profile email w_member_social",
        Network::Facebook => {
            "pages_show_list pages_read_engagement pages_manage_posts CREATE_CONTENT"
        }
        Network::Instagram => "instagram_business_basic instagram_business_content_publish",
    }
}
