//! GraphQL over HTTP, by the book: the public conformance suite of the specification
//! (`serverAudits` of the npm package `graphql-http`) run against the real router, with
//! a signed-in caller. Every audit must pass, the optional ones (notices) included, so
//! a regression in media types or status codes shows here first. The suite speaks only
//! HTTP, so one database (SQLite) is enough.

use std::{path::Path, process::Command};

use libtest_mimic::Completion;
use socialgate::auth::Role;

use crate::{
    api_test,
    browser::{cannot_run, missing_package},
    common::{Backend, TestApp, block_on, run},
};

api_test!(sync graphql_over_http_audits_pass);

fn graphql_over_http_audits_pass() -> Completion {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if let Some(missing) = missing_package(&folder, "graphql-http") {
        return cannot_run(missing);
    }
    block_on(run(Backend::Sqlite, async move |app: TestApp| {
        let token = app.token("audits", "avery", &[Role::Advisor]);
        let url = format!("{}/graphql", app.base);
        let output = tokio::task::spawn_blocking(move || {
            Command::new("node")
                .arg("graphql-http-audits.mjs")
                .current_dir(folder)
                .env("SOCIALGATE_GRAPHQL_URL", url)
                .env("SOCIALGATE_TOKEN", token)
                .output()
        })
        .await
        .expect("join")
        .expect("run node");
        assert!(
            output.status.success(),
            "audits failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }))
}
