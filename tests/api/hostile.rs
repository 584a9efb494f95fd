//! Hostile documents: fragment fan-out, alias floods, directive floods, fragment
//! cycles. Each is refused with `BAD_USER_INPUT` before anything expands it or any
//! resolver runs (no token needed to send them), and refusing them keeps the process's
//! peak memory flat.

use serde_json::{Value, json};
use socialgate::auth::Role;

use libtest_mimic::Completion;

use crate::{
    api_test,
    common::{Backend, TestApp, codes, run},
    db_test,
};

/// `{ ...F<depth> }` where each fragment spreads the previous one twice: 2^depth
/// `__typename` selections after expansion in about 50 bytes per level.
fn fan_out(depth: u32) -> String {
    let mut query = format!("{{ ...F{depth} }} fragment F0 on QueryRoot {{ __typename }}");
    for d in 1..=depth {
        let p = d - 1;
        query.push_str(&format!(
            " fragment F{d} on QueryRoot {{ ...F{p} ...F{p} }}"
        ));
    }
    query
}

/// `count` aliases of `selection` in one query.
fn aliases(count: usize, selection: &str) -> String {
    let mut query = String::from("{");
    for i in 0..count {
        query.push_str(&format!(" a{i}: {selection}"));
    }
    query.push_str(" }");
    query
}

/// A nested introspection selection of about 100 bytes: 900 of them are 96 KB.
const NESTED_SCHEMA: &str = "__schema { types { name kind description fields { name \
                             description type { name kind ofType { name kind } } } } }";

/// The first error message of a response.
fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

/// Asserts `query` is refused with `BAD_USER_INPUT` and a message containing `names`.
async fn refused(app: &TestApp, token: Option<&str>, query: &str, names: &str) {
    let body = app.gql(token, query, json!({})).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert!(message(&body).contains(names), "{body}");
    assert!(body["data"].is_null(), "nothing ran: {body}");
}

db_test!(
    fragment_fan_out_is_refused_before_it_expands,
    async |app: TestApp| {
        // Within budget: 16 fields, 31 spreads; the fields merge into one answer.
        let body = app.gql(None, &fan_out(4), json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["__typename"], "QueryRoot", "{body}");

        // 1,024 fields is within the field budget, but 2,047 spreads are not.
        refused(
            &app,
            None,
            &fan_out(10),
            "2047 fragment spreads; the limit is 256",
        )
        .await;
        refused(
            &app,
            None,
            &fan_out(16),
            "65536 fields after fragments are expanded",
        )
        .await;
        refused(
            &app,
            None,
            &fan_out(24),
            "16777216 fields after fragments are expanded",
        )
        .await;
        refused(&app, None, &fan_out(40), "1099511627776 fields").await;
        // Past 64 levels the arithmetic saturates instead of overflowing.
        refused(&app, None, &fan_out(70), "18446744073709551615 fields").await;
    }
);

db_test!(fragment_cycles_are_refused, async |app: TestApp| {
    refused(
        &app,
        None,
        "{ ...A } fragment A on QueryRoot { ...A ...A }",
        "fragment A spreads itself",
    )
    .await;
    refused(
        &app,
        None,
        "{ ...A } fragment A on QueryRoot { viewer { ...B } } fragment B on Viewer { ...C } \
         fragment C on Viewer { ...B }",
        "spreads itself",
    )
    .await;
});

db_test!(alias_floods_are_refused, async |app: TestApp| {
    let seeded = app.seed(1, 1).await;
    let compliance = app.token(&seeded[0].tenant_id, "compliance-1", &[Role::Compliance]);

    // `__typename` costs like any field.
    refused(&app, None, &aliases(12_000, "__typename"), "12000 fields").await;
    let body = app.gql(None, &aliases(100, "__typename"), json!({})).await;
    assert!(body["errors"].is_null(), "{body}");

    // Introspection is counted, and its lists are priced at their length: 900 aliases
    // (96 KB) are over the field budget, 40 are under it but not under the price.
    let flood = aliases(900, NESTED_SCHEMA);
    assert!(flood.len() > 90_000, "{}", flood.len());
    refused(&app, None, &flood, "fields after fragments are expanded").await;
    refused(
        &app,
        None,
        &aliases(40, NESTED_SCHEMA),
        "introspection costs",
    )
    .await;
    let body = app
        .gql(Some(&compliance), &aliases(2, NESTED_SCHEMA), json!({}))
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // Expensive fields appear once per operation, whoever asks.
    let verify = "verifyAuditTrail { intact }";
    refused(
        &app,
        Some(&compliance),
        &aliases(2, verify),
        "verifyAuditTrail may appear once",
    )
    .await;
    refused(
        &app,
        None,
        &aliases(1_000, verify),
        "asks for it 1000 times",
    )
    .await;
    refused(
        &app,
        Some(&compliance),
        &aliases(2, "auditExport"),
        "auditExport",
    )
    .await;
    // The digest preview composes the whole mail: 600 of them in one request once
    // held both cores and every pooled connection.
    refused(
        &app,
        Some(&compliance),
        &aliases(600, "digestPreview { subject }"),
        "digestPreview may appear once per operation; this one asks for it 600 times",
    )
    .await;
    let body = app
        .gql(Some(&compliance), &format!("{{ {verify} }}"), json!({}))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["verifyAuditTrail"]["intact"], true, "{body}");

    // A fragment used twice counts twice.
    refused(
        &app,
        Some(&compliance),
        "{ ...T ...T } fragment T on QueryRoot { auditTrail(integrationId: \"x\") { sequence } }",
        "auditTrail",
    )
    .await;
    refused(
        &app,
        Some(&compliance),
        "{ a: integration(id: \"x\") { ...C } b: integration(id: \"y\") { ...C } } \
         fragment C on Integration { coverage { activeSeconds } }",
        "coverage may appear once",
    )
    .await;
});

db_test!(
    directive_and_argument_floods_are_refused,
    async |app: TestApp| {
        let many = "@include(if: true) ".repeat(2_000);
        refused(
            &app,
            None,
            &format!("{{ __typename {many} }}"),
            "2000 directives",
        )
        .await;
        // async-graphql's own limit counts only the directives of fields.
        refused(
            &app,
            None,
            &format!("{{ ... {many} {{ __typename }} }}"),
            "2000 directives",
        )
        .await;
        refused(
            &app,
            None,
            &format!("{{ ...F {many} }} fragment F on QueryRoot {{ __typename }}"),
            "2000 directives",
        )
        .await;
        refused(
            &app,
            None,
            &format!("query Q {many} {{ __typename }}"),
            "2000 directives",
        )
        .await;
        let body = app
            .gql(
                None,
                "{ __typename @include(if: true) @skip(if: false) }",
                json!({}),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");

        // Validation would answer one error per duplicate argument.
        let arguments = "first: 1 ".repeat(10_000);
        refused(
            &app,
            None,
            &format!("{{ integrations({arguments}) {{ totalCount }} }}"),
            "10000 arguments",
        )
        .await;
        refused(
            &app,
            None,
            &format!("{{ __typename @include({}) }}", "if: true ".repeat(17)),
            "17 arguments; the limit is 16",
        )
        .await;
    }
);

/// Hostile documents the budget check refuses, by name.
fn hostile_documents() -> Vec<(&'static str, String)> {
    let many = "@include(if: true) ".repeat(12_000);
    vec![
        ("fan-out d=24", fan_out(24)),
        ("fan-out d=40", fan_out(40)),
        ("12,000 __typename aliases", aliases(12_000, "__typename")),
        ("900 nested __schema aliases", aliases(900, NESTED_SCHEMA)),
        (
            "1,000 verifyAuditTrail aliases",
            aliases(1_000, "verifyAuditTrail { intact }"),
        ),
        ("100 auditExport aliases", aliases(100, "auditExport")),
        (
            "12,000 directives on an inline fragment",
            format!("{{ ... {many} {{ __typename }} }}"),
        ),
        (
            "8,000 operations",
            (0..8_000)
                .map(|i| format!("query Q{i} {{ __typename }} "))
                .collect(),
        ),
        (
            "10,000 duplicate arguments",
            format!(
                "{{ integrations({}) {{ totalCount }} }}",
                "first: 1 ".repeat(10_000)
            ),
        ),
    ]
}

/// Hostile documents within every budget, refused by validation: the most work a
/// refused request can still cause.
fn within_budget_documents() -> Vec<(&'static str, String)> {
    vec![
        (
            "1,990 unknown fields of 120 bytes (one error and suggestion each)",
            aliases(1_990, &"x".repeat(120)),
        ),
        (
            "one unknown field of 250,000 bytes",
            format!("{{ {} }}", "x".repeat(250_000)),
        ),
    ]
}

/// A value of /proc/self/status in KiB (Linux only).
fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Starts a new peak-memory window: resets `VmHWM` to the current RSS where the kernel
/// allows it, and returns the level growth is measured from.
fn peak_window() -> Option<u64> {
    if std::fs::write("/proc/self/clear_refs", "5").is_ok() {
        status_kib("VmRSS:").max(status_kib("VmHWM:"))
    } else {
        status_kib("VmHWM:")
    }
}

/// KiB the peak resident set rose above `base`.
fn peak_growth(base: u64) -> Option<u64> {
    Some(status_kib("VmHWM:")?.saturating_sub(base))
}

api_test!(refusing_hostile_documents_keeps_peak_memory_flat);
/// One server, so no twin test on another database shares the measurement window.
async fn refusing_hostile_documents_keeps_peak_memory_flat() -> Completion {
    run(Backend::Sqlite, async |app: TestApp| {
        let documents = hostile_documents();
        refused(&app, None, &fan_out(12), "fields").await; // warm the server up
        let Some(base) = peak_window() else {
            return Completion::ignored_with(
                "peak memory is read from /proc/self/status, which this system lacks",
            );
        };
        for (name, query) in &documents {
            let body = app.gql(None, query, json!({})).await;
            assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{name}: {body}");
        }
        let growth = peak_growth(base).unwrap_or_default();
        assert!(
            growth < 64 * 1024,
            "refusing grew the peak resident set by {growth} KiB"
        );
        Completion::Completed
    })
    .await
}

api_test!(ignored report);
/// Prints what refusing each hostile document costs through the real router:
/// `cargo test --release --test api hostile::report -- --ignored --nocapture`.
async fn report() -> Completion {
    run(Backend::Sqlite, async |app: TestApp| {
        refused(&app, None, &fan_out(12), "fields").await;
        for (name, query) in hostile_documents()
            .into_iter()
            .chain(within_budget_documents())
        {
            let base = peak_window().unwrap_or_default();
            let started = std::time::Instant::now();
            let body = app.gql(None, &query, json!({})).await;
            let elapsed = started.elapsed();
            let growth = peak_growth(base).unwrap_or_default();
            println!(
                "{name}: {} bytes, {:.1} ms, peak RSS +{growth} KiB, answer {} bytes, {:?}: {}",
                query.len(),
                elapsed.as_secs_f64() * 1000.0,
                body.to_string().len(),
                codes(&body)[..1].to_vec(),
                message(&body)
            );
        }
    })
    .await
}
