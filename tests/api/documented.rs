//! The networks' answers as their documentation shows them, for the local servers that
//! stand in for LinkedIn and Meta in these tests. Each builder names the page it
//! follows; where captured real answers differ from the page, both shapes are here and
//! the tests send both. A body of our own invention proves nothing about a network, so
//! every fixture builds its answers from these.

use axum::http::StatusCode;
use serde_json::{Value, json};

/// Meta's Graph API (Facebook, and Instagram's Graph host).
pub mod graph {
    use super::*;

    /// The Graph error body, "Handling Errors":
    /// <https://developers.facebook.com/docs/graph-api/guides/error-handling> —
    /// `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
    pub fn error(code: i64, subcode: Option<i64>, message: &str) -> (StatusCode, Value) {
        let mut error = json!({
            "message": message,
            "type": if code == 190 { "OAuthException" } else { "GraphMethodException" },
            "code": code,
            "fbtrace_id": "AbCdEfGhIjK",
        });
        if let Some(sub) = subcode {
            error["error_subcode"] = json!(sub);
        }
        (StatusCode::BAD_REQUEST, json!({ "error": error }))
    }

    /// What Graph answers when "Require App Secret" is on and a call carries no valid
    /// `appsecret_proof`, "Securing Requests":
    /// <https://developers.facebook.com/docs/graph-api/securing-requests>.
    pub fn proof_refused(present: bool) -> (StatusCode, Value) {
        error(
            100,
            None,
            if present {
                "Invalid appsecret_proof provided in the API argument"
            } else {
                "API calls from the server require an appsecret_proof argument"
            },
        )
    }

    /// A token answer (`access_token`, `token_type`, `expires_in`), "Get Long-Lived
    /// Access Tokens":
    /// <https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived>.
    pub fn token(access_token: &str, expires_in: i64) -> Value {
        json!({ "access_token": access_token, "token_type": "bearer", "expires_in": expires_in })
    }

    /// One page of an edge with its cursors, "Paginated Results":
    /// <https://developers.facebook.com/docs/graph-api/results>. `next` is present only
    /// when there is another page.
    pub fn edge(data: Vec<Value>, after: &str, next: Option<&str>) -> Value {
        let mut paging = json!({ "cursors": { "before": "QVFIUmFi", "after": after } });
        if let Some(next) = next {
            paging["next"] = json!(next);
        }
        json!({ "data": data, "paging": paging })
    }

    /// `/me/permissions`, "User Permissions":
    /// <https://developers.facebook.com/docs/graph-api/reference/user/permissions/> —
    /// one row per permission with `status` granted or declined.
    pub fn permissions(granted: &[&str], declined: &[&str]) -> Value {
        let rows = granted
            .iter()
            .map(|p| json!({ "permission": p, "status": "granted" }))
            .chain(
                declined
                    .iter()
                    .map(|p| json!({ "permission": p, "status": "declined" })),
            )
            .collect::<Vec<_>>();
        json!({ "data": rows })
    }

    /// A Page of `/me/accounts`, "User Accounts":
    /// <https://developers.facebook.com/docs/graph-api/reference/user/accounts/> — with
    /// the person's `tasks` on it and a Page access token.
    pub fn account(id: &str, name: &str, token: &str, tasks: &[&str]) -> Value {
        json!({ "id": id, "name": name, "access_token": token, "category": "Financial Service", "tasks": tasks })
    }

    /// A Page of a Business Manager's `owned_pages` or `client_pages`, "Business Owned
    /// Pages": <https://developers.facebook.com/docs/graph-api/reference/business/owned_pages/>
    /// — Page nodes with the fields asked for (no `tasks`); `access_token` only where the
    /// person may act for the Page.
    pub fn business_page(id: &str, name: &str, token: Option<&str>) -> Value {
        let mut page = json!({ "id": id, "name": name });
        if let Some(token) = token {
            page["access_token"] = json!(token);
        }
        page
    }
}

/// Instagram API with Instagram Login.
pub mod instagram {
    use super::*;

    /// `api.instagram.com`'s own error body (the code exchange), "Business Login for
    /// Instagram":
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login>
    /// — `{"error_type", "code", "error_message"}`.
    pub fn oauth_error(message: &str) -> (StatusCode, Value) {
        (
            StatusCode::BAD_REQUEST,
            json!({ "error_type": "OAuthException", "code": 400, "error_message": message }),
        )
    }

    /// The short-lived token answer of the same page: documented wrapped in `data`,
    /// with `permissions` comma-separated; captured answers come flat with an array.
    pub fn short_lived(token: &str, user_id: u64, permissions: &[&str], wrapped: bool) -> Value {
        if wrapped {
            json!({ "data": [{ "access_token": token, "user_id": user_id, "permissions": permissions.join(",") }] })
        } else {
            json!({ "access_token": token, "user_id": user_id, "permissions": permissions })
        }
    }

    /// `GET /{version}/me`, "Get Started" of the Instagram API with Instagram Login:
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started>.
    pub fn me(id: &str, username: &str, account_type: &str) -> Value {
        json!({ "user_id": id, "username": username, "account_type": account_type, "id": id })
    }
}

/// LinkedIn (Microsoft Learn's LinkedIn pages).
pub mod linkedin {
    use super::*;

    /// An API error, "Error Handling":
    /// <https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling>
    /// — documented as `{"status", "serviceErrorCode", "message"}`; newer answers add a
    /// string `code` (`Some` here sends it).
    pub fn error(
        status: StatusCode,
        service_code: i64,
        code: Option<&str>,
        message: &str,
    ) -> (StatusCode, Value) {
        let mut body = json!({ "status": status.as_u16(), "serviceErrorCode": service_code, "message": message });
        if let Some(code) = code {
            body["code"] = json!(code);
        }
        (status, body)
    }

    /// A refused refresh as "Refresh Tokens with OAuth 2.0" documents it:
    /// <https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens>.
    pub fn refresh_refused() -> (StatusCode, Value) {
        (
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_request", "error_description": "The provided authorization grant or refresh token is invalid, expired or revoked." }),
        )
    }

    /// A refused refresh as captured from LinkedIn in practice (`invalid_grant`).
    pub fn refresh_refused_seen() -> (StatusCode, Value) {
        (
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_grant", "error_description": "The provided authorization grant is invalid" }),
        )
    }

    /// The token answer, "Authorization Code Flow":
    /// <https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow>
    /// — no `token_type`; `refresh_token` and `refresh_token_expires_in` only for
    /// partners granted refresh tokens; `scope` comma-separated.
    pub fn token(access: &str, refresh: Option<(&str, i64)>) -> Value {
        let mut body = json!({ "access_token": access, "expires_in": 5_183_999, "scope": "email,openid,profile,w_member_social" });
        if let Some((refresh, lasts)) = refresh {
            body["refresh_token"] = json!(refresh);
            body["refresh_token_expires_in"] = json!(lasts);
        }
        body
    }

    /// `POST /oauth/v2/introspectToken`, "Token Introspection":
    /// <https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection>.
    pub fn introspection(status: &str) -> Value {
        if status == "active" {
            json!({ "active": true, "status": "active", "scope": "email,openid,profile,w_member_social", "auth_type": "3L", "expires_at": 1_900_000_000, "client_id": "789", "authorized_at": 1_700_000_000, "created_at": 1_700_000_000 })
        } else {
            json!({ "active": false, "status": status })
        }
    }

    /// `GET /v2/userinfo`, "Sign In with LinkedIn using OpenID Connect":
    /// <https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2>.
    pub fn userinfo(sub: &str, name: &str) -> Value {
        json!({ "sub": sub, "name": name, "given_name": name.split(' ').next().unwrap_or(name), "family_name": name.rsplit(' ').next().unwrap_or(name), "email": "jordan@example.com", "email_verified": true, "locale": { "country": "US", "language": "en" } })
    }
}

/// What the networks answer when a post is published.
pub mod publishing {
    use super::*;

    /// LinkedIn's refusal of a post the member already published. This body is not on
    /// LinkedIn's pages: it is the answer captured in public reports of the Posts API
    /// (a 422 whose `errorDetails.inputErrors[].code` is `DUPLICATE_POST`), as
    /// docs/NETWORKS.md says.
    pub fn linkedin_duplicate(earlier: &str) -> (StatusCode, Value) {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({
                "errorDetailType": "com.linkedin.common.error.BadRequest",
                "message": format!("com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of {earlier}"),
                "errorDetails": { "inputErrors": [{ "description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST" }] },
                "status": 422,
            }),
        )
    }

    /// A Page post created, "Pages API: Posts":
    /// <https://developers.facebook.com/docs/pages-api/posts> — `{id}` as
    /// `{page-id}_{post-id}`.
    pub fn page_post(id: &str) -> Value {
        json!({ "id": id })
    }

    /// A photo created, the Photo reference ("Creating"):
    /// <https://developers.facebook.com/docs/graph-api/reference/photo/> — the photo's
    /// `id` and the feed post that shows it, `post_id`.
    pub fn photo(id: &str, post_id: &str) -> Value {
        json!({ "id": id, "post_id": post_id })
    }

    /// A Page post's link, the Page Post reference:
    /// <https://developers.facebook.com/docs/graph-api/reference/pagepost/>.
    pub fn permalink_url(id: &str, url: &str) -> Value {
        json!({ "permalink_url": url, "id": id })
    }

    /// Graph error 506, "Handling Errors"
    /// (<https://developers.facebook.com/docs/graph-api/guides/error-handling>): a
    /// duplicate post.
    pub fn duplicate_status() -> (StatusCode, Value) {
        graph::error(506, None, "(#506) Duplicate status message")
    }

    /// An Instagram account's publishing quota, `content_publishing_limit`:
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit>.
    pub fn quota(used: u64, total: u64) -> Value {
        json!({ "data": [{ "quota_usage": used, "config": { "quota_total": total, "quota_duration": 86400 } }] })
    }

    /// A container's or media's id, "Content Publishing":
    /// <https://developers.facebook.com/docs/instagram-platform/content-publishing/>.
    pub fn created(id: &str) -> Value {
        json!({ "id": id })
    }

    /// A container's `status_code` (`EXPIRED`, `ERROR`, `FINISHED`, `IN_PROGRESS`,
    /// `PUBLISHED`), the IG Container reference:
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container>.
    pub fn container(id: &str, status: &str) -> Value {
        json!({ "status_code": status, "id": id })
    }

    /// A media's `permalink`, the IG Media reference:
    /// <https://developers.facebook.com/docs/instagram-platform/reference/instagram-media>.
    pub fn permalink(id: &str, url: &str) -> Value {
        json!({ "permalink": url, "id": id })
    }

    /// The refusal once the quota is used, the Instagram error codes page:
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes>
    /// — code 9, subcode 2207042.
    pub fn quota_reached() -> (StatusCode, Value) {
        graph::error(
            9,
            Some(2207042),
            "You reached maximum number of posts that is allowed to be published by Content Publishing API.",
        )
    }
}
