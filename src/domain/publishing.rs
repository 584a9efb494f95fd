//! When a delivery that did not leave is tried again, when it is given up, and whether
//! a held one may still leave once its account works again.
//!
//! A passing fault (a timeout, a 5xx, a throttle or a publishing quota) is tried again
//! with doubling waits, or after the wait the network asked for when that is longer;
//! after [`MAX_ATTEMPTS`] the delivery fails with the last fault's words, so a network
//! that is down for a day does not publish yesterday's post tomorrow without a person
//! deciding.

use chrono::{DateTime, Duration, Utc};
use entity::enums::Network;

use super::posts::Content;

/// What one network is sent for `content`, and what compliance sees for it. LinkedIn
/// and a Facebook text post carry the link as a link (a preview card); an Instagram
/// caption shows no links and a Facebook photo post has no link card, so there the
/// link goes at the end of the text, after a blank line.
pub fn rendition(content: &Content, network: Network) -> Content {
    let keeps_link = match network {
        Network::Linkedin => true,
        Network::Facebook => content.image_urls.is_empty(),
        Network::Instagram => false,
    };
    let mut text = content.text.clone();
    let mut link = content.link.clone();
    if !keeps_link && let Some(url) = link.take() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&url);
    }
    Content {
        text,
        link,
        image_urls: content.image_urls.clone(),
    }
}

/// Tries of one delivery before it fails (the first included).
pub const MAX_ATTEMPTS: i32 = 6;
/// The wait after the first passing fault; doubled after each further one.
pub const FIRST_RETRY: Duration = Duration::seconds(60);
/// The longest wait between two tries, whatever the network asked.
pub const LONGEST_WAIT: Duration = Duration::hours(6);

/// When a delivery that has been tried `attempts` times (this one included) and hit a
/// passing fault is tried again: `None` once it has had its tries. `asked` is how long
/// the network asked us to wait, when it said.
pub fn retry_at(
    attempts: i32,
    now: DateTime<Utc>,
    asked: Option<std::time::Duration>,
) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    let backoff = FIRST_RETRY * (1 << doublings);
    let asked = asked
        .and_then(|wait| Duration::from_std(wait).ok())
        .unwrap_or_default();
    Some(now + backoff.max(asked).min(LONGEST_WAIT))
}

/// Whether a delivery held since it fell due at `due_at` still leaves when its account
/// works again at `now`: within `window` of its time. Later than that, the moment
/// has passed (a market comment of Monday is wrong on Thursday) and its author
/// reschedules or cancels it.
pub fn resumes(due_at: DateTime<Utc>, now: DateTime<Utc>, window: Duration) -> bool {
    now <= due_at + window
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_move_into_the_text_where_the_network_shows_no_card() {
        let content = Content {
            text: "Rates".into(),
            link: Some("https://example.com/a".into()),
            image_urls: vec![],
        };
        assert_eq!(rendition(&content, Network::Linkedin), content);
        assert_eq!(rendition(&content, Network::Facebook), content);
        let photo = Content {
            image_urls: vec!["https://example.com/i.jpg".into()],
            ..content.clone()
        };
        let caption = rendition(&photo, Network::Instagram);
        assert_eq!(caption.text, "Rates\n\nhttps://example.com/a");
        assert_eq!(caption.link, None);
        assert_eq!(rendition(&photo, Network::Facebook), caption);
    }

    #[test]
    fn retries_double_honour_the_network_and_stop() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(retry_at(1, now, None), Some(now + Duration::seconds(60)));
        assert_eq!(retry_at(3, now, None), Some(now + Duration::seconds(240)));
        let asked = std::time::Duration::from_secs(3600);
        assert_eq!(
            retry_at(1, now, Some(asked)),
            Some(now + Duration::hours(1))
        );
        let day = std::time::Duration::from_secs(86_400);
        assert_eq!(retry_at(2, now, Some(day)), Some(now + LONGEST_WAIT));
        assert_eq!(retry_at(MAX_ATTEMPTS, now, None), None);
    }

    #[test]
    fn held_deliveries_resume_only_within_the_window() {
        let due = DateTime::<Utc>::UNIX_EPOCH;
        let window = Duration::hours(24);
        assert!(resumes(due, due + Duration::hours(23), window));
        assert!(resumes(due, due + window, window));
        assert!(!resumes(due, due + window + Duration::seconds(1), window));
    }
}
