//! Every HTML page the server sends carries one header policy: a Content-Security-Policy
//! that forbids framing (and, but for a page's own nonce-named script, any script),
//! `nosniff`, and `Referrer-Policy: no-referrer` (the callback page's URL carries the
//! sign-in's code and state).

use crate::{common::TestApp, db_test};

/// The console and GraphiQL served too.
fn every_page(config: &mut socialgate::Config) {
    config.console = Some(true);
    config.public_schema = Some(true);
}

db_test!(
    every_html_page_carries_the_header_policy,
    config = every_page,
    async |app: TestApp| {
        let consent = format!(
            "/sandbox/linkedin/oauth/v2/authorization?response_type=code&client_id=sandbox-client&redirect_uri={}/oauth/linkedin/callback&state=x&scope=openid",
            app.base
        );
        let pages = [
            ("/oauth/linkedin/callback?code=c&state=unknown", true),
            ("/digest/unsubscribe?token=not-a-token", false),
            ("/digest/confirm-address?token=not-a-token", false),
            ("/data-deletion/0123456789abcdef", false),
            (consent.as_str(), false),
            ("/console/", false),
            ("/graphiql", false),
        ];
        for (path, script) in pages {
            let response = app
                .http
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .expect("page");
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            assert!(
                header("content-type").starts_with("text/html"),
                "{path}: {} {:?}",
                header("content-type"),
                response.status()
            );
            let policy = header("content-security-policy");
            assert!(
                policy.contains("frame-ancestors 'none'"),
                "{path}: {policy}"
            );
            assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
            if path.starts_with("/graphiql") || path.starts_with("/console") {
                continue;
            }
            assert!(policy.contains("default-src 'none'"), "{path}: {policy}");
            let body = response.text().await.expect("body");
            if script {
                let nonce = policy
                    .split("'nonce-")
                    .nth(1)
                    .and_then(|rest| rest.split('\'').next())
                    .expect("a nonce for the page's script");
                assert!(
                    body.contains(&format!("<script nonce=\"{nonce}\">")),
                    "{body}"
                );
            } else {
                assert!(!policy.contains("script-src"), "{path}: {policy}");
                assert!(!body.contains("<script"), "{path}: {body}");
            }
        }
    }
);
