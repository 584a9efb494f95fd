//! The digest as a person reads it: subject, plain text and HTML, rendered with
//! minijinja from the templates beside this file (HTML escaped by the engine). Times
//! are shown in the person's time zone.

use std::{collections::HashMap, sync::OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use minijinja::Environment;
use serde::Serialize;

use crate::{
    domain::{
        UserId,
        digest::{Digest, Item, ItemKind},
        input, network,
    },
    error::{AppError, AppResult},
};

/// What the templates need beyond the digest itself.
pub struct Context<'a> {
    /// How to greet the reader (their name, or nothing).
    pub name: Option<&'a str>,
    pub zone: Tz,
    /// The reader's local date the digest is for.
    pub date: NaiveDate,
    /// Names of the owners of tenant items.
    pub owners: &'a HashMap<UserId, String>,
    /// The review link of an item.
    pub review_url: &'a dyn Fn(&Item) -> String,
    pub unsubscribe_url: String,
}

/// A rendered digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Serialize)]
struct View {
    subject: String,
    greeting: String,
    summary: String,
    sections: Vec<SectionView>,
    left_out: usize,
    unsubscribe_url: String,
}

#[derive(Serialize)]
struct SectionView {
    heading: &'static str,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
struct ItemView {
    network: &'static str,
    account: String,
    status: String,
    owner: Option<String>,
    explanation: &'static str,
    remedy: Option<&'static str>,
    since: String,
    expires: Option<String>,
    post: Option<String>,
    due: Option<String>,
    review_url: String,
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // The engine's HTML escaping also writes `/` as `&#x2f;`, which is valid but makes
        // every link in the mail's source unreadable; the server's own escaping covers
        // the five characters that matter.
        env.set_formatter(|out, state, value| {
            if matches!(state.auto_escape(), minijinja::AutoEscape::Html)
                && !value.is_safe()
                && let Some(text) = value.as_str()
            {
                return out
                    .write_str(&crate::domain::input::escape_html(text))
                    .map_err(minijinja::Error::from);
            }
            minijinja::escape_formatter(out, state, value)
        });
        // Both are part of the binary; a syntax error shows in every render test.
        for (name, source) in [
            ("digest.txt", include_str!("templates/digest.txt")),
            ("digest.html", include_str!("templates/digest.html")),
        ] {
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(%error, name, "digest template does not parse");
            }
        }
        env
    })
}

/// `at` as the reader reads it: `3 Mar 2026, 08:00 CET`.
pub fn local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%-d %b %Y, %H:%M %Z")
        .to_string()
}

/// The subject line: what needs doing, counted.
pub fn subject(digest: &Digest, date: NaiveDate) -> String {
    let count = digest.items.len() + digest.left_out;
    let things = if count == 1 {
        "thing needs"
    } else {
        "things need"
    };
    format!(
        "Daily Digest, {}: {count} {things} your attention",
        date.format("%-d %b %Y")
    )
}

/// Renders `digest` for the reader described by `cx`.
pub fn render(digest: &Digest, cx: &Context<'_>) -> AppResult<Rendered> {
    let sections = ItemKind::ALL
        .into_iter()
        .map(|kind| SectionView {
            heading: kind.heading(),
            items: digest.of(kind).map(|item| item_view(item, cx)).collect(),
        })
        .filter(|s| !s.items.is_empty())
        .collect();
    let subject = subject(digest, cx.date);
    let view = View {
        greeting: match cx.name.map(input::plain) {
            Some(name) => format!("Hello {name},"),
            None => "Hello,".to_owned(),
        },
        summary: format!(
            "Here is what needs your attention on {}.",
            cx.date.format("%A, %-d %B %Y")
        ),
        subject: subject.clone(),
        sections,
        left_out: digest.left_out,
        unsubscribe_url: cx.unsubscribe_url.clone(),
    };
    let render = |name: &str| {
        templates()
            .get_template(name)
            .and_then(|t| t.render(minijinja::value::Serde(&view)))
            .map_err(|e| AppError::internal(format!("rendering {name}: {e}")))
    };
    Ok(Rendered {
        subject,
        text: render("digest.txt")?,
        html: render("digest.html")?,
    })
}

fn item_view(item: &Item, cx: &Context<'_>) -> ItemView {
    ItemView {
        network: network::name(item.network),
        account: input::plain(&item.account_name),
        status: crate::domain::status::label(item.status).to_owned(),
        owner: match item.kind {
            ItemKind::AwaitingApproval | ItemKind::NewProblem => {
                cx.owners.get(&item.owner_id).map(|name| input::plain(name))
            }
            ItemKind::Problem
            | ItemKind::ExpiringSoon
            | ItemKind::HeldPost
            | ItemKind::PostAtRisk => None,
        },
        explanation: item.explanation,
        remedy: item.remedy,
        since: local(item.since, cx.zone),
        expires: item.expires_at.map(|at| local(at, cx.zone)),
        post: item.post.as_deref().map(input::plain),
        due: item.due_at.map(|at| local(at, cx.zone)),
        review_url: (cx.review_url)(item),
    }
}
