//! Meta's `signed_request`, as its deauthorize and data-deletion callbacks send it:
//! `base64url(signature).base64url(payload)`, where the signature is HMAC-SHA256 of
//! the encoded payload (the text after the dot) with the app secret, and the payload is
//! JSON naming the algorithm and whom it is about: the person (`user_id`, the network's
//! id of them) or, when a Page removes the app, the Page (`profile_id`, with `user_id`
//! 0 in the payload Meta documented for it).
//! Nothing in it is believed before the signature checks out; the comparison takes
//! the same time whatever the signature.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use crate::config::Secret;

/// The only algorithm Meta signs with.
pub const ALGORITHM: &str = "HMAC-SHA256";

/// Whom a callback is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The network's id of the person (app-scoped on Facebook, the Instagram user id
    /// on Instagram).
    Person(String),
    /// A Facebook Page that removed the app, by its id.
    Page(String),
}

/// A verified request: whom it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub subject: Subject,
    /// When Meta signed it (Unix seconds), if it said.
    pub issued_at: Option<i64>,
}

/// Why a `signed_request` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Not two base64url parts, or a payload that is not the expected JSON.
    Malformed,
    /// The signature is not the app's.
    BadSignature,
    /// Signed, but not with HMAC-SHA256.
    Algorithm,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Invalid::Malformed => "the signed_request is malformed",
            Invalid::BadSignature => "the signed_request's signature does not match",
            Invalid::Algorithm => "the signed_request is not signed with HMAC-SHA256",
        })
    }
}

#[derive(Deserialize)]
struct Payload {
    algorithm: String,
    user_id: Option<Value>,
    profile_id: Option<Value>,
    issued_at: Option<i64>,
}

/// A Graph id from a payload field: a non-empty string or a number, never 0 (which
/// Meta sends as `user_id` when a Page, not a person, removed the app).
fn graph_id(value: Option<Value>) -> Option<String> {
    let id = match value? {
        Value::String(id) => id,
        Value::Number(id) => id.to_string(),
        _ => return None,
    };
    (!id.is_empty() && id != "0").then_some(id)
}

/// base64url with or without padding, as Meta's own examples accept.
fn decode(part: &str) -> Result<Vec<u8>, Invalid> {
    URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| Invalid::Malformed)
}

fn mac(secret: &Secret) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this never fails.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
}

/// Verifies `signed` with the app `secret` and reads who it is about.
pub fn verify(signed: &str, secret: &Secret) -> Result<SignedRequest, Invalid> {
    let (signature, payload) = signed.trim().split_once('.').ok_or(Invalid::Malformed)?;
    let signature = decode(signature)?;
    let mut expected = mac(secret);
    expected.update(payload.as_bytes());
    expected
        .verify_slice(&signature)
        .map_err(|_| Invalid::BadSignature)?;
    let payload: Payload =
        serde_json::from_slice(&decode(payload)?).map_err(|_| Invalid::Malformed)?;
    if !payload.algorithm.eq_ignore_ascii_case(ALGORITHM) {
        return Err(Invalid::Algorithm);
    }
    let subject = match (graph_id(payload.user_id), graph_id(payload.profile_id)) {
        (Some(person), _) => Subject::Person(person),
        (None, Some(page)) => Subject::Page(page),
        (None, None) => return Err(Invalid::Malformed),
    };
    Ok(SignedRequest {
        subject,
        issued_at: payload.issued_at,
    })
}

/// Signs `payload` as Meta does: for the sandbox and for tests that stand in for Meta.
pub fn sign(payload: &Value, secret: &Secret) -> String {
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let mut signature = mac(secret);
    signature.update(payload.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(signature.finalize().into_bytes());
    format!("{signature}.{payload}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret() -> Secret {
        Secret::new("app-secret")
    }

    #[test]
    fn a_request_signed_with_the_secret_is_read() {
        let payload = json!({ "algorithm": "HMAC-SHA256", "issued_at": 1_700_000_000, "user_id": "1234567890" });
        let read = verify(&sign(&payload, &secret()), &secret()).expect("valid");
        assert_eq!(read.subject, Subject::Person("1234567890".into()));
        assert_eq!(read.issued_at, Some(1_700_000_000));
        // Meta's examples pad with '='; both forms are read.
        let signed = sign(&payload, &secret());
        let (sig, body) = signed.split_once('.').expect("two parts");
        let padded = format!("{sig}=.{body}");
        assert!(verify(&padded, &secret()).is_ok());
        // A numeric user id is read as its digits.
        let numeric = json!({ "algorithm": "hmac-sha256", "user_id": 42 });
        assert_eq!(
            verify(&sign(&numeric, &secret()), &secret()).map(|r| r.subject),
            Ok(Subject::Person("42".to_owned()))
        );
        // A Page that removed the app: `user_id` 0 and the Page as `profile_id`.
        let page =
            json!({ "algorithm": "HMAC-SHA256", "user_id": 0, "profile_id": "100000000000003" });
        assert_eq!(
            verify(&sign(&page, &secret()), &secret()).map(|r| r.subject),
            Ok(Subject::Page("100000000000003".to_owned()))
        );
    }

    #[test]
    fn another_secret_or_a_changed_payload_is_a_bad_signature() {
        let payload = json!({ "algorithm": "HMAC-SHA256", "user_id": "1" });
        let signed = sign(&payload, &Secret::new("someone-else"));
        assert_eq!(verify(&signed, &secret()), Err(Invalid::BadSignature));
        let genuine = sign(&payload, &secret());
        let (sig, _) = genuine.split_once('.').expect("two parts");
        let forged = URL_SAFE_NO_PAD
            .encode(json!({ "algorithm": "HMAC-SHA256", "user_id": "2" }).to_string());
        assert_eq!(
            verify(&format!("{sig}.{forged}"), &secret()),
            Err(Invalid::BadSignature)
        );
        // A truncated signature fails the same way (and takes no shortcut).
        assert_eq!(
            verify(&format!("{}.{}", &sig[..8], forged), &secret()),
            Err(Invalid::BadSignature)
        );
    }

    #[test]
    fn another_algorithm_is_refused_even_when_signed() {
        let payload = json!({ "algorithm": "HMAC-SHA1", "user_id": "1" });
        assert_eq!(
            verify(&sign(&payload, &secret()), &secret()),
            Err(Invalid::Algorithm)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in ["", "no-dot", "!!!.???", "a.b.c"] {
            assert!(verify(bad, &secret()).is_err(), "{bad}");
        }
        let signed_but_empty = sign(&json!({ "algorithm": "HMAC-SHA256" }), &secret());
        assert_eq!(
            verify(&signed_but_empty, &secret()),
            Err(Invalid::Malformed)
        );
        let not_json = {
            let payload = URL_SAFE_NO_PAD.encode("not json");
            let mut m = mac(&secret());
            m.update(payload.as_bytes());
            format!(
                "{}.{payload}",
                URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
            )
        };
        assert_eq!(verify(&not_json, &secret()), Err(Invalid::Malformed));
    }
}
