//! The embedding example (`examples/embed.rs`) run for real: a host axum app with its
//! own routes and authentication, socialgate nested under `/social` on the host's
//! database connection. GraphQL, GraphiQL, a WebSocket subscription and a sandbox
//! connect all work under the prefix.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::{
    common::TestApp,
    db_test,
    ws::{Got, Protocol},
};

db_test!(
    the_embedding_example_works_under_its_prefix,
    async |app: TestApp| {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let social = format!("{base}/social");
        let (router, _server) = crate::embed::host(app.store.db().clone(), social.clone())
            .await
            .expect("host");
        tokio::spawn(socialgate::http::serve(
            listener,
            router,
            Default::default(),
            std::future::pending(),
        ));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let gql = |user: Option<&'static str>, query: &'static str, variables: Value| {
            let mut request = http
                .post(format!("{social}/graphql"))
                .json(&json!({ "query": query, "variables": variables }));
            if let Some(user) = user {
                request = request.header("x-host-user", user);
            }
            async move {
                request
                    .send()
                    .await
                    .expect("send")
                    .json::<Value>()
                    .await
                    .expect("json")
            }
        };

        // The host's own route, and its own authentication in place of bearer tokens.
        let home = http.get(&base).send().await.expect("home");
        assert!(
            home.text()
                .await
                .expect("text")
                .contains("The host's own app")
        );
        let viewer = "{ viewer { subject roles tenant { externalId } } }";
        let body = gql(Some("acme:alice:advisor"), viewer, json!({})).await;
        assert_eq!(
            body["data"]["viewer"],
            json!({ "subject": "alice", "roles": ["ADVISOR"], "tenant": { "externalId": "acme" } }),
            "{body}"
        );
        let body = gql(None, viewer, json!({})).await;
        assert_eq!(crate::common::codes(&body), ["UNAUTHENTICATED"], "{body}");
        let said = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            said.contains("sign in to the application") && !said.contains("Bearer"),
            "a host's caller is told where to sign in, not to send a token: {said}"
        );
        let bearer = app.token("acme", "mallory", &[socialgate::auth::Role::Admin]);
        let body: Value = http
            .post(format!("{social}/graphql"))
            .bearer_auth(bearer)
            .json(&json!({ "query": viewer }))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(
            crate::common::codes(&body),
            ["UNAUTHENTICATED"],
            "the host's authentication replaces tokens: {body}"
        );

        // GraphiQL and the console under the prefix, with relative links.
        let page = http
            .get(format!("{social}/graphiql"))
            .send()
            .await
            .expect("graphiql");
        assert_eq!(page.status(), 200);
        assert!(
            page.text()
                .await
                .expect("html")
                .contains("new URL('graphql', location.href)")
        );
        let console = http
            .get(format!("{social}/console"))
            .send()
            .await
            .expect("console");
        assert_eq!(console.headers()["location"], "console/");

        // A sandbox connect: every redirect stays under the prefix.
        let body = gql(
            Some("acme:alice:advisor"),
            "mutation { connectIntegration(network: LINKEDIN) { attemptId authorizationUrl } }",
            json!({}),
        )
        .await;
        let started = &body["data"]["connectIntegration"];
        let url = started["authorizationUrl"]
            .as_str()
            .expect("url")
            .to_owned();
        assert!(
            url.starts_with(&format!("{social}/sandbox/linkedin/")),
            "{url}"
        );
        // Every link and redirect of the sign-in stays under the prefix.
        let callback = crate::connect::consent_at(&url, Some("li-avery")).await;
        assert!(
            callback.starts_with(&format!("{social}/oauth/linkedin/callback?")),
            "{callback}"
        );
        let message = crate::connect::open_callback(&callback).await.message;
        assert_eq!(message["status"], "confirm", "{message}");
        let complete = "mutation($a: ID!, $c: String!) { completeConnection(attemptId: $a, completionCode: $c) { status displayName } }";
        let body = gql(
            Some("acme:alice:advisor"),
            complete,
            json!({ "a": message["attemptId"], "c": message["completionCode"] }),
        )
        .await;
        assert_eq!(
            body["data"]["completeConnection"],
            json!({ "status": "PENDING", "displayName": "Avery Chen" }),
            "{body}"
        );

        // A subscription over the prefixed socket, authenticated by the host at the upgrade.
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("{}/graphql/ws", social.replace("http://", "ws://"))
            .into_client_request()
            .expect("request");
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("h"),
        );
        headers.insert("x-host-user", "acme:carol:compliance".parse().expect("h"));
        let (socket, _) = tokio_tungstenite::connect_async(request).await.expect("ws");
        let mut ws = crate::ws::Ws::from_socket(socket, Protocol::TransportWs);
        ws.send(json!({ "type": "connection_init", "payload": {} }))
            .await;
        match ws.next(Duration::from_secs(10)).await {
            Got::Message(m) if m["type"] == "connection_ack" => {}
            other => panic!("no connection_ack: {other:?}"),
        }
        ws.subscribe(
        "1",
        "subscription { integrationStatusChanged(after: \"0\") { status integration { displayName } } }",
        json!({}),
    )
    .await;
        let event = ws.event(Duration::from_secs(10)).await;
        assert_eq!(
            event["integrationStatusChanged"]["integration"]["displayName"], "Avery Chen",
            "{event}"
        );
        ws.close().await;

        // The host has no JWT key but is no development server: a callback signed with
        // the sandbox's public secret is not taken.
        let payload = json!({ "algorithm": "HMAC-SHA256", "issued_at": chrono::Utc::now().timestamp(), "user_id": "anyone" });
        let forged = socialgate::providers::signed_request::sign(
            &payload,
            &socialgate::config::Secret::new("sandbox-secret"),
        );
        let answer = http
            .post(format!("{social}/callbacks/facebook/deauthorize"))
            .form(&[("signed_request", forged.as_str())])
            .send()
            .await
            .expect("callback");
        assert_eq!(
            answer.status(),
            404,
            "no callbacks without the network's app"
        );
    }
);
