//! What Meta's two Graph hosts (Facebook's and Instagram's) share: the
//! `appsecret_proof` sent with every call that carries a token, and the refusal of a
//! login whose person unticked a permission that posting needs (Meta's dialogs let
//! people untick each one).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{ConnectFailure, ProviderError};
use crate::config::Secret;

/// HMAC-SHA256 of `token` keyed with the app secret, in hex. Meta accepts it on every
/// Graph call, and requires it once an operator turns on "Require App Secret" in the
/// app's settings; sending it always means that switch never breaks a connection.
pub fn appsecret_proof(secret: &Secret, token: &str) -> String {
    // HMAC takes a key of any length, so this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The refusal of a login that lacks one of `needed` (permission, the words Meta's
/// dialog shows for it), naming the first missing one; `None` when all were granted.
pub fn declined(
    network: &str,
    needed: &[(&str, &str)],
    granted: &[String],
) -> Option<ProviderError> {
    let (permission, words) = needed
        .iter()
        .find(|(permission, _)| !granted.iter().any(|g| g == permission))?;
    Some(ProviderError::Refused(
        ConnectFailure::PermissionDeclined,
        format!(
            "{network} was told not to give this app the permission \"{words}\" \
             ({permission}), which it needs to post for you. Connect again and leave it \
             ticked in {network}'s dialog."
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proof_is_the_hex_hmac_of_the_token() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a
        // published test vector.
        assert_eq!(
            appsecret_proof(
                &Secret::new("key"),
                "The quick brown fox jumps over the lazy dog"
            ),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn a_missing_permission_is_named() {
        let needed = [(
            "pages_manage_posts",
            "Create and manage content on your Page",
        )];
        let granted = vec!["pages_show_list".to_owned()];
        let Some(ProviderError::Refused(code, words)) = declined("Facebook", &needed, &granted)
        else {
            panic!("a login without pages_manage_posts is refused");
        };
        assert_eq!(code, ConnectFailure::PermissionDeclined);
        assert!(words.contains("(pages_manage_posts)"), "{words}");
        assert!(declined("Facebook", &needed, &["pages_manage_posts".to_owned()]).is_none());
    }
}
