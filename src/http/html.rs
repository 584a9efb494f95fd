//! The HTML pages the server renders (the OAuth callback page, the unsubscribe and
//! data-deletion pages, the sandbox consent page): text placed into them goes through
//! [`escape`], so no value can become markup, and every HTML answer carries one header
//! policy ([`secure`]): a Content-Security-Policy that allows no script (a page with
//! one names it by a nonce, [`policy_with_script`]) and no framing, `nosniff`, and no
//! `Referer` (the callback page's URL carries the sign-in's code and state).

use axum::{
    http::{HeaderValue, header},
    response::Response,
};
use rand::RngCore;

/// The policy of a page without script: inline styles, forms back to this server,
/// nothing else, never inside a frame.
pub const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                          form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// [`POLICY`] plus the one inline script carrying `nonce`.
pub fn policy_with_script(nonce: &str) -> String {
    format!("{POLICY}; script-src 'nonce-{nonce}'")
}

/// A fresh nonce for one page's inline script.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Response layer: an HTML answer gets [`POLICY`] unless it set its own, and always
/// `nosniff` and `Referrer-Policy: no-referrer`.
pub async fn secure(mut response: Response) -> Response {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return response;
    }
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(POLICY),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

pub use crate::domain::input::escape_html as escape;

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_neutralised() {
        assert_eq!(
            super::escape(r#"<a href="x">O'Neil & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
    }
}
