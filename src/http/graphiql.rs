//! `/graphiql`: the GraphQL IDE, offered where the schema is public (dev mode, or
//! `SOCIALGATE_PUBLIC_SCHEMA=true`). Its scripts are exact versions checked against
//! pinned integrity hashes, from unpkg.com by default, or from this server when
//! `SOCIALGATE_GRAPHIQL_ASSETS` names a folder filled by [`INSTALL`] (for networks that
//! block public CDNs, common in regulated firms). When they cannot load, the page says
//! why and how to fix it instead of "Loading…" forever. Every URL in the page is
//! relative, so it works wherever the router is mounted.

use std::path::{Path, PathBuf};

use axum::{
    extract::{Path as UrlPath, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha384};

use super::{HttpState, html::escape};

/// One pinned file: where it lives in its npm package, and its SRI hash.
pub struct Asset {
    /// The name it is served under at `/graphiql/assets/`.
    pub name: &'static str,
    pub package: &'static str,
    pub version: &'static str,
    pub path: &'static str,
    pub integrity: &'static str,
    pub kind: &'static str,
}

/// React, ReactDOM and GraphiQL as the page loads them, in order (the stylesheet last).
pub const ASSETS: [Asset; 4] = [
    Asset {
        name: "react.production.min.js",
        package: "react",
        version: "18.3.1",
        path: "umd/react.production.min.js",
        integrity: "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
        kind: "text/javascript; charset=utf-8",
    },
    Asset {
        name: "react-dom.production.min.js",
        package: "react-dom",
        version: "18.3.1",
        path: "umd/react-dom.production.min.js",
        integrity: "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
        kind: "text/javascript; charset=utf-8",
    },
    Asset {
        name: "graphiql.min.js",
        package: "graphiql",
        version: "4.1.2",
        path: "graphiql.min.js",
        integrity: "sha384-9XdHu7ajgGJziD4J1zNBKQ842Q/+zZfDv+ib1eMhZWBH6hPAs806x+Jbcf0yNO6B",
        kind: "text/javascript; charset=utf-8",
    },
    Asset {
        name: "graphiql.min.css",
        package: "graphiql",
        version: "4.1.2",
        path: "graphiql.min.css",
        integrity: "sha384-1el1QShFBnnXTx9x/Cprg82hZWKt0ry29OAYIXt05swbi0KcZDFoj0CWguMpopJr",
        kind: "text/css; charset=utf-8",
    },
];

/// The one command that fills a folder for `SOCIALGATE_GRAPHIQL_ASSETS` (then point
/// the variable at its `node_modules`).
pub const INSTALL: &str =
    "npm install --prefix /srv/graphiql graphiql@4.1.2 react@18.3.1 react-dom@18.3.1";

fn file_of(dir: &Path, asset: &Asset) -> PathBuf {
    dir.join(asset.package).join(asset.path)
}

/// What is wrong with the assets folder `dir`: missing files, or files of another
/// version (their hash differs), each as a sentence for the log.
pub fn check(dir: &Path) -> Vec<String> {
    ASSETS
        .iter()
        .filter_map(|asset| {
            let path = file_of(dir, asset);
            match std::fs::read(&path) {
                Err(e) => Some(format!("{}: {e}", path.display())),
                Ok(bytes) => {
                    let hash = format!("sha384-{}", STANDARD.encode(Sha384::digest(&bytes)));
                    (hash != asset.integrity).then(|| {
                        format!(
                            "{} is not {}@{} (its hash differs)",
                            path.display(),
                            asset.package,
                            asset.version
                        )
                    })
                }
            }
        })
        .collect()
}

/// GraphiQL's own policy: its scripts are pinned by integrity hashes (from unpkg.com or
/// the configured folder) and it runs inline code of its own, so scripts are not
/// restricted further; it is never framed and cannot change its base or load plugins.
const POLICY: &str = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The page's `<link>` and `<script>` tags of the pinned assets, from this server's
/// folder (`local`) or unpkg.com, and what to say when they do not load.
fn asset_tags(local: bool) -> (String, String, &'static str) {
    let src = |asset: &Asset| {
        if local {
            format!("graphiql/assets/{}", asset.name)
        } else {
            format!(
                "https://unpkg.com/{}@{}/{}",
                asset.package, asset.version, asset.path
            )
        }
    };
    let tag = |asset: &Asset| {
        let (src, integrity) = (escape(&src(asset)), escape(asset.integrity));
        if asset.name.ends_with(".css") {
            format!(
                "<link rel=\"stylesheet\" href=\"{src}\" integrity=\"{integrity}\" crossorigin=\"anonymous\">"
            )
        } else {
            format!(
                "<script src=\"{src}\" integrity=\"{integrity}\" crossorigin=\"anonymous\"></script>"
            )
        }
    };
    let (styles, scripts): (Vec<_>, Vec<_>) = ASSETS.iter().partition(|a| a.name.ends_with(".css"));
    let styles: String = styles.into_iter().map(tag).collect();
    let scripts: String = scripts.into_iter().map(tag).collect();
    let why = if local {
        "Its scripts are served by this server from the folder its GraphiQL assets \
         setting names (SOCIALGATE_GRAPHIQL_ASSETS for the socialgate server, \
         <code>Config::graphiql_assets</code> for a host that embeds it), and at least one is missing there or is another version than the page \
         pins (React 18.3.1, GraphiQL 4.1.2): the server's log says which."
    } else {
        "Its scripts come from unpkg.com (React 18.3.1 and GraphiQL 4.1.2, checked against \
         pinned integrity hashes) and this browser could not load them: the network may \
         block unpkg.com, or be offline."
    };
    (styles, scripts, why)
}

/// GraphiQL's first query, as a JavaScript string: under a host's own sign-in the
/// browser's session is who asks, so the token hint would send people looking for a
/// token that does not exist.
fn default_query(host_signs_in: bool) -> &'static str {
    match host_signs_in {
        true => {
            "'# You are signed in through the application that embeds this server: no token needed.\\n{\\n  viewer { subject roles }\\n}\\n'"
        }
        false => {
            "'# Put your token under Headers: {\"Authorization\": \"Bearer <token>\"}\\n{\\n  viewer { subject roles }\\n}\\n'"
        }
    }
}

pub(super) async fn page(
    State(state): State<HttpState>,
) -> ([(axum::http::HeaderName, &'static str); 1], Html<String>) {
    let (styles, scripts, why) = asset_tags(state.app.config.graphiql_assets.is_some());
    (
        [(header::CONTENT_SECURITY_POLICY, POLICY)],
        Html(format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>socialgate · GraphiQL</title>
<link rel="icon" href="data:,">
{styles}
<style>
body {{ margin: 0; }}
#graphiql {{ height: 100vh; }}
#failed {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2937; }}
#failed code {{ background: #f3f4f6; padding: 0.1rem 0.3rem; border-radius: 4px; }}
</style>
</head>
<body>
<div id="graphiql"><p style="font-family: system-ui, sans-serif; padding: 2rem;">Loading GraphiQL…</p></div>
<div id="failed" role="alert" hidden>
<h1>GraphiQL could not load</h1>
<p>{why}</p>
<p>To serve them from this server instead, run <code>{install}</code>, set
<code>SOCIALGATE_GRAPHIQL_ASSETS=/srv/graphiql/node_modules</code> (a host that embeds
socialgate sets <code>Config::graphiql_assets</code>) and restart it.</p>
<p>The API itself works without GraphiQL: POST your queries to <code>graphql</code> beside this page.</p>
</div>
{scripts}
<script>
(function () {{
  var root = document.getElementById('graphiql');
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {{
    root.hidden = true;
    document.getElementById('failed').hidden = false;
    return;
  }}
  var url = new URL('graphql', location.href).href;
  var fetcher = GraphiQL.createFetcher({{ url: url, subscriptionUrl: url.replace(/^http/, 'ws') + '/ws' }});
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {{
    fetcher: fetcher,
    defaultQuery: {hint},
  }}));
}})();
</script>
</body>
</html>
"#,
            install = escape(INSTALL),
            hint = default_query(state.app.authenticate.is_some()),
        )),
    )
}

/// `/graphiql/assets/{name}`: one pinned file from `SOCIALGATE_GRAPHIQL_ASSETS`.
pub(super) async fn asset(
    State(state): State<HttpState>,
    UrlPath(name): UrlPath<String>,
) -> Response {
    let (Some(dir), Some(asset)) = (
        state.app.config.graphiql_assets.as_deref(),
        ASSETS.iter().find(|a| a.name == name),
    ) else {
        return (StatusCode::NOT_FOUND, "no such GraphiQL asset").into_response();
    };
    match tokio::fs::read(file_of(dir, asset)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, asset.kind),
                (header::CACHE_CONTROL, "public, max-age=86400"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(asset = asset.name, error = %e, "GraphiQL asset missing; see SOCIALGATE_GRAPHIQL_ASSETS");
            (
                StatusCode::NOT_FOUND,
                "GraphiQL asset missing from SOCIALGATE_GRAPHIQL_ASSETS",
            )
                .into_response()
        }
    }
}
