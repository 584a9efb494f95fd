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

/// The one stylesheet of every page the server renders (callback, digest links,
/// data-deletion status, the sandbox's consent and feed pages): the console's colours,
/// type and card, so a person who follows a link from the console or a mail lands on
/// a page that looks like the same product. Inline, so the policy needs no other
/// source.
pub const STYLE: &str = ":root{--bg:#f4f6f9;--surface:#fff;--border:#d5dbe3;--text:#18212f;\
--muted:#536072;--primary:#1d4ed8;--primary-hover:#1e40af;--danger:#b42318}\
*{box-sizing:border-box}\
body{margin:0;background:var(--bg);color:var(--text);\
font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
main{max-width:36rem;margin:3rem auto;padding:1.5rem;background:var(--surface);\
border:1px solid var(--border);border-radius:12px;box-shadow:0 1px 2px rgba(16,24,40,.06)}\
.brand{font-size:.8125rem;font-weight:700;letter-spacing:.04em;text-transform:uppercase;\
color:var(--muted);margin:0 0 .5rem}\
h1{font-size:1.25rem;margin:0 0 .75rem}h2{font-size:1rem;margin:1.25rem 0 .5rem}\
p{margin:.5rem 0}.muted{color:var(--muted);font-size:.875rem}\
a{color:var(--primary)}code,pre{font:.8125rem/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}\
pre{background:#f8f9fb;border:1px solid var(--border);border-radius:8px;padding:.75rem;\
white-space:pre-wrap;word-break:break-all}\
button,.button,a.login,a.deny{display:inline-block;font:inherit;font-weight:600;padding:.55rem 1rem;\
border-radius:8px;border:1px solid var(--primary);background:var(--primary);color:#fff;\
cursor:pointer;text-decoration:none;margin:.25rem .5rem .25rem 0}\
button:hover,.button:hover,a.login:hover{background:var(--primary-hover);color:#fff}\
button.secondary,.button.secondary,a.deny{background:#fff;color:var(--primary)}\
button:focus-visible,a:focus-visible{outline:3px solid #93b4f5;outline-offset:2px}\
ul.choices{list-style:none;padding:0}ul.choices li{margin:.25rem 0}\
[hidden]{display:none}\
@media (max-width:40rem){main{margin:0;border-radius:0;border-width:0 0 1px}}";

/// A whole page: `title` (text, escaped here) over `body` (markup, already escaped by
/// the caller), under the one stylesheet, with `script` (inline, run under the page's
/// nonce) when given.
pub fn document(title: &str, body: &str, script: Option<(&str, &str)>) -> String {
    let script = match script {
        Some((nonce, code)) => format!("<script nonce=\"{nonce}\">{code}</script>"),
        None => String::new(),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main><p class=\"brand\">socialgate</p><h1>{title}</h1>{body}</main>{script}\
         </body></html>",
        title = escape(title),
    )
}

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
