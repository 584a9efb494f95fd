//! A person's Daily Digest settings: on or off, the local hour and time zone it comes
//! at, where it goes, and (for compliance) whether it lists the tenant's review queue.
//! One shape from the API input to the stored row, checked here.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use super::input::{self, Lines, MAX_EMAIL};

/// The hour a digest comes at unless the person picks another.
pub const DEFAULT_HOUR: i32 = 8;

/// A change of settings; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationChange {
    pub daily_digest: Option<bool>,
    /// An IANA name such as `Europe/Berlin`.
    pub time_zone: Option<String>,
    /// 0–23, local time.
    pub hour_of_day: Option<i32>,
    /// `Some(None)`: back to the token's address; `Some(Some(a))`: send to `a`.
    pub email: Option<Option<String>>,
    /// List the tenant's pending approvals and new problems too.
    pub compliance_digest: Option<bool>,
    /// An address that waits for its confirmation link (set by [`Self::confirming`],
    /// never by the client): `Some(None)` withdraws one that waited.
    pub pending_email: Option<Option<String>>,
}

impl NotificationChange {
    /// Refuses an unknown time zone, an hour outside 0–23 or an address that cannot be
    /// one, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(zone) = &self.time_zone {
            time_zone(zone)?;
        }
        if let Some(hour) = self.hour_of_day
            && !(0..24).contains(&hour)
        {
            return Err("hourOfDay must be between 0 and 23".into());
        }
        if let Some(Some(address)) = &self.email {
            email(address)?;
        }
        Ok(())
    }
}

impl NotificationChange {
    /// Decides where a chosen address goes before it is stored. Mail goes at once only
    /// to an address someone already vouched for: the token's own (the identity
    /// provider's) or the one confirmed before. Any other waits, and the change names
    /// it as the pending address, to be confirmed by a link mailed there; meanwhile
    /// the digest keeps its address. Going back to the token's address, or choosing a
    /// vouched one, withdraws an address that waited. Returns the address to confirm.
    pub fn confirming(&mut self, token: Option<&str>, confirmed: Option<&str>) -> Option<String> {
        let chosen = match &self.email {
            None => return None,
            Some(None) => {
                self.pending_email = Some(None);
                return None;
            }
            Some(Some(address)) => address.clone(),
        };
        let same = |known: Option<&str>| known.is_some_and(|k| k.eq_ignore_ascii_case(&chosen));
        if same(token) || same(confirmed) {
            self.pending_email = Some(None);
            return None;
        }
        self.email = None;
        self.pending_email = Some(Some(chosen.clone()));
        Some(chosen)
    }
}

/// The time zone called `name` (IANA, e.g. `America/New_York`).
pub fn time_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("timeZone {name:?} is not an IANA time zone name such as Europe/Berlin")
    })
}

/// The local date whose digest is due at `now` for someone at `hour` in `zone`: today's,
/// once the local clock has reached the hour (so a missed hour, or one skipped by a
/// daylight-saving change, is made up later that day); `None` before it.
pub fn due(now: DateTime<Utc>, zone: Tz, hour: i32) -> Option<NaiveDate> {
    let local = now.with_timezone(&zone);
    (i64::from(local.hour()) >= i64::from(hour)).then(|| local.date_naive())
}

/// `address` when it is one plain mailbox: `local@domain.tld`, where the local part is
/// dot-separated atoms and the domain is a host name. This is the one rule for every
/// address mail goes to (a chosen one and a token's alike), and stricter than the
/// mailer's own parser, so an accepted address is always sendable: no lists, no quoted
/// local parts, no address literals (`a@[127.0.0.1]`), no `%` or `!` routing through
/// another host.
pub fn email(address: &str) -> Result<&str, String> {
    input::text("email", address, MAX_EMAIL, Lines::Single)?;
    let refused = || Err(format!("email {address:?} is not an e-mail address"));
    let Some((local, domain)) = address.split_once('@') else {
        return refused();
    };
    let atom_char = |c: char| c.is_ascii_alphanumeric() || "#$&'*+-/=?^_`{|}~".contains(c);
    let local_ok = local.len() <= 64
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atom_char));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && domain_ok {
        Ok(address)
    } else {
        refused()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_plain_mailboxes_are_addresses() {
        for good in [
            "ada@example.com",
            "o'neil+digest@mail.example.co.uk",
            "a.b@x-y.example",
        ] {
            assert_eq!(email(good), Ok(good), "{good}");
        }
        for bad in [
            "a@[127.0.0.1]",
            "a@127.0.0.1",
            "a%b@example.com",
            "a!b@example.com",
            "\"a b\"@example.com",
            "a@example.com, b@example.com",
            "Ada <a@example.com>",
            "a@@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@localhost",
            "a@example.com\u{2028}",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_local_hour_follows_daylight_saving() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 8, h, m, 0).unwrap();
        let ny: Tz = "America/New_York".parse().unwrap();
        // 8 March 2026: New York moves to EDT (UTC-4) at 02:00 local.
        assert_eq!(due(at(11, 59), ny, 8), None);
        assert_eq!(due(at(12, 0), ny, 8), NaiveDate::from_ymd_opt(2026, 3, 8));
        // 02:00 does not exist that day: it is due at 03:00 EDT (07:00 UTC).
        assert_eq!(due(at(6, 59), ny, 2), None);
        assert_eq!(due(at(7, 0), ny, 2), NaiveDate::from_ymd_opt(2026, 3, 8));
    }

    #[test]
    fn zones_hours_and_addresses_are_checked() {
        let ok = NotificationChange {
            time_zone: Some("Asia/Kolkata".into()),
            hour_of_day: Some(23),
            email: Some(Some("a.b@example.com".into())),
            ..Default::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        for bad in [
            NotificationChange {
                time_zone: Some("Mars/Olympus".into()),
                ..Default::default()
            },
            NotificationChange {
                hour_of_day: Some(24),
                ..Default::default()
            },
            NotificationChange {
                email: Some(Some("two@x.com, three@y.com".into())),
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_vouched_addresses_take_effect_at_once() {
        let choose = |address: &str| NotificationChange {
            email: Some(Some(address.into())),
            ..Default::default()
        };
        // A new address waits for its link; the digest keeps its address.
        let mut change = choose("new@example.com");
        let to_confirm = change.confirming(Some("me@corp.example"), None);
        assert_eq!(to_confirm.as_deref(), Some("new@example.com"));
        assert_eq!(change.email, None);
        assert_eq!(change.pending_email, Some(Some("new@example.com".into())));
        // The token's own, or the one confirmed before, in any case: at once.
        for (token, confirmed) in [
            (Some("ME@corp.example"), None),
            (None, Some("me@CORP.example")),
        ] {
            let mut change = choose("me@corp.example");
            assert_eq!(change.confirming(token, confirmed), None);
            assert_eq!(change.email, Some(Some("me@corp.example".into())));
            assert_eq!(change.pending_email, Some(None));
        }
        // Back to the token's address withdraws one that waited.
        let mut back = NotificationChange {
            email: Some(None),
            ..Default::default()
        };
        assert_eq!(back.confirming(Some("me@corp.example"), None), None);
        assert_eq!(back.pending_email, Some(None));
        // No address in the change: nothing about addresses moves.
        let mut hour = NotificationChange {
            hour_of_day: Some(9),
            ..Default::default()
        };
        assert_eq!(hour.confirming(None, None), None);
        assert_eq!(hour.pending_email, None);
    }
}
