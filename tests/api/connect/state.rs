//! The sign-in's state is checked and single use; a reconnect goes through the
//! "Review" button.

use super::*;

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
