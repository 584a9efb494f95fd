//! Publishing end to end through the sandbox networks (which answer as LinkedIn and
//! Meta document): approved posts leave once each with their network id and a link a
//! person can open; a token refused at publish time turns the account EXPIRED and holds
//! the delivery with the reason; after a reconnect the held post leaves; every step is
//! in the account's history.

use serde_json::{Value, json};
use socialgate::{
    auth::Role::{Advisor, Compliance},
    jobs::{Job, Jobs},
};

use crate::{
    common::TestApp,
    connect::connect_as,
    db_test,
    posts::{create, ok},
    ws::{Protocol, Ws},
};

const FIELDS: &str = "id contentHash deliveries { id network sentText sentLink status reason detail networkPostId permalink publishedAt integration { id status } }";

/// Writes, submits and approves a post leaving now; the approved post.
pub async fn approved_post(app: &TestApp, author: &str, reviewer: &str, input: Value) -> Value {
    let mut input = input;
    input["publishNow"] = json!(true);
    let post = ok(
        app,
        author,
        &create(FIELDS),
        json!({ "input": input, "submit": true }),
    )
    .await;
    let approve = format!(
        "mutation($id: ID!, $hash: String!) {{ approvePost(id: $id, contentHash: $hash) {{ {FIELDS} }} }}"
    );
    let vars = json!({ "id": post["id"], "hash": post["contentHash"] });
    ok(app, reviewer, &approve, vars).await
}

/// The post `id` as its author sees it.
pub async fn read_post(app: &TestApp, token: &str, id: &Value) -> Value {
    let query = format!("query($id: ID!) {{ post(id: $id) {{ {FIELDS} }} }}");
    ok(app, token, &query, json!({ "id": id })).await
}

/// The sandbox's page at `/sandbox/{path}`: what a network shows of its posts.
pub async fn sandbox_feed(app: &TestApp, path: &str) -> String {
    reqwest::get(format!("{}/sandbox/{path}", app.base))
        .await
        .expect("feed")
        .text()
        .await
        .expect("html")
}

/// Runs the publish job once; how many deliveries moved.
pub async fn publish_round(app: &TestApp) -> usize {
    let report = Jobs::new(app.app.clone())
        .run_once(Job::Publish)
        .await
        .expect("publish");
    assert!(report.ran);
    report.changed
}

const DELIVERIES: &str = "subscription($after: String) { postDeliveryChanged(after: $after) { cursor integration { id } event { deliveryStatus networkPostId permalink } } }";

fn no_spread(config: &mut socialgate::Config) {
    config.post_spread_secs = 0;
}

db_test!(
    approved_posts_leave_once_with_links_a_person_can_open,
    config = no_spread,
    async |app: TestApp| {
        let t = "publish-e2e";
        let advisor = app.token(t, "riley", &[Advisor]);
        let co = app.token(t, "dana", &[Compliance]);
        let approve = "mutation($id: ID!) { approveIntegration(id: $id) { status } }";
        let mut accounts = Vec::new();
        for (network, login) in [
            ("LINKEDIN", "li-avery"),
            ("FACEBOOK", "fb-riley"),
            ("INSTAGRAM", "ig-lindqvist"),
        ] {
            let id = connect_as(&app, &advisor, network, login).await;
            ok(&app, &co, approve, json!({ "id": id })).await;
            accounts.push(id);
        }
        let (li, fb, ig) = (&accounts[0], &accounts[1], &accounts[2]);
        let article = json!({ "text": "Our 2027 outlook <in brief>", "link": "https://example.com/outlook", "targets": [li, fb] });
        let article = approved_post(&app, &advisor, &co, article).await;
        let chart = json!({ "text": "Chart of the week #markets", "imageUrls": ["https://example.com/chart.jpg"], "targets": [ig, fb] });
        let chart = approved_post(&app, &advisor, &co, chart).await;

        let mut socket = Ws::connect(&app.base, Protocol::TransportWs).await;
        socket.init(&advisor).await;
        socket.subscribe("d", DELIVERIES, json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(publish_round(&app).await, 4);
        let mut cursors = Vec::new();
        for _ in 0..4 {
            let event = socket.event(std::time::Duration::from_secs(10)).await;
            let change = &event["postDeliveryChanged"];
            assert_eq!(change["event"]["deliveryStatus"], "PUBLISHED", "{event}");
            assert!(change["event"]["permalink"].is_string(), "{event}");
            cursors.push(change["cursor"].as_str().expect("cursor").to_owned());
        }
        socket.close().await;
        // Resumed after the second, the third comes first.
        let mut resumed = Ws::connect(&app.base, Protocol::TransportWs).await;
        resumed.init(&advisor).await;
        resumed
            .subscribe("d", DELIVERIES, json!({ "after": cursors[1] }))
            .await;
        let event = resumed.event(std::time::Duration::from_secs(10)).await;
        assert_eq!(event["postDeliveryChanged"]["cursor"], cursors[2].as_str());
        resumed.close().await;

        let client = reqwest::Client::new();
        for post in [&article, &chart] {
            let post = read_post(&app, &advisor, &post["id"]).await;
            for delivery in post["deliveries"].as_array().expect("deliveries") {
                assert_eq!(delivery["status"], "PUBLISHED", "{post}");
                assert!(delivery["networkPostId"].is_string(), "{delivery}");
                assert!(delivery["publishedAt"].is_string(), "{delivery}");
                let link = delivery["permalink"].as_str().expect("permalink");
                assert!(
                    link.starts_with(&format!("{}/sandbox/", app.base)),
                    "{link}"
                );
                let page = client.get(link).send().await.expect("open");
                assert_eq!(page.status(), 200, "{link}");
                let html = page.text().await.expect("page");
                let id = delivery["networkPostId"].as_str().expect("id");
                assert!(html.contains(id), "{html}");
            }
        }
        // What each network was sent: the link as a card where the network has one.
        let sent: Vec<_> = article["deliveries"]
            .as_array()
            .expect("deliveries")
            .iter()
            .map(|d| {
                (
                    d["network"].clone(),
                    d["sentText"].clone(),
                    d["sentLink"].clone(),
                )
            })
            .collect();
        let link = json!("https://example.com/outlook");
        let text = json!("Our 2027 outlook <in brief>");
        assert_eq!(
            sent,
            [
                (json!("LINKEDIN"), text.clone(), link.clone()),
                (json!("FACEBOOK"), text, link)
            ]
        );
        let linkedin = read_post(&app, &advisor, &article["id"]).await;
        let urn = linkedin["deliveries"][0]["networkPostId"]
            .as_str()
            .expect("urn");
        assert!(urn.starts_with("urn:li:share:"), "{urn}");
        let feed = sandbox_feed(&app, "facebook/posts?account=100000000000003").await;
        assert!(feed.contains("Our 2027 outlook &lt;in brief&gt;"), "{feed}");
        assert_eq!(feed.matches("class=\"post\"").count(), 2, "{feed}");

        // Nothing leaves twice.
        assert_eq!(publish_round(&app).await, 0);
        let again = sandbox_feed(&app, "facebook/posts?account=100000000000003").await;
        assert_eq!(again.matches("class=\"post\"").count(), 2);

        // The books: the publication is in the account's audit trail with its facts (and
        // not on the card's history, which would grow with every post).
        let history = ok(
            &app,
            &advisor,
            "query($id: ID!) { integration(id: $id) { history { kind } } }",
            json!({ "id": li }),
        )
        .await;
        assert!(!history.to_string().contains("DELIVERY"), "{history}");
        let history = ok(&app, &advisor, "query($id: ID!) { auditTrail(integrationId: $id) { kind deliveryStatus networkPostId permalink contentHash } }", json!({ "id": li })).await;
        let published: Vec<&Value> = history
            .as_array()
            .expect("history")
            .iter()
            .filter(|e| e["deliveryStatus"] == "PUBLISHED")
            .collect();
        assert_eq!(published.len(), 1, "{history}");
        assert_eq!(published[0]["networkPostId"], urn);
        assert_eq!(published[0]["contentHash"], article["contentHash"]);
        // ... and in the export compliance keeps as the firm's books and records.
        let export = ok(&app, &co, "{ auditExport }", json!({})).await;
        let line = export
            .as_str()
            .expect("lines")
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
            .find(|l| l["network_post_id"] == urn)
            .expect("the publication exported");
        assert_eq!(line["delivery_status"], "PUBLISHED");
        assert_eq!(line["content_hash"], article["contentHash"]);
        assert!(
            line["permalink"].as_str().is_some_and(|p| p.contains(urn)),
            "{line}"
        );
    }
);

db_test!(
    a_token_refused_at_publish_time_holds_the_post_until_reconnected,
    config = no_spread,
    async |app: TestApp| {
        let t = "publish-held";
        let advisor = app.token(t, "avery", &[Advisor]);
        let co = app.token(t, "dana", &[Compliance]);
        let li = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;
        let approve = "mutation($id: ID!) { approveIntegration(id: $id) { status } }";
        ok(&app, &co, approve, json!({ "id": li })).await;
        let simulate = "mutation($id: ID!, $e: SandboxEvent!) { sandboxSimulate(integrationId: $id, event: $e) }";
        ok(&app, &advisor, simulate, json!({ "id": li, "e": "EXPIRE" })).await;

        let post = json!({ "text": "A thought for Monday", "targets": [li] });
        let post = approved_post(&app, &advisor, &co, post).await;
        assert_eq!(publish_round(&app).await, 1);
        let held = read_post(&app, &advisor, &post["id"]).await;
        let delivery = &held["deliveries"][0];
        assert_eq!(
            (&delivery["status"], &delivery["reason"]),
            (&json!("HELD"), &json!("TOKEN_EXPIRED")),
            "{held}"
        );
        assert_eq!(delivery["integration"]["status"], "EXPIRED");
        let detail = delivery["detail"].as_str().expect("detail");
        assert!(
            detail.starts_with("Held: the account is expired."),
            "{detail}"
        );
        // Held stays held: nothing is tried while the account is broken, and a post
        // falling due meanwhile is held without being sent.
        assert_eq!(publish_round(&app).await, 0);
        let next = json!({ "text": "A second thought", "targets": [li] });
        let next = approved_post(&app, &advisor, &co, next).await;
        assert_eq!(publish_round(&app).await, 1);
        let waiting = read_post(&app, &advisor, &next["id"]).await;
        assert_eq!(
            waiting["deliveries"][0]["reason"], "TOKEN_EXPIRED",
            "{waiting}"
        );
        assert_eq!(waiting["deliveries"][0]["status"], "HELD", "{waiting}");
        let feed = sandbox_feed(&app, "linkedin/posts").await;
        assert!(
            !feed.contains("class=\"post\""),
            "nothing reached LinkedIn: {feed}"
        );
        // The Daily Digest says so, with the post and what to do.
        let preview = ok(
            &app,
            &advisor,
            "{ digestPreview { items { kind post remedy } text } }",
            json!({}),
        )
        .await;
        let held_line = preview["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["kind"] == "HELD_POST")
            .cloned()
            .unwrap_or_default();
        assert_eq!(held_line["post"], "A thought for Monday", "{preview}");
        assert!(
            held_line["remedy"]
                .as_str()
                .is_some_and(|r| r.contains("Reconnect")),
            "{preview}"
        );
        let text = preview["text"].as_str().expect("text");
        assert!(
            text.contains("Post: \"A thought for Monday\", due "),
            "{text}"
        );

        // Reconnected (and approved again where the tenant asks for it), it leaves.
        let again = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;
        assert_eq!(again, li.as_str());
        let status = ok(
            &app,
            &advisor,
            "query($id: ID!) { integration(id: $id) { status } }",
            json!({ "id": li }),
        )
        .await;
        if status["status"] == "PENDING" {
            ok(&app, &co, approve, json!({ "id": li })).await;
        }
        assert_eq!(publish_round(&app).await, 4, "both resumed, then published");
        for held in [&post, &next] {
            let left = read_post(&app, &advisor, &held["id"]).await;
            assert_eq!(left["deliveries"][0]["status"], "PUBLISHED", "{left}");
        }

        let history = ok(
            &app,
            &advisor,
            "query($id: ID!) { auditTrail(integrationId: $id) { kind postId deliveryStatus reason } }",
            json!({ "id": li }),
        )
        .await;
        let steps: Vec<&str> = history
            .as_array()
            .expect("history")
            .iter()
            .filter(|e| e["postId"] == post["id"])
            .filter_map(|e| e["deliveryStatus"].as_str())
            .collect();
        assert_eq!(
            steps,
            ["IN_REVIEW", "SCHEDULED", "HELD", "SCHEDULED", "PUBLISHED"],
            "{history}"
        );
    }
);
