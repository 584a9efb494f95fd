//! What a digest holds, from rows and a moment.
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
    let own = [old_problem.clone(), soon.clone(), later.clone(), gone];
    let fresh = row(other, Status::Invalid, 2);
    let stale = row(other, Status::Expired, 30);
    let pending = row(other, Status::Pending, 100);
    let tenant = [fresh.clone(), stale, pending.clone(), old_problem.clone()];
    let held = delivery(&old_problem, DeliveryState::Held, now - Duration::hours(2));
    let late = delivery(&later, DeliveryState::Scheduled, now + Duration::days(40));
    let fine = delivery(&later, DeliveryState::Scheduled, now + Duration::days(5));
    let text = "Markets this week: ".repeat(10);
    let posts = [
        PostFact {
            delivery: &held,
            text: &text,
            account: &old_problem,
        },
        PostFact {
            delivery: &late,
            text: "Later",
            account: &later,
        },
        PostFact {
            delivery: &fine,
            text: "Fine",
            account: &later,
        },
    ];
    let facts = Facts {
        user_id: me,
        own: &own,
        tenant: Some(&tenant),
        now,
        soon: Duration::days(14),
        new_since: now - Duration::days(1),
        posts: &posts,
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
            (ItemKind::HeldPost, old_problem.id),
            (ItemKind::PostAtRisk, later.id),
            (ItemKind::ExpiringSoon, soon.id),
            (ItemKind::AwaitingApproval, pending.id),
            (ItemKind::NewProblem, fresh.id),
        ]
    );
    let excerpt = digest.items[1].post.as_deref().unwrap_or_default();
    assert!(
        excerpt.ends_with('…') && excerpt.chars().count() == 81,
        "{excerpt}"
    );
    assert_eq!(digest.items[2].expires_at, later.token_expires_at);
    let nothing = compose(&Facts {
        own: &[],
        tenant: None,
        posts: &[],
        ..facts
    });
    assert!(nothing.is_empty());
}

fn delivery(
    account: &integration::Model,
    status: DeliveryState,
    due: DateTime<Utc>,
) -> post_delivery::Model {
    post_delivery::Model {
        id: entity::ids::PostDeliveryId::generate(),
        tenant_id: account.tenant_id,
        post_id: entity::ids::PostId::generate(),
        integration_id: account.id,
        network: account.network,
        status,
        reason: None,
        detail: None,
        due_at: Some(due),
        attempts: 0,
        next_attempt_at: None,
        claimed_until: None,
        network_post_id: None,
        permalink: None,
        published_at: None,
        published_hash: None,
        version: 1,
        updated_at: due,
    }
}
