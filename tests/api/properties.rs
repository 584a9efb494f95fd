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
    auth::{
        Actor,
        Role::{Admin, Advisor, Compliance},
    },
    domain::{ComplianceMode, IntegrationId, Network, StatusReason},
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

/// What the model says an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accept(Status),
    Refuse(&'static str),
}

/// The model of one integration, kept by the test apart from the code under test.
#[derive(Debug, Clone)]
struct Model {
    status: Status,
    disconnected: bool,
    self_managed: bool,
    /// Permissions granted now: true = full, false = reduced.
    granted_full: bool,
    /// Permissions held when approved; `None` when no approval stands.
    approved_full: Option<bool>,
}

impl Model {
    /// The domain rules written out: roles, four eyes, the transition table, renewals.
    fn expect(&self, op: Op) -> Outcome {
        use Outcome::*;
        use Status::*;
        if self.disconnected {
            return Refuse("INVALID_TRANSITION");
        }
        let live = matches!(self.status, Pending | Active);
        match op {
            Op::Approve(by) | Op::Reject(by) if matches!(by, By::Owner) && !self.self_managed => {
                Refuse("FORBIDDEN")
            }
            Op::Approve(_) if self.status == Pending => Accept(Active),
            Op::Reject(_) if live => Accept(Rejected),
            Op::Approve(_) | Op::Reject(_) => Refuse("INVALID_TRANSITION"),
            Op::Note(_) => Accept(self.status),
            Op::Expire if live => Accept(Expired),
            Op::Invalidate if live => Accept(Invalid),
            Op::Expire | Op::Invalidate => Refuse("INVALID_TRANSITION"),
            Op::Reconnect { reduced } => {
                let fewer = reduced && self.approved_full == Some(true);
                let stands = self.approved_full.is_some() && !fewer;
                Accept(match self.status {
                    Pending => Pending,
                    Active if fewer => Invalid,
                    Active => Active,
                    Expired | Invalid if stands => Active,
                    _ => Pending,
                })
            }
            Op::Disconnect(By::Compliance) => Refuse("FORBIDDEN"),
            Op::Disconnect(_) => Accept(self.status),
        }
    }

    fn apply(&mut self, op: Op, to: Status) {
        match op {
            Op::Approve(_) => self.approved_full = Some(self.granted_full),
            Op::Reject(_) => self.approved_full = None,
            Op::Reconnect { reduced } => self.granted_full = !reduced,
            Op::Disconnect(_) => self.disconnected = true,
            _ => {}
        }
        if to == Status::Pending {
            self.approved_full = None;
        }
        self.status = to;
    }
}

/// Carries out `op` on the integration `id` as the one of `[owner, compliance, admin]`
/// it names.
async fn perform(
    store: &socialgate::App,
    [owner, co, admin]: [&Actor; 3],
    id: IntegrationId,
    op: Op,
) -> AppResult<Applied> {
    let actor = |b: By| match b {
        By::Owner => owner,
        By::Compliance => co,
        By::Admin => admin,
    };
    match op {
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
            let reconnection = lifecycle::NewAccount {
                network: Network::Linkedin,
                display_name: "Account".into(),
                profile_url: None,
                external_account_id: "acct".into(),
                network_user_id: None,
                scopes,
                token_expires_at: None,
                tokens: None,
            };
            lifecycle::reconnected(store, owner, id, reconnection).await
        }
        Op::Disconnect(b) => lifecycle::disconnect(store, actor(b), id, None).await,
    }
}

static CASE: AtomicUsize = AtomicUsize::new(0);

async fn run_case(app: &TestApp, self_managed: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    let tenant = format!("prop-{}", CASE.fetch_add(1, Ordering::SeqCst));
    let co = app.actor(&tenant, "co", &[Compliance]).await;
    let admin = app.actor(&tenant, "admin", &[Admin]).await;
    if self_managed {
        let change = socialgate::domain::settings::SettingsChange {
            compliance_mode: Some(ComplianceMode::SelfManaged),
            ..Default::default()
        };
        settings::update(&app.app, &admin, change)
            .await
            .expect("mode");
    }
    // The owner's tenant settings were read at provisioning; read them again.
    let owner = app.actor(&tenant, "owner", &[Advisor, Compliance]).await;
    let id = crate::common::integration_id(&app.connect(&owner, Network::Linkedin, "acct").await);
    let store = &*app.app;
    let mut model = Model {
        status: Status::Pending,
        disconnected: false,
        self_managed,
        granted_full: true,
        approved_full: None,
    };
    let mut events = 1;
    for op in ops {
        let result = perform(store, [&owner, &co, &admin], id, *op).await;
        let expected = model.expect(*op);
        match (result, expected) {
            (Ok(applied), Outcome::Accept(to)) => {
                prop_assert_eq!(applied.integration.status, to, "{:?} from {:?}", op, model);
                prop_assert_eq!(
                    applied.event.seq,
                    (events + 1) as i64,
                    "one event per accepted action"
                );
                events += 1;
                model.apply(*op, to);
                prop_assert_eq!(
                    applied.integration.disconnected_at.is_some(),
                    model.disconnected
                );
            }
            (Err(e), Outcome::Refuse(code)) => {
                prop_assert_eq!(e.code(), code, "{:?} from {:?}: {}", op, model, e);
            }
            (got, want) => {
                return Err(TestCaseError::fail(format!(
                    "{op:?} from {model:?}: expected {want:?}, got {got:?}"
                )));
            }
        }
        let verification = audit::verify(store, &co).await.expect("verify");
        prop_assert_eq!(verification.first_broken, None);
        prop_assert_eq!(
            verification.events,
            events as i64,
            "no event for a refused action"
        );
    }
    Ok(())
}

db_test!(
    random_sequences_keep_every_invariant,
    async |app: TestApp| {
        let cases = 64;
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
