//! Posts through the API, on both engines: written for one's own accounts within each
//! network's limits, reviewed by someone else bound to the exact content, scheduled,
//! sent back to review by an edit, rejected with a note, cancelled; every decision an
//! event of the tenant's chain; another person's or tenant's post not found.

use serde_json::{Value, json};
use socialgate::{
    auth::Role::{Admin, Advisor, Compliance},
    domain::{ComplianceMode, Network, settings::SettingsChange},
    service::settings,
};

use crate::{
    common::{TestApp, codes},
    db_test,
};

pub const POST: &str = "id version review contentHash reviewNote selfApproved scheduledAt \
                    availableActions deliveries { network status dueAt integration { id } }";

pub fn create(fields: &str) -> String {
    format!(
        "mutation($input: PostInput!, $submit: Boolean) {{ createPost(input: $input, submit: $submit) {{ {fields} }} }}"
    )
}

/// Runs `query` and answers its one root field, failing the test on any error.
pub async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.gql(Some(token), query, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    let data = body["data"].as_object().expect("data");
    data.values().next().cloned().expect("one root field")
}

/// Runs `query` and answers the error codes.
async fn refused(app: &TestApp, token: &str, query: &str, variables: Value) -> Vec<String> {
    let body = app.gql(Some(token), query, variables).await;
    assert!(!body["errors"].is_null(), "expected a refusal: {body}");
    if codes(&body).iter().any(|c| c == "INTERNAL") {
        panic!("an internal error: {body}");
    }
    codes(&body)
}

const APPROVE: &str = "mutation($id: ID!, $hash: String!) { approvePost(id: $id, contentHash: $hash, note: \"fine\") { review selfApproved reviewNote deliveries { status dueAt } } }";
const EDIT: &str = "mutation($id: ID!, $input: PostInput!) { updatePost(id: $id, input: $input) { review contentHash deliveries { status } } }";

db_test!(
    a_post_is_written_checked_reviewed_and_scheduled,
    async |app: TestApp| {
        let tenant = "posts";
        let adv = app.actor(tenant, "adv", &[Advisor]).await;
        let linkedin = app.connect(&adv, Network::Linkedin, "li-1").await;
        let instagram = app.connect(&adv, Network::Instagram, "ig-1").await;
        let facebook = app.connect(&adv, Network::Facebook, "fb-1").await;
        let author = app.token(tenant, "adv", &[Advisor]);
        let co = app.token(tenant, "co", &[Compliance]);

        // Instagram publishes no text alone; LinkedIn shows at most 3,000 characters.
        let text_only =
            json!({ "input": { "text": "Our outlook", "targets": [linkedin, instagram] } });
        assert_eq!(
            refused(&app, &author, &create("id"), text_only).await,
            ["BAD_USER_INPUT"]
        );
        let long = json!({ "input": { "text": "a".repeat(3_001), "targets": [linkedin] } });
        assert_eq!(
            refused(&app, &author, &create("id"), long).await,
            ["BAD_USER_INPUT"]
        );

        let input = json!({
            "text": "Our quarterly outlook #markets",
            "link": "https://example.com/outlook",
            "imageUrls": ["https://cdn.example.com/outlook.jpg"],
            "targets": [linkedin, instagram],
            "publishNow": true,
        });
        // LinkedIn posts carry no images here: refused rather than sent without them.
        let with_image = json!({ "input": input.clone() });
        assert_eq!(
            refused(&app, &author, &create("id"), with_image).await,
            ["BAD_USER_INPUT"]
        );
        let mut input = input;
        input["targets"] = json!([facebook, instagram]);
        let post = ok(&app, &author, &create(POST), json!({ "input": input })).await;
        assert_eq!(post["review"], "DRAFT");
        assert_eq!(post["deliveries"].as_array().expect("deliveries").len(), 2);
        assert_eq!(
            post["availableActions"],
            json!(["EDIT", "SUBMIT", "CANCEL"])
        );
        let id = post["id"].clone();

        // Submitted, it is in the review queue; the author cannot approve it.
        let submitted = ok(
            &app,
            &author,
            "mutation($id: ID!) { submitPost(id: $id) { review deliveries { status } } }",
            json!({ "id": id }),
        )
        .await;
        assert_eq!(submitted["review"], "IN_REVIEW");
        assert_eq!(submitted["deliveries"][0]["status"], "IN_REVIEW");
        let queue = ok(&app, &co, "{ posts(filter: { reviews: [IN_REVIEW] }) { edges { node { id contentHash availableActions } } } }", json!({})).await;
        let node = &queue["edges"][0]["node"];
        assert_eq!(node["id"], id);
        assert_eq!(node["availableActions"], json!(["APPROVE", "REJECT"]));
        let hash = node["contentHash"].clone();
        assert_eq!(
            refused(&app, &author, APPROVE, json!({ "id": id, "hash": hash })).await,
            ["FORBIDDEN"]
        );

        // The approval names the content it saw: a stale hash approves nothing.
        let stale = json!({ "id": id, "hash": "0".repeat(64) });
        assert_eq!(refused(&app, &co, APPROVE, stale).await, ["CONFLICT"]);
        let approved = ok(&app, &co, APPROVE, json!({ "id": id, "hash": hash })).await;
        assert_eq!(approved["review"], "APPROVED");
        assert_eq!(approved["selfApproved"], false);
        for delivery in approved["deliveries"].as_array().expect("deliveries") {
            assert_eq!(delivery["status"], "SCHEDULED");
            assert!(delivery["dueAt"].is_string(), "{delivery}");
        }

        // Every decision is an event of the chain, with the content it is bound to.
        let trail = ok(&app, &co, "query($id: ID!) { auditTrail(integrationId: $id) { kind deliveryStatus contentHash postId note } }", json!({ "id": facebook })).await;
        let decisions: Vec<_> = trail
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["kind"] == "DELIVERY")
            .map(|e| {
                (
                    e["deliveryStatus"].clone(),
                    e["contentHash"].clone(),
                    e["postId"].clone(),
                )
            })
            .collect();
        assert_eq!(
            decisions,
            vec![
                (json!("IN_REVIEW"), hash.clone(), id.clone()),
                (json!("SCHEDULED"), hash.clone(), id.clone()),
            ]
        );
        let verified = ok(&app, &co, "{ verifyAuditTrail { intact } }", json!({})).await;
        assert_eq!(verified["intact"], true);
    }
);

db_test!(
    an_edit_after_approval_goes_back_to_review_and_a_new_time_does_not,
    async |app: TestApp| {
        let tenant = "post-edits";
        let adv = app.actor(tenant, "adv", &[Advisor]).await;
        let linkedin = app.connect(&adv, Network::Linkedin, "li-1").await;
        let author = app.token(tenant, "adv", &[Advisor]);
        let co = app.token(tenant, "co", &[Compliance]);
        let input = |text: &str, at: &str| json!({ "text": text, "targets": [linkedin], "scheduledAt": at });
        let post = ok(
            &app,
            &author,
            &create(POST),
            json!({ "input": input("Hello", "2030-01-02T09:00:00Z"), "submit": true }),
        )
        .await;
        let id = post["id"].clone();
        ok(
            &app,
            &co,
            APPROVE,
            json!({ "id": id, "hash": post["contentHash"] }),
        )
        .await;

        let moved = ok(
            &app,
            &author,
            EDIT,
            json!({ "id": id, "input": input("Hello", "2030-01-03T09:00:00Z") }),
        )
        .await;
        assert_eq!(moved["review"], "APPROVED", "a new time keeps the approval");
        assert_eq!(moved["deliveries"][0]["status"], "SCHEDULED");

        let rewritten = ok(
            &app,
            &author,
            EDIT,
            json!({ "id": id, "input": input("Hello, world", "2030-01-03T09:00:00Z") }),
        )
        .await;
        assert_eq!(
            rewritten["review"], "IN_REVIEW",
            "new content is reviewed again"
        );
        assert_eq!(rewritten["deliveries"][0]["status"], "IN_REVIEW");
        assert_ne!(rewritten["contentHash"], post["contentHash"]);
        // The old approval's hash no longer approves anything.
        let stale = json!({ "id": id, "hash": post["contentHash"] });
        assert_eq!(refused(&app, &co, APPROVE, stale).await, ["CONFLICT"]);
        let again = ok(
            &app,
            &co,
            APPROVE,
            json!({ "id": id, "hash": rewritten["contentHash"] }),
        )
        .await;
        assert_eq!(again["deliveries"][0]["dueAt"], "2030-01-03T09:00:00+00:00");
    }
);

db_test!(
    reviews_need_other_eyes_and_a_note_and_posts_stay_with_their_people,
    async |app: TestApp| {
        let tenant = "post-eyes";
        let lead = app.actor(tenant, "lead", &[Advisor, Compliance]).await;
        let other = app.actor(tenant, "other", &[Advisor]).await;
        let lead_li = app.connect(&lead, Network::Linkedin, "li-lead").await;
        let other_li = app.connect(&other, Network::Linkedin, "li-other").await;
        let lead_token = app.token(tenant, "lead", &[Advisor, Compliance]);
        let other_token = app.token(tenant, "other", &[Advisor]);
        let co = app.token(tenant, "co", &[Compliance]);

        // Only one's own accounts are targets.
        let foreign = json!({ "input": { "text": "Hi", "targets": [other_li] } });
        assert_eq!(
            refused(&app, &lead_token, &create("id"), foreign).await,
            ["NOT_FOUND"]
        );

        let post = ok(
            &app,
            &lead_token,
            &create(POST),
            json!({ "input": { "text": "Rates", "targets": [lead_li] }, "submit": true }),
        )
        .await;
        let id = post["id"].clone();
        let hash = post["contentHash"].clone();
        // Broker-dealer tenant: the lead may not approve their own post.
        assert_eq!(
            refused(
                &app,
                &lead_token,
                APPROVE,
                json!({ "id": id, "hash": hash })
            )
            .await,
            ["FORBIDDEN"]
        );
        // Another advisor does not see it; another tenant's compliance neither.
        let read = "query($id: ID!) { post(id: $id) { id } }";
        assert_eq!(
            refused(&app, &other_token, read, json!({ "id": id })).await,
            ["NOT_FOUND"]
        );
        let elsewhere = app.token("post-elsewhere", "co", &[Compliance]);
        assert_eq!(
            refused(&app, &elsewhere, read, json!({ "id": id })).await,
            ["NOT_FOUND"]
        );
        assert_eq!(
            refused(&app, &elsewhere, APPROVE, json!({ "id": id, "hash": hash })).await,
            ["NOT_FOUND"]
        );

        let reject = "mutation($id: ID!, $note: String!) { rejectPost(id: $id, note: $note) { review reviewNote deliveries { status } } }";
        assert_eq!(
            refused(&app, &co, reject, json!({ "id": id, "note": "  " })).await,
            ["BAD_USER_INPUT"]
        );
        let rejected = ok(
            &app,
            &co,
            reject,
            json!({ "id": id, "note": "Add the disclosure" }),
        )
        .await;
        assert_eq!(rejected["review"], "REJECTED");
        assert_eq!(rejected["reviewNote"], "Add the disclosure");
        assert_eq!(rejected["deliveries"][0]["status"], "REJECTED");

        // Self-managed: the lead approves their own, and it says so.
        let admin = app.actor(tenant, "admin", &[Admin]).await;
        let change = SettingsChange {
            compliance_mode: Some(ComplianceMode::SelfManaged),
            ..Default::default()
        };
        settings::update(&app.app, &admin, change)
            .await
            .expect("mode");
        ok(
            &app,
            &lead_token,
            "mutation($id: ID!) { submitPost(id: $id) { review } }",
            json!({ "id": id }),
        )
        .await;
        let approved = ok(
            &app,
            &lead_token,
            APPROVE,
            json!({ "id": id, "hash": hash }),
        )
        .await;
        assert_eq!(approved["selfApproved"], true);
        assert_eq!(
            approved["deliveries"][0]["status"], "APPROVED",
            "no time yet"
        );

        let cancel =
            "mutation($id: ID!) { cancelPost(id: $id) { deliveries { status } availableActions } }";
        let cancelled = ok(&app, &lead_token, cancel, json!({ "id": id })).await;
        assert_eq!(cancelled["deliveries"][0]["status"], "CANCELLED");
        assert_eq!(cancelled["availableActions"], json!([]));
        assert_eq!(
            refused(&app, &lead_token, cancel, json!({ "id": id })).await,
            ["INVALID_TRANSITION"]
        );
        let verified = ok(&app, &co, "{ verifyAuditTrail { intact } }", json!({})).await;
        assert_eq!(verified["intact"], true);
    }
);
