//! The bounds the listener keeps on connections, from configuration.

use std::time::Duration;

use ipnet::IpNet;

use super::Config;

/// How many connections may be open at once, in all and per client address; how long
/// a client may take to send a request's head (or to start the next request on a
/// kept-alive connection); and which addresses are proxies, whose many clients share
/// their address and so are not held to the per-address cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeLimits {
    pub max_connections: usize,
    pub max_per_address: usize,
    pub header_timeout: Duration,
    pub trusted: Vec<IpNet>,
}

/// Proxies trusted when none are configured: this machine's own (a proxy or load
/// balancer on the same host).
pub const LOOPBACK: [&str; 2] = ["127.0.0.0/8", "::1/128"];

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            max_connections: 1024,
            max_per_address: 64,
            header_timeout: Duration::from_secs(10),
            trusted: LOOPBACK.iter().filter_map(|n| n.parse().ok()).collect(),
        }
    }
}

/// The networks of `list` (comma-separated addresses or CIDR ranges; `none` for no
/// proxy at all), or the first entry that is neither.
pub fn trusted_proxies(list: Option<&str>) -> Result<Vec<IpNet>, String> {
    let Some(list) = list else {
        return Ok(ServeLimits::default().trusted);
    };
    if list.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| entry.to_owned())
        })
        .collect()
}

impl Config {
    /// The bounds `serve` keeps on connections.
    pub fn serve_limits(&self) -> ServeLimits {
        ServeLimits {
            max_connections: usize::try_from(self.max_connections)
                .unwrap_or(usize::MAX)
                .max(1),
            max_per_address: usize::try_from(self.max_connections_per_address)
                .unwrap_or(usize::MAX)
                .max(1),
            header_timeout: Duration::from_secs(self.header_timeout_secs.max(1)),
            // `load` refused a list that does not parse.
            trusted: trusted_proxies(self.trusted_proxies.as_deref()).unwrap_or_default(),
        }
    }
}
