//! A host axum app that embeds socialgate under `/social`: its own routes, its own
//! sign-in (here a stand-in: pick a person on the home page and a cookie names them;
//! yours is a real session cookie or a gateway header), and one database pool shared
//! with socialgate. The built-in console and GraphiQL under `/social` work with that
//! sign-in as they are: the browser's cookie says who asks, no token needed.
//!
//! ```sh
//! cargo run --example embed      # then open http://127.0.0.1:8090/ and sign in
//! curl -s localhost:8090/social/graphql -H 'cookie: host_user=acme:alice:advisor' \
//!   -H 'content-type: application/json' -d '{"query":"{ viewer { subject roles } }"}'
//! ```

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use axum::{
    Form, Router,
    response::{Html, IntoResponse, Redirect},
    routing::{get, post},
};
use socialgate::{
    AppError, AppResult, Config, Socialgate,
    auth::{Authenticate, Claims, Role},
    crypto::Keyring,
};

/// The host's own sign-in, standing in for a session lookup: the cookie `host_user`
/// (set by the home page's form) or, for scripts, the header `x-host-user` holds
/// `tenant:subject:role`. Both are unsigned, so anyone can claim to be anyone: a demo
/// only. A real host looks its signed session up here, or trusts a header only from
/// the gateway that set it.
pub struct HostSessions;

/// The people the home page offers: subject, role, name.
const PEOPLE: [(&str, &str, &str); 2] = [
    ("alice", "advisor", "Alice Advisor"),
    ("carol", "compliance", "Carol Compliance"),
];

/// The value of cookie `name` in `headers`.
fn cookie<'h>(headers: &'h http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

#[async_trait::async_trait]
impl Authenticate for HostSessions {
    async fn caller(&self, headers: &http::HeaderMap) -> Result<Option<Claims>, String> {
        let text = match (headers.get("x-host-user"), cookie(headers, "host_user")) {
            (Some(value), _) => value.to_str().map_err(|_| "x-host-user is not text")?,
            (None, Some(value)) => value,
            (None, None) => return Ok(None),
        };
        let mut parts = text.splitn(3, ':');
        let (Some(tenant), Some(subject), Some(role)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err("the host session is tenant:subject:role".into());
        };
        let role: Role = serde_json::from_value(serde_json::Value::String(role.to_owned()))
            .map_err(|_| format!("unknown role {role:?}"))?;
        // A session of the host's lasts its own time; sockets close when it ends.
        let mut claims = Claims::vouched(tenant, subject, &[role], Duration::from_secs(8 * 3600));
        claims.name = PEOPLE
            .iter()
            .find(|(sub, ..)| *sub == subject)
            .map(|(.., name)| (*name).to_owned());
        Ok(Some(claims))
    }
}

/// The host's home page: its own sign-in, and where socialgate is.
async fn home(headers: http::HeaderMap) -> Html<String> {
    let who =
        socialgate::domain::input::escape_html(cookie(&headers, "host_user").unwrap_or("nobody"));
    let people: String = PEOPLE
        .iter()
        .map(|(sub, role, name)| {
            format!(
                "<button name=\"who\" value=\"acme:{sub}:{role}\">Sign in as {name} ({role})</button> "
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Host app</title>\
         </head><body><h1>The host's own app</h1><p id=\"who\">Signed in: {who}</p>\
         <form method=\"post\" action=\"/signin\">{people}\
         <button name=\"who\" value=\"\">Sign out</button></form>\
         <p><a href=\"/social/console/\">Manage social media</a> (socialgate's console) · \
         <a href=\"/social/graphiql\">GraphiQL</a></p></body></html>"
    ))
}

/// The host's sign-in: remembers the chosen person in a cookie, then opens the console.
async fn sign_in(Form(form): Form<HashMap<String, String>>) -> impl IntoResponse {
    let who = form.get("who").map(String::as_str).unwrap_or_default();
    let known = PEOPLE
        .iter()
        .any(|(sub, role, _)| who == format!("acme:{sub}:{role}"));
    let cookie = match known {
        true => format!("host_user={who}; Path=/; HttpOnly; SameSite=Lax"),
        false => "host_user=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0".to_owned(),
    };
    let to = if known { "/social/console/" } else { "/" };
    ([(http::header::SET_COOKIE, cookie)], Redirect::to(to))
}

/// The host's app: its own routes, and socialgate nested under `/social` on the
/// host's database connection. `public_url` is where browsers reach `/social`.
pub async fn host(
    db: sea_orm::DatabaseConnection,
    public_url: String,
) -> AppResult<(Router, Socialgate)> {
    let config = Config {
        public_url: Some(public_url),
        // The host keeps this key in its secret store; generated here for the demo.
        token_keys: Some(Keyring::generate("host-1")),
        sandbox: Some(true),
        public_schema: Some(true),
        console: Some(true),
        ..Config::default()
    };
    let social = Socialgate::builder(config)
        .database(db)
        .authenticate(HostSessions)
        .build()
        .await?;
    let app = Router::new()
        .route("/", get(home))
        .route("/signin", post(sign_in))
        .nest("/social", social.router());
    Ok((app, social))
}

#[tokio::main]
async fn main() -> AppResult<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], 8090));
    let db = sea_orm::Database::connect("sqlite://embed.db?mode=rwc").await?;
    let (app, social) = host(db, format!("http://{addr}/social")).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))?;
    println!(
        "host on http://{addr}/ (sign in there) — socialgate under http://{addr}/social/console/"
    );
    // The same start and stop as `socialgate serve`: jobs, then on Ctrl-C readiness
    // off, sockets closed, requests drained, the running job batch finished, the pool
    // closed.
    social
        .serve_router(listener, app, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
