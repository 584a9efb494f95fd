//! Who the client is, by address: the TCP peer, or, when the peer is a trusted proxy
//! (`SOCIALGATE_TRUSTED_PROXIES`), the nearest address it forwarded that is not itself
//! a trusted proxy. Behind a load balancer, anonymous callers are then counted each by
//! their own address instead of sharing the balancer's budget; a client that sends its
//! own `X-Forwarded-For` past no trusted proxy is counted by its peer address as before.

use std::net::{IpAddr, SocketAddr};

use axum::{extract::ConnectInfo, http::HeaderMap};
use ipnet::IpNet;

/// The client address of a request with `headers` from `peer` (`None` when the
/// router runs without connect info).
pub fn address(
    peer: Option<&ConnectInfo<SocketAddr>>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    // An IPv4 client of a dual-stack listener arrives as `::ffff:a.b.c.d`.
    let peer = peer?.0.ip().to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Each proxy appends the address it received from: read from the right, past the
    // trusted ones.
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| entry.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .iter()
            .rev()
            .find(|ip| !is_trusted(ip))
            .copied()
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", xff.parse().expect("header"));
        headers
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let from = |peer: &str| ConnectInfo(SocketAddr::new(peer.parse().expect("ip"), 4000));
        // Through the balancer: the client it saw, not what the client claimed.
        assert_eq!(
            address(
                Some(&from("10.0.0.2")),
                &headers("1.2.3.4, 198.51.100.7, 10.0.0.9"),
                &trusted
            ),
            Some("198.51.100.7".parse().expect("ip"))
        );
        // Straight from the internet: the header is the client's own words.
        assert_eq!(
            address(Some(&from("203.0.113.5")), &headers("1.2.3.4"), &trusted),
            Some("203.0.113.5".parse().expect("ip"))
        );
        // The balancer itself (health checks): its own address.
        assert_eq!(
            address(Some(&from("10.0.0.2")), &HeaderMap::new(), &trusted),
            Some("10.0.0.2".parse().expect("ip"))
        );
        assert_eq!(address(None, &HeaderMap::new(), &trusted), None);
    }
}
