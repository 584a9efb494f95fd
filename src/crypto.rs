//! Sealing of stored tokens: AES-256-GCM with a random nonce, the key id stored beside
//! the ciphertext, and the tenant and integration as associated data, so a ciphertext
//! copied to another row (or tenant) fails to open.
//!
//! Keys come from `SOCIALGATE_TOKEN_KEYS` as `id:base64key` pairs, newest first. New
//! writes use the newest; older ones still open, and `socialgate reseal` moves rows
//! forward. Plaintexts are handed out as [`Secret`]s, which never print.

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;
use uuid::Uuid;

use crate::{
    config::Secret,
    error::{AppError, AppResult},
};

const NONCE_LEN: usize = 12;

/// The sealing keys, newest first.
pub struct Keyring {
    keys: Vec<(String, Aes256Gcm)>,
    /// The newest key's bytes, only to derive keys for other purposes ([`Keyring::derive`]).
    newest: [u8; 32],
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

/// A sealed value and the id of the key that sealed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    /// Nonce followed by ciphertext and tag.
    pub blob: Vec<u8>,
}

/// Associated data binding a ciphertext to its row.
pub fn binding(tenant_id: Uuid, row_id: Uuid) -> [u8; 32] {
    let mut aad = [0u8; 32];
    aad[..16].copy_from_slice(tenant_id.as_bytes());
    aad[16..].copy_from_slice(row_id.as_bytes());
    aad
}

impl Keyring {
    /// Parses `id:base64,id:base64` (newest first); each key must be 32 bytes.
    pub fn parse(spec: &Secret) -> AppResult<Keyring> {
        let mut keys = Vec::new();
        let mut newest = None;
        for part in spec
            .expose()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (id, key) = part.split_once(':').ok_or_else(|| {
                AppError::BadUserInput(
                    "SOCIALGATE_TOKEN_KEYS entries look like id:base64key".into(),
                )
            })?;
            // Trimmed before the repeat check too: `k1 :…` and `k1:…` are one id.
            let id = id.trim();
            let bytes = STANDARD.decode(key.trim()).map_err(|_| {
                AppError::BadUserInput(format!("SOCIALGATE_TOKEN_KEYS: key {id:?} is not base64"))
            })?;
            let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| {
                AppError::BadUserInput(format!(
                    "SOCIALGATE_TOKEN_KEYS: key {id:?} must be 32 bytes"
                ))
            })?;
            if id.is_empty() || keys.iter().any(|(k, _)| k == id) {
                return Err(AppError::BadUserInput(format!(
                    "SOCIALGATE_TOKEN_KEYS: key id {id:?} is empty or repeated"
                )));
            }
            keys.push((id.to_owned(), cipher));
            newest = newest.or_else(|| <[u8; 32]>::try_from(bytes.as_slice()).ok());
        }
        let Some(newest) = newest.filter(|_| !keys.is_empty()) else {
            return Err(AppError::BadUserInput(
                "SOCIALGATE_TOKEN_KEYS has no key".into(),
            ));
        };
        Ok(Keyring { keys, newest })
    }

    /// A new random key in the `id:base64` form, for configuration.
    pub fn generate(id: &str) -> Secret {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Secret::new(format!("{id}:{}", STANDARD.encode(key)))
    }

    /// A key for another purpose named by `label` (HMAC-SHA256 of the label under the
    /// newest key), so a deployment needs no second secret; it changes with the newest key.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.newest)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The id new writes use.
    pub fn newest_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Seals `plaintext` with the newest key, bound to `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> AppResult<Sealed> {
        let (id, cipher) = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| AppError::internal("sealing failed"))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        Ok(Sealed {
            key_id: id.clone(),
            blob,
        })
    }

    /// Opens a sealed value; a wrong key id, another row's `aad` or a changed byte fails.
    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> AppResult<Secret> {
        let cipher = self
            .keys
            .iter()
            .find(|(id, _)| *id == sealed.key_id)
            .map(|(_, c)| c)
            .ok_or_else(|| {
                AppError::internal(format!("no token key with id {:?}", sealed.key_id))
            })?;
        if sealed.blob.len() <= NONCE_LEN {
            return Err(AppError::internal("sealed token is truncated"));
        }
        let (nonce, ciphertext) = sealed.blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| AppError::internal("sealed token has a bad nonce"))?;
        let plaintext = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| AppError::internal("sealed token does not open for this row"))?;
        String::from_utf8(plaintext)
            .map(Secret::new)
            .map_err(|_| AppError::internal("sealed token is not text"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(spec: &str) -> Keyring {
        Keyring::parse(&Secret::new(spec)).expect("keyring")
    }

    #[test]
    fn round_trip_binding_and_rotation() {
        let old = Keyring::generate("k1");
        let new = Keyring::generate("k2");
        let (tenant, row, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let aad = binding(tenant, row);

        let before = ring(old.expose());
        let sealed = before.seal(b"EAAG-token", &aad).expect("seal");
        assert_eq!(sealed.key_id, "k1");
        assert!(!sealed.blob.windows(10).any(|w| w == b"EAAG-token"));
        assert_eq!(
            before.open(&sealed, &aad).expect("open").expose(),
            "EAAG-token"
        );
        assert!(
            before.open(&sealed, &binding(tenant, other)).is_err(),
            "moved to another row"
        );
        let mut flipped = sealed.clone();
        flipped.blob[NONCE_LEN] ^= 1;
        assert!(before.open(&flipped, &aad).is_err(), "tampered");
        let wrong_id = Sealed {
            key_id: "k9".into(),
            ..sealed.clone()
        };
        assert!(before.open(&wrong_id, &aad).is_err(), "unknown key id");

        let rotated = ring(&format!("{},{}", new.expose(), old.expose()));
        assert_eq!(
            rotated
                .open(&sealed, &aad)
                .expect("old key still opens")
                .expose(),
            "EAAG-token"
        );
        assert_eq!(rotated.seal(b"x", &aad).expect("seal").key_id, "k2");
        assert!(
            format!("{rotated:?}").contains("k2") && !format!("{rotated:?}").contains(new.expose())
        );
    }

    #[test]
    fn bad_key_specs_are_refused() {
        for spec in [
            "",
            "k1",
            "k1:not-base64!",
            "k1:AAAA",
            "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "k1 :AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            " :AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ] {
            assert!(Keyring::parse(&Secret::new(spec)).is_err(), "{spec}");
        }
    }
}
