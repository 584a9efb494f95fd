//! Remembered callers: a caller seen a moment ago costs no statement before their
//! request reads data, and what is remembered never outlives a change to it, on this
//! instance or (PostgreSQL) on another.

use std::time::Duration;

use libtest_mimic::Completion;

use serde_json::json;
use socialgate::{
    auth::Role::{Admin, Advisor, Compliance},
    domain::settings::SettingsChange,
    service::settings,
};

use crate::{
    common::{Backend, TestApp},
    db_test,
};

const MODE: &str = "{ viewer { tenant { complianceMode } } }";

db_test!(
    a_remembered_caller_costs_no_statement_before_data,
    async |app: TestApp| {
        app.quiesce().await;
        let token = app.token("acme", "co", &[Compliance]);
        let first = app.gql(Some(&token), "{ viewer { id } }", json!({})).await;
        assert!(first["errors"].is_null(), "{first}");

        let before = app.statements();
        let body = app
            .gql(
                Some(&token),
                "{ viewer { id roles tenant { complianceMode } } }",
                json!({}),
            )
            .await;
        assert_eq!(body["data"]["viewer"]["id"], first["data"]["viewer"]["id"]);
        assert_eq!(app.statements() - before, 0, "the caller was remembered");

        let before = app.statements();
        let body = app
            .gql(
                Some(&token),
                "{ integrationCounts { status count } }",
                json!({}),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(app.statements() - before, 1, "only the count itself");

        // Another person of the same tenant finds the tenant remembered and costs
        // only their own provisioning: a look, the insert, the row.
        let other = app.token("acme", "adv", &[Advisor]);
        let before = app.statements();
        app.gql(Some(&other), "{ viewer { id } }", json!({})).await;
        assert_eq!(app.statements() - before, 3, "a new user in a known tenant");
    }
);

db_test!(
    a_newer_name_in_the_token_is_stored_though_the_caller_is_remembered,
    async |app: TestApp| {
        let named = |name: &str| {
            app.minter
                .mint_named(
                    "acme",
                    "co",
                    Some(name),
                    &[Compliance],
                    Duration::from_secs(600),
                )
                .expect("mint")
        };
        let query = "{ viewer { user { name } } }";
        let body = app.gql(Some(&named("Casey Lin")), query, json!({})).await;
        assert_eq!(body["data"]["viewer"]["user"]["name"], "Casey Lin");
        let body = app
            .gql(Some(&named("Casey Lin-Ortiz")), query, json!({}))
            .await;
        assert_eq!(body["data"]["viewer"]["user"]["name"], "Casey Lin-Ortiz");
        let body = app
            .gql(
                Some(&app.token("acme", "co", &[Compliance])),
                query,
                json!({}),
            )
            .await;
        assert_eq!(
            body["data"]["viewer"]["user"]["name"], "Casey Lin-Ortiz",
            "a token without a name changes nothing"
        );
    }
);

db_test!(
    changed_settings_are_not_served_from_memory,
    async |app: TestApp| {
        let admin = app.token("acme", "boss", &[Admin]);
        let body = app.gql(Some(&admin), MODE, json!({})).await;
        assert_eq!(
            body["data"]["viewer"]["tenant"]["complianceMode"],
            "BROKER_DEALER"
        );
        let changed = app
            .gql(
                Some(&admin),
                "mutation { updateTenantSettings(input: { complianceMode: SELF_MANAGED }) { complianceMode } }",
                json!({}),
            )
            .await;
        assert!(changed["errors"].is_null(), "{changed}");
        let body = app.gql(Some(&admin), MODE, json!({})).await;
        assert_eq!(
            body["data"]["viewer"]["tenant"]["complianceMode"],
            "SELF_MANAGED"
        );
    }
);

db_test!(
    another_instance_learns_of_changed_settings_through_the_announcement,
    async |app: TestApp| {
        if app.backend != Backend::Postgres {
            return Completion::ignored_with(
                "only PostgreSQL announces to other instances; on SQLite the instance \
                 that changes settings is the only one, and forgets them itself",
            );
        }
        let co = app.token("acme", "co", &[Compliance]);
        let body = app.gql(Some(&co), MODE, json!({})).await;
        assert_eq!(
            body["data"]["viewer"]["tenant"]["complianceMode"],
            "BROKER_DEALER"
        );

        let other = app.instance(|_| {}).await;
        let boss = app.actor("acme", "boss", &[Admin]).await;
        let change = SettingsChange {
            compliance_mode: Some(socialgate::domain::ComplianceMode::SelfManaged),
            ..SettingsChange::default()
        };
        settings::update(other.app(), &boss, change)
            .await
            .expect("change on the other instance");
        let mut waited = Duration::ZERO;
        loop {
            let body = app.gql(Some(&co), MODE, json!({})).await;
            if body["data"]["viewer"]["tenant"]["complianceMode"] == "SELF_MANAGED" {
                break;
            }
            assert!(
                waited < Duration::from_secs(10),
                "this instance still serves the old settings: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += Duration::from_millis(20);
        }
        Completion::Completed
    }
);
