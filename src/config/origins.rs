//! The origin policy for frontends, read from `SOCIALGATE_ALLOWED_ORIGINS`.

/// Which browser origins the server deals with: where `returnTo` may send the user,
/// who receives the callback page's message (it carries a one-time completion code)
/// and who may open a WebSocket. With no origins configured, dev mode on loopback
/// accepts any origin for messages and sockets; redirects always need a listed one.
/// When the server serves its console, its own origin (from the public URL) receives
/// messages and opens sockets too. In dev mode its own origin is also a redirect
/// target, so a `returnTo` on the server itself (a page served next to GraphiQL, say)
/// works without configuring anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins {
    pub(super) listed: Vec<String>,
    pub(super) any: bool,
    pub(super) own: Option<String>,
    /// The server's own origin as a redirect target (dev mode only).
    pub(super) own_redirect: Option<String>,
}

impl Origins {
    /// The configured origins (`scheme://host[:port]`).
    pub fn listed(&self) -> &[String] {
        &self.listed
    }

    /// Whether a page of `origin` may open a socket.
    pub fn accepts(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.any || self.listed.iter().any(|o| o == origin) || self.own.as_deref() == Some(origin)
    }

    /// Whether `url` is on a listed origin, or in dev mode the server's own (a
    /// redirect target).
    pub fn lists_url(&self, url: &str) -> bool {
        url::Url::parse(url).is_ok_and(|u| {
            let origin = u.origin().ascii_serialization();
            self.listed.contains(&origin) || self.own_redirect.as_deref() == Some(&origin)
        })
    }

    /// The `targetOrigin`s of `postMessage`: the listed ones, or `*` when any is fine.
    pub fn message_targets(&self) -> Vec<String> {
        if self.any {
            vec!["*".to_owned()]
        } else {
            self.listed.iter().chain(&self.own).cloned().collect()
        }
    }
}
