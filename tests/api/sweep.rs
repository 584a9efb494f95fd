//! The expiry sweep decides in the statement that writes: it reads due integrations
//! outside its batch's transaction, so a token renewed (or reconnected) in between
//! must not be expired all the same; and it asks only the tenants that have something
//! due.

use chrono::{Duration, Utc};
use socialgate::{
    auth::Role::Advisor,
    domain::{Network, Status, StatusReason, status::Change},
    jobs::{Job, Jobs},
    service::{batch, change::Who, lifecycle},
    store::{Scope, integrations::Still},
};

use crate::{common::TestApp, db_test};

db_test!(
    a_token_renewed_after_the_sweep_read_it_is_not_expired,
    async |app: TestApp| {
        let owner = app.actor("renewed", "avery", &[Advisor]).await;
        let mut account = crate::common::account(Network::Linkedin, "member-1", "old-token");
        account.token_expires_at = Some(Utc::now() - Duration::hours(1));
        let id = crate::common::connected(&app.app, &owner, account.clone()).await;
        let scope = Scope::tenant(owner.tenant_id);

        // The sweep reads what is due ...
        let at = socialgate::store::now();
        let due = app
            .store
            .tenant(scope)
            .expiring(&[Status::Pending, Status::Active], at, 100)
            .await
            .expect("due");
        assert_eq!(due, [id]);

        // ... the person reconnects the same account meanwhile, with a fresh token ...
        account.token_expires_at = Some(Utc::now() + Duration::days(60));
        account.tokens = crate::common::account(Network::Linkedin, "member-1", "new-token").tokens;
        lifecycle::connected(&app.app, &owner, account)
            .await
            .expect("renewed");

        // ... and the sweep's batch, writing with what it read, moves nothing.
        let change = (
            Change::Expire(StatusReason::TokenExpired),
            Still::TokenEndedBefore(at),
        );
        let moved = batch::apply_many(&app.app, scope, &due, &Who::system(), change)
            .await
            .expect("batch");
        assert!(moved.is_empty(), "a renewed token was expired");
        let row = app
            .store
            .tenant(scope)
            .integration(id)
            .await
            .expect("read")
            .expect("row");
        assert_eq!(row.status, Status::Pending);
    }
);

db_test!(
    the_sweep_asks_only_tenants_with_something_due,
    async |app: TestApp| {
        for n in 0..5 {
            let idle = app.actor(&format!("idle-{n}"), "someone", &[Advisor]).await;
            let mut fresh = crate::common::account(Network::Linkedin, "fresh", "t");
            fresh.token_expires_at = Some(Utc::now() + Duration::days(30));
            crate::common::connected(&app.app, &idle, fresh).await;
        }
        let owner = app.actor("due", "avery", &[Advisor]).await;
        let mut ended = crate::common::account(Network::Linkedin, "ended", "t");
        ended.token_expires_at = Some(Utc::now() - Duration::minutes(5));
        let id = crate::common::connected(&app.app, &owner, ended).await;

        let before = app.statements();
        let report = Jobs::new(app.app.clone())
            .run_once(Job::Expiry)
            .await
            .expect("sweep");
        let spent = app.statements() - before;
        assert_eq!(report.changed, 1);
        let row = app
            .store
            .tenant(Scope::tenant(owner.tenant_id))
            .integration(id)
            .await
            .expect("read")
            .expect("row");
        assert_eq!(row.status, Status::Expired);
        // Lease, the due tenants, one tenant's read and batch, the lease renewed and
        // released: the five idle tenants cost nothing.
        assert!(
            spent < 20,
            "{spent} statements for one due tenant among six"
        );
    }
);
