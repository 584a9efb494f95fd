//! Property test: random sequences of approve, reject, note, expire, invalidate,
//! reconnect and disconnect by random actors never reach an illegal status, write
//! exactly one event per accepted action and none per refused one, and leave a chain
//! that verifies after every step.

use std::sync::atomic::{AtomicUsize, Ordering};

use entity::enums::Status;
use proptest::{
    prelude::*,
    test_runner::{Config, TestRunner},
};
use socialgate::{
    AppResult,
    auth::Role::{Admin, Advisor, Compliance},
    domain::{
        ComplianceMode, Network, StatusReason,
        ids::{IdKind, decode},
    },
    service::{audit, change::Applied, lifecycle, review, settings},
};

use crate::{common::TestApp, db_test};

#[derive(Debug, Clone, Copy)]
enum By {
    Owner,
    Compliance,
    Admin,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Approve(By),
    Reject(By),
    Note(By),
    Expire,
    Invalidate,
    Reconnect { reduced: bool },
    Disconnect(By),
}

fn by() -> impl Strategy<Value = By> {
    prop_oneof![Just(By::Owner), Just(By::Compliance), Just(By::Admin)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => by().prop_map(Op::Approve),
        2 => by().prop_map(Op::Reject),
        1 => by().prop_map(Op::Note),
        2 => Just(Op::Expire),
        2 => Just(Op::Invalidate),
        3 => any::<bool>().prop_map(|reduced| Op::Reconnect { reduced }),
        1 => by().prop_map(Op::Disconnect),
    ]
}

/// The legal status changes of DESIGN §1, written out independently of the code.
fn legal(from: Status, to: Status) -> bool {
    use Status::*;
    from == to
        || matches!(
            (from, to),
            (Pending, Active)
                | (Pending | Active, Rejected | Expired | Invalid)
                | (Expired | Invalid, Active | Pending)
                | (Rejected, Pending)
        )
}

static CASE: AtomicUsize = AtomicUsize::new(0);

async fn run_case(app: &TestApp, self_managed: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    let tenant = format!("prop-{}", CASE.fetch_add(1, Ordering::SeqCst));
    let co = app.actor(&tenant, "co", &[Compliance]).await;
    let admin = app.actor(&tenant, "admin", &[Admin]).await;
    if self_managed {
        let change = settings::SettingsChange {
            compliance_mode: Some(ComplianceMode::SelfManaged),
            ..Default::default()
        };
        settings::update(&app.store, &admin, change)
            .await
            .expect("mode");
    }
    // The owner's tenant settings were read at provisioning; read them again.
    let owner = app.actor(&tenant, "owner", &[Advisor, Compliance]).await;
    let id = decode(
        IdKind::Integration,
        &app.connect(&owner, Network::Linkedin, "acct").await,
    )
    .expect("id");
    let store = &app.store;
    let mut status = Status::Pending;
    let mut disconnected = false;
    let mut events = 1;
    for op in ops {
        let actor = |b: By| match b {
            By::Owner => &owner,
            By::Compliance => &co,
            By::Admin => &admin,
        };
        let result: AppResult<Applied> = match *op {
            Op::Approve(b) => review::approve(store, actor(b), id, None, None).await,
            Op::Reject(b) => review::reject(store, actor(b), id, "no", None).await,
            Op::Note(b) => review::add_note(store, actor(b), id, "seen").await,
            Op::Expire => {
                lifecycle::expire(store, owner.tenant_id, id, StatusReason::TokenExpired).await
            }
            Op::Invalidate => {
                lifecycle::invalidate(store, owner.tenant_id, id, StatusReason::AccessRevoked).await
            }
            Op::Reconnect { reduced } => {
                let scopes = if reduced {
                    vec!["openid".to_owned()]
                } else {
                    vec!["openid".to_owned(), "w_member_social".to_owned()]
                };
                let reconnection = lifecycle::Reconnection {
                    external_account_id: "acct".into(),
                    scopes,
                    token_expires_at: None,
                };
                lifecycle::reconnected(store, &owner, id, reconnection).await
            }
            Op::Disconnect(b) => lifecycle::disconnect(store, actor(b), id, None).await,
        };
        match result {
            Ok(applied) => {
                prop_assert!(!disconnected, "{op:?} accepted after disconnect");
                let to = applied.integration.status;
                prop_assert!(legal(status, to), "{op:?}: {status:?} -> {to:?}");
                prop_assert_eq!(applied.event.seq, (events + 1) as i64);
                events += 1;
                status = to;
                disconnected = applied.integration.disconnected_at.is_some();
            }
            Err(e) => {
                let code = e.code();
                prop_assert!(
                    ["FORBIDDEN", "INVALID_TRANSITION", "NOT_FOUND"].contains(&code),
                    "{op:?} refused with {code}: {e}"
                );
            }
        }
        let verification = audit::verify(store, &co).await.expect("verify");
        prop_assert_eq!(verification.first_broken, None);
        prop_assert_eq!(
            verification.events,
            events as i64,
            "one event per accepted action"
        );
    }
    Ok(())
}

db_test!(
    random_sequences_keep_every_invariant,
    async |app: TestApp| {
        let cases = 40;
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let strategy = (any::<bool>(), prop::collection::vec(op(), 1..20));
        let handle = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| {
            runner
                .run(&strategy, |(self_managed, ops)| {
                    handle.block_on(run_case(&app, self_managed, &ops))
                })
                .expect("property holds");
        });
        eprintln!(
            "property test ({:?}): {cases} cases of 1–19 random actions passed",
            app.backend
        );
    }
);
