//! Fair sharing between tenants: a tenant over its concurrency or its request rate is
//! answered 429 with `RATE_LIMITED` and `Retry-After` while other tenants go on;
//! anonymous clients are limited per address (one shared budget when the host gives
//! no address); one audit verification or export at a time per tenant.

use std::{net::IpAddr, time::Instant};

use serde_json::{Value, json};
use socialgate::{
    auth::Role::Compliance,
    service::{limits::Caller, walks::Walk},
};
use tower::ServiceExt;

use crate::{
    common::{TestApp, codes},
    db_test,
};

const CHEAP: &str = "{ integrationCounts { status count } }";
const VERIFY: &str = "{ verifyAuditTrail { intact eventCount } }";

/// An answer as a client sees it.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
    at: Instant,
}

impl Answer {
    /// Asserts a 429 with `RATE_LIMITED` and a whole number of seconds to wait.
    fn assert_limited(&self) {
        assert_eq!(self.status, 429, "{}", self.body);
        assert_eq!(codes(&self.body), ["RATE_LIMITED"], "{}", self.body);
        let seconds: u64 = self
            .retry_after
            .as_deref()
            .and_then(|s| s.parse().ok())
            .expect("Retry-After in whole seconds");
        assert!(seconds >= 1, "{seconds}");
    }

    fn assert_ok(&self) {
        assert_eq!(self.status, 200, "{}", self.body);
        assert!(self.body["errors"].is_null(), "{}", self.body);
    }
}

/// POSTs `query` with `client` and keeps the status and `Retry-After`.
async fn post(app: &TestApp, client: &reqwest::Client, token: Option<&str>, query: &str) -> Answer {
    let mut request = client
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.expect("json body");
    Answer {
        status,
        retry_after,
        body,
        at: Instant::now(),
    }
}

/// Sends `query` until the answer is a 429 (at most 50 tries) and returns it.
async fn until_limited(
    app: &TestApp,
    client: &reqwest::Client,
    token: Option<&str>,
    query: &str,
) -> Answer {
    for _ in 0..50 {
        let answer = post(app, client, token, query).await;
        if answer.status == 429 {
            return answer;
        }
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    panic!("50 requests at once stayed within a budget of one per second");
}

fn client_from(address: &str) -> reqwest::Client {
    let address: IpAddr = address.parse().expect("address");
    reqwest::Client::builder()
        .local_address(address)
        .build()
        .expect("client")
}

db_test!(
    a_tenant_over_its_concurrency_is_refused_while_another_goes_on,
    config = |c: &mut socialgate::Config| c.tenant_concurrency = 1,
    async |app: TestApp| {
        let a = app.token("fair-a", "co", &[Compliance]);
        let b = app.token("fair-b", "co", &[Compliance]);
        // Tenant A's one slot is taken (as by a long request) for the whole check.
        let running = app
            .app
            .limits
            .admit(&Caller::Tenant("fair-a".into()))
            .await
            .expect("a slot");
        let (over, other) = tokio::join!(
            post(&app, &app.http, Some(&a), CHEAP),
            post(&app, &app.http, Some(&b), CHEAP)
        );
        over.assert_limited();
        assert_eq!(over.retry_after.as_deref(), Some("1"));
        other.assert_ok();
        assert!(
            other.at < over.at,
            "B is answered while A's request still waits for a slot"
        );
        drop(running);
        post(&app, &app.http, Some(&a), CHEAP).await.assert_ok();
        assert_eq!(
            app.app.limits.callers_in_flight(),
            0,
            "idle callers forgotten"
        );
    }
);

db_test!(
    a_tenant_over_its_rate_is_refused_with_retry_after,
    config = |c: &mut socialgate::Config| c.tenant_rate = 1,
    async |app: TestApp| {
        let a = app.token("rate-a", "co", &[Compliance]);
        let b = app.token("rate-b", "co", &[Compliance]);
        let over = until_limited(&app, &app.http, Some(&a), CHEAP).await;
        over.assert_limited();
        let message = over.body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("rate"), "{message}");
        // Another tenant has a budget of its own.
        post(&app, &app.http, Some(&b), CHEAP).await.assert_ok();
    }
);

db_test!(
    anonymous_requests_are_limited_per_address,
    config = |c: &mut socialgate::Config| c.anonymous_rate = 1,
    async |app: TestApp| {
        let here = client_from("127.0.0.1");
        let over = until_limited(&app, &here, None, "{ __typename }").await;
        over.assert_limited();
        // A token that fails verification is still this address.
        post(&app, &here, Some("not-a-token"), "{ __typename }")
            .await
            .assert_limited();
        // Another address, and any tenant, have budgets of their own.
        let there = client_from("127.0.0.2");
        let answer = post(&app, &there, None, "{ __typename }").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let token = app.token("anon-t", "co", &[Compliance]);
        post(&app, &here, Some(&token), CHEAP).await.assert_ok();

        // A host that serves the router without connect info: anonymous clients share
        // one budget, and nothing fails for want of an address.
        let router = socialgate::http::router(
            app.app.clone(),
            socialgate::graphql::build(app.app.clone()),
            Default::default(),
            axum::Router::new(),
        );
        let mut statuses = Vec::new();
        for _ in 0..50 {
            let request = http::Request::post("/graphql")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(r#"{"query":"{ __typename }"}"#))
                .expect("request");
            let response = router.clone().oneshot(request).await.expect("answer");
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            statuses.push(status);
            if status == 429 {
                let body: Value = serde_json::from_slice(&body).expect("json");
                assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
                break;
            }
        }
        assert_eq!(statuses.first(), Some(&200), "{statuses:?}");
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    }
);

db_test!(
    one_verification_at_a_time_per_tenant,
    async |app: TestApp| {
        let co = app.token("walks", "co", &[Compliance]);
        let tenant = app.actor("walks", "co", &[Compliance]).await.tenant_id;
        // A verification of the tenant is running (the permit a first request would hold).
        let running = app
            .app
            .walks
            .start(tenant, Walk::Verify)
            .expect("the first verification");
        let body = app.gql(Some(&co), VERIFY, json!({})).await;
        assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("another verification of the audit trail of this tenant is running"),
            "{message}"
        );
        // Meanwhile an export of the tenant, and another tenant's verification, run.
        let body = app.gql(Some(&co), "{ auditExport }", json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
        let other = app.token("walks-other", "co", &[Compliance]);
        let body = app.gql(Some(&other), VERIFY, json!({})).await;
        assert_eq!(body["data"]["verifyAuditTrail"]["intact"], true, "{body}");

        drop(running);
        let body = app.gql(Some(&co), VERIFY, json!({})).await;
        assert_eq!(body["data"]["verifyAuditTrail"]["intact"], true, "{body}");
        // Exports are held the same way.
        let exporting = app.app.walks.start(tenant, Walk::Export).expect("export");
        let body = app.gql(Some(&co), "{ auditExport }", json!({})).await;
        assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
        drop(exporting);
    }
);

/// A page whose validated complexity puts it on the pool of expensive requests.
const BIG_PAGE: &str = "{ integrations(first: 100) { edges { node { id displayName status \
                        complianceNotes(last: 5) { body author { name } } history(last: 5) { sequence reason } } } } }";

db_test!(
    expensive_requests_share_one_pool_fairly_while_cheap_ones_go_on,
    config = |c: &mut socialgate::Config| {
        c.heavy_slots = 1;
        c.tenant_queue_ms = 1_000;
    },
    async |app: TestApp| {
        let a = app.token("heavy-a", "co", &[Compliance]);
        let b = app.token("heavy-b", "co", &[Compliance]);
        // An expensive request of tenant A holds the one place.
        let held = app.app.heavy.enter("heavy-a").await.expect("a place");
        // B's cheap query does not wait for it; B's expensive ones (a chain walk, a
        // big page) wait their time and are refused.
        let (cheap, walk, page) = tokio::join!(
            post(&app, &app.http, Some(&b), CHEAP),
            post(&app, &app.http, Some(&b), VERIFY),
            post(&app, &app.http, Some(&b), BIG_PAGE),
        );
        cheap.assert_ok();
        for refused in [&walk, &page] {
            assert_eq!(codes(&refused.body), ["RATE_LIMITED"], "{}", refused.body);
            assert!(cheap.at < refused.at, "the cheap query did not queue");
        }
        // A queues another; B's comes later but goes first when the place frees: B
        // has none running and was served less recently.
        let first = post(&app, &app.http, Some(&a), VERIFY);
        let second = async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            post(&app, &app.http, Some(&b), VERIFY).await
        };
        let free = async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            drop(held);
        };
        let (a_walk, b_walk, ()) = tokio::join!(first, second, free);
        a_walk.assert_ok();
        b_walk.assert_ok();
        assert!(b_walk.at < a_walk.at, "B's walk ran before A's second");
        assert_eq!(app.app.heavy.running(), 0, "every place given back");
    }
);
