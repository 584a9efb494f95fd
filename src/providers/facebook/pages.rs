//! Where a login's Pages come from: `/me/accounts` (direct roles, with tasks) and the
//! Business Managers the person belongs to (`/me/businesses` → `owned_pages`,
//! `client_pages`), read through Graph's cursor paging, de-duplicated, and turned
//! into accounts that act with each Page's own token.

use std::collections::HashSet;

use serde::{Deserialize, de::DeserializeOwned};

use super::{Facebook, POSTING_TASKS};
use crate::providers::http;
use crate::{
    config::Secret,
    domain::StatusReason,
    providers::{Account, Grant, ProviderError, ProviderResult},
};

/// One page of a Graph edge.
#[derive(Deserialize)]
struct Edge<T> {
    data: Vec<T>,
    #[serde(default)]
    paging: Option<Paging>,
}

/// Graph's cursor paging: `next` is present when there is another page.
#[derive(Deserialize)]
struct Paging {
    next: Option<String>,
    cursors: Option<Cursors>,
}

#[derive(Deserialize)]
struct Cursors {
    after: Option<String>,
}

/// Most pages of one edge read (25 rows each), and most Business Managers looked
/// into: a login reaching more is not a financial advisor's.
const MAX_EDGE_PAGES: usize = 20;
const MAX_BUSINESSES: usize = 25;

#[derive(Deserialize)]
pub(super) struct Page {
    id: String,
    name: String,
    access_token: Option<String>,
    /// The person's tasks on the Page; only `/me/accounts` lists them.
    #[serde(default)]
    tasks: Option<Vec<String>>,
    link: Option<String>,
}

#[derive(Deserialize)]
struct Business {
    id: String,
}

impl Page {
    /// Whether the person may post as the Page. A Page reached through a Business
    /// Manager lists no tasks: that Graph hands out its token is the sign that the
    /// person has a task on it (Meta gives a Page token only to people who do).
    pub(super) fn postable(&self) -> bool {
        self.access_token.is_some()
            && self
                .tasks
                .as_ref()
                .is_none_or(|tasks| tasks.iter().any(|t| POSTING_TASKS.contains(&t.as_str())))
    }
}

impl Facebook {
    /// Every row of a Graph edge, following its cursors (never the `next` URL the
    /// network sends, so a request only ever goes to the configured Graph base).
    async fn edge<T: DeserializeOwned>(
        &self,
        path: &str,
        fields: &str,
        token: &str,
    ) -> ProviderResult<Vec<T>> {
        let mut rows = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_EDGE_PAGES {
            let mut query = vec![("fields", fields)];
            if let Some(cursor) = after.as_deref() {
                query.push(("after", cursor));
            }
            let page: Edge<T> = http::json(self.get(path, token, &query)).await?;
            rows.extend(page.data);
            after = page
                .paging
                .filter(|p| p.next.is_some())
                .and_then(|p| p.cursors)
                .and_then(|c| c.after);
            if after.is_none() {
                break;
            }
        }
        Ok(rows)
    }

    /// The Pages of the login: its direct ones first, then those of its Business
    /// Managers (when `business_management` was granted) that are not already listed.
    pub(super) async fn pages(&self, grant: &Grant) -> ProviderResult<Vec<Page>> {
        let token = grant.access_token.expose();
        let mut pages: Vec<Page> = self
            .edge("me/accounts", "id,name,access_token,tasks,link", token)
            .await?;
        if !grant.scopes.iter().any(|s| s == "business_management") {
            return Ok(pages);
        }
        let businesses: Vec<Business> = self.edge("me/businesses", "id,name", token).await?;
        let mut seen: HashSet<String> = pages.iter().map(|p| p.id.clone()).collect();
        for business in businesses.iter().take(MAX_BUSINESSES) {
            // Ids come from Graph; anything but digits would change the path.
            if business.id.is_empty() || !business.id.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            for edge in ["owned_pages", "client_pages"] {
                let path = format!("{}/{edge}", business.id);
                let found: Vec<Page> =
                    match self.edge(&path, "id,name,access_token,link", token).await {
                        Ok(found) => found,
                        // A Business Manager whose Pages this person may not list (a
                        // permission error on its edge) hides only its own Pages.
                        Err(ProviderError::Dead(StatusReason::PermissionRevoked)) => continue,
                        Err(other) => return Err(other),
                    };
                pages.extend(found.into_iter().filter(|p| seen.insert(p.id.clone())));
            }
        }
        Ok(pages)
    }

    /// The Page as an account of the login `person`, holding `grant`'s permissions.
    pub(super) fn account(page: Page, person: &str, grant: &Grant) -> Option<Account> {
        let token = page.access_token?;
        let mut permissions = grant.scopes.clone();
        permissions.extend(page.tasks.unwrap_or_default());
        Some(Account {
            profile_url: page
                .link
                .or_else(|| Some(format!("https://www.facebook.com/{}", page.id))),
            external_account_id: page.id,
            network_user_id: Some(person.to_owned()),
            display_name: page.name,
            permissions,
            grant: Grant {
                access_token: Secret::new(token),
                refresh_token: None,
                expires_at: None,
                refresh_expires_at: None,
                scopes: grant.scopes.clone(),
            },
        })
    }
}
