//! When identical content leaves: the same text (however cased or spaced) and link,
//! sent to several accounts of one tenant at one moment, is what networks treat as
//! spam, so such deliveries are kept a gap apart.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::posts::Content;

/// What identical content shares however it is cased or spaced: the text with case
/// and runs of whitespace folded, and the link (SHA-256, lowercase hex). Deliveries of
/// one key are spread apart in time.
pub fn key(content: &Content) -> String {
    let text = content
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    hasher.update([0]);
    hasher.update(content.link.as_deref().unwrap_or_default().as_bytes());
    hex::encode(hasher.finalize())
}

/// When each delivery of identical content leaves, so that no two of them (these and
/// the `taken` times of others) leave within `gap` of each other: networks treat
/// identical posts to several accounts at one moment as spam. A wanted time that
/// crowds none stays; one that does moves past what it crowds, each step a `gap` and
/// its `jitter` (so the times do not line up on a grid). The answer is in `wanted`'s
/// order and is the time each leaves.
pub fn times(
    wanted: &[DateTime<Utc>],
    taken: &[DateTime<Utc>],
    gap: chrono::Duration,
    jitter: &[chrono::Duration],
) -> Vec<DateTime<Utc>> {
    let mut taken = taken.to_vec();
    let mut times = Vec::with_capacity(wanted.len());
    for (i, want) in wanted.iter().enumerate() {
        let mut at = *want;
        let jitter = jitter.get(i).copied().unwrap_or_default();
        // Each step moves past one crowding time by at least the gap, and never
        // back: it ends.
        while let Some(crowded) = taken.iter().find(|t| (**t - at).abs() < gap) {
            at = *crowded + gap + jitter;
        }
        taken.push(at);
        times.push(at);
    }
    times
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::posts::{content, hash};

    #[test]
    fn identical_content_never_leaves_within_the_gap() {
        let nine: DateTime<Utc> = "2030-01-02T09:00:00Z".parse().expect("time");
        let gap = chrono::Duration::seconds(60);
        let minute = |m: i64| nine + chrono::Duration::minutes(m);
        // Three accounts at 9:00, one already taken at 9:00 and one at 9:02.
        let spread = times(&[nine, nine, nine], &[minute(0), minute(2)], gap, &[]);
        assert_eq!(spread, vec![minute(1), minute(3), minute(4)]);
        // A time that crowds nothing stays; a moved one gets its jitter on top.
        let jitter = [chrono::Duration::seconds(20), chrono::Duration::seconds(5)];
        let spread = times(&[nine, nine], &[], gap, &jitter);
        assert_eq!(spread, vec![nine, nine + chrono::Duration::seconds(65)]);
        // Case and spacing do not make content different.
        let a = content("Our  Outlook", None, &[]).expect("valid");
        let b = content("our outlook", None, &[]).expect("valid");
        assert_eq!(key(&a), key(&b));
        assert_ne!(hash(&a), hash(&b));
    }
}
