//! What a network client is given to publish and what it gives back. The content is
//! the approved content exactly (the caller checked the approval's hash); each client
//! maps it onto its network's documented request.

/// One post to publish as one account.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The network's id of the account: a LinkedIn member's `sub`, a Facebook Page id,
    /// an Instagram professional account's user id.
    pub account: &'a str,
    pub text: &'a str,
    pub link: Option<&'a str>,
    pub image_urls: &'a [String],
}

/// A post the network accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The network's id of the post (a LinkedIn URN, a Facebook `{page}_{post}` id, an
    /// Instagram media id).
    pub network_post_id: String,
    /// Where people see it, when the network gave (or documents) a link.
    pub permalink: Option<String>,
}
