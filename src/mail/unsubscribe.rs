//! One-click unsubscribe links: a digest carries a link that turns the digest off
//! without signing in (mail clients POST to it, RFC 8058), so the link itself is the
//! credential. It names the tenant, the person, the version of their digest settings
//! it was sent under (so it works once, and not after the settings changed) and an
//! expiry, signed with HMAC-SHA256 under a server key; a changed or expired link is
//! refused. Links made before they named a version still read, without one.
//!
//! The same kind of link, under a key of its own ([`Signer::for_purpose`]) so one
//! cannot stand for the other, confirms an address a person chose for their digest.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::domain::{TenantId, UserId};

/// How long a link keeps working: a person may act on a mail weeks later.
pub const VALID_FOR: Duration = Duration::days(60);

/// The label of the key derived from the token keys when none is configured.
pub const KEY_LABEL: &str = "socialgate digest unsubscribe v1";

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a link this server made (or it was changed).
    Forged,
    /// Past its expiry.
    Expired,
}

/// Signs and checks links with one key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
    valid_for: Duration,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    pub fn new(key: &[u8]) -> Signer {
        Signer {
            key: key.to_vec(),
            valid_for: VALID_FOR,
        }
    }

    /// A signer for another kind of link, with a key derived from this one for
    /// `purpose`: a link made for one purpose is forged for every other.
    pub fn for_purpose(&self, purpose: &str, valid_for: Duration) -> Signer {
        Signer {
            key: self.mac(purpose).finalize().into_bytes().to_vec(),
            valid_for,
        }
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(payload.as_bytes());
        mac
    }

    /// The token for `user` of `tenant` whose settings are at `version`, valid until
    /// `now` plus the signer's validity ([`VALID_FOR`] for unsubscribe links).
    pub fn sign(&self, link: Link, now: DateTime<Utc>) -> String {
        let expires = (now + self.valid_for).timestamp();
        let payload = format!(
            "{}.{}.v{}.{expires}",
            link.tenant.uuid().simple(),
            link.user.uuid().simple(),
            link.version.unwrap_or(0)
        );
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    /// Whom a token names, read without checking its signature: only to find the key a
    /// derived signer checks it with (see `Signer::for_purpose`). Never act on it alone.
    pub fn unverified_names(&self, token: &str) -> Option<Link> {
        let (payload, _) = token.rsplit_once('.')?;
        let mut parts = payload.split('.');
        let tenant = Uuid::parse_str(parts.next()?).ok()?;
        let user = Uuid::parse_str(parts.next()?).ok()?;
        Some(Link {
            tenant: TenantId(tenant),
            user: UserId(user),
            version: None,
        })
    }

    /// What a token names, if it is genuine and not expired at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Link, Refused> {
        let (payload, tag) = token.rsplit_once('.').ok_or(Refused::Forged)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| Refused::Forged)?;
        self.mac(payload)
            .verify_slice(&tag)
            .map_err(|_| Refused::Forged)?;
        let parts: Vec<&str> = payload.split('.').collect();
        let (tenant, user, version, expires) = match parts[..] {
            [tenant, user, version, expires] => {
                let version = version
                    .strip_prefix('v')
                    .and_then(|v| v.parse::<i32>().ok())
                    .ok_or(Refused::Forged)?;
                (tenant, user, Some(version), expires)
            }
            [tenant, user, expires] => (tenant, user, None, expires),
            _ => return Err(Refused::Forged),
        };
        let tenant = Uuid::parse_str(tenant).map_err(|_| Refused::Forged)?;
        let user = Uuid::parse_str(user).map_err(|_| Refused::Forged)?;
        let expires: i64 = expires.parse().map_err(|_| Refused::Forged)?;
        if now.timestamp() > expires {
            return Err(Refused::Expired);
        }
        Ok(Link {
            tenant: TenantId(tenant),
            user: UserId(user),
            version,
        })
    }
}

/// Whom a link is for, and the version of their digest settings it was sent under
/// (`None` in links made before links named one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub tenant: TenantId,
    pub user: UserId,
    pub version: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genuine_links_work_until_they_expire() {
        let signer = Signer::new(b"a key of thirty-two bytes or more!!");
        let (tenant, user) = (TenantId::generate(), UserId::generate());
        let link = Link {
            tenant,
            user,
            version: Some(3),
        };
        let now = Utc::now();
        let token = signer.sign(link, now);
        assert_eq!(signer.verify(&token, now), Ok(link));
        let changed = token.replace(".v3.", ".v4.");
        assert_eq!(signer.verify(&changed, now), Err(Refused::Forged));
        let later = now + VALID_FOR + Duration::seconds(1);
        assert_eq!(signer.verify(&token, later), Err(Refused::Expired));
        let other = UserId::generate().uuid().simple().to_string();
        let forged = token.replace(&user.uuid().simple().to_string(), &other);
        assert_eq!(signer.verify(&forged, now), Err(Refused::Forged));
        let stranger = Signer::new(b"another key of thirty-two bytes!!!!");
        assert_eq!(stranger.verify(&token, now), Err(Refused::Forged));
        let confirming = signer.for_purpose("confirm", Duration::hours(1));
        assert_eq!(confirming.verify(&token, now), Err(Refused::Forged));
        let confirmation = confirming.sign(link, now);
        assert_eq!(confirming.verify(&confirmation, now), Ok(link));
        assert_eq!(signer.verify(&confirmation, now), Err(Refused::Forged));
        let late = now + Duration::hours(1) + Duration::seconds(1);
        assert_eq!(
            confirming.verify(&confirmation, late),
            Err(Refused::Expired)
        );
    }
}
