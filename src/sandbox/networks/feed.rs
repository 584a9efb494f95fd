//! The sandbox's stand-in for a network's own pages: what was published to each
//! account (`/sandbox/{network}/posts`, one account with `?account=`) and each post on
//! its own (`/sandbox/{network}/posts/{id}`, and LinkedIn's `/feed/update/{urn}/`),
//! so a person can follow a permalink and see their post.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

use super::{SandboxPost, state::Sandbox};
use crate::{
    domain::{Network, network},
    http::html::{self, escape},
};

fn page(title: &str, body: &str) -> Response {
    Html(html::document(title, body, None)).into_response()
}

fn card(post: &SandboxPost) -> String {
    let mut html = format!(
        "<article class=\"post\" data-id=\"{id}\" style=\"border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0\">\
         <p style=\"white-space:pre-wrap\">{text}</p>",
        id = escape(&post.id),
        text = escape(&post.text)
    );
    if let Some(link) = &post.link {
        html.push_str(&format!("<p>Link: <code>{}</code></p>", escape(link)));
    }
    if let Some(image) = &post.image {
        html.push_str(&format!("<p>Image: <code>{}</code></p>", escape(image)));
    }
    html.push_str(&format!(
        "<footer><small>{} · account {} · {}</small></footer></article>",
        escape(&post.id),
        escape(&post.account),
        post.at.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    html
}

/// Every post of `network` (of `account`, when given), newest first.
pub fn list(sandbox: &Sandbox, net: Network, account: Option<&str>) -> Response {
    let name = network::name(net);
    let posts = sandbox.published.of(net, account);
    let mut body = format!("<h1>Sandbox {name}: published posts</h1>");
    if posts.is_empty() {
        body.push_str("<p>Nothing has been published here since the server started.</p>");
    }
    for post in &posts {
        body.push_str(&card(post));
    }
    page(&format!("Sandbox {name} posts"), &body)
}

/// One post, or a 404 page.
pub fn one(sandbox: &Sandbox, net: Network, id: &str) -> Response {
    let name = network::name(net);
    match sandbox.published.find(net, id.trim_end_matches('/')) {
        Some(post) => page(
            &format!("Sandbox {name} post"),
            &format!("<h1>Sandbox {name}</h1>{}", card(&post)),
        ),
        None => (
            StatusCode::NOT_FOUND,
            page(
                "Not found",
                "<h1>No such post</h1><p>The sandbox keeps posts in memory: a restarted \
                 server no longer has earlier ones.</p>",
            ),
        )
            .into_response(),
    }
}
