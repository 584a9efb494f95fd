//! Posts: what content each network takes, the hash an approval is bound to, who may
//! review, and how a post's review moves its deliveries.
//!
//! The networks' limits, from their references: LinkedIn's Posts API `commentary` is
//! shown up to 3,000 characters; a Facebook Page post's `message` up to 63,206; an
//! Instagram caption up to 2,200 characters with at most 30 hashtags and 20 @-tags,
//! and Instagram publishes no text alone (an image is required). A network may refuse
//! more than this (duplicates, its own policies): that refusal fails the delivery in
//! the network's words when it is published.

use std::collections::BTreeSet;

use entity::enums::{ComplianceMode, DeliveryState, Network, PostReview};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{
    Role,
    input::{self, Lines},
    policy::Denied,
};

/// Longest text of any network (Facebook's), checked before the per-network limits.
pub const MAX_TEXT: usize = 63_206;
/// Most image URLs on one post.
pub const MAX_IMAGES: usize = 10;
/// Most integrations one post goes to: every slot a person can have (two LinkedIn
/// profiles, a Facebook Page and an Instagram account).
pub const MAX_TARGETS: usize = 4;

/// What a post says: the part compliance approves and the networks publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Content {
    pub text: String,
    pub link: Option<String>,
    pub image_urls: Vec<String>,
}

/// The text length a network shows, its hashtag and mention caps, and whether it
/// needs an image.
struct Limits {
    text: usize,
    hashtags: Option<usize>,
    mentions: Option<usize>,
    image_required: bool,
    /// Most images one post carries there.
    images: usize,
}

fn limits(network: Network) -> Limits {
    match network {
        Network::Linkedin => Limits {
            text: 3_000,
            hashtags: None,
            mentions: None,
            image_required: false,
            // Images on LinkedIn go through its Images API upload first, which
            // socialgate does not do: a post with images is refused for LinkedIn
            // rather than published without them.
            images: 0,
        },
        Network::Facebook => Limits {
            text: MAX_TEXT,
            hashtags: None,
            mentions: None,
            image_required: false,
            images: MAX_IMAGES,
        },
        Network::Instagram => Limits {
            text: 2_200,
            hashtags: Some(30),
            mentions: Some(20),
            image_required: true,
            // One image per post: carousels are not published yet.
            images: 1,
        },
    }
}

/// Checks and normalises content as written: text trimmed (and not empty unless an
/// image carries the post), link and image URLs absolute `https` URLs.
pub fn content(text: &str, link: Option<&str>, image_urls: &[String]) -> Result<Content, String> {
    let text = input::text("text", text.trim(), MAX_TEXT, Lines::Multi)?.to_owned();
    if text.is_empty() && image_urls.is_empty() {
        return Err("a post needs text or an image".into());
    }
    let link = match link.map(str::trim).filter(|l| !l.is_empty()) {
        Some(link) => Some(https_url("link", link)?),
        None => None,
    };
    if image_urls.len() > MAX_IMAGES {
        return Err(format!("at most {MAX_IMAGES} images per post"));
    }
    let image_urls = image_urls
        .iter()
        .map(|u| https_url("imageUrls", u.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Content {
        text,
        link,
        image_urls,
    })
}

fn https_url(field: &str, value: &str) -> Result<String, String> {
    let value = input::text(field, value, input::MAX_URL, Lines::Single)?;
    match url::Url::parse(value) {
        Ok(url) if url.scheme() == "https" && url.host_str().is_some() => Ok(url.to_string()),
        _ => Err(format!(
            "{field} must be an absolute https URL the networks can fetch: {value:?}"
        )),
    }
}

/// Refuses `content` for `network` with a sentence that names the network's limit.
pub fn fits(content: &Content, network: Network) -> Result<(), String> {
    let limits = limits(network);
    let name = super::network::name(network);
    let content = &super::publishing::rendition(content, network);
    if content.image_urls.len() > limits.images {
        return Err(match limits.images {
            0 => format!("{name} posts are published without images here: remove them"),
            n => format!("{name} takes at most {n} image(s) per post here"),
        });
    }
    let length = content.text.chars().count();
    if length > limits.text {
        return Err(format!(
            "{name} shows at most {} characters; this text has {length}",
            limits.text
        ));
    }
    if limits.image_required && content.image_urls.is_empty() {
        return Err(format!("{name} publishes no text alone: add an image URL"));
    }
    let count = |sign: char| {
        content
            .text
            .split_whitespace()
            .filter(|w| w.starts_with(sign) && w.chars().count() > 1)
            .count()
    };
    for (cap, sign, what) in [
        (limits.hashtags, '#', "hashtags"),
        (limits.mentions, '@', "@-tags"),
    ] {
        if let Some(cap) = cap
            && count(sign) > cap
        {
            return Err(format!(
                "{name} takes at most {cap} {what} in a caption; this one has {}",
                count(sign)
            ));
        }
    }
    Ok(())
}

/// SHA-256 (lowercase hex) of the content's canonical JSON: what an approval names
/// and what publishing checks, so that what was approved is what is published.
pub fn hash(content: &Content) -> String {
    let json = serde_json::to_vec(content).unwrap_or_default();
    hex::encode(Sha256::digest(json))
}

/// Approve or reject a post: compliance or admin, and never one's own post in a
/// BROKER_DEALER tenant (four eyes). In a SELF_MANAGED tenant an author with the role
/// may approve their own, and the approval says so.
pub fn review(roles: &BTreeSet<Role>, is_author: bool, mode: ComplianceMode) -> Result<(), Denied> {
    if !(roles.contains(&Role::Compliance) || roles.contains(&Role::Admin)) {
        return Err(Denied(
            "only compliance officers and admins approve or reject posts".into(),
        ));
    }
    if is_author && mode == ComplianceMode::BrokerDealer {
        return Err(Denied(
            "four-eyes rule: in a broker-dealer tenant nobody approves or rejects their own \
             post; ask another compliance officer"
                .into(),
        ));
    }
    Ok(())
}

/// What the author may still change: nothing once a delivery has left or is leaving.
pub fn editable(deliveries: impl IntoIterator<Item = DeliveryState>) -> Result<(), String> {
    let gone = deliveries.into_iter().any(|d| {
        matches!(
            d,
            DeliveryState::Publishing | DeliveryState::Published | DeliveryState::Uncertain
        )
    });
    match gone {
        true => Err(
            "the post has been published (or is being published) on at least one \
                     account; write a new post instead"
                .into(),
        ),
        false => Ok(()),
    }
}

/// The state a delivery takes when its post's review moves to `review`, given whether
/// the post has a time to leave. Deliveries already published, failed, held or
/// cancelled keep theirs.
pub fn delivery_for(review: PostReview, current: DeliveryState, scheduled: bool) -> DeliveryState {
    use DeliveryState as D;
    if matches!(
        current,
        D::Publishing | D::Published | D::Uncertain | D::Cancelled | D::Failed
    ) {
        return current;
    }
    match review {
        PostReview::Draft => D::Draft,
        PostReview::InReview => D::InReview,
        PostReview::Rejected => D::Rejected,
        PostReview::Approved if scheduled => D::Scheduled,
        PostReview::Approved => D::Approved,
    }
}

/// Whether a delivery in `state` may still be cancelled.
pub fn cancellable(state: DeliveryState) -> bool {
    use DeliveryState as D;
    matches!(
        state,
        D::Draft | D::InReview | D::Approved | D::Scheduled | D::Held | D::Rejected
    )
}

/// What a viewer may do with a post now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Edit,
    Submit,
    Approve,
    Reject,
    Cancel,
}

/// The actions open to a viewer with `roles` (the author or not) on a post in
/// `review` whose deliveries are in `deliveries`, in a tenant of `mode`.
pub fn actions(
    roles: &BTreeSet<Role>,
    is_author: bool,
    mode: ComplianceMode,
    review_state: PostReview,
    deliveries: &[DeliveryState],
) -> Vec<Action> {
    let live = deliveries.iter().any(|d| *d != DeliveryState::Cancelled);
    let mut open = Vec::new();
    if is_author && live && editable(deliveries.iter().copied()).is_ok() {
        open.push(Action::Edit);
    }
    if is_author && live && matches!(review_state, PostReview::Draft | PostReview::Rejected) {
        open.push(Action::Submit);
    }
    if review_state == PostReview::InReview && review(roles, is_author, mode).is_ok() {
        open.extend([Action::Approve, Action::Reject]);
    }
    if (is_author || roles.contains(&Role::Admin)) && deliveries.iter().any(|d| cancellable(*d)) {
        open.push(Action::Cancel);
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str, images: &[&str]) -> Content {
        let images: Vec<String> = images.iter().map(|s| (*s).to_owned()).collect();
        content(text, None, &images).expect("valid")
    }

    #[test]
    fn each_network_gets_its_own_limits() {
        let long = written(&"a".repeat(3_001), &[]);
        assert!(fits(&long, Network::Facebook).is_ok());
        let refused = fits(&long, Network::Linkedin).expect_err("too long");
        assert!(refused.contains("3000 characters"), "{refused}");
        let text_only = written("Quarterly outlook", &[]);
        let refused = fits(&text_only, Network::Instagram).expect_err("no image");
        assert!(refused.contains("add an image"), "{refused}");
        let tags = (0..31)
            .map(|i| format!("#t{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let tagged = written(&tags, &["https://cdn.example.com/a.jpg"]);
        let refused = fits(&tagged, Network::Instagram).expect_err("31 hashtags");
        assert!(refused.contains("30 hashtags"), "{refused}");
        assert!(fits(&tagged, Network::Facebook).is_ok());
        let refused = fits(&tagged, Network::Linkedin).expect_err("images");
        assert!(refused.contains("without images"), "{refused}");
        let two = written(
            "Charts",
            &[
                "https://cdn.example.com/a.jpg",
                "https://cdn.example.com/b.jpg",
            ],
        );
        assert!(fits(&two, Network::Facebook).is_ok());
        let refused = fits(&two, Network::Instagram).expect_err("one image");
        assert!(refused.contains("at most 1 image"), "{refused}");
    }

    #[test]
    fn content_is_checked_and_normalised() {
        assert!(content("  ", None, &[]).is_err());
        assert!(content("hi", Some("http://example.com"), &[]).is_err());
        assert!(content("hi", Some("javascript:alert(1)"), &[]).is_err());
        let ok = content(" hi ", Some(" https://example.com/a "), &[]).expect("ok");
        assert_eq!(ok.text, "hi");
        assert_eq!(ok.link.as_deref(), Some("https://example.com/a"));
    }

    #[test]
    fn the_hash_names_the_exact_content() {
        let a = written("Markets", &[]);
        let mut b = a.clone();
        assert_eq!(hash(&a), hash(&b));
        b.text.push('.');
        assert_ne!(hash(&a), hash(&b));
        let mut c = a.clone();
        c.link = Some("https://example.com/".into());
        assert_ne!(hash(&a), hash(&c));
        assert_eq!(hash(&a).len(), 64);
    }

    #[test]
    fn four_eyes_unless_self_managed() {
        let co: BTreeSet<Role> = [Role::Compliance].into();
        let advisor: BTreeSet<Role> = [Role::Advisor].into();
        assert!(review(&co, false, ComplianceMode::BrokerDealer).is_ok());
        assert!(review(&co, true, ComplianceMode::BrokerDealer).is_err());
        assert!(review(&co, true, ComplianceMode::SelfManaged).is_ok());
        assert!(review(&advisor, false, ComplianceMode::SelfManaged).is_err());
    }

    #[test]
    fn review_moves_deliveries_that_have_not_left() {
        use DeliveryState as D;
        assert_eq!(
            delivery_for(PostReview::Approved, D::InReview, true),
            D::Scheduled
        );
        assert_eq!(
            delivery_for(PostReview::Approved, D::InReview, false),
            D::Approved
        );
        assert_eq!(
            delivery_for(PostReview::InReview, D::Scheduled, true),
            D::InReview
        );
        assert_eq!(
            delivery_for(PostReview::InReview, D::Published, true),
            D::Published
        );
        assert_eq!(
            delivery_for(PostReview::Rejected, D::Cancelled, true),
            D::Cancelled
        );
        assert!(editable([D::Scheduled, D::Held]).is_ok());
        assert!(editable([D::Scheduled, D::Published]).is_err());
    }
}
