//! The connect flow end to end through the sandbox networks, driven over HTTP the way
//! a frontend's popup would: connect → consent → callback → PENDING → approve → ACTIVE,
//! plus page selection, refusals, state/CSRF checks, limits and reconnect.

use serde_json::{Value, json};
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::StatusReason,
    service::lifecycle,
};

use crate::{
    common::{TestApp, codes},
    db_test,
};

const CONNECT: &str = "mutation($n: Network!, $r: String) { connectIntegration(network: $n, returnTo: $r) { attemptId authorizationUrl expiresAt } }";
const ATTEMPT: &str = "query($id: ID!) { connectionAttempt(id: $id) { status failureCode failure candidates { id name } integration { id status } } }";
const COUNT: &str = "{ integrations(filter: { includeDisconnected: true }) { totalCount } }";

/// What the popup ended on.
pub struct Popup {
    pub status: u16,
    /// The message posted to the opener (`type`, `status`, `attemptId`, …).
    pub message: Value,
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The value of the query parameter `name` of `url`.
pub fn query_param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// Where opening a callback URL sends the browser (it must redirect).
async fn redirected(callback: &str) -> String {
    let back = no_redirects().get(callback).send().await.expect("callback");
    assert_eq!(back.status(), 303, "{callback}");
    back.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// Opens `authorization_url`, clicks `choice` on the sandbox consent page (a login key,
/// or `None` for Cancel) and follows the redirect to the callback.
pub async fn sign_in(app: &TestApp, authorization_url: &str, choice: Option<&str>) -> Popup {
    open_callback(&consent(app, authorization_url, choice).await).await
}

/// Clicks `choice` on the consent page and returns the callback URL it redirects to.
pub async fn consent(app: &TestApp, authorization_url: &str, choice: Option<&str>) -> String {
    assert!(
        authorization_url.starts_with(&app.base),
        "{authorization_url}"
    );
    consent_at(authorization_url, choice).await
}

/// [`consent`] for a sandbox served anywhere (under a prefix, by another process):
/// every link of the page must stay on the authorization URL's origin.
pub async fn consent_at(authorization_url: &str, choice: Option<&str>) -> String {
    let http = no_redirects();
    let page = http
        .get(authorization_url)
        .send()
        .await
        .expect("consent")
        .text()
        .await
        .expect("html");
    let marker = match choice {
        Some(login) => format!("data-login=\"{login}\" href=\""),
        None => "class=\"deny\" href=\"".to_owned(),
    };
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} in {page}"))
        + marker.len();
    let href = page[start..]
        .split('"')
        .next()
        .expect("href")
        .replace("&amp;", "&");
    let sandbox = &authorization_url[..authorization_url.find("/sandbox/").expect("sandbox")];
    assert!(href.starts_with(sandbox), "{href} leaves {sandbox}");
    let redirect = http.get(&href).send().await.expect("consent click");
    assert_eq!(
        redirect.status(),
        303,
        "the consent page sends the user back"
    );
    redirect.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// Loads a callback URL as the popup would and reads what it posts to the opener.
pub async fn open_callback(callback: &str) -> Popup {
    let response = no_redirects().get(callback).send().await.expect("callback");
    let status = response.status().as_u16();
    let html = response.text().await.expect("html");
    let start = html.find("var d=").expect("payload") + "var d=".len();
    let end = html[start..].find(";var t=").expect("payload end") + start;
    let message: Value = serde_json::from_str(&html[start..end]).expect("payload json");
    assert_eq!(message["type"], "socialgate:connection");
    Popup { status, message }
}

const COMPLETE: &str = "mutation($a: ID!, $c: String!, $p: String) { completeConnection(attemptId: $a, completionCode: $c, accountId: $p) { id status displayName accountKind } }";

/// The frontend's last step: the popup's completion code, sent with the owner's token.
async fn complete(app: &TestApp, token: &str, popup: &Popup, account: Option<&str>) -> Value {
    assert_eq!(popup.message["status"], "confirm", "{}", popup.message);
    let vars = json!({ "a": popup.message["attemptId"], "c": popup.message["completionCode"], "p": account });
    app.gql(Some(token), COMPLETE, vars).await
}

/// Signs in as `login` and completes the attempt; returns the integration id.
pub async fn connect_as(app: &TestApp, token: &str, network: &str, login: &str) -> String {
    let (_, url) = connect(app, token, network).await;
    let popup = sign_in(app, &url, Some(login)).await;
    let body = complete(app, token, &popup, None).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["completeConnection"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

pub async fn connect(app: &TestApp, token: &str, network: &str) -> (String, String) {
    let body = app.gql(Some(token), CONNECT, json!({ "n": network })).await;
    assert!(body["errors"].is_null(), "{body}");
    let payload = &body["data"]["connectIntegration"];
    (
        payload["attemptId"].as_str().expect("attempt").to_owned(),
        payload["authorizationUrl"]
            .as_str()
            .expect("url")
            .to_owned(),
    )
}

db_test!(
    connect_approve_end_to_end_through_the_sandbox,
    async |app: TestApp| {
        let advisor = app.token("e2e", "avery", &[Advisor]);
        let compliance = app.token("e2e", "dana", &[Compliance]);

        let (attempt, url) = connect(&app, &advisor, "LINKEDIN").await;
        assert!(
            url.starts_with(&format!(
                "{}/sandbox/linkedin/oauth/v2/authorization?",
                app.base
            )),
            "{url}"
        );
        assert!(
            url.contains("state=") && url.contains("w_member_social"),
            "{url}"
        );
        let popup = sign_in(&app, &url, Some("li-avery")).await;
        assert_eq!(popup.status, 200);
        assert_eq!(popup.message["attemptId"], attempt.as_str());
        assert_eq!(popup.message["accounts"], 1);
        // One account: the frontend confirms it, there is nothing to choose.
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(
            body["data"]["connectionAttempt"]["status"], "AWAITING_CONFIRMATION",
            "{body}"
        );
        // Nothing is stored until the owner's frontend completes with the code.
        assert_eq!(
            app.gql(Some(&advisor), COUNT, json!({})).await["data"]["integrations"]["totalCount"],
            0
        );
        let body = complete(&app, &advisor, &popup, None).await;
        assert!(body["errors"].is_null(), "{body}");
        let id = body["data"]["completeConnection"]["id"]
            .as_str()
            .expect("integration")
            .to_owned();

        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(
            body["data"]["connectionAttempt"]["status"], "COMPLETED",
            "{body}"
        );
        assert_eq!(
            body["data"]["connectionAttempt"]["integration"],
            json!({ "id": id, "status": "PENDING" })
        );

        let body = app
        .gql(Some(&compliance), "mutation($id: ID!) { approveIntegration(id: $id) { status displayName network accountKind permissions tokenExpiresAt } }", json!({ "id": id }))
        .await;
        assert!(body["errors"].is_null(), "{body}");
        let approved = &body["data"]["approveIntegration"];
        assert_eq!(approved["status"], "ACTIVE");
        assert_eq!(approved["displayName"], "Avery Chen");
        assert_eq!(approved["accountKind"], "MEMBER_PROFILE");
        assert!(
            approved["permissions"]
                .as_array()
                .expect("perms")
                .contains(&json!("w_member_social"))
        );
        assert!(
            approved["tokenExpiresAt"].is_string(),
            "the 60-day lifetime is recorded"
        );

        // The token is stored sealed: it opens for this row, and is never in the API.
        let raw = crate::common::integration_id(&id);
        let actor = app.actor("e2e", "avery", &[Advisor]).await;
        let tokens = socialgate::service::tokens::open(&app.app, actor.tenant_id, raw)
            .await
            .expect("open")
            .expect("stored");
        assert!(tokens.access.expose().starts_with("AQV"));
        let schema =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
                .expect("sdl");
        assert!(
            !schema.to_lowercase().contains("accesstoken"),
            "no token field in the API"
        );
    }
);

db_test!(
    facebook_pages_selection_and_refusals,
    async |app: TestApp| {
        let advisor = app.token("fb", "morgan", &[Advisor]);

        // A login with two Pages waits for a choice.
        let (attempt, url) = connect(&app, &advisor, "FACEBOOK").await;
        assert!(
            !url.contains("code_challenge="),
            "Facebook's Login dialog documents no PKCE: {url}"
        );
        let popup = sign_in(&app, &url, Some("fb-morgan")).await;
        assert_eq!(popup.message["status"], "confirm", "{}", popup.message);
        assert_eq!(popup.message["accounts"], 2);
        let code = popup.message["completionCode"].clone();
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        let attempt_view = &body["data"]["connectionAttempt"];
        assert_eq!(attempt_view["status"], "AWAITING_SELECTION");
        let candidates = attempt_view["candidates"]
            .as_array()
            .expect("candidates")
            .clone();
        assert_eq!(candidates.len(), 2);
        assert!(
            !body.to_string().contains("EAAG"),
            "candidates never carry tokens"
        );

        // Another user cannot see or complete the attempt.
        let other = app.token("fb", "intruder", &[Advisor]);
        let select = "mutation($a: ID!, $p: String!, $c: String!) { selectAccount(attemptId: $a, accountId: $p, completionCode: $c) { displayName status accountKind } }";
        let body = app
            .gql(
                Some(&other),
                select,
                json!({ "a": attempt, "p": candidates[0]["id"], "c": code }),
            )
            .await;
        assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
        let body = app
            .gql(
                Some(&advisor),
                select,
                json!({ "a": attempt, "p": "not-offered", "c": code }),
            )
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        let body = app
            .gql(
                Some(&advisor),
                select,
                json!({ "a": attempt, "p": candidates[1]["id"], "c": code }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(
            body["data"]["selectAccount"]["displayName"],
            "Lindqvist Retirement Planning"
        );
        assert_eq!(
            body["data"]["selectAccount"]["accountKind"],
            "FACEBOOK_PAGE"
        );
        let body = app
            .gql(
                Some(&advisor),
                select,
                json!({ "a": attempt, "p": candidates[0]["id"], "c": code }),
            )
            .await;
        assert_eq!(codes(&body), ["INVALID_TRANSITION"], "single use: {body}");

        // The second Page is over the limit, before any redirect.
        let body = app
            .gql(Some(&advisor), CONNECT, json!({ "n": "FACEBOOK" }))
            .await;
        assert_eq!(codes(&body), ["LIMIT_REACHED"], "{body}");

        // A personal profile is refused clearly and nothing is stored.
        let personal = app.token("fb", "pat", &[Advisor]);
        let (attempt, url) = connect(&app, &personal, "FACEBOOK").await;
        let popup = sign_in(&app, &url, Some("fb-pat")).await;
        assert_eq!(popup.status, 400);
        assert_eq!(popup.message["status"], "failed");
        assert_eq!(
            popup.message["code"], "PERSONAL_PROFILE",
            "not a network outage"
        );
        assert!(
            popup.message["message"]
                .as_str()
                .expect("msg")
                .contains("personal profiles cannot be connected"),
            "{}",
            popup.message
        );
        let body = app
            .gql(Some(&personal), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(body["data"]["connectionAttempt"]["status"], "FAILED");
        assert_eq!(
            body["data"]["connectionAttempt"]["failureCode"],
            "PERSONAL_PROFILE"
        );
        assert_eq!(
            app.gql(Some(&personal), COUNT, json!({})).await["data"]["integrations"]["totalCount"],
            0
        );

        // Instagram: a personal account is refused, a business account connects.
        let (_, url) = connect(&app, &personal, "INSTAGRAM").await;
        let popup = sign_in(&app, &url, Some("ig-pat")).await;
        assert_eq!(popup.message["code"], "PERSONAL_INSTAGRAM_ACCOUNT");
        assert!(
            popup.message["message"]
                .as_str()
                .expect("msg")
                .contains("personal Instagram account"),
            "{}",
            popup.message
        );
        let (_, url) = connect(&app, &personal, "INSTAGRAM").await;
        let popup = sign_in(&app, &url, Some("ig-lindqvist")).await;
        let body = complete(&app, &personal, &popup, None).await;
        assert_eq!(
            body["data"]["completeConnection"]["accountKind"], "INSTAGRAM_PROFESSIONAL",
            "{body}"
        );
    }
);

db_test!(state_is_checked_and_single_use, async |app: TestApp| {
    let advisor = app.token("csrf", "avery", &[Advisor]);
    let count = || async {
        app.gql(Some(&advisor), COUNT, json!({})).await["data"]["integrations"]["totalCount"]
            .clone()
    };

    // Cancelled at the network: the attempt fails, the opener is told, nothing stored.
    let (attempt, url) = connect(&app, &advisor, "LINKEDIN").await;
    let popup = sign_in(&app, &url, None).await;
    assert_eq!(popup.message["status"], "cancelled");
    assert_eq!(popup.message["code"], "CANCELLED");
    let body = app
        .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
        .await;
    assert_eq!(body["data"]["connectionAttempt"]["status"], "FAILED");
    assert_eq!(
        body["data"]["connectionAttempt"]["failureCode"],
        "CANCELLED"
    );

    // Missing and unknown state.
    let base = format!("{}/oauth/linkedin/callback", app.base);
    let popup = open_callback(&format!("{base}?code=abc")).await;
    assert_eq!(
        (popup.status, popup.message["status"].as_str()),
        (400, Some("failed"))
    );
    assert_eq!(popup.message["code"], "SIGN_IN_UNKNOWN");
    let popup = open_callback(&format!("{base}?code=abc&state=forged")).await;
    assert_eq!(
        (popup.status, popup.message["status"].as_str()),
        (400, Some("failed"))
    );
    assert_eq!(popup.message["code"], "SIGN_IN_UNKNOWN");

    // A real state on another network's callback is refused and stays usable.
    let (_, url) = connect(&app, &advisor, "LINKEDIN").await;
    let callback = consent(&app, &url, Some("li-avery")).await;
    let wrong_network = callback.replace("/oauth/linkedin/", "/oauth/facebook/");
    let popup = open_callback(&wrong_network).await;
    assert_eq!(popup.message["status"], "failed", "{}", popup.message);
    assert_eq!(count().await, 0);

    // The right callback works once; a replay is refused.
    let popup = open_callback(&callback).await;
    assert_eq!(popup.message["status"], "confirm", "{}", popup.message);
    let replay = open_callback(&callback).await;
    assert_eq!(replay.message["status"], "failed");
    assert_eq!(replay.message["code"], "SIGN_IN_USED");
    assert!(
        replay.message["message"]
            .as_str()
            .expect("msg")
            .contains("already finished")
    );
    assert_eq!(count().await, 0, "nothing until the owner completes");

    // The code reaches only the browser that signed in. Another user of the tenant
    // (say the victim of a link an attacker sent) cannot complete the attempt, and
    // its owner cannot complete it without the code: nothing is stored either way.
    let victim = app.token("csrf", "victim", &[Advisor]);
    let body = complete(&app, &victim, &popup, None).await;
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
    let forged = Popup {
        status: 200,
        message: json!({ "status": "confirm", "attemptId": popup.message["attemptId"], "completionCode": "guessed" }),
    };
    let body = complete(&app, &advisor, &forged, None).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert_eq!(count().await, 0);
    let body = complete(&app, &advisor, &popup, None).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(count().await, 1);
    let body = complete(&app, &advisor, &popup, None).await;
    assert_eq!(
        codes(&body),
        ["INVALID_TRANSITION"],
        "the code is single use: {body}"
    );

    // An expired attempt is refused.
    let (attempt, url) = connect(&app, &advisor, "INSTAGRAM").await;
    let raw = crate::common::attempt_id(&attempt);
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entity::connection_attempt::Entity::update_many()
        .col_expr(
            entity::connection_attempt::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(entity::connection_attempt::Column::Id.eq(raw))
        .exec(app.store.db())
        .await
        .expect("age the attempt");
    // The housekeeping job has marked it failed meanwhile: it still reads as expired.
    app.store
        .clear_expired_attempts(chrono::Utc::now())
        .await
        .expect("housekeeping");
    let popup = sign_in(&app, &url, Some("ig-lindqvist")).await;
    assert!(
        popup.message["message"]
            .as_str()
            .expect("msg")
            .contains("expired"),
        "{}",
        popup.message
    );
    assert_eq!(popup.message["code"], "SIGN_IN_EXPIRED");
    assert_eq!(count().await, 1);

    // returnTo must be an allowed origin; then the callback redirects there.
    let body = app
        .gql(
            Some(&advisor),
            CONNECT,
            json!({ "n": "INSTAGRAM", "r": "https://evil.example.net/x" }),
        )
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let body = app
        .gql(
            Some(&advisor),
            CONNECT,
            json!({ "n": "INSTAGRAM", "r": "https://admin.example.com/social" }),
        )
        .await;
    let url = body["data"]["connectIntegration"]["authorizationUrl"]
        .as_str()
        .expect("url")
        .to_owned();
    let callback = consent(&app, &url, Some("ig-lindqvist")).await;
    let location = redirected(&callback).await;
    // The outcome travels in the fragment: the completion code never reaches a
    // server log or a Referer.
    assert!(
        location.starts_with("https://admin.example.com/social#socialgate_status=confirm")
            && location.contains("socialgate_code=")
            && !location.contains('?'),
        "{location}"
    );

    // A refused callback whose attempt is known still takes the user back to the
    // frontend, with the failure, so a full-page flow is never stranded there.
    let location = redirected(&callback).await;
    assert!(
        location.starts_with("https://admin.example.com/social#socialgate_status=failed")
            && location.contains("socialgate_error=SIGN_IN_USED")
            && location.contains("socialgate_message=")
            && !location.contains("socialgate_code="),
        "{location}"
    );

    // A hash-routed frontend keeps its route; the outcome is the route's query.
    let body = app
        .gql(
            Some(&advisor),
            CONNECT,
            json!({ "n": "LINKEDIN", "r": "https://admin.example.com/#/settings/social" }),
        )
        .await;
    let url = body["data"]["connectIntegration"]["authorizationUrl"]
        .as_str()
        .expect("url")
        .to_owned();
    let callback = consent(&app, &url, Some("li-jordan")).await;
    let location = redirected(&callback).await;
    assert!(
        location
            .starts_with("https://admin.example.com/#/settings/social?socialgate_status=confirm&"),
        "{location}"
    );

    // LinkedIn says a cancel its own way: still CANCELLED, not a network failure.
    let (_, url) = connect(&app, &advisor, "LINKEDIN").await;
    let state = query_param(&url, "state");
    let popup = open_callback(&format!(
        "{base}?error=user_cancelled_authorize&error_description=The+user+cancelled&state={state}"
    ))
    .await;
    assert_eq!(
        (
            popup.message["status"].as_str(),
            popup.message["code"].as_str()
        ),
        (Some("cancelled"), Some("CANCELLED")),
        "{}",
        popup.message
    );
});

db_test!(reconnect_through_the_review_button, async |app: TestApp| {
    let advisor = app.token("again", "avery", &[Advisor]);
    let compliance = app.token("again", "dana", &[Compliance]);
    let id = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;
    app.gql(
        Some(&compliance),
        "mutation($id: ID!) { approveIntegration(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await;
    let actor = app.actor("again", "avery", &[Advisor]).await;
    let raw = crate::common::integration_id(&id);
    lifecycle::expire(&app.app, actor.tenant_id, raw, StatusReason::TokenExpired)
        .await
        .expect("expire");

    let review = "mutation($id: ID!) { reviewIntegration(id: $id, action: RECONNECT) { authorizationUrl attemptId integration { status availableActions } } }";
    let body = app
        .gql(Some(&compliance), review, json!({ "id": id }))
        .await;
    assert_eq!(
        codes(&body),
        ["FORBIDDEN"],
        "only the owner reconnects: {body}"
    );
    let body = app.gql(Some(&advisor), review, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        body["data"]["reviewIntegration"]["integration"]["availableActions"],
        json!(["RECONNECT", "DISCONNECT"])
    );
    let url = body["data"]["reviewIntegration"]["authorizationUrl"]
        .as_str()
        .expect("url")
        .to_owned();

    // Signing in as another member is refused; nothing changes.
    let popup = sign_in(&app, &url, Some("li-jordan")).await;
    let body = complete(&app, &advisor, &popup, None).await;
    assert_eq!(codes(&body), ["ACCOUNT_MISMATCH"], "{body}");
    let status = "query($id: ID!) { integration(id: $id) { status statusReason } }";
    assert_eq!(
        app.gql(Some(&advisor), status, json!({ "id": id })).await["data"]["integration"]["status"],
        "EXPIRED"
    );

    // The same member, same permissions: the approval stands.
    let body = app.gql(Some(&advisor), review, json!({ "id": id })).await;
    let url = body["data"]["reviewIntegration"]["authorizationUrl"]
        .as_str()
        .expect("url")
        .to_owned();
    let popup = sign_in(&app, &url, Some("li-avery")).await;
    let body = complete(&app, &advisor, &popup, None).await;
    assert_eq!(
        body["data"]["completeConnection"]["id"],
        id.as_str(),
        "{body}"
    );
    let body = app.gql(Some(&advisor), status, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["integration"],
        json!({ "status": "ACTIVE", "statusReason": "RECONNECTED" })
    );
    let body = app.gql(Some(&advisor), review, json!({ "id": id })).await;
    assert_eq!(
        codes(&body),
        ["INVALID_TRANSITION"],
        "an ACTIVE integration needs no reconnect: {body}"
    );
});

db_test!(
    sandbox_simulations_walk_every_status_at_the_next_check,
    async |app: TestApp| {
        let advisor = app.token("walk", "riley", &[Advisor]);
        let compliance = app.token("walk", "dana", &[Compliance]);
        let check = "mutation($id: ID!) { checkIntegration(id: $id) { status statusReason statusRemedy consecutiveFailures lastCheckedAt } }";
        let simulate = "mutation($id: ID!, $e: SandboxEvent!) { sandboxSimulate(integrationId: $id, event: $e) }";
        let approve = "mutation($id: ID!) { approveIntegration(id: $id) { status } }";

        let page = connect_as(&app, &advisor, "FACEBOOK", "fb-riley").await;
        app.gql(Some(&compliance), approve, json!({ "id": page }))
            .await;

        let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
        let checked = &body["data"]["checkIntegration"];
        assert_eq!(
            (
                checked["status"].as_str(),
                checked["consecutiveFailures"].as_i64()
            ),
            (Some("ACTIVE"), Some(0)),
            "{body}"
        );
        assert!(checked["lastCheckedAt"].is_string());

        // A passing outage never turns it INVALID; it is counted, and forgotten when over.
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": page, "e": "OUTAGE" }),
        )
        .await;
        for failures in 1..=2 {
            let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
            assert_eq!(
                body["data"]["checkIntegration"]["status"], "ACTIVE",
                "{body}"
            );
            assert_eq!(
                body["data"]["checkIntegration"]["consecutiveFailures"],
                failures
            );
        }
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": page, "e": "RESTORE" }),
        )
        .await;
        let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
        assert_eq!(body["data"]["checkIntegration"]["consecutiveFailures"], 0);

        // A lost Page role is definitive.
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": page, "e": "LOSE_PAGE_ROLE" }),
        )
        .await;
        let body = app.gql(Some(&advisor), check, json!({ "id": page })).await;
        let checked = &body["data"]["checkIntegration"];
        assert_eq!(
            (checked["status"].as_str(), checked["statusReason"].as_str()),
            (Some("INVALID"), Some("PAGE_ROLE_LOST")),
            "{body}"
        );
        assert!(
            checked["statusRemedy"]
                .as_str()
                .expect("remedy")
                .contains("Page admin")
        );

        // LinkedIn expiry and password change map to their documented reasons.
        let member = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": member, "e": "EXPIRE" }),
        )
        .await;
        let body = app
            .gql(Some(&advisor), check, json!({ "id": member }))
            .await;
        assert_eq!(
            body["data"]["checkIntegration"]["statusReason"], "TOKEN_EXPIRED",
            "{body}"
        );
        assert_eq!(body["data"]["checkIntegration"]["status"], "EXPIRED");
        let jordan = app.token("walk", "jordan", &[Advisor]);
        let revoked = connect_as(&app, &jordan, "LINKEDIN", "li-jordan").await;
        app.gql(
            Some(&jordan),
            simulate,
            json!({ "id": revoked, "e": "REVOKE_ACCESS" }),
        )
        .await;
        let body = app
            .gql(Some(&jordan), check, json!({ "id": revoked }))
            .await;
        assert_eq!(
            body["data"]["checkIntegration"]["statusReason"], "ACCESS_REVOKED",
            "confirmed by introspection: {body}"
        );
        let insta = connect_as(&app, &advisor, "INSTAGRAM", "ig-lindqvist").await;
        app.gql(
            Some(&advisor),
            simulate,
            json!({ "id": insta, "e": "PASSWORD_CHANGE" }),
        )
        .await;
        let body = app.gql(Some(&advisor), check, json!({ "id": insta })).await;
        assert_eq!(
            body["data"]["checkIntegration"]["statusReason"], "PASSWORD_CHANGED",
            "{body}"
        );
    }
);

db_test!(
    the_sandbox_remembers_its_tokens_across_a_restart,
    async |app: TestApp| {
        let advisor = app.token("restart", "riley", &[Advisor]);
        let check =
            "mutation($id: ID!) { checkIntegration(id: $id) { status consecutiveFailures } }";
        let simulate = "mutation($id: ID!, $e: SandboxEvent!) { sandboxSimulate(integrationId: $id, event: $e) }";
        let page = connect_as(&app, &advisor, "FACEBOOK", "fb-riley").await;
        let member = connect_as(&app, &advisor, "LINKEDIN", "li-avery").await;
        let body = app
            .gql(
                Some(&advisor),
                simulate,
                json!({ "id": page, "e": "OUTAGE" }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        // The sandbox writes behind its answers; wait until the condition is stored.
        let mut stored = false;
        for _ in 0..100 {
            let rows = app.store.sandbox_tokens().await.expect("rows");
            if rows
                .iter()
                .any(|r| r.condition.as_deref() == Some("outage"))
            {
                assert!(
                    rows.iter().all(|r| r.token_hash.len() == 64),
                    "only hashes are kept"
                );
                stored = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(stored, "the condition reached the database");

        // A new server on the same database, as after `cargo run` again.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut config = app.app.config.clone();
        config.public_url = Some(base.clone());
        let again = socialgate::Socialgate::with_store(config, app.store.clone())
            .await
            .expect("restart");
        let limits = again.app().config.serve_limits();
        tokio::spawn(socialgate::http::serve(
            listener,
            again.router(),
            limits,
            std::future::pending(),
        ));
        let ask = |id: &str| {
            let body = json!({ "query": check, "variables": { "id": id } });
            app.http
                .post(format!("{base}/graphql"))
                .bearer_auth(&advisor)
                .json(&body)
                .send()
        };
        let body: Value = ask(&member)
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(
            body["data"]["checkIntegration"],
            json!({ "status": "PENDING", "consecutiveFailures": 0 }),
            "the restarted sandbox still knows the token: {body}"
        );
        let body: Value = ask(&page).await.expect("send").json().await.expect("json");
        assert_eq!(
            body["data"]["checkIntegration"],
            json!({ "status": "PENDING", "consecutiveFailures": 1 }),
            "and what it was told to simulate: {body}"
        );
        again.begin_shutdown();
    }
);

db_test!(
    a_reconnect_confirms_its_own_page_without_a_choice,
    async |app: TestApp| {
        let advisor = app.token("again-fb", "morgan", &[Advisor]);
        let compliance = app.token("again-fb", "dana", &[Compliance]);
        let (attempt, url) = connect(&app, &advisor, "FACEBOOK").await;
        let popup = sign_in(&app, &url, Some("fb-morgan")).await;
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        let page = body["data"]["connectionAttempt"]["candidates"][1]["id"].clone();
        let body = complete(&app, &advisor, &popup, page.as_str()).await;
        let id = body["data"]["completeConnection"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let reject = "mutation($id: ID!) { rejectIntegration(id: $id, note: \"Use the firm's Page\") { status } }";
        let body = app
            .gql(Some(&compliance), reject, json!({ "id": id }))
            .await;
        assert!(body["errors"].is_null(), "{body}");

        // The same login offers two Pages again, but a reconnect is bound to its own:
        // the frontend confirms, there is nothing to choose.
        let review = "mutation($id: ID!) { reviewIntegration(id: $id, action: RECONNECT) { authorizationUrl attemptId } }";
        let body = app.gql(Some(&advisor), review, json!({ "id": id })).await;
        let payload = &body["data"]["reviewIntegration"];
        let url = payload["authorizationUrl"]
            .as_str()
            .expect("url")
            .to_owned();
        let attempt = payload["attemptId"].as_str().expect("attempt").to_owned();
        let popup = sign_in(&app, &url, Some("fb-morgan")).await;
        let body = app
            .gql(Some(&advisor), ATTEMPT, json!({ "id": attempt }))
            .await;
        assert_eq!(
            body["data"]["connectionAttempt"]["status"], "AWAITING_CONFIRMATION",
            "{body}"
        );
        let body = complete(&app, &advisor, &popup, None).await;
        assert_eq!(
            body["data"]["completeConnection"]["id"],
            id.as_str(),
            "{body}"
        );
        assert_eq!(
            body["data"]["completeConnection"]["displayName"],
            "Lindqvist Retirement Planning"
        );
    }
);
