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

mod flow;
mod reconnect;
mod state;
