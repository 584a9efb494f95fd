//! Publishing when things go wrong, through the sandbox networks: two claims at once
//! never take one delivery, two runners publish each once, an instance that died
//! between the network call and the record leaves the delivery UNCERTAIN (never sent
//! again), an outage is tried again later, and a duplicate fails in the network's
//! words, or is UNCERTAIN when an earlier try may have published it.

use std::collections::HashSet;

use chrono::Utc;
use serde_json::{Value, json};
use socialgate::{
    auth::Role::{Advisor, Compliance},
    jobs::{Job, Jobs},
};

use crate::{
    common::TestApp,
    connect::connect_as,
    db_test,
    posts::ok,
    publishing::{approved_post, publish_round, read_post, sandbox_feed},
};

fn no_spread(config: &mut socialgate::Config) {
    config.post_spread_secs = 0;
}

/// An approved LinkedIn member of tenant `t` (through the sandbox) with `posts` posts
/// due now; the tokens of advisor and compliance, the integration, the posts.
async fn member_with_posts(
    app: &TestApp,
    t: &str,
    posts: usize,
) -> (String, String, String, Vec<Value>) {
    let advisor = app.token(t, "avery", &[Advisor]);
    let co = app.token(t, "dana", &[Compliance]);
    let li = connect_as(app, &advisor, "LINKEDIN", "li-avery").await;
    let approve = "mutation($id: ID!) { approveIntegration(id: $id) { status } }";
    ok(app, &co, approve, json!({ "id": li })).await;
    let mut written = Vec::new();
    for n in 0..posts {
        let input = json!({ "text": format!("Note number {n} of the week"), "targets": [li] });
        written.push(approved_post(app, &advisor, &co, input).await);
    }
    (advisor, co, li, written)
}

/// How many posts the sandbox LinkedIn holds.
async fn posted(app: &TestApp) -> usize {
    let html = sandbox_feed(app, "linkedin/posts").await;
    html.matches("class=\"post\"").count()
}

db_test!(
    two_claims_at_once_never_take_one_delivery,
    config = no_spread,
    async |app: TestApp| {
        member_with_posts(&app, "publish-race", 12).await;
        let now = Utc::now();
        let until = now + chrono::Duration::minutes(5);
        let (a, b) = tokio::join!(
            app.store.claim_due_deliveries(now, until, 8),
            app.store.claim_due_deliveries(now, until, 8)
        );
        let (a, b) = (a.expect("claim a"), b.expect("claim b"));
        let ids: HashSet<_> = a.iter().chain(&b).map(|d| d.id).collect();
        assert_eq!(ids.len(), a.len() + b.len(), "one delivery claimed twice");
        assert_eq!(ids.len(), 12, "{} + {}", a.len(), b.len());
        assert!(a.iter().chain(&b).all(|d| d.attempts == 1));
        let again = app
            .store
            .claim_due_deliveries(now, until, 8)
            .await
            .expect("claim");
        assert!(again.is_empty());
    }
);

db_test!(
    two_runners_publish_each_delivery_once,
    config = no_spread,
    async |app: TestApp| {
        let (advisor, _, _, posts) = member_with_posts(&app, "publish-runners", 10).await;
        let (one, two) = (Jobs::new(app.app.clone()), Jobs::new(app.app.clone()));
        for _ in 0..5 {
            let (a, b) = tokio::join!(one.run_once(Job::Publish), two.run_once(Job::Publish));
            a.expect("runner one");
            b.expect("runner two");
        }
        assert_eq!(posted(&app).await, 10);
        for post in &posts {
            let post = read_post(&app, &advisor, &post["id"]).await;
            assert_eq!(post["deliveries"][0]["status"], "PUBLISHED", "{post}");
        }
    }
);

db_test!(
    a_delivery_whose_sender_died_is_uncertain_and_never_sent_again,
    config = no_spread,
    async |app: TestApp| {
        let (advisor, _, _, posts) = member_with_posts(&app, "publish-crash", 1).await;
        // An instance claims it and dies before recording anything: its claim lapses.
        let past = Utc::now() - chrono::Duration::seconds(1);
        let claimed = app
            .store
            .claim_due_deliveries(Utc::now(), past, 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(publish_round(&app).await, 1);
        let post = read_post(&app, &advisor, &posts[0]["id"]).await;
        let delivery = &post["deliveries"][0];
        assert_eq!(delivery["status"], "UNCERTAIN", "{post}");
        let detail = delivery["detail"].as_str().expect("detail");
        assert!(detail.contains("check the account"), "{detail}");
        assert_eq!(publish_round(&app).await, 0);
        assert_eq!(posted(&app).await, 0, "never sent blind");

        // A person looks: it is not on the profile, so it leaves again.
        let id = delivery["id"].clone();
        let body = app
            .gql(
                Some(&advisor),
                SETTLE,
                json!({ "id": id, "p": false, "l": "https://example.com/x" }),
            )
            .await;
        assert_eq!(crate::common::codes(&body), ["BAD_USER_INPUT"], "{body}");
        let vars = json!({ "id": id, "p": false, "n": "Not on Avery's profile" });
        let settled = ok(&app, &advisor, SETTLE, vars).await;
        assert_eq!(settled["deliveries"][0]["status"], "SCHEDULED", "{settled}");
        assert_eq!(publish_round(&app).await, 1);
        assert_eq!(posted(&app).await, 1);
        let body = app
            .gql(Some(&advisor), SETTLE, json!({ "id": id, "p": true }))
            .await;
        assert_eq!(
            crate::common::codes(&body),
            ["INVALID_TRANSITION"],
            "{body}"
        );
    }
);

const SETTLE: &str = "mutation($id: ID!, $p: Boolean!, $l: String, $n: String) { settleDelivery(id: $id, published: $p, permalink: $l, note: $n) { deliveries { status permalink } } }";

db_test!(
    an_outage_is_tried_again_later_and_a_duplicate_fails_in_the_networks_words,
    config = no_spread,
    async |app: TestApp| {
        let (advisor, co, li, posts) = member_with_posts(&app, "publish-faults", 1).await;
        let simulate = "mutation($id: ID!, $e: SandboxEvent!) { sandboxSimulate(integrationId: $id, event: $e) }";
        ok(&app, &advisor, simulate, json!({ "id": li, "e": "OUTAGE" })).await;
        assert_eq!(publish_round(&app).await, 1);
        let fields = "query($id: ID!) { post(id: $id) { deliveries { status attempts nextAttemptAt detail integration { status } } } }";
        let post = ok(&app, &advisor, fields, json!({ "id": posts[0]["id"] })).await;
        let delivery = &post["deliveries"][0];
        assert_eq!(delivery["status"], "SCHEDULED", "{post}");
        assert_eq!(delivery["attempts"], 1);
        assert_eq!(
            delivery["integration"]["status"], "ACTIVE",
            "an outage changes no status"
        );
        let next: chrono::DateTime<Utc> = delivery["nextAttemptAt"]
            .as_str()
            .expect("next")
            .parse()
            .expect("time");
        assert!(next > Utc::now() + chrono::Duration::seconds(30), "{next}");
        // Not before its time.
        assert_eq!(publish_round(&app).await, 0);
        ok(
            &app,
            &advisor,
            simulate,
            json!({ "id": li, "e": "RESTORE" }),
        )
        .await;
        app.sql("UPDATE post_deliveries SET next_attempt_at = NULL")
            .await;
        assert_eq!(publish_round(&app).await, 1);
        let post = read_post(&app, &advisor, &posts[0]["id"]).await;
        assert_eq!(post["deliveries"][0]["status"], "PUBLISHED", "{post}");

        // The same words again are a duplicate at LinkedIn: failed, in its words.
        let same = json!({ "text": "Note number 0 of the week", "targets": [li] });
        let twin = approved_post(&app, &advisor, &co, same.clone()).await;
        assert_eq!(publish_round(&app).await, 1);
        let twin = read_post(&app, &advisor, &twin["id"]).await;
        let delivery = &twin["deliveries"][0];
        assert_eq!(delivery["status"], "FAILED", "{twin}");
        let words = delivery["detail"].as_str().expect("detail");
        assert!(
            words.starts_with("LinkedIn already has this post (urn:li:share:"),
            "{words}"
        );

        // After a try that ended without an answer, a duplicate may be our own post.
        let third = approved_post(&app, &advisor, &co, same).await;
        app.sql("UPDATE post_deliveries SET attempts = 1 WHERE status = 'scheduled'")
            .await;
        assert_eq!(publish_round(&app).await, 1);
        let third = read_post(&app, &advisor, &third["id"]).await;
        assert_eq!(third["deliveries"][0]["status"], "UNCERTAIN", "{third}");
        assert_eq!(posted(&app).await, 1);
        // Compliance finds it on the profile and records where.
        let link = "https://www.linkedin.com/feed/update/urn:li:share:7141138937766391808/";
        let vars = json!({ "id": third["deliveries"][0]["id"], "p": true, "l": link, "n": "Seen on the profile" });
        let settled = ok(&app, &co, SETTLE, vars).await;
        assert_eq!(
            settled["deliveries"][0],
            json!({ "status": "PUBLISHED", "permalink": link })
        );
        let trail = ok(&app, &co, "query($id: ID!) { auditTrail(integrationId: $id) { deliveryStatus note actor { subject } } }", json!({ "id": li })).await;
        let last = trail
            .as_array()
            .and_then(|t| t.last())
            .cloned()
            .unwrap_or_default();
        assert_eq!(last["deliveryStatus"], "PUBLISHED", "{trail}");
        assert_eq!(last["note"], "Seen on the profile");
        assert_eq!(last["actor"]["subject"], "dana");
    }
);

db_test!(
    simulated_publishing_refusals_leave_checks_alone,
    config = no_spread,
    async |app: TestApp| {
        let (advisor, co, li, posts) = member_with_posts(&app, "publish-simulated", 1).await;
        let simulate = "mutation($id: ID!, $e: SandboxEvent!) { sandboxSimulate(integrationId: $id, event: $e) }";
        let check = "mutation($id: ID!) { checkIntegration(id: $id) { status } }";
        ok(
            &app,
            &advisor,
            simulate,
            json!({ "id": li, "e": "REACH_PUBLISHING_LIMIT" }),
        )
        .await;
        assert_eq!(
            ok(&app, &advisor, check, json!({ "id": li })).await["status"],
            "ACTIVE"
        );
        assert_eq!(publish_round(&app).await, 1);
        let fields =
            "query($id: ID!) { post(id: $id) { deliveries { status detail nextAttemptAt } } }";
        let waiting = ok(&app, &advisor, fields, json!({ "id": posts[0]["id"] })).await;
        let delivery = &waiting["deliveries"][0];
        assert_eq!(delivery["status"], "SCHEDULED", "{waiting}");
        assert!(delivery["nextAttemptAt"].is_string(), "{waiting}");

        ok(
            &app,
            &advisor,
            simulate,
            json!({ "id": li, "e": "REFUSE_POSTS_AS_DUPLICATES" }),
        )
        .await;
        assert_eq!(
            ok(&app, &advisor, check, json!({ "id": li })).await["status"],
            "ACTIVE"
        );
        let fresh = json!({ "text": "Something new", "targets": [li] });
        let fresh = approved_post(&app, &advisor, &co, fresh).await;
        assert_eq!(publish_round(&app).await, 1);
        let refused = read_post(&app, &advisor, &fresh["id"]).await;
        assert_eq!(refused["deliveries"][0]["status"], "FAILED", "{refused}");
        assert_eq!(posted(&app).await, 0);
    }
);
