//! No secret reaches a log line, at any level: the server binary runs at `trace`, with
//! a span per resolver and secrets the test chose; a person connects a sandbox account,
//! opens a socket and has the integration checked; then the whole log is searched for
//! every secret that crossed the server (keys, the bearer token, OAuth state and code,
//! the completion code, the network's access tokens).

use std::{
    fs,
    process::{Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};
use socialgate::{
    auth::{Role, TokenMinter},
    config::Secret,
    crypto::Keyring,
};

use crate::{
    api_test,
    browser::{Running, free_port, wait_ready},
    connect::query_param,
    ws::Protocol,
};

api_test!(secrets_never_reach_the_logs_even_at_trace);

async fn secrets_never_reach_the_logs_even_at_trace() {
    let dir = tempfile::tempdir().expect("dir");
    let jwt_secret = "jwt-secret-the-logs-must-never-show-0123456789";
    let token_keys = Keyring::generate("logs-1");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log_path = dir.path().join("server.log");
    let server = start(dir.path(), &log_path, jwt_secret, &token_keys, port);

    let minter = TokenMinter::new(&Secret::new(jwt_secret), None, None);
    let bearer = minter
        .mint("logs", "avery", &[Role::Advisor], Duration::from_secs(600))
        .expect("mint");
    let (state, code, completion) = connect_check_and_subscribe(&base, &bearer).await;
    drop(server);

    let logs = fs::read_to_string(&log_path).expect("read log");
    assert!(logs.contains(" TRACE "), "trace logging was on:\n{logs}");
    assert!(
        logs.contains("field{path=checkIntegration"),
        "resolver spans were on:\n{logs}"
    );
    let key = token_keys
        .expose()
        .split_once(':')
        .map(|(_, k)| k.to_owned())
        .expect("key");
    let signature = bearer.rsplit('.').next().expect("signature").to_owned();
    for (what, secret) in [
        ("the JWT secret", jwt_secret.to_owned()),
        ("the token-sealing key", key),
        ("the bearer token's signature", signature),
        ("the OAuth state", state),
        ("the OAuth code", code),
        ("the completion code", completion),
    ] {
        assert!(!logs.contains(&secret), "{what} is in the log");
    }
    // The sandbox LinkedIn's access tokens are AQV and 40 more characters.
    let leaked = logs.match_indices("AQV").any(|(at, _)| {
        logs[at + 3..]
            .chars()
            .take(20)
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .count()
            == 20
    });
    assert!(!leaked, "a network access token is in the log");
}

/// The binary at trace level, logging to `log_path`, on `port`.
fn start(
    dir: &std::path::Path,
    log_path: &std::path::Path,
    jwt_secret: &str,
    token_keys: &Secret,
    port: u16,
) -> Running {
    let log = fs::File::create(log_path).expect("log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_socialgate"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SOCIALGATE_") {
            command.env_remove(name);
        }
    }
    let mut server = Running(
        command
            .env("SOCIALGATE_LOG", "trace")
            .env("SOCIALGATE_TRACE_RESOLVERS", "true")
            .env("SOCIALGATE_JWT_SECRET", jwt_secret)
            .env("SOCIALGATE_TOKEN_KEYS", token_keys.expose())
            .env("SOCIALGATE_SANDBOX", "true")
            .env("SOCIALGATE_ALLOWED_ORIGINS", "https://admin.example.com")
            .env("SOCIALGATE_DATA_DIR", dir)
            .env(
                "SOCIALGATE_DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.join("logs.db").display()),
            )
            .env("SOCIALGATE_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start the server"),
    );
    wait_ready(port, &mut server);
    server
}

/// Connects LinkedIn through the sandbox as a person would, checks the integration
/// (its token travels out again) and opens a socket with the bearer token; answers
/// the OAuth state, the code and the completion code used.
async fn connect_check_and_subscribe(base: &str, bearer: &str) -> (String, String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let gql = |query: &'static str, variables: Value| {
        let request = http
            .post(format!("{base}/graphql"))
            .bearer_auth(bearer)
            .json(&json!({ "query": query, "variables": variables }));
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

    // Connect through the sandbox as a person would.
    let body = gql(
        "mutation { connectIntegration(network: LINKEDIN) { authorizationUrl } }",
        json!({}),
    )
    .await;
    let url = body["data"]["connectIntegration"]["authorizationUrl"]
        .as_str()
        .expect("url")
        .to_owned();
    let state = query_param(&url, "state");
    let callback = crate::connect::consent_at(&url, Some("li-avery")).await;
    let code = query_param(&callback, "code");
    let message = crate::connect::open_callback(&callback).await.message;
    let completion = message["completionCode"]
        .as_str()
        .expect("completion")
        .to_owned();
    let body = gql(
        "mutation($a: ID!, $c: String!) { completeConnection(attemptId: $a, completionCode: $c) { id } }",
        json!({ "a": message["attemptId"], "c": completion }),
    )
    .await;
    let id = body["data"]["completeConnection"]["id"].clone();
    assert!(id.is_string(), "{body}");
    // The network's token travels out again when the integration is checked.
    let body = gql(
        "mutation($id: ID!) { checkIntegration(id: $id) { status lastCheckOutcome } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        body["data"]["checkIntegration"]["lastCheckOutcome"], "OK",
        "{body}"
    );
    // The token in a socket's connection_init.
    let mut ws = crate::ws::Ws::connect(base, Protocol::TransportWs).await;
    ws.init(bearer).await;
    ws.close().await;
    (state, code, completion)
}
